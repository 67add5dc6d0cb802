import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES, builtinProfiles, DEFAULT_PROFILE, mirrorImage } from '../../src/profiles/builtin.ts';

const byName = Object.fromEntries(builtinProfiles().map((p) => [p.name, p]));

describe('built-in profiles', () => {
  it('are busybox (the default), netshoot, netadmin, ptrace and restricted, all built-in', () => {
    expect(BUILTIN_NAMES).toEqual(['busybox', 'netshoot', 'netadmin', 'ptrace', 'restricted']);
    expect(DEFAULT_PROFILE).toBe('busybox');
    for (const p of builtinProfiles()) expect(p.source).toBe('built-in');
  });

  it('pin their images and name a shell the image has', () => {
    expect(Object.values(byName).map((p) => [p.name, p.image, p.shell])).toEqual([
      ['busybox', 'busybox:1.36.1', ['sh']],
      ['netshoot', 'nicolaka/netshoot:v0.13', ['bash']],
      ['netadmin', 'nicolaka/netshoot:v0.13', ['bash']],
      ['ptrace', 'nicolaka/netshoot:v0.13', ['bash']],
      ['restricted', 'busybox:1.36.1', ['sh']],
    ]);
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
    expect(mirrorImage('nicolaka/netshoot:v0.13', 'localhost:5000')).toBe('localhost:5000/nicolaka/netshoot:v0.13');
  });
});
