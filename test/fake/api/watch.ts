// ?watch=true on a collection, served like the apiserver's watch cache: replay of retained events newer than
// resourceVersion (or synthetic ADDED for "0"/unset), then live events, one JSON object per line, flushed at once.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeHooks } from '../hooks.ts';
import type { Matcher } from './selectors.ts';
import { badRequest, statusObject, type JsonObject } from './status.ts';
import type { Kind, Store, StoreEvent } from './store.ts';
import { apiVersionOf } from './workloads.ts';

export interface WatchRequest {
  kind: Kind;
  namespace?: string;
  match: Matcher;
  resourceVersion: string | null;
  timeoutSeconds: number;
  bookmarks: boolean;
  /** converts each object before it is sent (Table output) */
  present: (obj: JsonObject) => JsonObject;
}

const typed = (kind: Kind, obj: JsonObject): JsonObject => ({ kind, apiVersion: apiVersionOf(kind), ...obj });

export function serveWatch(req: IncomingMessage, res: ServerResponse, store: Store, hooks: FakeHooks, w: WatchRequest): void {
  const rvText = w.resourceVersion ?? '';
  const rv = rvText === '' ? 0 : Number(rvText);
  if (!/^\d*$/.test(rvText)) throw badRequest(`invalid resource version "${rvText}"`);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.socket?.setNoDelay(true);
  // the apiserver's WatchServer flushes the headers at once, before any event
  res.flushHeaders();
  const send = (type: string, object: JsonObject): void => {
    if (!res.writableEnded && !res.destroyed) res.write(`${JSON.stringify({ type, object })}\n`);
  };
  const sendObject = (type: string, obj: JsonObject): void => send(type, w.present(typed(w.kind, obj)));
  const inScope = (obj: JsonObject | undefined): obj is JsonObject =>
    obj !== undefined && (!w.namespace || obj.metadata.namespace === w.namespace) && w.match(obj);

  const onEvent = (e: StoreEvent): void => {
    if (e.kind !== w.kind) return;
    const now = inScope(e.object);
    const before = e.type === 'MODIFIED' && inScope(e.previous);
    if (e.type === 'DELETED') {
      if (inScope(e.object)) sendObject('DELETED', e.object);
    } else if (now && (e.type === 'ADDED' || before)) sendObject(e.type, e.object);
    else if (now) sendObject('ADDED', e.object);
    else if (before) {
      // left the selection: the watch cache sends the old object with the event's resourceVersion as DELETED
      const old = structuredClone(e.previous!);
      old.metadata.resourceVersion = String(e.rv);
      sendObject('DELETED', old);
    }
  };

  if (rv === 0) {
    for (const obj of store.list(w.kind, w.namespace)) if (w.match(obj)) sendObject('ADDED', obj);
  } else if (rv < store.oldestWatchableRv()) {
    const message = `too old resource version: ${rv} (${store.oldestWatchableRv()})`;
    send('ERROR', statusObject('Failure', message, 'Expired', undefined, 410, true));
    res.end();
    return;
  } else if (rv > store.currentRv()) {
    const message = `Too large resource version: ${rv}, current: ${store.currentRv()}`;
    send('ERROR', statusObject('Failure', message, 'Timeout', { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 }, 504, true));
    res.end();
    return;
  } else {
    for (const e of store.eventsSince(rv)) onEvent(e);
  }
  const unsubscribe = store.subscribe(onEvent);

  const timers: NodeJS.Timeout[] = [
    setTimeout(() => {
      stop();
      res.end();
    }, w.timeoutSeconds * 1000),
  ];
  if (w.bookmarks) {
    timers.push(
      setInterval(() => send('BOOKMARK', { kind: w.kind, apiVersion: apiVersionOf(w.kind), metadata: { resourceVersion: String(store.currentRv()), creationTimestamp: null } }), hooks.bookmarkIntervalMs),
    );
  }
  if (hooks.dropWatchesOnce) {
    hooks.dropWatchesOnce = false;
    timers.push(setTimeout(() => res.socket?.destroy(), 100));
  }
  const stop = (): void => {
    unsubscribe();
    for (const t of timers) clearTimeout(t);
  };
  res.on('close', stop);
  req.on('close', stop);
}
