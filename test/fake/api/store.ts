// The "etcd" of the fake: objects by kind/namespace/name, one global resourceVersion counter, and a bounded log
// of change events that watches replay from (like the apiserver's watch cache).
import type { JsonObject } from './status.ts';
import type { WorkloadKind } from './workloads.ts';

export type Kind = 'Pod' | 'Namespace' | 'Event' | WorkloadKind;
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  rv: number;
  kind: Kind;
  type: EventType;
  /** the object after the change (for DELETED: its last state, carrying the deletion's resourceVersion) */
  object: JsonObject;
  /** the object before the change (MODIFIED and DELETED) */
  previous?: JsonObject;
}

const retainedEvents = 1000;

export class Store {
  private rv = 1000;
  private readonly objects = new Map<string, JsonObject>();
  private log: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();
  private readonly pending: StoreEvent[] = [];
  private dispatching = false;

  currentRv(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may start after (anything older gets 410 Expired). */
  oldestWatchableRv(): number {
    return (this.log[0]?.rv ?? this.rv + 1) - 1;
  }

  get(kind: Kind, namespace: string, name: string): JsonObject | undefined {
    const obj = this.objects.get(key(kind, namespace, name));
    return obj && structuredClone(obj);
  }

  list(kind: Kind, namespace?: string): JsonObject[] {
    return this.peek(kind, namespace).map((obj) => structuredClone(obj));
  }

  /**
   * The stored objects themselves, in list() order, for an answer that is serialized at once and never kept or
   * changed: as the watch cache serves a list, with no copy of every object (a copy of a namespace of 1,000 pods
   * took tens of milliseconds).
   */
  peek(kind: Kind, namespace?: string): readonly JsonObject[] {
    const out: JsonObject[] = [];
    for (const [k, obj] of this.objects) {
      if (!k.startsWith(`${kind}/`)) continue;
      if (namespace && obj.metadata.namespace !== namespace) continue;
      out.push(obj);
    }
    // etcd's order: the keys' bytes (names are ASCII), not a locale's
    return out.sort((a, b) => byteOrder(sortKey(a), sortKey(b)));
  }

  create(kind: Kind, obj: JsonObject): JsonObject {
    const k = key(kind, obj.metadata.namespace ?? '', obj.metadata.name);
    if (this.objects.has(k)) throw new Error(`${kind} ${k} already exists`);
    return this.write(kind, 'ADDED', k, obj, undefined);
  }

  update(kind: Kind, obj: JsonObject): JsonObject {
    const k = key(kind, obj.metadata.namespace ?? '', obj.metadata.name);
    const previous = this.objects.get(k);
    if (!previous) throw new Error(`${kind} ${k} does not exist`);
    return this.write(kind, 'MODIFIED', k, obj, previous);
  }

  /** Removes the object; `last` may adjust the final state the DELETED event carries. */
  delete(kind: Kind, namespace: string, name: string, last?: (obj: JsonObject) => void): JsonObject | undefined {
    const k = key(kind, namespace, name);
    const previous = this.objects.get(k);
    if (!previous) return undefined;
    this.objects.delete(k);
    const rv = ++this.rv;
    const object = structuredClone(previous);
    last?.(object);
    object.metadata.resourceVersion = String(rv);
    this.emit({ rv, kind, type: 'DELETED', object, previous: structuredClone(previous) });
    return structuredClone(object);
  }

  /** Events strictly newer than `rv` still in the log, oldest first. */
  eventsSince(rv: number): StoreEvent[] {
    return this.log.filter((e) => e.rv > rv);
  }

  subscribe(listener: (e: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Forgets every retained event, as an etcd compaction plus watch-cache restart would. */
  compact(): void {
    this.log = [];
  }

  private write(kind: Kind, type: EventType, k: string, obj: JsonObject, previous: JsonObject | undefined): JsonObject {
    const rv = ++this.rv;
    const stored = structuredClone(obj);
    stored.metadata.resourceVersion = String(rv);
    this.objects.set(k, stored);
    this.emit({ rv, kind, type, object: structuredClone(stored), previous: previous && structuredClone(previous) });
    return structuredClone(stored);
  }

  private emit(e: StoreEvent): void {
    this.log.push(e);
    if (this.log.length > retainedEvents) this.log.splice(0, this.log.length - retainedEvents);
    // A listener that writes while being told about a change must not overtake that change for other listeners.
    this.pending.push(e);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        for (const l of [...this.listeners]) l(next);
      }
    } finally {
      this.dispatching = false;
    }
  }
}

function key(kind: Kind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

function sortKey(o: JsonObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Compares as etcd orders keys: byte by byte (for ASCII, code unit by code unit). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
