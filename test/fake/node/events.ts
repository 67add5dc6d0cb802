// core/v1 Events as the kubelet's event recorder writes them (repeats of the same event bump `count`).
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../api/status.ts';
import type { Store } from '../api/store.ts';

export interface EventTarget {
  namespace: string;
  name: string;
  uid: string;
}

export class EventRecorder {
  private readonly seen = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly nodeName: string,
  ) {}

  record(pod: EventTarget, fieldPath: string, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const key = [pod.uid, fieldPath, type, reason, message].join('\0');
    const existing = this.seen.get(key);
    const prev = existing ? this.store.get('Event', pod.namespace, existing) : undefined;
    if (prev) {
      prev.count = (prev.count ?? 1) + 1;
      prev.lastTimestamp = now;
      this.store.update('Event', prev);
      return;
    }
    if (!this.store.get('Namespace', '', pod.namespace)) return;
    const name = `${pod.name}.${(process.hrtime.bigint() + BigInt(Date.now()) * 1_000_000n).toString(16)}`;
    const event: JsonObject = {
      kind: 'Event',
      apiVersion: 'v1',
      metadata: { name, namespace: pod.namespace, uid: randomUUID(), creationTimestamp: now },
      involvedObject: { kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: pod.uid, apiVersion: 'v1', fieldPath },
      reason,
      message,
      source: { component: 'kubelet', host: this.nodeName },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      eventTime: null,
      reportingComponent: 'kubelet',
      reportingInstance: this.nodeName,
    };
    this.seen.set(key, name);
    this.store.create('Event', event);
  }
}
