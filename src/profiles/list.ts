// `kdbg profiles`: the table and the JSON, as text. The caller prints it.
import type { V1SecurityContext } from '@kubernetes/client-node';
import type { Profile } from './profile.ts';
import { formatTable, type TableOptions } from '../ui/table.ts';
import type { Paint } from '../ui/paint.ts';
import { podSecurityLevel } from '../debug/pod-security-level.ts';
import { shortImage } from '../debug/image-ref.ts';

export interface ProfileListing {
  profiles: Profile[];
  defaultProfile: string;
}

/**
 * NAME  IMAGE  ADDS  LEVEL  SOURCE  DESCRIPTION, the default's name marked with `*`, LEVEL the PodSecurity level the
 * profile's container needs (computed from its securityContext), a digest shortened; `wide` adds SHELL and ENV and
 * shows images whole. Ends with a newline.
 */
export function profileTable({ profiles, defaultProfile }: ProfileListing, opts: TableOptions & { wide?: boolean; paint?: Paint } = {}): string {
  const name = (p: Profile) => (p.name === defaultProfile ? `${p.name}*` : p.name);
  const rows = opts.wide
    ? [
        ['NAME', 'IMAGE', 'ADDS', 'LEVEL', 'SHELL', 'ENV', 'SOURCE', 'DESCRIPTION'],
        ...profiles.map((p) => [
          name(p),
          p.image,
          adds(p.securityContext),
          podSecurityLevel(p.securityContext),
          p.shell.join(' '),
          Object.keys(p.env ?? {}).join(',') || '-',
          p.source,
          p.description,
        ]),
      ]
    : [
        ['NAME', 'IMAGE', 'ADDS', 'LEVEL', 'SOURCE', 'DESCRIPTION'],
        ...profiles.map((p) => [name(p), shortImage(p.image), adds(p.securityContext), podSecurityLevel(p.securityContext), p.source, p.description]),
      ];
  const paint = opts.paint;
  return formatTable(rows, { ...opts, style: paint?.enabled ? (text, row) => (row === 0 ? paint('bold', text) : text) : undefined });
}

/** `--output json`: an array of the profiles, each with `default: true|false` and its `podSecurityLevel`; ends with a newline. */
export function profileJson({ profiles, defaultProfile }: ProfileListing): string {
  const items = profiles.map((p) => ({
    name: p.name,
    default: p.name === defaultProfile,
    image: p.image,
    shell: p.shell,
    env: p.env,
    securityContext: p.securityContext,
    podSecurityLevel: podSecurityLevel(p.securityContext),
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
