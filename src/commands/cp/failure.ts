// Why a copy failed, as kdbg's one line: the copy program's own words (by its exit code, copy-programs.ts), and
// where the debug container's user was refused, which flag or profile would run it as one that is not.
import type { V1Pod } from '@kubernetes/client-node';
import { KdbgError } from '../../errors.ts';
import { COPY_EXIT } from '../../debug/copy-programs.ts';
import { debugContainer } from '../../debug/spec.ts';
import type { Profile } from '../../profiles/profile.ts';

export interface CopyPlace {
  pod: V1Pod;
  target: string;
  /** the profile the debug container runs, and whether --harden was given */
  profile: Profile;
  harden: boolean;
  /** the built-in profile with CAP_SYS_PTRACE */
  ptrace: Profile;
  /** --debug-fs: the debug container's own files */
  debugFs: boolean;
}

export function copyFailure(code: number, said: string, place: CopyPlace): KdbgError {
  const line = said.trim().split('\n').filter(Boolean).pop() ?? 'tar failed';
  if (code === COPY_EXIT.missing) return new KdbgError('not-found', line);
  if (code === COPY_EXIT.rootRefused) return new KdbgError('forbidden', rootRefused(line, place));
  if (code === COPY_EXIT.noTarget) return new KdbgError('not-debuggable', `${line}: the target's files cannot be told from another container's; nothing was copied`);
  if (code === COPY_EXIT.denied || /permission denied/i.test(line)) {
    // root reads what another user may not; the copy program names the user it ran as
    const bare = place.debugFs || /\(uid 0 /.test(line);
    return new KdbgError('forbidden', bare ? line : `${line}; ${asRoot(place)}`);
  }
  if (/no such/i.test(line)) return new KdbgError('not-found', line);
  return new KdbgError('unusable', line);
}

interface Ids {
  uid: number;
  /** undefined: from the image's /etc/passwd, unknown here */
  gid: number | undefined;
  ptrace: boolean;
}

/** Whom a debug container of this profile runs as in this pod (a user the spec leaves to the image is root). */
function runsAs(place: CopyPlace, profile: Profile, harden: boolean): Ids {
  const sc = debugContainer({ profile, pod: place.pod, target: place.target, user: '', ttlSeconds: 0, harden }, 'kdbg-pending').securityContext;
  const podSc = place.pod.spec?.securityContext;
  const uid = sc?.runAsUser ?? podSc?.runAsUser ?? 0;
  return { uid, gid: sc?.runAsGroup ?? podSc?.runAsGroup ?? (uid === 0 ? 0 : undefined), ptrace: uid === 0 && (sc?.capabilities?.add ?? []).includes('SYS_PTRACE') };
}

/** `cannot enter ROOT as uid D gid E: its main process runs as uid T gid G` → what it takes, and what would give it. */
function rootRefused(line: string, place: CopyPlace): string {
  const m = /^cannot enter (\S+) as uid (\d+) gid (\d+): its main process runs as uid (\d+) gid (\d+)$/.exec(line);
  if (!m) return line;
  const [root, uid, gid, tuid, tgid] = [m[1]!, ...m.slice(2).map(Number)] as [string, number, number, number, number];
  const head = `cannot read the target container's files (${root}) as uid ${uid}`;
  const takes = (ids: Ids) => ids.ptrace || (ids.uid === tuid && ids.gid === tgid && (uid !== tuid || gid !== tgid));
  const ways: string[] = [];
  if (place.profile.name !== place.ptrace.name && takes(runsAs(place, place.ptrace, false))) ways.push('-p ptrace runs the debug container as root with CAP_SYS_PTRACE');
  const other = runsAs(place, place.profile, !place.harden);
  if (takes(other)) ways.unshift(`${place.harden ? 'without' : 'with'} --harden the debug container runs as uid ${other.uid}`);
  if (uid === tuid && gid === tgid) {
    return `${head}, its main process's own user: that process is not dumpable (a set-user-ID program, or prctl PR_SET_DUMPABLE), so only CAP_SYS_PTRACE reads its files${ways.length ? `: ${ways.join(', or ')}` : ''}`;
  }
  if (!ways.length) ways.push(`a profile (--config) whose securityContext sets runAsUser: ${tuid} and runAsGroup: ${tgid} runs the debug container as the target's user`);
  const whose = uid === tuid ? `gid ${gid}: its main process runs as gid ${tgid}` : `: its main process runs as uid ${tuid}`;
  return `${head}${uid === tuid ? ' ' : ''}${whose}, and reading another process's files takes its user and group, or CAP_SYS_PTRACE: ${ways.join(', or ')}`;
}

/** What reads a file of the target that the debug container's user may not: root, with CAP_SYS_PTRACE to enter it. */
function asRoot(place: CopyPlace): string {
  if (place.profile.name !== place.ptrace.name && runsAs(place, place.ptrace, false).ptrace) return 'root with CAP_SYS_PTRACE reads any file of the target: -p ptrace';
  return 'root with CAP_SYS_PTRACE reads any file of the target: a profile (--config) whose securityContext sets runAsUser: 0, runAsNonRoot: false and adds SYS_PTRACE, where the namespace allows it';
}
