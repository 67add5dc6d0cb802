// Where a debug container finds its target container's filesystem: the root of the target's main process.
import type { V1Pod } from '@kubernetes/client-node';
import { KdbgError } from '../errors.ts';

/**
 * The WHERE of copy-programs.ts for the target's filesystem. A debug container with a target joins the target's
 * own PID namespace, whose PID 1 is the target's main process: /proc/1/root. But the kubelet joins it to the
 * target's only where the pod has no shared one: with shareProcessNamespace the pod's containers share one, whose
 * PID 1 is the pause container, and with hostPID the node's, whose PID 1 is the node's init. There the main process
 * is found by the target's container ID (`id:`); a target without a usable ID is refused, never read elsewhere.
 */
export function targetRoot(pod: V1Pod, target: string): string {
  if (pod.spec?.shareProcessNamespace !== true && pod.spec?.hostPID !== true) return '/proc/1/root';
  const containerID = pod.status?.containerStatuses?.find((s) => s.name === target)?.containerID;
  // containerd://<64 hex>, cri-o://…, docker://…: the ID the runtime names the container's cgroup with
  const id = /^[a-z0-9-]+:\/\/([0-9a-f]{16,})$/.exec(containerID ?? '')?.[1];
  if (!id) {
    const shared = pod.spec?.hostPID ? "the node's" : "all the pod's containers'";
    throw new KdbgError(
      'not-debuggable',
      `pod ${pod.metadata?.name} shares its PID namespace (${shared}), and container ${target}'s ID (${containerID ?? 'none'}) cannot tell its processes apart: its files cannot be reached (--debug-fs copies the debug container's own)`,
    );
  }
  return `id:${id}`;
}
