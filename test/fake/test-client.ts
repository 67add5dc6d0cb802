// Raw clients for the fake's own tests: JSON requests and watches over node:https, and exec/attach over `ws`
// speaking the channel protocol frame by frame. Nothing from src/.
import { request } from 'node:https';
import WebSocket from 'ws';
import type { FakeCluster, FakeUser } from './cluster.ts';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
}

export interface CallOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** omit the Authorization header, or send this token instead */
  token?: string | null;
}

export function call(cluster: FakeCluster, user: FakeUser, method: string, path: string, opts: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json' };
  const token = opts.token === undefined ? cluster.tokens[user] : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  if (payload !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.url}${path}`, { method, headers, ca: cluster.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export interface WatchEvent {
  type: string;
  object: any;
}

export interface Watch {
  status: number;
  events: WatchEvent[];
  /** resolves when the server ends the response: 'end' (clean) or 'aborted' */
  ended: Promise<'end' | 'aborted'>;
  /** waits until an event satisfies `pred` */
  next(pred: (e: WatchEvent) => boolean, timeoutMs?: number): Promise<WatchEvent>;
  stop(): void;
}

export function watch(cluster: FakeCluster, user: FakeUser, path: string): Promise<Watch> {
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.url}${path}`, { headers: { Authorization: `Bearer ${cluster.tokens[user]}` }, ca: cluster.ca }, (res) => {
      const events: WatchEvent[] = [];
      const waiters = new Set<() => void>();
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
          for (const w of [...waiters]) w();
        }
      });
      const ended = new Promise<'end' | 'aborted'>((done) => {
        res.on('end', () => done('end'));
        res.on('aborted', () => done('aborted'));
        res.on('error', () => done('aborted'));
      });
      resolve({
        status: res.statusCode ?? 0,
        events,
        ended,
        next(pred, timeoutMs = 5000) {
          return new Promise((ok, fail) => {
            const check = (): boolean => {
              const hit = events.find(pred);
              if (!hit) return false;
              waiters.delete(check);
              clearTimeout(timer);
              ok(hit);
              return true;
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no matching watch event within ${timeoutMs} ms; got ${JSON.stringify(events.map((e) => e.type))}`));
            }, timeoutMs);
            if (!check()) waiters.add(check);
          });
        },
        stop: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

export interface Stream {
  protocol: string;
  stdout: () => Buffer;
  stderr: () => Buffer;
  /** every frame received, channel byte first */
  frames: Buffer[];
  /** the status frame (channel 3), parsed, once it came */
  status: () => unknown;
  /** resolves when the connection is closed, with the close code (1006 when dropped) */
  closed: Promise<number>;
  send(channel: number, data: Buffer | string): void;
  /** v5 CLOSE of stdin */
  closeStdin(): void;
  resize(width: number, height: number): void;
  ws: WebSocket;
  waitFor(pred: () => boolean, timeoutMs?: number): Promise<void>;
}

export type StreamOpen = { ok: true; stream: Stream } | { ok: false; status: number; body: string; headers: Record<string, string | string[] | undefined> };

export function openStream(cluster: FakeCluster, user: FakeUser, path: string, protocols: string[] = ['v5.channel.k8s.io']): Promise<StreamOpen> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${cluster.url.replace('https:', 'wss:')}${path}`, protocols, {
      headers: { Authorization: `Bearer ${cluster.tokens[user]}` },
      ca: cluster.ca,
      perMessageDeflate: false,
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    ws.on('error', () => {});
    const frames: Buffer[] = [];
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let status: unknown;
    const listeners = new Set<() => void>();
    ws.on('message', (data: Buffer) => {
      frames.push(data);
      const payload = data.subarray(1);
      if (data[0] === 1) out.push(payload);
      if (data[0] === 2) err.push(payload);
      if (data[0] === 3) status = JSON.parse(payload.toString('utf8'));
      for (const l of [...listeners]) l();
    });
    const closed = new Promise<number>((done) =>
      ws.on('close', (code) => {
        done(code);
        for (const l of [...listeners]) l();
      }),
    );
    ws.on('open', () => {
      const stream: Stream = {
        protocol: ws.protocol,
        frames,
        stdout: () => Buffer.concat(out),
        stderr: () => Buffer.concat(err),
        status: () => status,
        closed,
        ws,
        send: (channel, data) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(data)])),
        closeStdin: () => ws.send(Buffer.from([255, 0])),
        resize: (width, height) => ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(`${JSON.stringify({ Width: width, Height: height })}\n`)])),
        waitFor(pred, timeoutMs = 5000) {
          return new Promise((ok, fail) => {
            const check = (): void => {
              if (!pred()) return;
              listeners.delete(check);
              clearTimeout(timer);
              ok();
            };
            const timer = setTimeout(() => {
              listeners.delete(check);
              fail(new Error(`condition not met within ${timeoutMs} ms; stdout=${JSON.stringify(Buffer.concat(out).toString())}`));
            }, timeoutMs);
            listeners.add(check);
            check();
          });
        },
      };
      resolve({ ok: true, stream });
    });
  });
}

/** Opens a stream that must be accepted. */
export async function mustOpen(cluster: FakeCluster, user: FakeUser, path: string, protocols?: string[]): Promise<Stream> {
  const r = await openStream(cluster, user, path, protocols);
  if (!r.ok) throw new Error(`upgrade refused: ${r.status} ${r.body}`);
  return r.stream;
}

/** Query string of an exec: command words plus the stream flags. */
export function execPath(ns: string, pod: string, container: string, command: string[], flags: string[] = ['stdout', 'stderr']): string {
  const q = new URLSearchParams();
  q.set('container', container);
  for (const c of command) q.append('command', c);
  for (const f of flags) q.set(f, 'true');
  return `/api/v1/namespaces/${ns}/pods/${pod}/exec?${q}`;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until truthy (returns it) or throws after `timeoutMs`. */
export async function until<T>(check: () => T | Promise<T>, timeoutMs = 5000, what = 'condition'): Promise<Exclude<T, false | null | undefined | 0 | ''>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as Exclude<T, false | null | undefined | 0 | ''>;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(25);
  }
}
