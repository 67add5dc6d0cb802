// `kubectl kdbg …` with the reference kubectl: the plugin on the PATH is bin/kubectl-kdbg.cjs, or with KDBG_BIN
// the single executable under that name, and then nothing else is on the PATH: no Node. kubectl passes the words
// after `kdbg` through unchanged, so kdbg's -n, --context and --kubeconfig behave as kubectl's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, KDBG_COMMAND, kubectlPath } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const kubectl = kubectlPath();
const binary = process.env.KDBG_BIN !== undefined;

/** A folder with `kubectl` and `kubectl-kdbg`, and the PATH for them: that folder alone for the executable. */
function pluginPath(kubectlBin: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kdbg-plugin-'));
  symlinkSync(kubectlBin, join(dir, 'kubectl'));
  symlinkSync(binary ? KDBG_COMMAND[0] : fileURLToPath(new URL('../../bin/kubectl-kdbg.cjs', import.meta.url)), join(dir, 'kubectl-kdbg'));
  return binary ? dir : `${dir}:${dirname(process.execPath)}`;
}

function kubectlKdbg(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('kubectl', ['kdbg', ...args], { env: { XDG_CONFIG_HOME: '/nonexistent', HOME: tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe.skipIf(!kubectl)(`kubectl kdbg (${backend.name}${binary ? ', single executable without Node on the PATH' : ''})`, () => {
  let ns: string;
  let kubeconfig: string;
  let PATH: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('plugin');
    await backend.createPod(ns, webPod());
    kubeconfig = await backend.kubeconfig('debugger', ns);
    PATH = pluginPath(kubectl!);
  });

  it.runIf(binary)('has no node on that PATH', () => {
    expect(spawnSync('/bin/sh', ['-c', 'command -v node'], { env: { PATH } }).status).not.toBe(0);
  });

  it('kubectl kdbg attach web-0 -- true runs kdbg', async () => {
    const r = await kubectlKdbg(['attach', 'web-0', '--', 'true'], { PATH, KUBECONFIG: kubeconfig });
    expect(r.stderr).toMatch(/pod\/web-0 → app, debug container kdbg-busybox-\w{5}/);
    expect(r.code).toBe(0);
  });

  it('-n, --context and --kubeconfig after kubectl kdbg attach are kdbg\'s, and the exit code is the command\'s', async () => {
    // a kubeconfig whose current context and namespace lead nowhere: only the flags can find the pod
    const config = parse(readFileSync(kubeconfig, 'utf8')) as { 'current-context': string; contexts: { name: string; context: Record<string, string> }[] };
    const context = config['current-context'];
    config.contexts.push({ name: 'elsewhere', context: { ...config.contexts.find((c) => c.name === context)!.context, namespace: 'nowhere' } });
    config['current-context'] = 'elsewhere';
    const file = join(mkdtempSync(join(tmpdir(), 'kdbg-plugin-')), 'config');
    writeFileSync(file, stringify(config));
    const r = await kubectlKdbg(['attach', 'web-0', '-n', ns, '--context', context, '--kubeconfig', file, '--', 'sh', '-c', 'echo ok; exit 3'], {
      PATH,
      KUBECONFIG: '/nonexistent',
    });
    expect(r.stdout).toBe('ok\n');
    expect(r.code).toBe(3);
  });
});
