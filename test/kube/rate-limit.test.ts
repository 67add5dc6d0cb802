// The client's optional rate limit, over a real socket: never more than burst + QPS × T requests in any window of
// T seconds, and a 429 with Retry-After holds every request of the client for that long, then is sent again (the
// hold of the others on the limiter itself, with fake timers: over a socket, when the 429 lands is not ours to say).
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import path from 'node:path';
import { client, closeClients, json, kubeconfig, okJson, removeTempDirs, startServer, tempDir, type Handler, type TestServer } from './helpers.ts';
import { RequestLimiter, retryAfterMs } from '../../src/kube/rate-limit.ts';

let server: TestServer;
let handler: Handler = okJson;
const times: number[] = [];

beforeAll(async () => {
  server = await startServer((seen, res, req) => {
    times.push(performance.now());
    handler(seen, res, req);
  });
});
afterEach(() => {
  closeClients();
  handler = okJson;
  times.length = 0;
});
afterAll(async () => {
  await server.close();
  removeTempDirs();
});

const limited = (qps: number, burst: number) => client({ kubeconfig: kubeconfig(path.join(tempDir(), 'config'), { server: server.url }), rateLimit: { qps, burst } });

/** The most requests seen in any window of `ms`. */
function busiest(ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('rate limit', () => {
  it('keeps concurrent requests under QPS after the burst', async () => {
    const c = await limited(20, 5);
    const started = performance.now();
    await Promise.all(Array.from({ length: 45 }, () => c.request({ method: 'GET', path: '/api/v1/namespaces/x/pods/p' })));
    const took = performance.now() - started;
    expect(times).toHaveLength(45);
    // 5 at once, then 40 more at 20 per second: about 2 s
    expect(took).toBeGreaterThan(1900);
    expect(busiest(1000)).toBeLessThanOrEqual(5 + 20);
    // past the burst, any second holds at most QPS (+1 for a boundary)
    const steady = times.filter((t) => t - times[0]! > 500);
    const first = steady[0]!;
    const inSecond = steady.filter((t) => t - first < 1000).length;
    expect(inSecond).toBeLessThanOrEqual(21);
  });

  it('honours Retry-After on 429: waits that long, then sends again', async () => {
    let refused = 0;
    handler = (_seen, res) => {
      if (refused++ < 1) return json(res, 429, { kind: 'Status', status: 'Failure', reason: 'TooManyRequests', code: 429, message: 'slow down' }, { 'Retry-After': '1' });
      json(res, 200, { kind: 'Pod', metadata: { name: 'p' } });
    };
    const c = await limited(100, 100);
    const answer = await c.request<{ metadata: { name: string } }>({ method: 'PATCH', path: '/api/v1/namespaces/x/pods/p', body: {} });
    expect(answer.metadata.name).toBe('p');
    expect(times).toHaveLength(2);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990);
  });

  it('a pause holds every request that asks for its turn during it, then they go at the sustained rate', async () => {
    vi.useFakeTimers();
    try {
      const limiter = new RequestLimiter({ qps: 10, burst: 100 }, () => Date.now());
      limiter.pause(1000);
      const sent: number[] = [];
      const started = Date.now();
      const turns = [0, 1].map(() => limiter.take().then(() => sent.push(Date.now() - started)));
      await vi.advanceTimersByTimeAsync(999);
      expect(sent).toEqual([]);
      await vi.advanceTimersByTimeAsync(1000);
      await Promise.all(turns);
      // the bucket owes the pause: once it ends, each waits for a token of its own (100 ms at 10 QPS)
      expect(sent).toEqual([1100, 1200]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('without a limit, a 429 is the caller\'s answer, as before', async () => {
    handler = (_seen, res) => json(res, 429, { kind: 'Status', status: 'Failure', code: 429, message: 'slow down' }, { 'Retry-After': '1' });
    const c = await client({ kubeconfig: kubeconfig(path.join(tempDir(), 'config'), { server: server.url }) });
    await expect(c.request({ method: 'GET', path: '/x' })).rejects.toThrow('slow down');
    expect(times).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('reads Retry-After as seconds or a date, else backs off 1 s doubling', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 0, 8_000)).toBe(2000);
    expect(retryAfterMs(undefined, 0)).toBe(1000);
    expect(retryAfterMs(undefined, 3)).toBe(8000);
    expect(retryAfterMs('100000', 0)).toBe(60_000);
  });
});
