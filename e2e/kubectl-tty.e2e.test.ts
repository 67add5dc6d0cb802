// Real kubectl's interactive `debug -it` on the real control plane: the session works, and `exit 7` inside it
// still makes kubectl exit 0 (the attach stream never carries an exit code); kdbg passes the 7 on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import path from 'node:path';
import { spawn } from '@lydell/node-pty';
import { webPod } from '../test/backends/backend.ts';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { kubectlDir } from './helpers.ts';
import { runKdbgInPty } from '../test/scenarios/pty.ts';

let backend: RealBackend;
let ns: string;
let admin: string;
beforeAll(async () => {
  backend = await realBackendImpl();
  ns = await backend.newNamespace('kubectl-tty');
  await backend.createPod(ns, webPod());
  admin = await backend.kubeconfig('admin', ns);
});
afterAll(async () => {
  await backend?.close();
});

async function until(read: () => string, pattern: RegExp, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pattern.test(read())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${pattern}; screen:\n${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('kubectl.1.33 debug -it gives a shell, and exit 7 in it ends kubectl with 0', async () => {
  const bin = path.join(kubectlDir(), 'kubectl.1.33');
  const pty = spawn(bin, ['debug', '-it', 'web-0', '--image=busybox:1.36', '--profile=legacy', '--target=app', '--', 'sh'], {
    name: 'xterm-256color',
    cols: 100,
    rows: 30,
    env: { ...process.env, KUBECONFIG: admin, HOME: process.env.KDBG_E2E_DIR ?? '/tmp' } as Record<string, string>,
  });
  let screen = '';
  pty.onData((d) => (screen += d));
  const exited = new Promise<number>((r) => pty.onExit(({ exitCode }) => r(exitCode)));
  await until(() => screen, /If you don't see a command prompt/);
  pty.write('echo KUBECTL-$((6*7))\r');
  await until(() => screen, /KUBECTL-42/);
  pty.write('exit 7\r');
  expect(await exited).toBe(0);
});

it('kdbg in the same pod passes the shell exit code on', async () => {
  const s = runKdbgInPty(['attach', 'web-0', '-c', 'app'], admin);
  await s.waitFor('~. at the start of a line ends the session');
  s.write('echo KDBG-$((6*7))\r');
  await s.waitFor('KDBG-42');
  s.write('exit 7\r');
  expect(await s.exitCode()).toBe(7);
});
