// `kdbg profiles`: the table and the JSON, as text. The caller prints it.
import type { V1SecurityContext } from '@kubernetes/client-node';
import type { Profile } from './profile.ts';

export interface ProfileListing {
  profiles: Profile[];
  defaultProfile: string;
}

/** NAME  IMAGE  ADDS  SOURCE  DESCRIPTION, the default's name marked with `*`; ends with a newline. */
export function profileTable({ profiles, defaultProfile }: ProfileListing): string {
  const rows = [
    ['NAME', 'IMAGE', 'ADDS', 'SOURCE', 'DESCRIPTION'],
    ...profiles.map((p) => [p.name === defaultProfile ? `${p.name}*` : p.name, p.image, adds(p.securityContext), p.source, p.description]),
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  const line = (row: string[]) => row.map((cell, col) => (col < row.length - 1 ? cell.padEnd(widths[col]! + 3) : cell)).join('').trimEnd();
  return `${rows.map(line).join('\n')}\n`;
}

/** `--output json`: an array of the profiles, each with `default: true|false`; ends with a newline. */
export function profileJson({ profiles, defaultProfile }: ProfileListing): string {
  const items = profiles.map((p) => ({
    name: p.name,
    default: p.name === defaultProfile,
    image: p.image,
    shell: p.shell,
    env: p.env,
    securityContext: p.securityContext,
    source: p.source,
    description: p.description,
  }));
  return `${JSON.stringify(items, null, 2)}\n`;
}

/** What a securityContext changes, in brief: `privileged`, added capabilities, `uid=N`/`non-root`, `drop=…`; `-` if nothing. */
export function adds(sc: V1SecurityContext | undefined): string {
  const parts = [
    ...(sc?.privileged ? ['privileged'] : []),
    ...(sc?.capabilities?.add ?? []),
    ...(sc?.runAsUser !== undefined ? [`uid=${sc.runAsUser}`] : sc?.runAsNonRoot ? ['non-root'] : []),
    ...(sc?.capabilities?.drop?.length ? [`drop=${sc.capabilities.drop.join('+')}`] : []),
  ];
  return parts.length ? parts.join(',') : '-';
}
