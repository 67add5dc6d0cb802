// What kdbg decides from a namespace's PodSecurity level before the API server is asked: --harden's securityContext
// passes restricted with every built-in profile, the default without -p, and the refusal by the label where no dry
// run can judge.
import { describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { builtinProfiles } from '../../src/profiles/builtin.ts';
import { debugContainer } from '../../src/debug/spec.ts';
import { podSecurityLevel } from '../../src/debug/pod-security-level.ts';
import { levelRefusal } from '../../src/debug/pod-security.ts';
import { defaultFor } from '../../src/debug/default-profile.ts';

const profiles = builtinProfiles();
const profile = (name: string) => profiles.find((p) => p.name === name)!;
const plainPod: V1Pod = { metadata: { name: 'web-0' }, spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } };
const userPod: V1Pod = { metadata: { name: 'web-1' }, spec: { securityContext: { runAsNonRoot: true, runAsUser: 1000 }, containers: [{ name: 'app', image: 'busybox:1.36' }] } };
const fit = (name: string, pod: V1Pod, harden: boolean) =>
  debugContainer({ profile: profile(name), pod, target: 'app', user: 'alice', ttlSeconds: 900, harden }, `kdbg-${name}-xxxxx`);

describe('--harden', () => {
  it.each(profiles.map((p) => p.name))("makes %s pass restricted, as its own user, else the pod's non-root one, else 65534, and changes its reuse identity", (name) => {
    for (const [pod, uid] of [[plainPod, 65534], [userPod, 1000]] as const) {
      const c = fit(name, pod, true);
      expect(podSecurityLevel(c.securityContext, pod.spec)).toBe('restricted');
      expect(c.securityContext).toEqual({ runAsNonRoot: true, runAsUser: name === 'restricted' ? 65534 : uid, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
    }
    if (name !== 'restricted') expect(fit(name, plainPod, true).env!.find((e) => e.name === 'KDBG_SPEC')).not.toEqual(fit(name, plainPod, false).env!.find((e) => e.name === 'KDBG_SPEC'));
  });
});

describe('the profile without -p', () => {
  it('is restricted where the namespace enforces restricted, said why; else busybox, with restricted to fall back on', () => {
    expect(defaultFor('restricted', 'prod', profile('busybox'), profile('restricted'))).toEqual({ profile: profile('restricted'), why: 'profile restricted: namespace prod enforces restricted', fallback: undefined });
    for (const level of ['baseline', 'privileged', undefined] as const) {
      expect(defaultFor(level, 'dev', profile('busybox'), profile('restricted'))).toEqual({ profile: profile('busybox'), why: undefined, fallback: profile('restricted') });
    }
  });
});

describe("the label's refusal where no dry run can judge", () => {
  it('names the level, what the container needs, the checks it fails and what to do', () => {
    const netshoot = fit('netshoot', plainPod, false);
    expect(levelRefusal('restricted', 'prod', plainPod, netshoot, profile('netshoot'))?.message).toBe(
      'namespace prod enforces PodSecurity restricted, and debug container kdbg-netshoot-xxxxx needs baseline: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile (nothing was created); ' +
        "--harden runs profile netshoot's image with the restricted securityContext (non-root, no capabilities), or use -p restricted",
    );
    expect(levelRefusal('baseline', 'prod', plainPod, netshoot, profile('netshoot'))).toBeUndefined();
    const netadmin = fit('netadmin', plainPod, false);
    expect(levelRefusal('baseline', 'stage', plainPod, netadmin, profile('netadmin'))?.message).toBe(
      'namespace stage enforces PodSecurity baseline, and debug container kdbg-netadmin-xxxxx needs privileged: non-default capabilities (nothing was created); ' +
        'profile netadmin needs NET_ADMIN, NET_RAW, which this level forbids: use -p restricted, or debug where the namespace allows it',
    );
    expect(levelRefusal(undefined, 'prod', plainPod, netadmin, profile('netadmin'))).toBeUndefined();
  });
});
