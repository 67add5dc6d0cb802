import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { debugContainer, randomName, reusableName, specHash, ENV, envOf } from '../../src/debug/spec.ts';
import { builtinProfiles } from '../../src/profiles/builtin.ts';
import { idleCommand } from '../../src/debug/programs.ts';

const profile = (name: string) => builtinProfiles().find((p) => p.name === name)!;
const pod = (sc: NonNullable<V1Pod['spec']>['securityContext'] = undefined, containerSc: object | undefined = undefined): V1Pod => ({
  spec: { securityContext: sc, containers: [{ name: 'app', image: 'nginx:1', securityContext: containerSc }] },
});
const input = { pod: pod(), target: 'app', user: 'alice', ttlSeconds: 900 };

describe('the debug container kdbg sends', () => {
  it('idles, targets the container and carries who, why and what', () => {
    const c = debugContainer({ ...input, profile: profile('busybox'), reason: 'INC-42' }, 'kdbg-busybox-b2c4d');
    expect(c).toMatchObject({ name: 'kdbg-busybox-b2c4d', image: 'busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662', command: idleCommand(), targetContainerName: 'app' });
    expect(c.securityContext).toBeUndefined();
    expect(Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]))).toEqual({
      KDBG_NAME: 'kdbg-busybox-b2c4d',
      KDBG_USER: 'alice',
      KDBG_TTL: '900',
      KDBG_PROFILE: 'busybox',
      KDBG_REASON: 'INC-42',
      KDBG_SPEC: specHash(c),
    });
  });

  it('recomputes the hash from a stored container, so a forged KDBG_SPEC label does not pass', () => {
    const c = debugContainer({ ...input, profile: profile('busybox') }, 'kdbg-busybox-aaaaa');
    const stored = { ...c, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' };
    expect(specHash(stored)).toBe(envOf(c, ENV.spec));
    expect(specHash({ ...stored, image: 'nicolaka/netshoot:v0.13' })).not.toBe(envOf(c, ENV.spec));
  });

  it('hashes the spec without the name, the reason and the TTL (a session sets the TTL of the container it reuses)', () => {
    const a = debugContainer({ ...input, profile: profile('busybox'), reason: 'one' }, 'kdbg-busybox-aaaaa');
    const b = debugContainer({ ...input, profile: profile('busybox'), ttlSeconds: 0 }, 'kdbg-busybox-bbbbb');
    expect(envOf(a, ENV.spec)).toBe(envOf(b, ENV.spec));
    for (const change of [{ user: 'bob' }, { image: 'busybox:1.37' }, { target: 'other' }]) {
      expect(envOf(debugContainer({ ...input, profile: profile('busybox'), ...change }, 'kdbg-busybox-aaaaa'), ENV.spec)).not.toBe(envOf(a, ENV.spec));
    }
    expect(envOf(debugContainer({ ...input, profile: profile('netadmin') }, 'x'), ENV.spec)).not.toBe(envOf(a, ENV.spec));
  });

  it("runs as the target's user, else 65534, where the pod demands non-root and the profile names no user", () => {
    expect(debugContainer({ ...input, pod: pod({ runAsNonRoot: true, runAsUser: 1000 }), profile: profile('busybox') }, 'x').securityContext).toEqual({ runAsUser: 1000 });
    expect(debugContainer({ ...input, pod: pod({ runAsNonRoot: true }), profile: profile('netadmin') }, 'x').securityContext).toEqual({
      capabilities: { add: ['NET_ADMIN', 'NET_RAW'] },
      runAsUser: 65534,
    });
    expect(debugContainer({ ...input, pod: pod(undefined, { runAsNonRoot: true, runAsUser: 2000 }), profile: profile('busybox') }, 'x').securityContext).toEqual({ runAsUser: 2000 });
    // the group the target container sets comes along with its user; the pod's own applies to every container anyway
    const grouped = pod({ runAsGroup: 5000 }, { runAsNonRoot: true, runAsUser: 2000, runAsGroup: 3000 });
    expect(debugContainer({ ...input, pod: grouped, profile: profile('busybox') }, 'x').securityContext).toEqual({ runAsUser: 2000, runAsGroup: 3000 });
    expect(debugContainer({ ...input, pod: grouped, profile: profile('busybox'), harden: true }, 'x').securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 2000, runAsGroup: 3000 });
    expect(debugContainer({ ...input, pod: pod({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 5000 }), profile: profile('busybox') }, 'x').securityContext).toEqual({ runAsUser: 1000 });
    expect(debugContainer({ ...input, pod: pod({ runAsNonRoot: true, runAsUser: 1000 }), profile: profile('restricted') }, 'x').securityContext?.runAsUser).toBe(65534);
    const nonRootProfile = { ...profile('busybox'), securityContext: { runAsNonRoot: true } };
    expect(debugContainer({ ...input, profile: nonRootProfile }, 'x').securityContext).toEqual({ runAsNonRoot: true, runAsUser: 65534 });
  });

  it('names a reusable container the same for every caller with the same user and spec, and each generation apart', () => {
    const hash = envOf(debugContainer({ ...input, profile: profile('busybox') }, 'x'), ENV.spec)!;
    const names = [0, 1, 2].map((g) => reusableName('busybox', 'alice', hash, g));
    expect(reusableName('busybox', 'alice', hash, 0)).toBe(names[0]);
    expect(new Set(names).size).toBe(3);
    expect(reusableName('busybox', 'bob', hash, 0)).not.toBe(names[0]);
    for (const n of names) expect(n).toMatch(/^kdbg-busybox-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('names containers kdbg-<profile>-<5> from a vowel-free alphabet', () => {
    const name = randomName('netshoot', () => Buffer.from([0, 1, 2, 26, 27]));
    expect(name).toBe('kdbg-netshoot-bcd9b');
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
