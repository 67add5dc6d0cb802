// The default-scheduler for the fake's one node: a Pod created without spec.nodeName and for default-scheduler is
// bound shortly after (spec.nodeName and the PodScheduled condition, as the pods/binding subresource writes them:
// pkg/registry/core/pod/storage/storage.go setPodNodeAndMetadata), unless its nodeSelector or required node
// affinity cannot match the node's labels: then the scheduler reports it Unschedulable with FitError's message
// (pkg/scheduler/framework/types.go, NodeAffinity's ErrReasonPod, DefaultPreemption's post-filter message).
// Pods with schedulingGates wait (their SchedulingGated condition is set on create); nothing here retries.
import type { JsonObject } from './api/status.ts';
import type { Store, StoreEvent } from './api/store.ts';

const unschedulableMessage =
  "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. " +
  'preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.';

export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly node: { name: string; labels: Record<string, string> },
    private readonly delayMs: number,
  ) {
    this.unsubscribe = store.subscribe((e) => this.onEvent(e));
  }

  private onEvent(e: StoreEvent): void {
    const pod = e.object;
    if (e.kind !== 'Pod' || e.type !== 'ADDED' || pod.spec.nodeName || pod.metadata.deletionTimestamp) return;
    if (pod.spec.schedulerName !== 'default-scheduler' || pod.spec.schedulingGates?.length) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.schedule(pod.metadata.namespace, pod.metadata.name, pod.metadata.uid);
    }, this.delayMs);
    this.timers.add(t);
  }

  private schedule(namespace: string, name: string, uid: string): void {
    const pod = this.store.get('Pod', namespace, name);
    if (!pod || pod.metadata.uid !== uid || pod.spec.nodeName || pod.metadata.deletionTimestamp) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const fits = this.fits(pod.spec);
    if (fits) pod.spec.nodeName = this.node.name;
    const condition: JsonObject = { type: 'PodScheduled', status: fits ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now };
    if (!fits) Object.assign(condition, { reason: 'Unschedulable', message: unschedulableMessage });
    const others = (pod.status.conditions ?? []).filter((c: JsonObject) => c.type !== 'PodScheduled');
    pod.status.conditions = [...others, condition];
    this.store.update('Pod', pod);
  }

  /** NodeAffinity's filter: every nodeSelector label, and one of the required nodeSelectorTerms. */
  private fits(spec: JsonObject): boolean {
    const labels = this.node.labels;
    if (!Object.entries(spec.nodeSelector ?? {}).every(([k, v]) => labels[k] === v)) return false;
    const terms: JsonObject[] | undefined = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    if (!terms) return true;
    return terms.some((term) => {
      const exprs: JsonObject[] = term.matchExpressions ?? [];
      const fields: JsonObject[] = term.matchFields ?? [];
      if (exprs.length === 0 && fields.length === 0) return false; // an empty term matches no node
      return exprs.every((r) => matches(r, labels)) && fields.every((r) => r.key === 'metadata.name' && matches(r, { 'metadata.name': this.node.name }));
    });
  }

  close(): void {
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
  }
}

/** A NodeSelectorRequirement against a label set (k8s.io/component-helpers/scheduling/corev1/nodeaffinity). */
function matches(r: JsonObject, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = labels[r.key];
  const values: string[] = r.values ?? [];
  switch (r.operator) {
    case 'In':
      return has && values.includes(value!);
    case 'NotIn':
      return !has || !values.includes(value!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      const [a, b] = [Number(value), Number(values[0])];
      if (!has || !Number.isInteger(a) || !Number.isInteger(b)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}
