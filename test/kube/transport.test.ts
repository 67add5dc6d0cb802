import { once } from 'node:events';
import type http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KdbgError } from '../../src/errors.ts';
import { ApiError } from '../../src/kube/api-error.ts';
import { parseWarnings } from '../../src/kube/warning-header.ts';
import {
  client,
  closeClients,
  json,
  kubeconfig,
  okJson,
  rejection,
  removeTempDirs,
  startServer,
  tempDir,
  type Handler,
  type TestServer,
} from './helpers.ts';

let server: TestServer;
let handler: Handler = okJson;
/** responses held open by a test, ended in afterEach */
const held: http.ServerResponse[] = [];

beforeAll(async () => {
  server = await startServer((seen, res, req) => handler(seen, res, req));
});

afterEach(() => {
  closeClients();
  for (const res of held.splice(0)) res.destroy();
  handler = okJson;
  server.seen.length = 0;
});

afterAll(async () => {
  await server.close();
  removeTempDirs();
});

async function connect(url = server.url, extra: Parameters<typeof client>[0] = {}) {
  return client({ kubeconfig: kubeconfig(path.join(tempDir(), 'config'), { server: url }), ...extra });
}

describe('request()', () => {
  it('sends JSON with kdbg headers, encodes the query with repeated keys, and parses the answer', async () => {
    const c = await connect();
    const pod = await c.request({
      method: 'GET',
      path: '/api/v1/namespaces/default/pods',
      query: { labelSelector: 'app=web,tier in (a,b)', fieldSelector: undefined, dryRun: ['All', 'x'] },
    });
    expect(pod).toEqual({ kind: 'Pod', metadata: { name: 'p' } });
    const seen = server.seen[0]!;
    expect(seen.url).toBe('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&dryRun=All&dryRun=x');
    expect(seen.headers.accept).toBe('application/json');
    expect(seen.headers['user-agent']).toBe('kdbg');
    expect(seen.headers['content-type']).toBeUndefined();
  });

  it('sets Content-Type from the options, application/json by default', async () => {
    const c = await connect();
    await c.request({ method: 'POST', path: '/a', body: { a: 1 } });
    await c.request({
      method: 'PATCH',
      path: '/b',
      body: { spec: { ephemeralContainers: [] } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(server.seen.map((s) => [s.method, s.headers['content-type'], s.body])).toEqual([
      ['POST', 'application/json', '{"a":1}'],
      ['PATCH', 'application/strategic-merge-patch+json', '{"spec":{"ephemeralContainers":[]}}'],
    ]);
  });

  it('keeps one connection alive across requests', async () => {
    const c = await connect();
    const before = server.connections();
    for (let i = 0; i < 5; i++) await c.request({ method: 'GET', path: `/x${i}` });
    await Promise.all([1, 2].map(() => c.request({ method: 'GET', path: '/y' })));
    expect(server.connections() - before).toBe(2); // the sequential five shared one; the parallel pair needed two
  });

  it('sends a GET again when a reused connection turns out to be closed', async () => {
    const perSocket = new WeakMap<object, number>();
    handler = (seen, res, req) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      if (n === 2) req.socket.destroy();
      else okJson(seen, res, req);
    };
    const c = await connect();
    const before = server.connections();
    await c.request({ method: 'GET', path: '/one' });
    await expect(c.request({ method: 'GET', path: '/two' })).resolves.toMatchObject({ kind: 'Pod' });
    expect(server.connections() - before).toBe(2);
  });

  it('hands every decoded 299 warning to onWarning', async () => {
    handler = (_seen, res) =>
      json(res, 200, {}, {
        Warning: [
          '299 - "first, with a comma and \\"quotes\\""',
          '299 kube-apiserver "second" "Mon, 01 Jan 2024 00:00:00 GMT", 199 - "not 299", 299 - "third"',
        ],
      });
    const warnings: string[] = [];
    const c = await connect(server.url, { onWarning: (w) => warnings.push(w) });
    await c.request({ method: 'GET', path: '/x' });
    expect(warnings).toEqual(['first, with a comma and "quotes"', 'second', 'third']);
  });

  it('rejects with ApiError carrying the Status', async () => {
    handler = (_seen, res) =>
      json(res, 404, { kind: 'Status', status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound', code: 404 });
    const c = await connect();
    const err = await rejection(c.request({ method: 'GET', path: '/api/v1/namespaces/default/pods/nope' }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('pods "nope" not found');
    expect((err as ApiError).status?.reason).toBe('NotFound');
    expect((err as ApiError).statusCode).toBe(404);
  });

  it('times out with the server named', async () => {
    handler = (_seen, res) => held.push(res);
    const c = await connect();
    const err = await rejection(c.request({ method: 'GET', path: '/slow', timeoutMs: 200 }));
    expect(err).toBeInstanceOf(KdbgError);
    expect(err.message).toBe(`timed out after 0.2s talking to ${server.url}`);
  });

  it('stops when the caller aborts', async () => {
    handler = (_seen, res) => held.push(res);
    const c = await connect();
    const ac = new AbortController();
    const pending = c.request({ method: 'GET', path: '/slow', signal: ac.signal });
    setTimeout(() => ac.abort(new Error('user gave up')), 50);
    expect((await rejection(pending)).message).toBe('user gave up');
  });

  it('names the server and the OS error when it cannot connect', async () => {
    const gone = await startServer();
    await gone.close();
    const c = await connect(gone.url);
    const err = await rejection(c.request({ method: 'GET', path: '/x' }));
    expect(err).toBeInstanceOf(KdbgError);
    expect(err.message).toMatch(new RegExp(`^cannot talk to ${gone.url}: .*ECONNREFUSED`));
  });
});

describe('stream()', () => {
  it('resolves at the headers, outlives the timeout, and ends when the signal aborts', async () => {
    handler = (_seen, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', Warning: '299 - "watch warning"' });
      res.write('{"type":"ADDED"}\n');
      held.push(res);
    };
    const warnings: string[] = [];
    const c = await connect(server.url, { onWarning: (w) => warnings.push(w) });
    const ac = new AbortController();
    const res = await c.stream({ method: 'GET', path: '/api/v1/pods', query: { watch: 'true' }, timeoutMs: 100, signal: ac.signal });
    expect(warnings).toEqual(['watch warning']);
    const lines = createInterface({ input: res });
    const [first] = (await once(lines, 'line')) as [string];
    expect(JSON.parse(first)).toEqual({ type: 'ADDED' });
    await new Promise((r) => setTimeout(r, 300)); // well past timeoutMs
    held[0]!.write('{"type":"MODIFIED"}\n');
    const [second] = (await once(lines, 'line')) as [string];
    expect(JSON.parse(second)).toEqual({ type: 'MODIFIED' });
    const closed = once(res, 'close');
    ac.abort();
    await closed;
    expect(res.destroyed).toBe(true);
  });

  it('rejects with ApiError from the body otherwise', async () => {
    handler = (_seen, res) =>
      json(res, 403, { kind: 'Status', status: 'Failure', message: 'pods is forbidden', reason: 'Forbidden', code: 403 });
    const c = await connect();
    const err = await rejection(c.stream({ method: 'GET', path: '/api/v1/pods', query: { watch: 'true' } }));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toBe('pods is forbidden');
  });
});

describe('parseWarnings', () => {
  it('keeps what precedes a malformed part and skips empty texts', () => {
    expect(parseWarnings('299 - "ok", garbage, 299 - "lost"')).toEqual(['ok']);
    expect(parseWarnings('299 - ""')).toEqual([]);
    expect(parseWarnings('299 - "back\\\\slash"')).toEqual(['back\\slash']);
  });
});
