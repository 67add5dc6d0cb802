// Shell completion: `kdbg __complete` (cobra's protocol) against the backend, with the cluster flags typed on the
// line; silence when anything fails; and the scripts of `kdbg completion` in the shells themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, runKdbg } from './harness.ts';
import { runShellInPty } from './pty.ts';
import { COMPLETION_DEADLINE_MS } from '../../src/completion/complete.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'kdbg-completion-'));

describe(`completion (${backend.name})`, () => {
  let ns: string;
  let other: string;
  let kubeconfig: string;
  /** two contexts: `first` in ns (current), `second` in other */
  let twoContexts: string;
  const complete = async (words: string[], kc = kubeconfig) => {
    let r = await runKdbg(['__complete', ...words], { kubeconfig: kc });
    // a run that took the whole deadline answered nothing by design (a machine busy with the other suites); once
    // more, then the answer stands
    if (r.ms >= COMPLETION_DEADLINE_MS) r = await runKdbg(['__complete', ...words], { kubeconfig: kc });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    return r.stdout.toString();
  };

  beforeAll(async () => {
    ns = await backend.newNamespace('completion');
    other = await backend.newNamespace('completion-other');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    const twoContainers = webPod('web-0');
    twoContainers.spec!.containers.push({ name: 'sidecar', image: 'busybox:1.36.1', command: ['sh', '-c', 'while true; do sleep 1; done'] });
    await backend.createWorkload(ns, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: { selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: webPod('').spec } },
    });
    await Promise.all([
      backend.createPod(ns, twoContainers),
      backend.createPod(ns, webPod('web-1')),
      backend.createPod(ns, webPod('db-0')),
      // shares only `we` with web-*, so that bash lists on the second Tab (after a Tab that inserts, it takes three)
      backend.createPod(ns, webPod('weather-0')),
      backend.createPod(other, webPod('cache-0')),
    ]);
    const config = parse(readFileSync(kubeconfig, 'utf8'));
    const [context] = config.contexts;
    config.contexts = [
      { name: 'first', context: { ...context.context, namespace: ns } },
      { name: 'second', context: { ...context.context, namespace: other } },
    ];
    config['current-context'] = 'first';
    twoContexts = join(dir, 'two-contexts.kubeconfig');
    writeFileSync(twoContexts, stringify(config), { mode: 0o600 });
  });

  it('offers the pods of the namespace that start with the word, with their status, and no file names', async () => {
    expect(await complete(['attach', 'we'])).toBe('weather-0\tRunning\nweb-0\tRunning\nweb-1\tRunning\n:4\n');
    expect(await complete(['attach', 'web'])).toBe('web-0\tRunning\nweb-1\tRunning\n:4\n');
  });

  it('offers TYPE/ for a word that starts like a kind, and TYPE/NAME after the slash', async () => {
    expect(await complete(['attach', 'd'])).toBe('db-0\tRunning\ndeploy/\tDeployment\nds/\tDaemonSet\n:4\n');
    expect(await complete(['attach', 'dep'])).toBe('deploy/\tDeployment\n:6\n');
    expect(await complete(['capture', 'deploy/'])).toBe('deploy/api\n:4\n');
    expect(await complete(['attach', 'pod/web-1'])).toBe('pod/web-1\tRunning\n:4\n');
  });

  it('offers the containers of the pod or workload typed before -c', async () => {
    expect(await complete(['attach', 'web-0', '-c', ''])).toBe('app\tbusybox:1.36\nsidecar\tbusybox:1.36.1\n:4\n');
    expect(await complete(['attach', '-c', ''])).toBe(':4\n');
    expect(await complete(['attach', 'deploy/api', '--target=a'])).toBe('app\tbusybox:1.36\n:4\n');
  });

  it('offers profiles, custom ones of the --config typed too', async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'profiles:\n  tools:\n    extends: netshoot\n    description: our tools\n');
    expect(await complete(['attach', 'web-0', '-p', 'net'])).toMatch(/^netshoot\t[^\n]+\nnetadmin\t[^\n]+\n:4\n$/);
    expect(await complete(['attach', '--config', config, '-p', 't'])).toBe('tools\tour tools\n:4\n');
  });

  it('offers the contexts of the --kubeconfig typed, and reads pods where --context or -n points', async () => {
    expect(await complete(['attach', '--kubeconfig', twoContexts, '--context', ''], '/nonexistent')).toBe(
      `first\tcurrent, namespace ${ns}\nsecond\tnamespace ${other}\n:4\n`,
    );
    expect(await complete(['attach', '--kubeconfig', twoContexts, ''], '/nonexistent')).toMatch(/^db-0\tRunning\nweather-0\tRunning\nweb-0/);
    expect(await complete(['attach', '--kubeconfig', twoContexts, '--context', 'second', ''], '/nonexistent')).toBe('cache-0\tRunning\n:4\n');
    expect(await complete(['ls', '-n', other, 'c'])).toBe('cache-0\tRunning\n:4\n');
  });

  it('reads pods as a user with a legacy auth-provider, whose library loads only then', async (test) => {
    const config = parse(readFileSync(kubeconfig, 'utf8'));
    const [{ name, user: { token, ...rest } }] = config.users;
    // gcp's provider sends a token it holds until its expiry: this user's own, where the backend gave it one
    if (typeof token !== 'string') return test.skip('the backend\'s user has no bearer token');
    const expiry = new Date(Date.now() + 3600_000).toISOString();
    config.users = [{ name, user: { ...rest, 'auth-provider': { name: 'gcp', config: { 'access-token': token, expiry } } } }];
    const gcp = join(dir, 'gcp.kubeconfig');
    writeFileSync(gcp, stringify(config), { mode: 0o600 });
    expect(await complete(['attach', 'web'], gcp)).toBe('web-0\tRunning\nweb-1\tRunning\n:4\n');
  });

  it('offers namespaces for -n and --namespace=', async () => {
    expect(await complete(['attach', '-n', ns.slice(0, -2)])).toBe(`${ns}\tActive\n:4\n`);
    expect(await complete(['attach', `--namespace=${other}`])).toBe(`${other}\tActive\n:4\n`);
  });

  it('offers subcommands, flags, shells, POD: for cp, and nothing after --', async () => {
    expect(await complete(['c'])).toBe('capture\tcapture a pod\'s packets with tcpdump in a debug container\ncp\tcopy files out of or into a pod\'s container, without tar in it\ncompletion\tprint the shell completion script for bash, zsh or fish\n:4\n');
    expect(await complete(['attach', '--sel'])).toBe('--selector\tpick the pod by label selector\n:4\n');
    expect(await complete(['completion', ''])).toBe('bash\nzsh\nfish\n:4\n');
    expect(await complete(['cp', 'web-1'])).toBe('web-1:\tRunning\n:6\n');
    expect(await complete(['cp', './'])).toBe(':0\n');
    expect(await complete(['attach', 'web-0', '--', 'w'])).toBe(':4\n');
  });

  it('is silent when it cannot work: an unreachable server, a broken kubeconfig, an unknown context', async () => {
    const config = parse(readFileSync(kubeconfig, 'utf8'));
    config.clusters[0].cluster.server = 'https://127.0.0.1:1';
    const unreachable = join(dir, 'unreachable.kubeconfig');
    writeFileSync(unreachable, stringify(config));
    const broken = join(dir, 'broken.kubeconfig');
    writeFileSync(broken, 'clusters: [\n');
    expect(await complete(['attach', 'we'], unreachable)).toBe(':4\n');
    expect(await complete(['attach', 'web-0', '-c', ''], unreachable)).toBe(':4\n');
    expect(await complete(['attach', '-n', ''], broken)).toBe(':4\n');
    expect(await complete(['attach', '--context', 'nosuch', ''])).toBe(':4\n');
  });

  it('refuses an unknown shell in one line, with exit 125', async () => {
    const r = await runKdbg(['completion', 'tcsh'], { kubeconfig });
    expect(r.stderr).toBe("kdbg: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.\n");
    expect(r.code).toBe(125);
  });

  it.runIf(has('bash'))('bash: Tab Tab after `kdbg attach we` lists the pods that start with we', async () => {
    const shell = runShellInPty('bash', ['--norc', '--noprofile'], { KUBECONFIG: kubeconfig, PS1: '$ ' });
    try {
      shell.write('source <(kdbg completion bash); echo "loaded $((40 + 2))"\r');
      await shell.waitFor('loaded 42');
      const since = shell.output().length;
      shell.write('kdbg attach we\t\t');
      const screen = await shell.waitFor(/weather-0\s+web-0\s+web-1/, 15_000, since);
      expect(screen.slice(since)).not.toContain('db-0');
    } finally {
      shell.pty.kill();
    }
  });

  for (const shell of ['zsh', 'fish'] as const) {
    const reason = has(shell) ? '' : ` (skipped: ${shell} is not installed)`;
    it.skipIf(!has(shell))(`${shell} -n accepts the script of kdbg completion ${shell}${reason}`, async () => {
      const r = await runKdbg(['completion', shell], { kubeconfig });
      expect(r.code).toBe(0);
      const file = join(dir, `kdbg.${shell}`);
      writeFileSync(file, r.stdout);
      const check = spawnSync(shell, ['-n', file], { encoding: 'utf8' });
      expect(check.stderr).toBe('');
      expect(check.status).toBe(0);
    });
  }
});
