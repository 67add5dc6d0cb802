// What a debug container's status says: running, still starting, or failed for a reason waiting will not fix.
import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { KdbgError } from '../errors.ts';

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

/** Where a container sits in a pod's spec: its own debug containers, or the containers of a pod kdbg created. */
export type ContainerKind = 'ephemeralContainers' | 'containers' | 'initContainers';

export function containerStatus(pod: V1Pod, kind: ContainerKind, name: string): V1ContainerStatus | undefined {
  const statuses = { ephemeralContainers: pod.status?.ephemeralContainerStatuses, containers: pod.status?.containerStatuses, initContainers: pod.status?.initContainerStatuses }[kind];
  return statuses?.find((s) => s.name === name);
}

type Verdict = { kind: 'running' } | { kind: 'failed'; error: KdbgError } | { kind: 'waiting'; text?: string };

export function judgeStatus(status: V1ContainerStatus | undefined, image: string, name: string): Verdict {
  const state = status?.state;
  if (!state) return { kind: 'waiting' };
  if (state.running) return { kind: 'running' };
  if (state.terminated) {
    const t = state.terminated;
    if (noShell(t.message, t.exitCode)) return { kind: 'failed', error: noShellError(image) };
    const why = [t.reason, t.message].filter(Boolean).join(': ');
    return {
      kind: 'failed',
      error: new KdbgError('unusable', `debug container ${name} exited with code ${t.exitCode} before a session could start${why ? ` (${why})` : ''}`),
    };
  }
  const w = state.waiting;
  if (w?.reason && FATAL_WAITING.has(w.reason)) {
    if (noShell(w.message, undefined)) return { kind: 'failed', error: noShellError(image) };
    const message = w.message ?? 'no message from the kubelet';
    if (IMAGE_FAILURES.has(w.reason)) return { kind: 'failed', error: new ImageFailed(name, image, w.reason, message) };
    return { kind: 'failed', error: new KdbgError('unusable', `debug container ${name}: ${w.reason}: ${message}`) };
  }
  return { kind: 'waiting', text: w?.reason ? `${w.reason}${w.message ? `: ${w.message}` : ''}` : undefined };
}

/**
 * The kubelet's `Failed` event for the container: it comes at once, while a failed pull reaches the status only at
 * the pod's next sync (up to a minute later with a kubelet's defaults). Undefined for every other event.
 */
export function judgeEvent(event: CoreV1Event, image: string, name: string): KdbgError | undefined {
  if (event.reason !== 'Failed') return undefined;
  const message = event.message ?? 'no message from the kubelet';
  if (noShell(message, undefined)) return noShellError(image);
  if (/^Failed to pull image/.test(message)) return new ImageFailed(name, image, 'ErrImagePull', message);
  const error = /^Error: (\w+)$/.exec(message)?.[1];
  if (error && IMAGE_FAILURES.has(error)) return new ImageFailed(name, image, error, message);
  return new KdbgError('unusable', `debug container ${name}: ${message}`);
}

/** Waiting reasons that say the image cannot be had. */
export const IMAGE_FAILURES: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/** The debug container's image could not be pulled. */
export class ImageFailed extends KdbgError {
  constructor(
    readonly container: string,
    readonly image: string,
    readonly reason: string,
    readonly detail: string,
  ) {
    super('unusable', `debug container ${container}: ${reason}: ${detail}`);
    this.name = 'ImageFailed';
  }

  /** What a later call says instead of adding another container with that image. */
  again(): KdbgError {
    return new KdbgError('unusable', `image ${this.image} already failed in debug container ${this.container} of this pod: ${this.reason}: ${this.detail} (--new tries it anyway)`);
  }
}

/** The runtime could not find `sh` (containerd: StartError, `exec: "sh": executable file not found in $PATH`). */
function noShell(message: string | undefined, exitCode: number | undefined): boolean {
  if (message && /"sh": (executable file not found|no such file or directory)/i.test(message)) return true;
  return exitCode === 127 && !message;
}

function noShellError(image: string): KdbgError {
  return new NoShell(image);
}

/** The image has no `sh` for kdbg's programs. */
export class NoShell extends KdbgError {
  constructor(readonly image: string) {
    super('unusable', `image ${image} has no shell; kdbg needs one (pick a profile or --image with sh)`);
    this.name = 'NoShell';
  }
}

/**
 * The API server or the node refused an exec because the container is not running or not there: the command
 * never started, so it may run in another container. Nothing else is taken for this.
 */
export class NotRunning extends KdbgError {
  constructor(message: string) {
    super('unusable', message);
    this.name = 'NotRunning';
  }
}

/**
 * The kubelet's `container not found ("NAME")` (it finds only running containers), its `container NAME not
 * found in pod`, containerd's `container is in CONTAINER_EXITED state`, the API server's `container NAME is not
 * valid for pod POD`.
 */
const NOT_RUNNING = /container not found \(|container \S+ not found in pod|container is in CONTAINER_\w+ state|container \S+ is not valid for pod|pod \S+ not found/;

export function saysNotRunning(message: string): boolean {
  return NOT_RUNNING.test(message);
}
