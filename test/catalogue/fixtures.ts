// The pods the catalogue's cases debug.
import type { V1Pod } from '@kubernetes/client-node';

/** A running pod with one container `app` that sleeps (one process on the node, nothing more). */
export function sleeper(name = 'web-0', extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }], ...extra },
  } as V1Pod;
}

/** A static pod as the API server shows it: its mirror, annotated by the kubelet. */
export function mirrorPod(name = 'static-web'): V1Pod {
  const pod = sleeper(name);
  pod.metadata!.annotations = { 'kubernetes.io/config.mirror': 'a1b2c3' };
  return pod;
}

/** A sleeper that PodSecurity restricted admits. */
export function restrictedSleeper(name = 'web-0'): V1Pod {
  const pod = sleeper(name, { securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } } });
  pod.spec!.containers[0]!.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  return pod;
}
