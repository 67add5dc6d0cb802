// The PodSecurity level a namespace enforces, read from its labels. Unknown where the namespace cannot be read or
// has no label (the API server still judges the container: the dry run, then the PATCH).
import type { V1EphemeralContainer, V1Namespace, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';
import type { Profile } from '../profiles/profile.ts';
import { KdbgError } from '../errors.ts';
import { podSecurityLevel, podSecurityViolations } from './pod-security-level.ts';
import { podSecurityAdvice } from './refusal.ts';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

const STRICTNESS: PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

export async function enforcedLevel(client: KubeClient, namespace: string): Promise<PodSecurityLevel | undefined> {
  const ns = await client.request<V1Namespace>({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}` }).catch(() => undefined);
  const level = ns?.metadata?.labels?.['pod-security.kubernetes.io/enforce'];
  return level === 'privileged' || level === 'baseline' || level === 'restricted' ? level : undefined;
}

/** A container that needs `needed` passes a namespace that enforces `enforced`. */
export function admits(enforced: PodSecurityLevel, needed: PodSecurityLevel): boolean {
  return STRICTNESS.indexOf(needed) >= STRICTNESS.indexOf(enforced);
}

/**
 * Where no dry run could judge the container: refuses it before the PATCH when the namespace's label says its level
 * forbids what the container needs.
 */
export async function assertLevelAdmits(client: KubeClient, namespace: string, pod: V1Pod, container: V1EphemeralContainer, profile: Profile): Promise<void> {
  const refused = levelRefusal(await enforcedLevel(client, namespace), namespace, pod, container, profile);
  if (refused) throw refused;
}

/** The refusal, naming the checks the container fails (by pod-security-level.ts), when `enforced` forbids it. */
export function levelRefusal(enforced: PodSecurityLevel | undefined, namespace: string, pod: V1Pod, container: V1EphemeralContainer, profile: Profile): KdbgError | undefined {
  const needed = podSecurityLevel(container.securityContext, pod.spec ?? {});
  if (enforced === undefined || admits(enforced, needed)) return undefined;
  const failed = podSecurityViolations(container.securityContext, pod.spec ?? {}).filter((v) => !admits(enforced, v.level === 'baseline' ? 'privileged' : 'baseline'));
  return new KdbgError(
    'forbidden',
    `namespace ${namespace} enforces PodSecurity ${enforced}, and debug container ${container.name} needs ${needed}: ${failed.map((v) => v.reason).join(', ')} (nothing was created); ${podSecurityAdvice(container, pod, profile)}`,
  );
}
