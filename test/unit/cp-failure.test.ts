// kdbg cp's line when the copy program refuses: what it takes, and which flag or profile gives it in this pod.
import { describe, expect, it } from 'vitest';
import type { V1Pod, V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';
import { copyFailure, type CopyPlace } from '../../src/commands/cp/failure.ts';
import { COPY_EXIT } from '../../src/debug/copy-programs.ts';
import { builtinProfiles } from '../../src/profiles/builtin.ts';

const profile = (name: string) => builtinProfiles().find((p) => p.name === name)!;
const pod = (podSc?: V1PodSecurityContext, appSc?: V1SecurityContext): V1Pod => ({
  metadata: { name: 'web-0' },
  spec: { securityContext: podSc, containers: [{ name: 'app', image: 'example/app:1', securityContext: appSc }] },
});
const place = (p: V1Pod, extra: Partial<CopyPlace> = {}): CopyPlace => ({ pod: p, target: 'app', profile: profile('busybox'), harden: false, ptrace: profile('ptrace'), debugFs: false, ...extra });
const refused = (d: string, t: string) => `cannot enter /proc/1/root as uid ${d.split(':')[0]} gid ${d.split(':')[1]}: its main process runs as uid ${t.split(':')[0]} gid ${t.split(':')[1]}`;
const fail = (code: number, line: string, where: CopyPlace) => {
  const err = copyFailure(code, `tar: something\n${line}\n`, where);
  return { kind: err.kind, message: err.message };
};

describe("kdbg cp's refusals", () => {
  it("a target that runs as root, read by --harden's non-root user: without --harden, or -p ptrace", () => {
    expect(fail(COPY_EXIT.rootRefused, refused('65534:0', '0:0'), place(pod(), { harden: true }))).toEqual({
      kind: 'forbidden',
      message:
        "cannot read the target container's files (/proc/1/root) as uid 65534: its main process runs as uid 0, and reading another process's files takes its user and group, or CAP_SYS_PTRACE: " +
        'without --harden the debug container runs as uid 0, or -p ptrace runs the debug container as root with CAP_SYS_PTRACE',
    });
  });

  it('a target whose own securityContext names its user and group, read as root: --harden takes both, or -p ptrace', () => {
    const p = pod(undefined, { runAsUser: 1000, runAsGroup: 1000 });
    expect(fail(COPY_EXIT.rootRefused, refused('0:0', '1000:1000'), place(p)).message).toBe(
      "cannot read the target container's files (/proc/1/root) as uid 0: its main process runs as uid 1000, and reading another process's files takes its user and group, or CAP_SYS_PTRACE: " +
        'with --harden the debug container runs as uid 1000, or -p ptrace runs the debug container as root with CAP_SYS_PTRACE',
    );
  });

  it("--harden where it gives the target's user and group (the pod names the group)", () => {
    const p = pod({ runAsGroup: 3000 }, { runAsUser: 1000 });
    expect(fail(COPY_EXIT.rootRefused, refused('0:3000', '1000:3000'), place(p)).message).toMatch(/CAP_SYS_PTRACE: with --harden the debug container runs as uid 1000, or -p ptrace runs/);
  });

  it("the same user in another group, in a pod that keeps every container non-root: a profile with the target's user and group", () => {
    const p = pod({ runAsNonRoot: true, runAsUser: 1000 });
    expect(fail(COPY_EXIT.rootRefused, refused('1000:0', '1000:1000'), place(p)).message).toBe(
      "cannot read the target container's files (/proc/1/root) as uid 1000 gid 0: its main process runs as gid 1000, and reading another process's files takes its user and group, or CAP_SYS_PTRACE: " +
        "a profile (--config) whose securityContext sets runAsUser: 1000 and runAsGroup: 1000 runs the debug container as the target's user",
    );
  });

  it('the same user and group, refused all the same: the process is not dumpable', () => {
    expect(fail(COPY_EXIT.rootRefused, refused('0:0', '0:0'), place(pod())).message).toBe(
      "cannot read the target container's files (/proc/1/root) as uid 0, its main process's own user: that process is not dumpable (a set-user-ID program, or prctl PR_SET_DUMPABLE), so only CAP_SYS_PTRACE reads its files: " +
        '-p ptrace runs the debug container as root with CAP_SYS_PTRACE',
    );
  });

  it("a file the debug container's user may not read: root with CAP_SYS_PTRACE, as -p ptrace or, where the pod keeps containers non-root, a profile", () => {
    const line = '/data/secret: permission denied (uid 1000 may not read it)';
    expect(fail(COPY_EXIT.denied, line, place(pod(undefined, { runAsNonRoot: false, runAsUser: 1000 })))).toEqual({ kind: 'forbidden', message: `${line}; root with CAP_SYS_PTRACE reads any file of the target: -p ptrace` });
    expect(fail(COPY_EXIT.denied, line, place(pod({ runAsNonRoot: true, runAsUser: 1000 }))).message).toBe(
      `${line}; root with CAP_SYS_PTRACE reads any file of the target: a profile (--config) whose securityContext sets runAsUser: 0, runAsNonRoot: false and adds SYS_PTRACE, where the namespace allows it`,
    );
    expect(fail(COPY_EXIT.denied, '/x: permission denied (uid 0 may not read it)', place(pod())).message).toBe('/x: permission denied (uid 0 may not read it)');
    expect(fail(COPY_EXIT.denied, line, place(pod(), { debugFs: true })).message).toBe(line);
  });

  it('a missing path is not-found; no process of the target is not-debuggable; tar failing is its own line', () => {
    expect(fail(COPY_EXIT.missing, '/x: no such file or directory', place(pod()))).toEqual({ kind: 'not-found', message: '/x: no such file or directory' });
    expect(fail(COPY_EXIT.noTarget, "no process of the target container (0123456789ab) among the pod's processes", place(pod()))).toEqual({
      kind: 'not-debuggable',
      message: "no process of the target container (0123456789ab) among the pod's processes: the target's files cannot be told from another container's; nothing was copied",
    });
    expect(fail(1, 'tar: write error: No space left on device', place(pod()))).toEqual({ kind: 'unusable', message: 'tar: write error: No space left on device' });
  });
});
