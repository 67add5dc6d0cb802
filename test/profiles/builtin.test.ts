import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseImageReference } from '../../src/debug/image-ref.ts';
import { BUILTIN_NAMES, builtinProfiles, DEFAULT_PROFILE, mirrorImage } from '../../src/profiles/builtin.ts';

const byName = Object.fromEntries(builtinProfiles().map((p) => [p.name, p]));

describe('built-in profiles', () => {
  it('are busybox (the default), netshoot, netadmin, ptrace and restricted, all built-in', () => {
    expect(BUILTIN_NAMES).toEqual(['busybox', 'netshoot', 'netadmin', 'ptrace', 'restricted']);
    expect(DEFAULT_PROFILE).toBe('busybox');
    for (const p of builtinProfiles()) expect(p.source).toBe('built-in');
  });

  it('pin their images by tag and digest and name a shell the image has', () => {
    const busybox = 'busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662';
    const netshoot = 'nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b';
    expect(Object.values(byName).map((p) => [p.name, p.image, p.shell])).toEqual([
      ['busybox', busybox, ['sh']],
      ['netshoot', netshoot, ['bash']],
      ['netadmin', netshoot, ['bash']],
      ['ptrace', netshoot, ['bash']],
      ['restricted', busybox, ['sh']],
    ]);
  });

  it('have their digest references on the real e2e node, which tags its local images with them', () => {
    const node = readFileSync(new URL('../../e2e/lib/node.sh', import.meta.url), 'utf8');
    for (const p of builtinProfiles()) {
      const ref = parseImageReference(p.image)!;
      const repo = ref.name.includes('/') ? `docker.io/${ref.name}` : `docker.io/library/${ref.name}`;
      expect(node).toContain(`${repo}:${ref.tag}=${repo}@${ref.digest}`);
    }
  });

  it('have exactly these securityContexts', () => {
    expect(byName.busybox!.securityContext).toBeUndefined();
    expect(byName.netshoot!.securityContext).toBeUndefined();
    expect(byName.netadmin!.securityContext).toStrictEqual({ capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } });
    expect(byName.ptrace!.securityContext).toStrictEqual({ capabilities: { add: ['SYS_PTRACE'] } });
    expect(byName.restricted!.securityContext).toStrictEqual({
      runAsNonRoot: true,
      runAsUser: 65534,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('leave their PodSecurity level to be computed, not written in a description', () => {
    for (const p of builtinProfiles()) expect(p.description).not.toMatch(/baseline|restricted|privileged/i);
  });

  it('are fresh objects on every call', () => {
    builtinProfiles()[2]!.securityContext!.capabilities!.add!.push('SYS_ADMIN');
    expect(builtinProfiles()[2]!.securityContext).toStrictEqual({ capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } });
  });

  it('mirror Docker Hub images as <registry>/<repo>:<tag>, keeping library/ for official images', () => {
    expect(mirrorImage('busybox:1.36.1', 'mirror.example.com/hub')).toBe('mirror.example.com/hub/library/busybox:1.36.1');
    expect(mirrorImage('busybox:1.36.1@sha256:73aa', 'm.example.com')).toBe('m.example.com/library/busybox:1.36.1@sha256:73aa');
    expect(mirrorImage('nicolaka/netshoot:v0.13', 'localhost:5000')).toBe('localhost:5000/nicolaka/netshoot:v0.13');
  });
});
