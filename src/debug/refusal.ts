// The API server's refusal of a debug container as kdbg's one line: what refused it (PodSecurity with the level and
// the offending fields, an admission webhook by name with its message, an invalid field) and what to do.
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { ApiError } from '../kube/api-error.ts';
import type { Profile } from '../profiles/profile.ts';
import { KdbgError } from '../errors.ts';
import { podSecurityLevel } from './pod-security-level.ts';

export function isPodSecurityRefusal(err: ApiError): boolean {
  return err.statusCode === 403 && /\bviolates PodSecurity "/.test(err.message);
}

export function refusal(err: ApiError, container: V1EphemeralContainer, pod: V1Pod, profile: Profile): KdbgError {
  const name = container.name;
  if (isPodSecurityRefusal(err)) {
    return new KdbgError('forbidden', `PodSecurity refuses debug container ${name}: ${err.message} (nothing was created); ${podSecurityAdvice(container, pod, profile)}`, { cause: err });
  }
  if (/\badmission webhook ".*" denied the request\b/.test(err.message)) {
    return new KdbgError('forbidden', `an admission webhook refuses debug container ${name}: ${err.message} (nothing was created)`, { cause: err });
  }
  if (err.statusCode === 422) return new KdbgError('api', `the API server refuses debug container ${name} as invalid: ${err.message} (nothing was created)`, { cause: err });
  return new KdbgError(err.kind, `the API server refuses debug container ${name}: ${err.message} (nothing was created)`, { cause: err });
}

/**
 * What gets past PodSecurity: where the container itself already meets restricted, the pod's own containers are at
 * fault (the API server judges the whole pod); a profile that adds capabilities or privilege loses its point under
 * --harden, so restricted is named; otherwise --harden keeps the profile's image and tools.
 */
export function podSecurityAdvice(container: V1EphemeralContainer, pod: V1Pod, profile: Profile): string {
  if (podSecurityLevel(container.securityContext, pod.spec ?? {}) === 'restricted') {
    return "the pod's own containers violate it too, and the API server judges the whole pod: no debug container passes until the namespace's level or the pod changes";
  }
  const sc = profile.securityContext;
  const adds = [...(sc?.privileged ? ['privileged'] : []), ...(sc?.capabilities?.add ?? [])];
  if (adds.length) return `profile ${profile.name} needs ${adds.join(', ')}, which this level forbids: use -p restricted, or debug where the namespace allows it`;
  return `--harden runs profile ${profile.name}'s image with the restricted securityContext (non-root, no capabilities), or use -p restricted`;
}
