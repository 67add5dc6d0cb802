// An exec's upgrade: output sent right behind the server's 101 is read, and an upgrade over a keep-alive socket the
// server had closed (reset before the server read the request: nothing ran) is sent again, once, on a new
// connection; a GET too.
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { openExec } from '../../src/session/remote-exec.ts';
import { client, closeClients, kubeconfig, removeTempDirs, startServer, tempDir, type TestServer } from './helpers.ts';

let server: TestServer;

// plain http: the reset is a TCP socket's, as it is under TLS
beforeAll(async () => {
  server = await startServer();
});
afterEach(() => {
  server.server.removeAllListeners('upgrade');
});
afterAll(async () => {
  closeClients();
  await server.close();
  removeTempDirs();
});

/** Upgrades (counting each, and whether its socket had served a request before) and at once sends `ran` and success. */
function serveExec(resetReused: boolean): { reused: boolean }[] {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => [...protocols][0] ?? false });
  const upgrades: { reused: boolean }[] = [];
  const served = new Set<Socket>();
  server.server.on('request', (req) => served.add(req.socket));
  server.server.on('upgrade', (req, socket: Socket, head) => {
    const reused = served.has(socket);
    upgrades.push({ reused });
    // the idle socket the server had given up on: a reset instead of an answer
    if (reused && resetReused) return void socket.resetAndDestroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from('ran\n')]));
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }))]));
      ws.close(1000);
    });
  });
  return upgrades;
}

/** A client with `idle` keep-alive sockets in its agent, each of which has served a GET. */
async function withIdleSockets(idle: number) {
  const c = await client({ kubeconfig: kubeconfig(path.join(tempDir(), 'kc'), { server: server.url }) });
  await Promise.all(Array.from({ length: idle }, () => c.request({ method: 'GET', path: '/x' })));
  return c;
}

async function exec(idle = 1): Promise<{ result: unknown; out: string }> {
  const c = await withIdleSockets(idle);
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  const session = await openExec({ client: c, namespace: 'default', pod: 'p', container: 'c', command: ['true'], tty: false, stdout, stderr: new PassThrough().resume() });
  return { result: await session.done, out };
}

describe('an exec upgrade', () => {
  it('reads what the server sends right behind its answer', async () => {
    const upgrades = serveExec(false);
    expect(await exec()).toEqual({ result: { kind: 'exited', code: 0 }, out: 'ran\n' });
    expect(upgrades).toEqual([{ reused: true }]);
  });

  it('on a stale keep-alive socket is sent again on a new connection, and the command runs once', async () => {
    const upgrades = serveExec(true);
    expect(await exec()).toEqual({ result: { kind: 'exited', code: 0 }, out: 'ran\n' });
    expect(upgrades).toEqual([{ reused: true }, { reused: false }]);
  });

  it('is sent again on a connection of its own, not on another of the agent\'s stale sockets', async () => {
    const upgrades = serveExec(true);
    expect(await exec(3)).toEqual({ result: { kind: 'exited', code: 0 }, out: 'ran\n' });
    expect(upgrades).toEqual([{ reused: true }, { reused: false }]);
  });
});

describe('a GET on a stale keep-alive socket', () => {
  it('is sent again, once, on a connection of its own', async () => {
    const served = new Set<Socket>();
    const tries: boolean[] = [];
    let stale = false;
    // once the agent holds its idle sockets, the server resets every one of them that a request comes on
    const onRequest = (req: IncomingMessage) => {
      const reused = served.has(req.socket);
      served.add(req.socket);
      if (!stale) return;
      tries.push(reused);
      if (reused) req.socket.resetAndDestroy();
    };
    server.server.prependListener('request', onRequest);
    try {
      const c = await withIdleSockets(3);
      stale = true;
      await expect(c.request({ method: 'GET', path: '/y' })).resolves.toBeDefined();
      expect(tries).toEqual([true, false]);
    } finally {
      server.server.removeListener('request', onRequest);
    }
  });
});
