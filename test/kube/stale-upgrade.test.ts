// An exec's upgrade: output sent right behind the server's 101 is read, and an upgrade over a keep-alive socket the
// server had closed (reset before the server read the request: nothing ran) is sent again, once, on a new
// connection.
import path from 'node:path';
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

async function exec(): Promise<{ result: unknown; out: string }> {
  const c = await client({ kubeconfig: kubeconfig(path.join(tempDir(), 'kc'), { server: server.url }) });
  await c.request({ method: 'GET', path: '/x' }); // leaves an idle keep-alive socket in the agent
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
});
