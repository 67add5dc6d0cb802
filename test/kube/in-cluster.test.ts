import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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

beforeAll(async () => {
  pki = makePki();
  server = await startServer(undefined, { ...pki.server, ca: pki.ca });
});

afterEach(() => {
  vi.useRealTimers();
  closeClients();
  server.seen.length = 0;
});

afterAll(async () => {
  await server.close();
  removeTempDirs();
});

function serviceAccount(files: { token?: string; namespace?: string; ca?: Buffer } = {}): string {
  const dir = tempDir();
  const { token = 'sa-token-1', namespace = 'team-a', ca = pki.ca } = files;
  writeFile(path.join(dir, 'token'), token);
  writeFile(path.join(dir, 'namespace'), `${namespace}\n`);
  writeFile(path.join(dir, 'ca.crt'), ca);
  return dir;
}

const serviceEnv = () => ({
  KUBERNETES_SERVICE_HOST: '127.0.0.1',
  KUBERNETES_SERVICE_PORT: String((server.server.address() as AddressInfo).port),
});

describe('in-cluster configuration', () => {
  it('is used when no kubeconfig names a context: service host, CA, token and namespace', async () => {
    const c = await client({ serviceAccountDir: serviceAccount(), env: serviceEnv() });
    expect(c.context).toEqual({ contextName: '', namespace: 'team-a', server: server.url, userName: '' });
    await c.request({ method: 'GET', path: '/api/v1/namespaces/team-a/pods' });
    expect(server.seen[0]!.headers.authorization).toBe('Bearer sa-token-1');
  });

  it('re-reads the rotated token once the copy is a minute old', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const dir = serviceAccount();
    const c = await client({ serviceAccountDir: dir, env: serviceEnv() });
    await c.request({ method: 'GET', path: '/x' });
    writeFile(path.join(dir, 'token'), 'sa-token-2');
    vi.setSystemTime(Date.now() + 30_000);
    await c.request({ method: 'GET', path: '/x' });
    vi.setSystemTime(Date.now() + 31_000);
    await c.request({ method: 'GET', path: '/x' });
    expect(server.seen.map((s) => s.headers.authorization)).toEqual([
      'Bearer sa-token-1',
      'Bearer sa-token-1',
      'Bearer sa-token-2',
    ]);
  });

  it('takes -n and POD_NAMESPACE before the namespace file, and --as', async () => {
    const dir = serviceAccount();
    expect((await client({ serviceAccountDir: dir, env: serviceEnv(), namespace: 'cli' })).context.namespace).toBe('cli');
    const c = await client({ serviceAccountDir: dir, env: { ...serviceEnv(), POD_NAMESPACE: 'pod-ns' }, as: 'jane' });
    expect(c.context.namespace).toBe('pod-ns');
    await c.request({ method: 'GET', path: '/x' });
    expect(server.seen[0]!.headers['impersonate-user']).toBe('jane');
  });

  it('brackets an IPv6 service host', async () => {
    const c = await client({ serviceAccountDir: serviceAccount(), env: { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' } });
    expect(c.context.server).toBe('https://[fd00::1]:443');
  });

  it('loses to a kubeconfig with a current context', async () => {
    const home = tempDir();
    mkdirSync(path.join(home, '.kube'));
    kubeconfig(path.join(home, '.kube', 'config'), { server: 'https://from-kubeconfig' });
    const c = await client({ serviceAccountDir: serviceAccount(), env: { ...serviceEnv(), HOME: home } });
    expect(c.context.server).toBe('https://from-kubeconfig');
  });

  it('needs the service env and the token file', async () => {
    const noEnv = await rejection(client({ serviceAccountDir: serviceAccount() }));
    expect(noEnv.message).toMatch(/^no current context/);
    const noToken = await rejection(client({ serviceAccountDir: tempDir(), env: serviceEnv() }));
    expect(noToken.message).toMatch(/^no current context/);
  });
});
