import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../src/kube/api-error.ts';
import {
  PLUGIN,
  capture,
  client,
  closeClients,
  json,
  kubeconfig,
  makePki,
  okJson,
  rejection,
  removeTempDirs,
  startServer,
  tempDir,
  writeFile,
  type Handler,
  type Pki,
  type TestServer,
} from './helpers.ts';

let pki: Pki;
let server: TestServer;
/** the server's answer; tests swap it */
let handler: Handler = okJson;

beforeAll(async () => {
  pki = makePki();
  server = await startServer((seen, res, req) => handler(seen, res, req), { ...pki.server, ca: pki.ca });
});

afterEach(() => {
  vi.useRealTimers();
  closeClients();
  handler = okJson;
  server.seen.length = 0;
});

afterAll(async () => {
  await server.close();
  removeTempDirs();
});

interface Setup {
  exec?: Record<string, unknown>;
  env?: Record<string, string>;
  cluster?: Record<string, unknown>;
  stdinIsTTY?: boolean;
}

/** A client whose user runs the fixture plugin; returns it with the plugin's state dir. */
async function withPlugin({ exec = {}, env = {}, cluster = {}, stdinIsTTY = false }: Setup = {}) {
  const dir = tempDir();
  const stderr = capture();
  const cfg = kubeconfig(
    path.join(dir, 'config'),
    { server: server.url, 'certificate-authority': pki.caFile, ...cluster },
    {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: process.execPath,
        args: [PLUGIN],
        env: Object.entries({ PLUGIN_DIR: dir, ...env }).map(([name, value]) => ({ name, value })),
        interactiveMode: 'IfAvailable',
        ...exec,
      },
    },
  );
  const c = await client({ kubeconfig: cfg, stderr: stderr.stream, stdinIsTTY });
  const runs = () => (existsSync(path.join(dir, 'runs')) ? readFileSync(path.join(dir, 'runs'), 'utf8').length : 0);
  const execInfo = (run: number) => JSON.parse(readFileSync(path.join(dir, `exec-info-${run}.json`), 'utf8'));
  return { c, dir, runs, execInfo, stderr };
}

const get = { method: 'GET', path: '/api/v1/namespaces/default/pods/p' } as const;
const lastAuth = () => server.seen.at(-1)!.headers.authorization;

describe('exec credential plugins', () => {
  it('get KUBERNETES_EXEC_INFO and their env entries; their token is sent; their stderr reaches ours', async () => {
    const { c, runs, execInfo, stderr } = await withPlugin();
    await c.request(get);
    expect(lastAuth()).toBe('Bearer tok-1');
    expect(runs()).toBe(1);
    expect(execInfo(1)).toEqual({
      apiVersion: 'client.authentication.k8s.io/v1',
      kind: 'ExecCredential',
      spec: { interactive: false },
    });
    expect(stderr.text()).toBe('plugin run 1\n');
  });

  it('are interactive only with a terminal on stdin and interactiveMode other than Never', async () => {
    const tty = await withPlugin({ stdinIsTTY: true });
    await tty.c.request(get);
    expect(tty.execInfo(1).spec.interactive).toBe(true);
    const never = await withPlugin({ stdinIsTTY: true, exec: { interactiveMode: 'Never' } });
    await never.c.request(get);
    expect(never.execInfo(1).spec.interactive).toBe(false);
    const always = await withPlugin({ exec: { interactiveMode: 'Always' } });
    const err = await rejection(always.c.request(get));
    expect(err.message).toMatch(/needs a terminal \(interactiveMode: Always\), but standard input is not one$/);
    expect(always.runs()).toBe(0);
  });

  it('get the cluster with provideClusterInfo', async () => {
    const { c, execInfo } = await withPlugin({
      exec: { provideClusterInfo: true },
      cluster: {
        'tls-server-name': 'kube.test',
        'insecure-skip-tls-verify': true,
        extensions: [{ name: 'client.authentication.k8s.io/exec', extension: { audience: 'kube' } }],
      },
    });
    await c.request(get);
    expect(execInfo(1).spec).toEqual({
      interactive: false,
      cluster: {
        server: server.url,
        'tls-server-name': 'kube.test',
        'insecure-skip-tls-verify': true,
        'certificate-authority-data': pki.ca.toString('base64'),
        config: { audience: 'kube' },
      },
    });
  });

  it('run once for parallel requests, and the credential is reused when it has no expiry', async () => {
    const { c, runs } = await withPlugin({ env: { DELAY_MS: '200' } });
    await Promise.all(Array.from({ length: 5 }, () => c.request(get)));
    await c.request(get);
    await c.connectOptions();
    expect(runs()).toBe(1);
    expect(server.seen.map((s) => s.headers.authorization)).toEqual(Array(6).fill('Bearer tok-1'));
  });

  it('run again once the credential has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { c, runs } = await withPlugin({ env: { EXPIRES_IN: '300' } });
    await c.request(get);
    await c.request(get);
    expect(runs()).toBe(1);
    vi.setSystemTime(Date.now() + 301_000);
    await c.request(get);
    expect(runs()).toBe(2);
    expect(lastAuth()).toBe('Bearer tok-2');
  });

  it('run again after a 401, and the request is retried once with the new credential', async () => {
    handler = (seen, res) =>
      seen.headers.authorization === 'Bearer tok-1'
        ? json(res, 401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 })
        : okJson(seen, res, undefined as never);
    const { c, runs } = await withPlugin();
    await expect(c.request(get)).resolves.toMatchObject({ kind: 'Pod' });
    expect(runs()).toBe(2);
    expect(server.seen.map((s) => s.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('give up after one refresh when the server keeps answering 401', async () => {
    handler = (_seen, res) =>
      json(res, 401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const { c, runs } = await withPlugin();
    const err = await rejection(c.request(get));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).statusCode).toBe(401);
    expect(runs()).toBe(2);
    expect(server.seen).toHaveLength(2);
  });

  it('may return a client certificate instead of a token', async () => {
    const { c } = await withPlugin({ env: { PLUGIN_MODE: 'cert', CERT_FILE: pki.client.certFile, KEY_FILE: pki.client.keyFile } });
    await c.request(get);
    expect(server.seen.at(-1)!.clientCN).toBe('alice');
    expect(lastAuth()).toBeUndefined();
  });

  it('a certificate renewed after a 401 is the one the next connection presents', async () => {
    handler = (seen, res) =>
      seen.clientCN === 'alice'
        ? json(res, 401, { kind: 'Status', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 })
        : okJson(seen, res, undefined as never);
    const env = { PLUGIN_MODE: 'cert', CERT_FILE: `${pki.client.certFile},${pki.bob.certFile}`, KEY_FILE: `${pki.client.keyFile},${pki.bob.keyFile}` };
    const { c, runs } = await withPlugin({ env });
    await expect(c.request(get)).resolves.toMatchObject({ kind: 'Pod' });
    await c.request(get);
    expect(runs()).toBe(2);
    expect(server.seen.map((s) => s.clientCN)).toEqual(['alice', 'bob', 'bob']);
  });

  it('fail with the command and exit code', async () => {
    const { c } = await withPlugin({ env: { PLUGIN_MODE: 'fail', SECRET: 'x' } });
    const err = await rejection(c.request(get));
    expect(err.message).toBe(`credential plugin "${process.execPath}" (user "u") failed with exit code 3`);
  });

  it('that are not installed show the installHint', async () => {
    const { c } = await withPlugin({ exec: { command: 'kdbg-no-such-plugin', installHint: 'Install it with: brew install x\n' } });
    const err = await rejection(c.request(get));
    expect(err.message).toBe('credential plugin "kdbg-no-such-plugin" (user "u") not found; Install it with: brew install x');
  });

  it('named by a path relative to the kubeconfig are found there', async () => {
    const dir = tempDir();
    const script = writeFile(path.join(dir, 'plugin.sh'), `#!/bin/sh\nexec "${process.execPath}" "${PLUGIN}"\n`);
    chmodSync(script, 0o755);
    const cfg = kubeconfig(
      path.join(dir, 'config'),
      { server: server.url, 'certificate-authority': pki.caFile },
      {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: './plugin.sh',
          env: [{ name: 'PLUGIN_DIR', value: dir }],
        },
      },
    );
    await (await client({ kubeconfig: cfg })).request(get);
    expect(lastAuth()).toBe('Bearer tok-1');
  });
});
