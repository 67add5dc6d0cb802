import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

/** Waiting reasons a container does not recover from by waiting longer. */
export const FATAL_WAITING: ReadonlySet<string> = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

export function ephemeralStatus(pod: V1Pod, name: string): V1ContainerStatus | undefined {
  return pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name);
}
