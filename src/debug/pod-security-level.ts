// The PodSecurity level a debug container needs: the highest of restricted, baseline and privileged whose checks it
// passes, by the rules of the API server's PodSecurity admission (k8s.io/pod-security-admission, latest policy
// version), applied to one container and the pod-level fields it inherits or shares. Followed from
// github.com/kubernetes/pod-security-admission policy/:
//   baseline:   check_privileged.go, check_capabilities_baseline.go, check_windowsHostProcess.go,
//               check_procMount_baseline.go, check_seccompProfile_baseline.go, check_seLinuxOptions.go,
//               check_appArmorProfile.go
//   restricted: check_allowPrivilegeEscalation.go, check_capabilities_restricted.go, check_runAsNonRoot.go,
//               check_runAsUser.go, check_seccompProfile_restricted.go, check_procMount_restricted.go
//   both:       relaxPolicyForUserNamespacePod (hostUsers: false), the Windows exemptions of the 1.25 checks
// The checks of pod-only fields (host namespaces, hostPath volumes, host ports, sysctls) judge the pod as it was
// admitted, not anything a debug container adds; the deprecated seccomp and AppArmor annotations are not kdbg's.
import type { V1PodSpec, V1SecurityContext } from '@kubernetes/client-node';
import type { PodSecurityLevel } from './pod-security.ts';

/** What the checks read of the pod: its securityContext, hostUsers and os. */
export type PodFields = Pick<V1PodSpec, 'securityContext' | 'hostUsers' | 'os'>;

export interface Violation {
  /** the level the check belongs to: failing it makes the container need the level below */
  level: 'baseline' | 'restricted';
  /** the check's ForbiddenReason upstream */
  reason: string;
}

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const CONFINED = new Set(['RuntimeDefault', 'Localhost']);

/** Every check the container (in a pod with these fields) fails, baseline first. */
export function podSecurityViolations(sc: V1SecurityContext | undefined, pod: PodFields = {}): Violation[] {
  const podSc = pod.securityContext;
  const userNamespace = pod.hostUsers === false;
  const windows = pod.os?.name === 'windows';
  const baseline = (reason: string, failed: boolean): Violation[] => (failed ? [{ level: 'baseline', reason }] : []);
  const restricted = (reason: string, failed: boolean): Violation[] => (failed ? [{ level: 'restricted', reason }] : []);
  const seLinuxBad = (o: { type?: string; user?: string; role?: string } | undefined) =>
    o !== undefined && (!SELINUX_TYPES.has(o.type ?? '') || Boolean(o.user) || Boolean(o.role));
  const unmasked = sc?.procMount !== undefined && sc.procMount !== 'Default';
  const seccomp = sc?.seccompProfile?.type;
  const podSeccomp = podSc?.seccompProfile?.type;
  return [
    ...baseline('privileged', sc?.privileged === true),
    ...baseline('non-default capabilities', (sc?.capabilities?.add ?? []).some((c) => !BASELINE_CAPABILITIES.has(c))),
    ...baseline('hostProcess', sc?.windowsOptions?.hostProcess === true || podSc?.windowsOptions?.hostProcess === true),
    ...baseline('procMount', unmasked && !userNamespace),
    ...baseline('seccompProfile', (seccomp !== undefined && !CONFINED.has(seccomp)) || (podSeccomp !== undefined && !CONFINED.has(podSeccomp))),
    ...baseline('seLinuxOptions', seLinuxBad(sc?.seLinuxOptions) || seLinuxBad(podSc?.seLinuxOptions)),
    ...baseline(
      'forbidden AppArmor profile',
      [sc?.appArmorProfile?.type, podSc?.appArmorProfile?.type].some((t) => t !== undefined && !CONFINED.has(t)),
    ),
    ...restricted('allowPrivilegeEscalation != false', !windows && sc?.allowPrivilegeEscalation !== false),
    ...restricted(
      'unrestricted capabilities',
      !windows && (!(sc?.capabilities?.drop ?? []).includes('ALL') || (sc?.capabilities?.add ?? []).some((c) => c !== 'NET_BIND_SERVICE')),
    ),
    ...restricted(
      'runAsNonRoot != true',
      !userNamespace && (podSc?.runAsNonRoot === false || (sc?.runAsNonRoot ?? podSc?.runAsNonRoot) !== true),
    ),
    ...restricted('runAsUser=0', !userNamespace && (sc?.runAsUser === 0 || podSc?.runAsUser === 0)),
    ...restricted(
      'seccompProfile',
      !windows &&
        ((podSeccomp !== undefined && !CONFINED.has(podSeccomp)) ||
          (seccomp !== undefined ? !CONFINED.has(seccomp) : podSeccomp === undefined)),
    ),
    ...restricted('procMount', unmasked),
  ];
}

/** The highest level whose checks the container passes. */
export function podSecurityLevel(sc: V1SecurityContext | undefined, pod: PodFields = {}): PodSecurityLevel {
  const violations = podSecurityViolations(sc, pod);
  if (violations.some((v) => v.level === 'baseline')) return 'privileged';
  return violations.length ? 'baseline' : 'restricted';
}
