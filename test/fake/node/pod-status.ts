// The PodStatus the kubelet's status manager writes, generated from what the node's runtime knows.
import type { ContainerRecord, PodRecord } from './kubelet.ts';
import type { JsonObject } from '../api/status.ts';

export function generatePodStatus(pod: JsonObject, rec: PodRecord, now: string): JsonObject {
  const regular: ContainerRecord[] = (pod.spec.containers ?? []).flatMap((c: JsonObject) => rec.containers.get(c.name) ?? []);
  const ephemeral: ContainerRecord[] = (pod.spec.ephemeralContainers ?? []).flatMap((c: JsonObject) => rec.containers.get(c.name) ?? []);
  const inits: ContainerRecord[] = (pod.spec.initContainers ?? []).flatMap((c: JsonObject) => rec.containers.get(c.name) ?? []);
  const podPhase = phase(pod, regular, inits, rec);
  const terminal = podPhase === 'Succeeded' || podPhase === 'Failed';
  // generate.go: a regular init container counts as done once it completed; any regular container started means done
  const incomplete = rec.everRunning ? [] : inits.filter((c) => !(c.state.terminated?.exitCode === 0)).map((c) => c.name);
  const ready = regular.length > 0 && regular.every((c) => c.state.running);
  const unready = regular.filter((c) => !c.state.running).map((c) => c.name);
  const previous: JsonObject[] = pod.status?.conditions ?? [];
  const condition = (type: string, ok: boolean, reason?: string, message?: string): JsonObject => {
    // a terminal pod's readiness says why it is over, without a message
    if (terminal && !ok && (type === 'Ready' || type === 'ContainersReady')) [reason, message] = [podPhase === 'Failed' ? 'PodFailed' : 'PodCompleted', undefined];
    const status = ok ? 'True' : 'False';
    const before = previous.find((c) => c.type === type);
    const out: JsonObject = {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : now,
    };
    if (!ok && reason) out.reason = reason;
    if (!ok && message) out.message = message;
    return out;
  };
  const unreadyMessage = `containers with unready status: [${unready.join(' ')}]`;
  const status: JsonObject = {
    observedGeneration: pod.metadata.generation,
    phase: podPhase,
    conditions: [
      condition('PodReadyToStartContainers', true),
      condition('Initialized', incomplete.length === 0, 'ContainersNotInitialized', `containers with incomplete status: [${incomplete.join(' ')}]`),
      condition('Ready', ready, 'ContainersNotReady', unreadyMessage),
      condition('ContainersReady', ready, 'ContainersNotReady', unreadyMessage),
      condition('PodScheduled', true),
    ],
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: rec.podIP,
    podIPs: [{ ip: rec.podIP }],
    startTime: rec.startTime,
    containerStatuses: regular.map(containerStatus).sort(byName),
    qosClass: 'BestEffort',
  };
  // init containers keep their spec order (kubetypes.SortStatusesOfInitContainers)
  if (inits.length) status.initContainerStatuses = inits.map(containerStatus);
  if (ephemeral.length) status.ephemeralContainerStatuses = ephemeral.map(containerStatus).sort(byName);
  return status;
}

/** kubelet_pods.go getPhase, for regular init containers and regular containers. */
function phase(pod: JsonObject, regular: ContainerRecord[], inits: ContainerRecord[], rec: PodRecord): string {
  const failed = (t: JsonObject | undefined) => t !== undefined && t.exitCode !== 0;
  const failedInit = inits.some((c) => failed(c.state.terminated) || (c.state.waiting && failed(c.lastState.terminated)));
  const pendingInit = inits.some((c) => !c.state.terminated && !(c.state.waiting && c.lastState.terminated));
  if (failedInit && pod.spec.restartPolicy === 'Never') return 'Failed';
  if (pendingInit) return 'Pending';
  if (regular.some((c) => c.state.running)) return 'Running';
  const finished = regular.length > 0 && regular.every((c) => c.state.terminated && !c.willRestart);
  if (finished) return regular.every((c) => c.state.terminated.exitCode === 0) ? 'Succeeded' : 'Failed';
  return rec.everRunning && pod.spec.restartPolicy !== 'Never' ? 'Running' : 'Pending';
}

function containerStatus(c: ContainerRecord): JsonObject {
  const out: JsonObject = {
    name: c.name,
    state: structuredClone(c.state),
    lastState: structuredClone(c.lastState),
    // a regular init container is ready once it has completed
    ready: c.init ? c.state.terminated?.exitCode === 0 : !c.ephemeral && Boolean(c.state.running),
    restartCount: c.restartCount,
    image: c.image.normalized,
    imageID: c.imageID ?? '',
  };
  if (c.containerID) out.containerID = c.containerID;
  out.started = Boolean(c.state.running);
  return out;
}

function byName(a: JsonObject, b: JsonObject): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
