import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { KdbgError } from '../../src/errors.ts';
import { loadMergedKubeconfig, selectContext } from '../../src/kube/auth/kubeconfig.ts';
import { client, closeClients, kubeconfig, rejection, removeTempDirs, tempDir, writeFile } from './helpers.ts';

afterEach(() => {
  closeClients();
  removeTempDirs();
});

function file(dir: string, name: string, config: Record<string, unknown>): string {
  return writeFile(path.join(dir, name), stringify({ apiVersion: 'v1', kind: 'Config', ...config }));
}

/** Two files in the style of the client-node comparison: both set current-context and share names. */
function twoFiles() {
  const dir = tempDir();
  const a = file(dir, 'a.yaml', {
    'current-context': 'ctx-a',
    clusters: [{ name: 'c1', cluster: { server: 'https://a.example:6443/' } }],
    users: [{ name: 'u1', user: { token: 'token-a' } }],
    contexts: [
      { name: 'ctx-a', context: { cluster: 'c1', user: 'u1', namespace: 'ns-a' } },
      { name: 'shared', context: { cluster: 'c1', user: 'u1', namespace: 'from-a' } },
    ],
  });
  const b = file(dir, 'b.yaml', {
    'current-context': 'ctx-b',
    clusters: [
      { name: 'c1', cluster: { server: 'https://b.example:6443' } },
      { name: 'c2', cluster: { server: 'https://c2.example' } },
    ],
    users: [{ name: 'u1', user: { token: 'token-b' } }],
    contexts: [
      { name: 'shared', context: { cluster: 'c1', user: 'u1', namespace: 'from-b' } },
      { name: 'ctx-b', context: { cluster: 'c2', user: 'u1' } },
    ],
  });
  return { dir, a, b };
}

const kubectl = (() => {
  try {
    const real = realpathSync(execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim());
    const bin = path.join(path.dirname(real), 'kubectl.1.33');
    execFileSync(bin, ['version', '--client'], { stdio: 'ignore' });
    return bin;
  } catch {
    return undefined;
  }
})();

describe('KUBECONFIG merge (kubectl rules)', () => {
  it('takes current-context from the first file that sets it, and the first definition of every name', async () => {
    const { a, b } = twoFiles();
    const c = await client({ env: { KUBECONFIG: [a, b].join(path.delimiter) } });
    expect(c.context).toEqual({ contextName: 'ctx-a', namespace: 'ns-a', server: 'https://a.example:6443', userName: 'u1' });

    const reversed = await client({ env: { KUBECONFIG: [b, a].join(path.delimiter) } });
    expect(reversed.context).toMatchObject({ contextName: 'ctx-b', server: 'https://c2.example', namespace: 'default' });

    // "shared" and "c1" are defined in both: the later file's copies are ignored, without an error.
    const shared = await client({ context: 'shared', env: { KUBECONFIG: [b, a].join(path.delimiter) } });
    expect(shared.context).toMatchObject({ namespace: 'from-b', server: 'https://b.example:6443' });
    const merged = loadMergedKubeconfig({ env: { KUBECONFIG: [b, a].join(path.delimiter) } });
    expect(merged.users.get('u1')).toEqual({ token: 'token-b' });
    expect([...merged.contexts.keys()].sort()).toEqual(['ctx-a', 'ctx-b', 'shared']);
  });

  it('falls through to a later file for current-context when earlier ones do not set it', async () => {
    const { dir, a } = twoFiles();
    const bare = file(dir, 'bare.yaml', { clusters: [{ name: 'c9', cluster: { server: 'https://nine' } }] });
    const c = await client({ env: { KUBECONFIG: [bare, a].join(path.delimiter) } });
    expect(c.context.contextName).toBe('ctx-a');
  });

  it('skips missing files and empty entries', async () => {
    const { dir, a, b } = twoFiles();
    const list = ['', path.join(dir, 'missing.yaml'), b, '', a].join(path.delimiter);
    const c = await client({ env: { KUBECONFIG: list } });
    expect(c.context.contextName).toBe('ctx-b');
  });

  it.skipIf(!kubectl)('chooses what kubectl.1.33 config view --minify chooses', async () => {
    const { dir, a, b } = twoFiles();
    const list = [path.join(dir, 'missing.yaml'), b, a].join(path.delimiter);
    for (const context of [undefined, 'shared', 'ctx-a']) {
      const args = ['config', 'view', '--minify', '-o', 'json', ...(context ? ['--context', context] : [])];
      const ref = JSON.parse(execFileSync(kubectl!, args, { env: { ...process.env, KUBECONFIG: list }, encoding: 'utf8' }));
      const c = await client({ context, env: { KUBECONFIG: list } });
      expect(c.context.contextName).toBe(ref['current-context']);
      expect(c.context.server).toBe(ref.clusters[0].cluster.server.replace(/\/$/, ''));
      expect(c.context.namespace).toBe(ref.contexts[0].context.namespace ?? 'default');
      expect(c.context.userName).toBe(ref.contexts[0].context.user);
    }
  });

  it('refuses a name listed twice in one file, as kubectl does, without quoting the entries', async () => {
    const dir = tempDir();
    const dup = file(dir, 'dup.yaml', {
      'current-context': 'x',
      users: [
        { name: 'u', user: { token: 'secret-one' } },
        { name: 'u', user: { token: 'secret-two' } },
      ],
    });
    const err = await rejection(client({ kubeconfig: dup }));
    expect(err.message).toBe(`kubeconfig ${dup} lists user "u" twice`);
  });

  it('uses --kubeconfig alone, and fails clearly when it does not exist', async () => {
    const { dir, a, b } = twoFiles();
    const c = await client({ kubeconfig: b, env: { KUBECONFIG: a } });
    expect(c.context.contextName).toBe('ctx-b');
    const missing = path.join(dir, 'nope.yaml');
    const err = await rejection(client({ kubeconfig: missing }));
    expect(err).toBeInstanceOf(KdbgError);
    expect(err.message).toBe(`kubeconfig file ${missing} does not exist`);
  });

  it('reads ~/.kube/config from HOME only when KUBECONFIG is unset', async () => {
    const { a } = twoFiles();
    const home = tempDir();
    mkdirSync(path.join(home, '.kube'));
    kubeconfig(path.join(home, '.kube', 'config'), { server: 'https://home.example' });
    const c = await client({ env: { HOME: home } });
    expect(c.context.server).toBe('https://home.example');
    const viaEnv = await client({ env: { HOME: home, KUBECONFIG: a } });
    expect(viaEnv.context.server).toBe('https://a.example:6443');
  });
});

describe('relative paths', () => {
  it('resolve against the directory of the file that holds them', () => {
    const dir = tempDir();
    const sub = path.join(dir, 'sub');
    mkdirSync(sub);
    writeFile(path.join(sub, 'ca.crt'), 'CA-BYTES');
    writeFile(path.join(sub, 'client.crt'), 'CERT-BYTES');
    writeFile(path.join(sub, 'client.key'), 'KEY-BYTES');
    const cfg = kubeconfig(
      path.join(sub, 'config'),
      { server: 'https://x', 'certificate-authority': 'ca.crt' },
      {
        'client-certificate': 'client.crt',
        'client-key': './client.key',
        tokenFile: 'token',
        exec: { apiVersion: 'v1', command: './bin/plugin', args: ['a'] },
      },
    );
    const bare = kubeconfig(path.join(dir, 'bare'), { server: 'https://x' }, { exec: { apiVersion: 'v1', command: 'plugin' } });
    const target = selectContext(loadMergedKubeconfig({ env: { KUBECONFIG: cfg } }), {})!;
    expect(target.cluster.ca?.toString()).toBe('CA-BYTES');
    expect(target.user.clientCert?.toString()).toBe('CERT-BYTES');
    expect(target.user.clientKey?.toString()).toBe('KEY-BYTES');
    expect(target.user.tokenFile).toBe(path.join(sub, 'token'));
    expect(target.user.exec?.command).toBe(path.join(sub, 'bin', 'plugin'));
    // A bare command name is looked up on PATH, so it stays as it is.
    const bareTarget = selectContext(loadMergedKubeconfig({ kubeconfig: bare, env: {} }), {})!;
    expect(bareTarget.user.exec?.command).toBe('plugin');
  });

  it('name the missing file, not its expected content', async () => {
    const dir = tempDir();
    const cfg = kubeconfig(path.join(dir, 'config'), { server: 'https://x', 'certificate-authority': 'gone.crt' });
    const err = await rejection(client({ kubeconfig: cfg }));
    expect(err.message).toBe(`cluster "c": cannot read certificate-authority ${path.join(dir, 'gone.crt')}: ENOENT`);
  });
});

describe('context selection', () => {
  it('prefers -n, then the context namespace, then default', async () => {
    const dir = tempDir();
    const withNs = kubeconfig(path.join(dir, 'a'), { server: 'https://x/' }, {}, { namespace: 'team' });
    const without = kubeconfig(path.join(dir, 'b'), { server: 'https://x' });
    expect((await client({ kubeconfig: withNs, namespace: 'cli' })).context.namespace).toBe('cli');
    expect((await client({ kubeconfig: withNs })).context.namespace).toBe('team');
    expect((await client({ kubeconfig: without })).context.namespace).toBe('default');
    expect((await client({ kubeconfig: withNs })).context.server).toBe('https://x');
  });

  it('fails clearly without a context, or when a name does not resolve', async () => {
    const dir = tempDir();
    const none = file(dir, 'none.yaml', { clusters: [{ name: 'c', cluster: { server: 'https://x' } }] });
    expect((await rejection(client({ kubeconfig: none }))).message).toBe(`no current context (none in ${none}): pass --kubeconfig or --context, or choose one with kubectl config use-context`);
    const missing = path.join(dir, 'missing');
    expect((await rejection(client({ env: { KUBECONFIG: missing } }))).message).toBe(
      `no current context (no kubeconfig was read: ${missing} does not exist): pass --kubeconfig or --context, or choose one with kubectl config use-context`,
    );
    expect((await rejection(client({ env: { KUBECONFIG: `${none}${path.delimiter}${missing}` } }))).message).toMatch(
      `(none in ${none} (${missing} does not exist))`,
    );
    // a user entry that is not a mapping is an error, not an anonymous user
    const badUser = file(dir, 'bad-user.yaml', {
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
      users: [{ name: 'u', user: 'token-here' }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    });
    const bad = await rejection(client({ kubeconfig: badUser }));
    expect(bad.message).toBe(`kubeconfig ${badUser}: user "u" is not a mapping`);
    expect(bad.message).not.toContain('token-here');

    const cfg = file(dir, 'cfg.yaml', {
      'current-context': 'good',
      clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
      users: [{ name: 'u', user: {} }],
      contexts: [
        { name: 'good', context: { cluster: 'c', user: 'u' } },
        { name: 'anonymous', context: { cluster: 'c' } },
        { name: 'ghost-cluster', context: { cluster: 'nowhere', user: 'u' } },
        { name: 'ghost-user', context: { cluster: 'c', user: 'nobody' } },
        { name: 'no-cluster', context: { user: 'u' } },
      ],
    });
    expect((await client({ kubeconfig: cfg, context: 'anonymous' })).context.userName).toBe('');
    const msg = async (context: string) => (await rejection(client({ kubeconfig: cfg, context }))).message;
    expect(await msg('nope')).toBe('context "nope" not found in kubeconfig');
    expect(await msg('ghost-cluster')).toBe('cluster "nowhere" (of context "ghost-cluster") not found in kubeconfig');
    expect(await msg('ghost-user')).toBe('user "nobody" (of context "ghost-user") not found in kubeconfig');
    expect(await msg('no-cluster')).toBe('context "no-cluster" names no cluster');
  });

  it("reads plain scalars with YAML 1.2's core schema: a date is a string, as any name is", () => {
    const dir = tempDir();
    const cfg = writeFile(
      path.join(dir, 'core.yaml'),
      'current-context: c\nclusters: [{name: k, cluster: {server: "https://k"}}]\nusers: [{name: u, user: {token: t}}]\n' +
        'contexts:\n- name: c\n  context: {cluster: k, user: u, namespace: 2024-01-01}\n',
    );
    const target = selectContext(loadMergedKubeconfig({ kubeconfig: cfg, env: {} }), {});
    expect(target?.namespace).toBe('2024-01-01');
  });

  it('reports YAML errors by position only', async () => {
    const dir = tempDir();
    const bad = writeFile(path.join(dir, 'bad.yaml'), 'users:\n- name: u\n  user: {token: s3cr3t-token: oops}\n');
    const err = await rejection(client({ kubeconfig: bad }));
    expect(err.message).toMatch(new RegExp(`^kubeconfig ${bad} is not valid YAML \\(line 3, column \\d+\\)$`));
    expect(err.message).not.toContain('s3cr3t');
  });
});
