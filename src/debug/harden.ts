// --harden: a profile's image and tools under the securityContext PodSecurity "restricted" demands, so a namespace
// that enforces restricted admits it (`-p netshoot --harden`: netshoot's tools without NET_RAW).
import type { V1SecurityContext } from '@kubernetes/client-node';

/**
 * Non-root (the profile's own non-root user; else spec.ts runs it as the target's non-root user, else 65534), no
 * privilege escalation, every capability dropped and none added, seccomp RuntimeDefault (or the profile's
 * Localhost one). Of the rest of the profile's securityContext only runAsGroup and readOnlyRootFilesystem stay.
 */
export function hardened(sc: V1SecurityContext | undefined): V1SecurityContext {
  return {
    runAsNonRoot: true,
    ...(sc?.runAsUser ? { runAsUser: sc.runAsUser } : {}),
    ...(sc?.runAsGroup !== undefined ? { runAsGroup: sc.runAsGroup } : {}),
    ...(sc?.readOnlyRootFilesystem !== undefined ? { readOnlyRootFilesystem: sc.readOnlyRootFilesystem } : {}),
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: sc?.seccompProfile?.type === 'Localhost' ? sc.seccompProfile : { type: 'RuntimeDefault' },
  };
}
