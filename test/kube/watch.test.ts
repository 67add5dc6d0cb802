// The resumable watch against a real HTTP server on 127.0.0.1 that behaves like the apiserver's watch: it keeps a
// log of events, replays those after the requested resourceVersion and streams the rest as chunked JSON lines.
// The tests cut streams without a terminating chunk, end them cleanly, compact the log (410 Gone in the stream or as
// the HTTP answer), send bookmarks and refuse watches, and check what the watcher asks for and delivers.
import type http from 'node:http';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/kube/api-error.ts';
import { watch, type Watcher, type WatchEventType } from '../../src/kube/watch.ts';
import { client, closeClients, json, kubeconfig, removeTempDirs, startServer, tempDir, type Seen, type TestServer } from './helpers.ts';

interface Pod {
  metadata: { name: string; namespace: string; resourceVersion: string };
}

interface Line {
  type: string;
  object: unknown;
}

interface WatchCall {
  query: URLSearchParams;
  /** the resourceVersion the watch asked to start after */
  rv: string;
  /** the HTTP status it was answered with */
  status: number;
  res: http.ServerResponse;
  /** the server still streams to it */
  open: boolean;
  /** the connection behind it has closed */
  closed: boolean;
}

const podsPath = '/api/v1/namespaces/w/pods';

/** A pods watch endpoint with the apiserver's resourceVersion semantics. */
class WatchApi {
  /** the resourceVersion of the latest change */
  rv = 10;
  /** events after `oldest`, in order */
  private log: { rv: number; line: Line }[] = [];
  /** a watch from an older resourceVersion is answered 410 */
  private oldest = 0;
  /** how 410 Gone is given: as an ERROR event in a 200 stream (the watch cache) or as the HTTP answer */
  goneAs: 'event' | 'http' = 'event';
  /** answer every watch with this Status code instead */
  refuse: number | undefined;
  /** after the replay, send an ERROR event with this code and end */
  errorInStream: number | undefined;
  calls: WatchCall[] = [];

  handle(seen: Seen, res: http.ServerResponse): void {
    const url = new URL(seen.url, 'http://x');
    const query = url.searchParams;
    const rv = query.get('resourceVersion') ?? '';
    const call: WatchCall = { query, rv, status: 200, res, open: false, closed: false };
    this.calls.push(call);
    res.on('close', () => {
      call.open = false;
      call.closed = true;
    });
    if (url.pathname !== podsPath || query.get('watch') !== 'true') {
      call.status = 404;
      return json(res, 404, status(404, 'NotFound', `unexpected request ${seen.url}`));
    }
    if (this.refuse !== undefined) {
      call.status = this.refuse;
      return json(res, this.refuse, status(this.refuse, 'Forbidden', 'pods is forbidden: User "u" cannot watch resource "pods"'));
    }
    if (Number(rv) < this.oldest) {
      const gone = status(410, 'Expired', `too old resource version: ${rv} (${this.oldest})`);
      if (this.goneAs === 'http') {
        call.status = 410;
        return json(res, 410, gone);
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.flushHeaders();
    for (const entry of this.log) if (entry.rv > Number(rv)) res.write(`${JSON.stringify(entry.line)}\n`);
    if (this.errorInStream !== undefined) {
      res.end(`${JSON.stringify({ type: 'ERROR', object: status(this.errorInStream, 'InternalError', 'etcd is unhappy') })}\n`);
      return;
    }
    call.open = true;
  }

  /** A change to pod `name`: logged and sent to every open watch. Returns its resourceVersion. */
  publish(name: string, type: WatchEventType = 'MODIFIED'): string {
    this.rv++;
    const object: Pod = { metadata: { name, namespace: 'w', resourceVersion: String(this.rv) } };
    const line = { type, object };
    this.log.push({ rv: this.rv, line });
    this.send(line);
    return String(this.rv);
  }

  /** Changes elsewhere move the resourceVersion; open watches get a BOOKMARK carrying it. */
  bookmark(advanceBy: number): string {
    this.rv += advanceBy;
    this.send({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) } } });
    return String(this.rv);
  }

  /** Cuts every open watch without the terminating chunk, after half of a next event's line. */
  cut(): void {
    for (const call of this.openCalls()) {
      call.res.write('{"type":"MODIFIED","object":{"metadata":{"name":"half');
      call.res.destroy();
      call.open = false;
    }
  }

  /** Ends every open watch cleanly, as timeoutSeconds does. */
  end(): void {
    for (const call of this.openCalls()) {
      call.res.end();
      call.open = false;
    }
  }

  /**
   * Compaction: forgets the log and moves on by `advanceBy` versions; watches from before are Gone. Open watches
   * get an ERROR 410 event and end, as when etcd compacts under a running watch.
   */
  compact(advanceBy: number): string {
    this.rv += advanceBy;
    this.oldest = this.rv;
    this.log = [];
    const gone = status(410, 'Expired', 'The resourceVersion for the provided watch is too old.');
    for (const call of this.openCalls()) {
      call.res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
      call.open = false;
    }
    return String(this.rv);
  }

  private send(line: Line): void {
    for (const call of this.openCalls()) call.res.write(`${JSON.stringify(line)}\n`);
  }

  private openCalls(): WatchCall[] {
    return this.calls.filter((c) => c.open);
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** Polls `check` until it holds; throws naming `what` after `timeoutMs`. */
async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const RETRY_MS = 20;

/**
 * That nothing more happens: the only way to observe an absence is to give it time. Many times the watcher's
 * reconnect delay, so a reconnect loop would have made several requests by then.
 */
async function quietPeriod(): Promise<void> {
  await new Promise((r) => setTimeout(r, RETRY_MS * 15));
}

let server: TestServer;
let api: WatchApi;
const watchers: Watcher[] = [];

beforeAll(async () => {
  server = await startServer((seen, res) => api.handle(seen, res));
});

beforeEach(() => {
  api = new WatchApi();
});

afterEach(() => {
  for (const w of watchers.splice(0)) w.stop();
  for (const call of api.calls) call.res.destroy();
  closeClients();
});

afterAll(async () => {
  await server.close();
  removeTempDirs();
});

interface Delivered {
  type: WatchEventType;
  name: string;
  rv: string;
}

/** Starts a watch of pod `web` from resourceVersion 10, recording what it delivers, relists and reports. */
async function startWatch() {
  const c = await client({ kubeconfig: kubeconfig(path.join(tempDir(), 'config'), { server: server.url }) });
  const delivered: Delivered[] = [];
  const errors: Error[] = [];
  const relisted: string[] = [];
  const watcher = watch<Pod>(c, {
    path: podsPath,
    query: { fieldSelector: 'metadata.name=web' },
    resourceVersion: '10',
    onEvent: (type, pod) => delivered.push({ type, name: pod.metadata.name, rv: pod.metadata.resourceVersion }),
    relist: async () => {
      // a list answers the current state and its resourceVersion
      relisted.push(String(api.rv));
      return String(api.rv);
    },
    onError: (err) => errors.push(err),
    retryDelayMs: RETRY_MS,
  });
  watchers.push(watcher);
  await until('the first watch request', () => api.calls.length === 1);
  const rvs = () => delivered.map((d) => d.rv);
  const requests = (n: number) => until(`${n} watch request(s)`, () => api.calls.length >= n);
  const deliveredUpTo = (rv: string) => until(`delivery of resourceVersion ${rv}`, () => rvs().includes(rv));
  return { watcher, delivered, errors, relisted, rvs, requests, deliveredUpTo };
}

describe('watch()', () => {
  it('asks for a bookmarked watch from the given resourceVersion with the caller’s query', async () => {
    await startWatch();
    expect(Object.fromEntries(api.calls[0]!.query)).toEqual({
      fieldSelector: 'metadata.name=web',
      watch: 'true',
      allowWatchBookmarks: 'true',
      resourceVersion: '10',
      timeoutSeconds: '300',
    });
  });

  it('reconnects after a stream cut mid-line and resumes from the last resourceVersion: nothing twice, nothing lost', async () => {
    const w = await startWatch();
    api.publish('web');
    const second = api.publish('web');
    await w.deliveredUpTo(second);

    api.cut();
    // changes while the watch is away are replayed on the next watch
    api.publish('web');
    await w.requests(2);
    expect(api.calls[1]!.rv).toBe('12');
    expect(api.calls[1]!.query.get('fieldSelector')).toBe('metadata.name=web');
    await w.deliveredUpTo('13');
    await w.deliveredUpTo(api.publish('web', 'DELETED'));

    expect(w.delivered).toEqual([
      { type: 'MODIFIED', name: 'web', rv: '11' },
      { type: 'MODIFIED', name: 'web', rv: '12' },
      { type: 'MODIFIED', name: 'web', rv: '13' },
      { type: 'DELETED', name: 'web', rv: '14' },
    ]);
    expect(w.errors).toEqual([]);
    expect(w.relisted).toEqual([]);
    expect(api.calls).toHaveLength(2);
  });

  it('reconnects after the server ends the watch cleanly (timeout), from the last resourceVersion', async () => {
    const w = await startWatch();
    await w.deliveredUpTo(api.publish('web'));

    api.end();
    api.publish('web');
    await w.requests(2);
    expect(api.calls[1]!.rv).toBe('11');
    await w.deliveredUpTo('12');

    // and again: every clean end is followed by a new watch
    api.end();
    await w.requests(3);
    expect(api.calls[2]!.rv).toBe('12');
    await w.deliveredUpTo(api.publish('web'));
    expect(w.rvs()).toEqual(['11', '12', '13']);
    expect(w.errors).toEqual([]);
  });

  it('on an ERROR 410 event in the stream, relists and continues from the resourceVersion the list returned', async () => {
    const w = await startWatch();
    await w.deliveredUpTo(api.publish('web'));

    const listed = api.compact(9);
    await w.requests(2);
    expect(w.relisted).toEqual([listed]);
    expect(api.calls[1]!.rv).toBe(listed);
    expect(api.calls[1]!.status).toBe(200);
    await w.deliveredUpTo(api.publish('web'));

    expect(w.delivered.map((d) => [d.type, d.rv])).toEqual([
      ['MODIFIED', '11'],
      ['MODIFIED', '21'],
    ]);
    expect(w.errors).toEqual([]);
    expect(api.calls).toHaveLength(2);
  });

  it('on an ERROR 410 event at the start of a resumed watch, relists and continues', async () => {
    const w = await startWatch();
    await w.deliveredUpTo(api.publish('web'));

    api.cut();
    // compacted while the watch was away: the resumed watch gets 200 and one ERROR 410 event
    const listed = api.compact(9);
    await w.requests(3);
    expect(api.calls.map((c) => c.rv)).toEqual(['10', '11', listed]);
    expect(w.relisted).toEqual([listed]);
    await w.deliveredUpTo(api.publish('web'));
    expect(w.rvs()).toEqual(['11', '21']);
    expect(w.errors).toEqual([]);
  });

  it('on an HTTP 410 answer to the watch request, relists and continues from the resourceVersion the list returned', async () => {
    api.goneAs = 'http';
    const w = await startWatch();
    await w.deliveredUpTo(api.publish('web'));

    api.cut();
    const listed = api.compact(9);
    await w.requests(3);
    expect(api.calls.map((c) => [c.rv, c.status])).toEqual([
      ['10', 200],
      ['11', 410],
      [listed, 200],
    ]);
    expect(w.relisted).toEqual([listed]);
    await w.deliveredUpTo(api.publish('web'));
    expect(w.rvs()).toEqual(['11', '21']);
    expect(w.errors).toEqual([]);
  });

  it('moves the resourceVersion on BOOKMARK events without delivering them', async () => {
    const w = await startWatch();
    await w.deliveredUpTo(api.publish('web'));
    const marked = api.bookmark(5);
    await w.deliveredUpTo(api.publish('web'));
    expect(w.delivered.map((d) => [d.type, d.rv])).toEqual([
      ['MODIFIED', '11'],
      ['MODIFIED', '17'],
    ]);

    // a bookmark as the last thing before the end: the next watch starts from it
    const last = api.bookmark(3);
    api.end();
    await w.requests(2);
    expect(marked).toBe('16');
    expect(api.calls[1]!.rv).toBe(last);
    await w.deliveredUpTo(api.publish('web'));
    expect(w.rvs()).toEqual(['11', '17', '21']);
  });

  it.each([
    ['an HTTP 403 answer', () => (api.refuse = 403), 403],
    ['an ERROR 500 event', () => (api.errorInStream = 500), 500],
  ])('reports %s through onError once and stops', async (_what, arrange, code) => {
    arrange();
    const w = await startWatch();
    await until('onError', () => w.errors.length > 0);
    const err = w.errors[0]!;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).statusCode).toBe(code);

    await quietPeriod();
    expect(api.calls).toHaveLength(1);
    expect(w.errors).toHaveLength(1);
    expect(w.relisted).toEqual([]);
    expect(w.delivered).toEqual([]);
  });

  it('stop() aborts the request and nothing arrives after it', async () => {
    const w = await startWatch();
    await w.deliveredUpTo(api.publish('web'));

    w.watcher.stop();
    // written before the server can have noticed: must not reach onEvent
    api.publish('web');
    await until('the server to see the watch connection close', () => api.calls[0]!.closed);
    api.publish('web');

    await quietPeriod();
    expect(w.rvs()).toEqual(['11']);
    expect(api.calls).toHaveLength(1);
    expect(w.errors).toEqual([]);
  });

  it('stop() while waiting to reconnect makes no new request', async () => {
    const w = await startWatch();
    await w.deliveredUpTo(api.publish('web'));
    api.cut();
    w.watcher.stop();
    await quietPeriod();
    expect(api.calls).toHaveLength(1);
    expect(w.errors).toEqual([]);
  });
});
