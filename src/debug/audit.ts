// Who did what and why, where `kubectl describe pod` and event exporters see it: a Kubernetes Event on the pod
// per session (source kdbg, reason DebugSession). Skipped silently where the user may not create events.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';
import { podPath } from '../kube/paths.ts';

export interface SessionRecord {
  user: string;
  container: string;
  reason: string | undefined;
  command: string[];
  now: Date;
}

const MESSAGE_MAX = 1000;

/** Resolves once the event is written or refused; never rejects. */
export async function recordSession(client: KubeClient, pod: V1Pod, r: SessionRecord): Promise<void> {
  const namespace = pod.metadata!.namespace!;
  const name = pod.metadata!.name!;
  const why = r.reason ? ` (reason: ${r.reason})` : '';
  const message = `${r.user} opened a session in debug container ${r.container}${why}: ${r.command.join(' ')}`;
  const event: CoreV1Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${name}.kdbg-`, namespace },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace, uid: pod.metadata?.uid, fieldPath: `spec.ephemeralContainers{${r.container}}` },
    reason: 'DebugSession',
    message: message.length > MESSAGE_MAX ? `${message.slice(0, MESSAGE_MAX - 1)}…` : message,
    type: 'Normal',
    source: { component: 'kdbg' },
    firstTimestamp: r.now,
    lastTimestamp: r.now,
    count: 1,
  };
  await client.request({ method: 'POST', path: podPath(namespace, undefined, 'events'), body: event, timeoutMs: 5000 }).catch(() => undefined);
}
