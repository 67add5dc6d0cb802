// No failure path may carry a credential: not in the message, the stack, the cause, nor what reaches stderr.
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  PLUGIN,
  capture,
  client,
  closeClients,
  json,
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

const TOKEN = 'tok-SECRET-7f3a9c';
const PASSWORD = 'pw-SECRET-2b8e41';
const PLUGIN_SECRET = 'plugin-SECRET-5d0c2e';

let pki: Pki;
let unauthorized: TestServer;
let untrusted: TestServer;

beforeAll(async () => {
  pki = makePki();
  unauthorized = await startServer((_seen, res) =>
    json(res, 401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }),
  { ...pki.server, ca: pki.ca });
  untrusted = await startServer(undefined, pki.other);
});

afterEach(() => closeClients());

afterAll(async () => {
  await unauthorized.close();
  await untrusted.close();
  removeTempDirs();
});

function expectNoSecrets(err: Error, ...extra: string[]): void {
  const everything = [err.message, err.stack ?? '', inspect(err, { depth: Infinity, showHidden: true }), ...extra].join('\n');
  expect(everything).not.toMatch(/SECRET/);
  expect(everything).not.toContain(pki.client.key.toString('base64'));
  expect(everything).not.toContain('PRIVATE KEY');
}

async function failureWith(cluster: Record<string, unknown>, user: Record<string, unknown>) {
  const stderr = capture();
  const cfg = kubeconfig(path.join(tempDir(), 'config'), cluster, user);
  const c = await client({ kubeconfig: cfg, stderr: stderr.stream });
  const err = await rejection(c.request({ method: 'GET', path: '/api/v1/namespaces/default/pods/p', timeoutMs: 2000 }));
  return { err, stderr: stderr.text() };
}

const trusted = () => ({ server: unauthorized.url, 'certificate-authority': pki.caFile });

function pluginUser(mode: string) {
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1',
      command: process.execPath,
      args: [PLUGIN],
      env: [
        { name: 'PLUGIN_DIR', value: tempDir() },
        { name: 'PLUGIN_MODE', value: mode },
        { name: 'SECRET', value: PLUGIN_SECRET },
      ],
    },
  };
}

describe('secrets stay out of errors', () => {
  it.each(['fail', 'garbage', 'wrong-version'])('plugin failure: %s', async (mode) => {
    const { err, stderr } = await failureWith(trusted(), pluginUser(mode));
    expect(err.message).toMatch(/^credential plugin ".*" \(user "u"\) /);
    expectNoSecrets(err, stderr);
  });

  it('401 for a token, and for basic auth', async () => {
    for (const user of [{ token: TOKEN }, { username: 'me', password: PASSWORD }]) {
      const { err } = await failureWith(trusted(), user);
      expect(err.message).toBe('Unauthorized');
      expectNoSecrets(err);
    }
  });

  it('TLS failure with a token and a client key', async () => {
    const { err } = await failureWith(
      { server: untrusted.url, 'certificate-authority': pki.caFile },
      {
        token: TOKEN,
        'client-certificate-data': pki.client.cert.toString('base64'),
        'client-key-data': pki.client.key.toString('base64'),
      },
    );
    expect(err.message).toMatch(/^cannot talk to https:/);
    expectNoSecrets(err);
  });

  it('an unusable client key', async () => {
    const { err } = await failureWith(trusted(), {
      token: TOKEN,
      'client-certificate-data': pki.client.cert.toString('base64'),
      'client-key-data': Buffer.from(`-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n`).toString('base64'),
    });
    expect(err.message).toMatch(/^cannot talk to https:/);
    expectNoSecrets(err);
  });

  it('connection refused and timeout', async () => {
    const gone = await startServer(undefined, pki.server);
    await gone.close();
    const refused = await failureWith({ server: gone.url, 'insecure-skip-tls-verify': true }, { token: TOKEN });
    expect(refused.err.message).toContain('ECONNREFUSED');
    expectNoSecrets(refused.err);

    const silent = await startServer(() => {}, { ...pki.server, ca: pki.ca });
    const timedOut = await failureWith({ server: silent.url, 'certificate-authority': pki.caFile }, { token: TOKEN });
    expect(timedOut.err.message).toBe(`timed out after 2s talking to ${silent.url}`);
    expectNoSecrets(timedOut.err);
    await silent.close();
  });

  it('kubeconfig that does not parse', async () => {
    const bad = writeFile(path.join(tempDir(), 'config'), `users:\n- name: u\n  user: {token: ${TOKEN}: x, password: "${PASSWORD}\n`);
    expectNoSecrets(await rejection(client({ kubeconfig: bad })));
  });
});
