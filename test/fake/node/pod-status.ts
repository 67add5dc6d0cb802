// The PodStatus the kubelet's status manager writes, generated from what the node's runtime knows.
import type { ContainerRecord, PodRecord } from './kubelet.ts';
import type { JsonObject } from '../api/status.ts';

export function generatePodStatus(pod: JsonObject, rec: PodRecord, now: string): JsonObject {
  const regular: ContainerRecord[] = (pod.spec.containers ?? []).flatMap((c: JsonObject) => rec.containers.get(c.name) ?? []);
  const ephemeral: ContainerRecord[] = (pod.spec.ephemeralContainers ?? []).flatMap((c: JsonObject) => rec.containers.get(c.name) ?? []);
  const ready = regular.length > 0 && regular.every((c) => c.state.running);
  const unready = regular.filter((c) => !c.state.running).map((c) => c.name);
  const previous: JsonObject[] = pod.status?.conditions ?? [];
  const condition = (type: string, ok: boolean, reason?: string, message?: string): JsonObject => {
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
    phase: phase(pod, regular, rec),
    conditions: [
      condition('PodReadyToStartContainers', true),
      condition('Initialized', true),
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
  if (ephemeral.length) status.ephemeralContainerStatuses = ephemeral.map(containerStatus).sort(byName);
  return status;
}

function phase(pod: JsonObject, regular: ContainerRecord[], rec: PodRecord): string {
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
    ready: !c.ephemeral && Boolean(c.state.running),
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
