// The PodSecurity level a namespace enforces, read from its labels before anything is created. Unknown where the
// namespace cannot be read (the API server still judges the container when it is added).
import type { V1Namespace } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export async function enforcedLevel(client: KubeClient, namespace: string): Promise<PodSecurityLevel | undefined> {
  const ns = await client.request<V1Namespace>({ method: 'GET', path: `/api/v1/namespaces/${encodeURIComponent(namespace)}` }).catch(() => undefined);
  const level = ns?.metadata?.labels?.['pod-security.kubernetes.io/enforce'];
  return level === 'privileged' || level === 'baseline' || level === 'restricted' ? level : undefined;
}
