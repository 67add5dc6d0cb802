// The PodSecurity level of one debug container, on cases taken from k8s.io/pod-security-admission's own check tests
// (policy/check_*_test.go, named after the upstream case; a multi-container case becomes one row per container).
import { describe, expect, it } from 'vitest';
import type { V1SecurityContext } from '@kubernetes/client-node';
import { podSecurityLevel, podSecurityViolations, type PodFields } from '../../src/debug/pod-security-level.ts';
import { builtinProfiles } from '../../src/profiles/builtin.ts';

/** what restricted asks of a container, so one row can fail one check at a time */
const RESTRICTED: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

interface Case {
  upstream: string;
  sc?: V1SecurityContext;
  pod?: PodFields;
  /** ForbiddenReasons expected; none: passes restricted */
  reasons: string[];
}

const baselineCases: Case[] = [
  // check_privileged_test.go "privileged"
  { upstream: 'privileged: c (false)', sc: { ...RESTRICTED, privileged: false }, reasons: [] },
  { upstream: 'privileged: d (true)', sc: { ...RESTRICTED, privileged: true }, reasons: ['privileged'] },
  // check_capabilities_baseline_test.go "multiple containers"
  { upstream: 'capabilities_baseline: a (FOO, BAR)', sc: { capabilities: { add: ['FOO', 'BAR'] } }, reasons: ['non-default capabilities', 'allowPrivilegeEscalation != false', 'unrestricted capabilities', 'runAsNonRoot != true', 'seccompProfile'] },
  // check_capabilities_restricted_test.go "multiple containers": c adds NET_BIND_SERVICE and CHOWN, drops ALL
  { upstream: 'capabilities_restricted: c (add NET_BIND_SERVICE, CHOWN; drop ALL, FOO)', sc: { ...RESTRICTED, capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'], drop: ['ALL', 'FOO'] } }, reasons: ['unrestricted capabilities'] },
  { upstream: 'capabilities_restricted: NET_BIND_SERVICE alone', sc: { ...RESTRICTED, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] } }, reasons: [] },
  { upstream: 'capabilities_restricted: linux pod, reject if security context is not set', sc: undefined, reasons: ['allowPrivilegeEscalation != false', 'unrestricted capabilities', 'runAsNonRoot != true', 'seccompProfile'] },
  { upstream: 'capabilities_restricted: windows pod, admit without checking capabilities', sc: { runAsNonRoot: true }, pod: { os: { name: 'windows' } }, reasons: [] },
  // check_windowsHostProcess_test.go "host process"
  { upstream: 'windowsHostProcess: pod', sc: RESTRICTED, pod: { securityContext: { windowsOptions: { hostProcess: true } } }, reasons: ['hostProcess'] },
  { upstream: 'windowsHostProcess: d (false)', sc: { ...RESTRICTED, windowsOptions: { hostProcess: false } }, reasons: [] },
  { upstream: 'windowsHostProcess: e (true)', sc: { ...RESTRICTED, windowsOptions: { hostProcess: true } }, reasons: ['hostProcess'] },
  // check_procMount_baseline_test.go "procMount", "procMount with userns"; check_procMount_restricted_test.go
  { upstream: 'procMount: c (Default)', sc: { ...RESTRICTED, procMount: 'Default' }, pod: { hostUsers: true }, reasons: [] },
  { upstream: 'procMount: d (Unmasked)', sc: { ...RESTRICTED, procMount: 'Unmasked' }, pod: { hostUsers: true }, reasons: ['procMount', 'procMount'] },
  { upstream: 'procMount with userns: d (Unmasked)', sc: { ...RESTRICTED, procMount: 'Unmasked' }, pod: { hostUsers: false }, reasons: ['procMount'] },
  // check_seccompProfile_baseline_test.go (1.19)
  { upstream: 'seccompProfile_baseline: pod seccomp invalid', sc: { ...RESTRICTED, seccompProfile: undefined }, pod: { securityContext: { seccompProfile: { type: 'Unconfined' } } }, reasons: ['seccompProfile', 'seccompProfile'] },
  { upstream: 'seccompProfile_baseline: containers seccomp invalid: c', sc: { ...RESTRICTED, seccompProfile: { type: 'Unconfined' } }, pod: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, reasons: ['seccompProfile', 'seccompProfile'] },
  { upstream: 'seccompProfile_baseline: containers seccomp invalid: e', sc: { ...RESTRICTED, seccompProfile: { type: 'RuntimeDefault' } }, pod: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, reasons: [] },
  { upstream: 'seccompProfile: Localhost', sc: { ...RESTRICTED, seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } }, reasons: [] },
  // check_seLinuxOptions_test.go "invalid pod and containers", "bad type", "bad user", "bad role"
  { upstream: 'seLinuxOptions: invalid pod', sc: RESTRICTED, pod: { securityContext: { seLinuxOptions: { type: 'foo', user: 'bar', role: 'baz' } } }, reasons: ['seLinuxOptions'] },
  ...['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'].map((type) => ({
    upstream: `seLinuxOptions: ${type}`,
    sc: { ...RESTRICTED, seLinuxOptions: { type } },
    reasons: [],
  })),
  { upstream: 'seLinuxOptions: bad type', sc: { ...RESTRICTED, seLinuxOptions: { type: 'bar' } }, reasons: ['seLinuxOptions'] },
  { upstream: 'seLinuxOptions: bad user', sc: { ...RESTRICTED, seLinuxOptions: { user: 'bar' } }, reasons: ['seLinuxOptions'] },
  { upstream: 'seLinuxOptions: bad role', sc: { ...RESTRICTED, seLinuxOptions: { role: 'baz' } }, reasons: ['seLinuxOptions'] },
  { upstream: 'seLinuxOptions: invalid containers (pod {})', sc: RESTRICTED, pod: { securityContext: { seLinuxOptions: {} } }, reasons: [] },
  // check_appArmorProfile_test.go
  { upstream: 'appArmorProfile: pod with runtime default', sc: RESTRICTED, pod: { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }, reasons: [] },
  { upstream: 'appArmorProfile: container with localhost profile', sc: { ...RESTRICTED, appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }, reasons: [] },
  { upstream: 'appArmorProfile: unconfined pod', sc: RESTRICTED, pod: { securityContext: { appArmorProfile: { type: 'Unconfined' } } }, reasons: ['forbidden AppArmor profile'] },
  { upstream: 'appArmorProfile: unconfined container', sc: { ...RESTRICTED, appArmorProfile: { type: 'Unconfined' } }, pod: { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } } }, reasons: ['forbidden AppArmor profile'] },
];

const restrictedCases: Case[] = [
  // check_allowPrivilegeEscalation_test.go "multiple containers", "windows pod, admit without checking privilegeEscalation"
  { upstream: 'allowPrivilegeEscalation: b (nil)', sc: { ...RESTRICTED, allowPrivilegeEscalation: undefined }, reasons: ['allowPrivilegeEscalation != false'] },
  { upstream: 'allowPrivilegeEscalation: c (true)', sc: { ...RESTRICTED, allowPrivilegeEscalation: true }, reasons: ['allowPrivilegeEscalation != false'] },
  { upstream: 'allowPrivilegeEscalation: d (false)', sc: RESTRICTED, reasons: [] },
  { upstream: 'allowPrivilegeEscalation: windows pod', sc: { ...RESTRICTED, allowPrivilegeEscalation: undefined }, pod: { os: { name: 'windows' } }, reasons: [] },
  // check_runAsNonRoot_test.go
  { upstream: 'runAsNonRoot: no explicit runAsNonRoot', sc: { ...RESTRICTED, runAsNonRoot: undefined }, reasons: ['runAsNonRoot != true'] },
  { upstream: 'runAsNonRoot: pod runAsNonRoot=false', sc: RESTRICTED, pod: { securityContext: { runAsNonRoot: false } }, reasons: ['runAsNonRoot != true'] },
  { upstream: 'runAsNonRoot: containers runAsNonRoot=false: c', sc: { ...RESTRICTED, runAsNonRoot: false }, pod: { securityContext: { runAsNonRoot: true } }, reasons: ['runAsNonRoot != true'] },
  { upstream: 'runAsNonRoot: containers runAsNonRoot=false: e (pod true, container true)', sc: RESTRICTED, pod: { securityContext: { runAsNonRoot: true } }, reasons: [] },
  { upstream: 'runAsNonRoot: set on the pod only', sc: { ...RESTRICTED, runAsNonRoot: undefined }, pod: { securityContext: { runAsNonRoot: true } }, reasons: [] },
  { upstream: 'runAsNonRoot: host users false allowed', sc: { ...RESTRICTED, runAsNonRoot: undefined }, pod: { hostUsers: false }, reasons: [] },
  // check_runAsUser_test.go
  { upstream: 'runAsUser: pod runAsUser=0', sc: RESTRICTED, pod: { securityContext: { runAsUser: 0 } }, reasons: ['runAsUser=0'] },
  { upstream: 'runAsUser: pod runAsUser=non-zero', sc: RESTRICTED, pod: { securityContext: { runAsUser: 1000 } }, reasons: [] },
  { upstream: 'runAsUser: containers runAsUser=0: c', sc: { ...RESTRICTED, runAsUser: 0 }, pod: { securityContext: { runAsUser: 1000 } }, reasons: ['runAsUser=0'] },
  { upstream: 'runAsUser: containers runAsUser=non-zero', sc: { ...RESTRICTED, runAsUser: 4 }, reasons: [] },
  { upstream: 'runAsUser: host users false allowed', sc: { ...RESTRICTED, runAsUser: 0 }, pod: { hostUsers: false }, reasons: [] },
  // check_seccompProfile_restricted_test.go (1.25)
  { upstream: 'seccompProfile_restricted: no explicit seccomp', sc: { ...RESTRICTED, seccompProfile: undefined }, reasons: ['seccompProfile'] },
  { upstream: 'seccompProfile_restricted: no explicit seccomp, windows Pod', sc: { ...RESTRICTED, seccompProfile: undefined }, pod: { os: { name: 'windows' } }, reasons: [] },
  { upstream: 'seccompProfile_restricted: pod nil, container fallthrough (set)', sc: RESTRICTED, reasons: [] },
  { upstream: 'seccompProfile_restricted: set on the pod only', sc: { ...RESTRICTED, seccompProfile: undefined }, pod: { securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, reasons: [] },
];

describe('PodSecurity level of one container', () => {
  it.each([...baselineCases, ...restrictedCases])('$upstream', ({ sc, pod, reasons }) => {
    const violations = podSecurityViolations(sc, pod);
    expect(violations.map((v) => v.reason).sort()).toEqual([...reasons].sort());
  });

  it.each([
    { sc: RESTRICTED, pod: {}, level: 'restricted' },
    { sc: { ...RESTRICTED, capabilities: { add: ['CHOWN'], drop: ['ALL'] } }, pod: {}, level: 'baseline' },
    { sc: { ...RESTRICTED, procMount: 'Unmasked' }, pod: { hostUsers: false }, level: 'baseline' },
    { sc: { ...RESTRICTED, procMount: 'Unmasked' }, pod: {}, level: 'privileged' },
    { sc: { capabilities: { add: ['SYS_PTRACE'] } }, pod: {}, level: 'privileged' },
    { sc: { runAsUser: 1000 }, pod: { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } } }, level: 'baseline' },
    { sc: RESTRICTED, pod: { securityContext: { seccompProfile: { type: 'Unconfined' } } }, level: 'privileged' },
  ] as { sc: V1SecurityContext; pod: PodFields; level: string }[])('$level: $sc in a pod with $pod', ({ sc, pod, level }) => {
    expect(podSecurityLevel(sc, pod)).toBe(level);
  });

  it('gives the built-in profiles the levels the API server gives them', () => {
    const levels = Object.fromEntries(builtinProfiles().map((p) => [p.name, podSecurityLevel(p.securityContext)]));
    expect(levels).toEqual({ busybox: 'baseline', netshoot: 'baseline', netadmin: 'privileged', ptrace: 'privileged', restricted: 'restricted' });
  });
});
