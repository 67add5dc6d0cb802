import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import {
  client,
  closeClients,
  kubeconfig,
  makePki,
  rejection,
  removeTempDirs,
  startServer,
  tempDir,
  writeFile,
  type Pki,
  type TestServer,
} from './helpers.ts';

let pki: Pki;
let server: TestServer;
const servers: TestServer[] = [];

beforeAll(async () => {
  pki = makePki();
  server = await startServer(undefined, { ...pki.server, ca: pki.ca });
});

afterEach(async () => {
  vi.useRealTimers();
  closeClients();
  await Promise.all(servers.splice(0).map((s) => s.close()));
  server.seen.length = 0;
});

afterAll(async () => {
  await server.close();
  removeTempDirs();
});

/** A client for `server` (https, CA from a file) as a user with these fields. */
async function as(user: Record<string, unknown>, extra: Parameters<typeof client>[0] = {}) {
  const cfg = kubeconfig(path.join(tempDir(), 'config'), { server: server.url, 'certificate-authority': pki.caFile }, user);
  return client({ kubeconfig: cfg, ...extra });
}

async function seenBy(user: Record<string, unknown>, extra: Parameters<typeof client>[0] = {}) {
  const c = await as(user, extra);
  await c.request({ method: 'GET', path: '/api/v1/namespaces/default/pods/p' });
  return server.seen.at(-1)!;
}

describe('credentials a real HTTPS server sees', () => {
  it('bearer token', async () => {
    expect((await seenBy({ token: 'abc' })).headers.authorization).toBe('Bearer abc');
  });

  it('basic auth', async () => {
    const seen = await seenBy({ username: 'me', password: 'pw' });
    expect(seen.headers.authorization).toBe(`Basic ${Buffer.from('me:pw').toString('base64')}`);
  });

  it('tokenFile, read when used and re-read once the copy is a minute old', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const tokenFile = writeFile(path.join(tempDir(), 'token'), 'first\n');
    const c = await as({ tokenFile });
    writeFile(tokenFile, 'second\n'); // not read at load
    await c.request({ method: 'GET', path: '/x' });
    expect(server.seen.at(-1)!.headers.authorization).toBe('Bearer second');
    writeFile(tokenFile, 'third\n');
    await c.request({ method: 'GET', path: '/x' });
    expect(server.seen.at(-1)!.headers.authorization).toBe('Bearer second');
    vi.setSystemTime(Date.now() + 61_000);
    await c.request({ method: 'GET', path: '/x' });
    expect(server.seen.at(-1)!.headers.authorization).toBe('Bearer third');
  });

  it('impersonation from the kubeconfig, one Impersonate-Group line per group', async () => {
    const seen = await seenBy({ token: 't', as: 'jane', 'as-groups': ['g1', 'g2'], 'as-uid': '42' });
    expect(seen.lines['impersonate-user']).toEqual(['jane']);
    expect(seen.lines['impersonate-group']).toEqual(['g1', 'g2']);
    expect(seen.lines['impersonate-uid']).toEqual(['42']);
  });

  it('--as and --as-group override the kubeconfig one by one', async () => {
    const user = { token: 't', as: 'jane', 'as-groups': ['g1', 'g2'], 'as-uid': '42' };
    const groups = await seenBy(user, { asGroups: ['x'] });
    expect(groups.lines['impersonate-user']).toEqual(['jane']);
    expect(groups.lines['impersonate-group']).toEqual(['x']);
    const name = await seenBy(user, { as: 'bob' });
    expect(name.lines['impersonate-user']).toEqual(['bob']);
    expect(name.lines['impersonate-group']).toEqual(['g1', 'g2']);
    expect(name.lines['impersonate-uid']).toEqual(['42']);
  });

  it('client certificate (files) verified by the server, server verified with the CA', async () => {
    const seen = await seenBy({ 'client-certificate': pki.client.certFile, 'client-key': pki.client.keyFile });
    expect(seen.clientCN).toBe('alice');
    expect(seen.headers.authorization).toBeUndefined();
  });

  it('client certificate and CA as -data', async () => {
    const cfg = kubeconfig(
      path.join(tempDir(), 'config'),
      { server: server.url, 'certificate-authority-data': pki.ca.toString('base64') },
      {
        'client-certificate-data': pki.client.cert.toString('base64'),
        'client-key-data': pki.client.key.toString('base64'),
      },
    );
    const c = await client({ kubeconfig: cfg });
    await c.request({ method: 'GET', path: '/x' });
    expect(server.seen.at(-1)!.clientCN).toBe('alice');
  });

  it('legacy auth-provider through @kubernetes/client-node', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const idToken = `${b64({ alg: 'none' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
    const seen = await seenBy({
      'auth-provider': { name: 'oidc', config: { 'id-token': idToken, 'client-id': 'kdbg', 'idp-issuer-url': 'https://idp' } },
      as: 'jane',
    });
    expect(seen.headers.authorization).toBe(`Bearer ${idToken}`);
    expect(seen.lines['impersonate-user']).toEqual(['jane']);
  });
});

describe('TLS settings', () => {
  it('rejects a server whose CA is not configured', async () => {
    const other = await startServer(undefined, pki.other);
    servers.push(other);
    const cfg = kubeconfig(path.join(tempDir(), 'config'), { server: other.url, 'certificate-authority': pki.caFile });
    const err = await rejection((await client({ kubeconfig: cfg })).request({ method: 'GET', path: '/x' }));
    expect(err.message).toMatch(new RegExp(`^cannot talk to ${other.url}: .*certificate.* \\([A-Z_]+\\)$`));
  });

  it('insecure-skip-tls-verify accepts it', async () => {
    const other = await startServer(undefined, pki.other);
    servers.push(other);
    const cfg = kubeconfig(path.join(tempDir(), 'config'), { server: other.url, 'insecure-skip-tls-verify': true });
    await (await client({ kubeconfig: cfg })).request({ method: 'GET', path: '/x' });
    expect(other.seen).toHaveLength(1);
  });

  it('tls-server-name verifies the certificate against that name', async () => {
    const named = await startServer(undefined, pki.named);
    servers.push(named);
    const cluster = { server: named.url, 'certificate-authority': pki.caFile };
    const plain = await client({ kubeconfig: kubeconfig(path.join(tempDir(), 'a'), cluster) });
    const err = await rejection(plain.request({ method: 'GET', path: '/x' }));
    expect(err.message).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    const cfg = kubeconfig(path.join(tempDir(), 'b'), { ...cluster, 'tls-server-name': 'kube.test' });
    await (await client({ kubeconfig: cfg })).request({ method: 'GET', path: '/x' });
    expect(named.seen).toHaveLength(1);
  });

  it('connectOptions carries the same headers, TLS material and keep-alive agent to a WebSocket upgrade', async () => {
    const wss = new WebSocketServer({ noServer: true });
    let upgrade: { authorization?: string; groups?: string[]; cn?: string } = {};
    server.server.on('upgrade', (req, socket, head) => {
      const groups: string[] = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (req.rawHeaders[i]!.toLowerCase() === 'impersonate-group') groups.push(req.rawHeaders[i + 1]!);
      }
      const peer = (socket as import('node:tls').TLSSocket).getPeerCertificate();
      upgrade = { authorization: req.headers.authorization, groups, cn: String(peer.subject?.CN) };
      wss.handleUpgrade(req, socket, head, (ws) => ws.close(1000, 'bye'));
    });
    const c = await as({
      token: 'ws-token',
      'as-groups': ['g1', 'g2'],
      as: 'jane',
      'client-certificate': pki.client.certFile,
      'client-key': pki.client.keyFile,
    });
    await c.request({ method: 'GET', path: '/x' });
    const before = server.connections();
    const opts = await c.connectOptions();
    const ws = new WebSocket(`${server.url.replace('https', 'wss')}/api/v1/namespaces/default/pods/p/attach`, opts);
    const code = await new Promise<number>((resolve, reject) => {
      ws.on('close', resolve);
      ws.on('error', reject);
    });
    expect(code).toBe(1000);
    expect(upgrade).toEqual({ authorization: 'Bearer ws-token', groups: ['g1', 'g2'], cn: 'alice' });
    expect(server.connections()).toBe(before); // the upgrade reused the idle keep-alive connection
    server.server.removeAllListeners('upgrade');
  });
});

describe('plain http:// servers', () => {
  it('get no credentials, as with kubectl, but impersonation headers still', async () => {
    const plain = await startServer();
    servers.push(plain);
    const cfg = kubeconfig(path.join(tempDir(), 'config'), { server: plain.url }, { token: 'abc', as: 'jane' });
    await (await client({ kubeconfig: cfg })).request({ method: 'GET', path: '/x' });
    expect(plain.seen[0]!.headers.authorization).toBeUndefined();
    expect(plain.seen[0]!.headers['impersonate-user']).toBe('jane');
  });
});
