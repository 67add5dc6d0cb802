// Which container of the pod a debug container targets, and whether it can take one now.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Chooser } from '../io.ts';
import { KdbgError, UsageError } from '../errors.ts';
import { podName } from './target.ts';

/** The debug target container: -c, else the default-container annotation, else the only one, else ask. */
export async function resolveContainer(pod: V1Pod, wanted: string | undefined, choose: Chooser): Promise<V1Container> {
  const containers = pod.spec?.containers ?? [];
  const names = containers.map((c) => c.name).join(', ');
  if (wanted && !containers.some((c) => c.name === wanted)) {
    throw new KdbgError('not-found', `pod ${podName(pod)} has no container "${wanted}"; it has: ${names}`);
  }
  const implied = impliedContainer(pod, wanted);
  if (implied) return implied;
  const picked = await choose(`Container of ${podName(pod)} to debug`, containers.map((c) => ({ name: c.name, value: c, description: c.image })));
  if (!picked) throw new UsageError(`pod ${podName(pod)} has ${containers.length} containers (${names}); pick one with -c/--target`);
  return picked;
}

/** The container -c names, else the default-container annotation's, else the only one; undefined if it takes a choice. */
export function impliedContainer(pod: V1Pod, wanted: string | undefined): V1Container | undefined {
  const containers = pod.spec?.containers ?? [];
  const byName = (n: string | undefined) => (n ? containers.find((c) => c.name === n) : undefined);
  if (wanted) return byName(wanted);
  return byName(pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container']) ?? (containers.length === 1 ? containers[0] : undefined);
}

/** The target container, or its pod, is not running: the pod's status says why (src/debug/post-mortem.ts). */
export class NotRunningError extends KdbgError {
  constructor(
    readonly pod: V1Pod,
    readonly container: string,
  ) {
    super('not-debuggable', `container ${container} of pod ${podName(pod)} is not running; a debug container targets a running one`);
    this.name = 'NotRunningError';
  }
}

/** Refuses before anything is created when a debug container could not be used. */
export function assertDebuggable(pod: V1Pod, container: string): void {
  const n = podName(pod);
  const refuse = (text: string) => new KdbgError('not-debuggable', text);
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) {
    throw refuse(`pod ${n} is a static (mirror) pod; the API server cannot add containers to it`);
  }
  if (pod.metadata?.deletionTimestamp) throw refuse(`pod ${n} is being deleted`);
  const running = pod.status?.containerStatuses?.find((s) => s.name === container)?.state?.running;
  if (pod.status?.phase !== 'Running' || !running) throw new NotRunningError(pod, container);
}
