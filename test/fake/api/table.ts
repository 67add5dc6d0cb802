// meta.k8s.io/v1 Table output (what `kubectl get` asks for): the pod, event and namespace columns of the
// apiserver's printers, and Name/Age for the other kinds.
import type { JsonObject } from './status.ts';

const col = (name: string, description: string, priority = 0, format = ''): JsonObject => ({ name, type: 'string', format, description, priority });

const podColumns = [
  col('Name', 'Name must be unique within a namespace.', 0, 'name'),
  col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
  col('Status', 'The aggregate status of the containers in this pod.'),
  col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
  col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  col('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
  col('Node', 'NodeName is a request to schedule this pod onto a specific node.', 1),
  col('Nominated Node', 'nominatedNodeName is set when this pod preempts other pods on the node.', 1),
  col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
];
const eventColumns = [
  col('Last Seen', 'Time when last event occurred'),
  col('Type', 'Type of this event (Normal, Warning), new types could be added in the future.'),
  col('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
  col('Object', 'The object that this event is about.'),
  col('Message', 'A human-readable description of the status of this operation.'),
];
// pkg/printers/internalversion/printers.go: namespaceColumnDefinitions
const namespaceColumns = [podColumns[0]!, col('Status', 'The status of the namespace'), podColumns[4]!];
const genericColumns = [podColumns[0]!, podColumns[4]!];
const columns: Record<string, JsonObject[]> = { Pod: podColumns, Event: eventColumns, Namespace: namespaceColumns };

/** Accept asks for a Table (`as=Table;g=meta.k8s.io`). */
export function wantsTable(accept: string): boolean {
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io');
  });
}

export function toTable(kind: string, objects: JsonObject[], resourceVersion: string, includeObject: string | null): JsonObject {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: columns[kind] ?? genericColumns,
    rows: objects.map((o) => {
      const row: JsonObject = { cells: cells(kind, o) };
      if (includeObject === 'Object') row.object = o;
      else if (includeObject !== 'None') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return row;
    }),
  };
}

function cells(kind: string, o: JsonObject): string[] {
  if (kind === 'Pod') return podCells(o);
  if (kind === 'Event') {
    const obj = o.involvedObject ?? {};
    return [age(o, o.lastTimestamp), o.type, o.reason, `${String(obj.kind).toLowerCase()}/${obj.name}`, o.message];
  }
  if (kind === 'Namespace') return [o.metadata.name, o.status?.phase ?? 'Active', age(o)];
  return [o.metadata.name, age(o)];
}

function podCells(pod: JsonObject): string[] {
  const statuses: JsonObject[] = pod.status?.containerStatuses ?? [];
  let reason: string = pod.status?.reason || pod.status?.phase || 'Pending';
  let ready = 0;
  let restarts = 0;
  let hasRunning = false;
  for (const c of [...statuses].reverse()) {
    restarts += c.restartCount ?? 0;
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.ready && c.state?.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === 'Completed' && hasRunning) reason = 'Running';
  if (pod.metadata.deletionTimestamp && !['Succeeded', 'Failed'].includes(pod.status?.phase)) reason = 'Terminating';
  const total = (pod.spec.containers ?? []).length;
  return [
    pod.metadata.name,
    `${ready}/${total}`,
    reason,
    String(restarts),
    age(pod),
    pod.status?.podIP || '<none>',
    pod.spec.nodeName || '<none>',
    pod.status?.nominatedNodeName || '<none>',
    '<none>',
  ];
}

/** duration.HumanDuration since `since` (default: the object's creation). */
function age(o: JsonObject, since: string = o.metadata.creationTimestamp): string {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
