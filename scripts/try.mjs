// npm run try: starts the test API server with demo pods, opens `kdbg attach` in this terminal against it,
// and stops the server when kdbg ends. Arguments go to `kdbg attach`.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = spawn(process.execPath, ['--import', 'tsx', 'test/fake/cli.ts'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
const firstLine = await new Promise((resolve, reject) => {
  createInterface({ input: server.stdout }).once('line', resolve);
  server.once('exit', (code) => reject(new Error(`the test API server exited with ${code}`)));
});
const kubeconfig = /^export KUBECONFIG=(.+)$/.exec(firstLine)?.[1];
if (!kubeconfig) throw new Error(`unexpected first line from the test API server: ${firstLine}`);
process.stderr.write(`test API server running; in another terminal: export KUBECONFIG=${kubeconfig}\n`);

const kdbg = spawn(process.execPath, ['bin/kdbg.cjs', 'attach', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, KUBECONFIG: kubeconfig },
});
// Ctrl-C belongs to kdbg (it forwards it); this script only waits.
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => undefined);
kdbg.on('exit', (code, signal) => {
  server.kill('SIGTERM');
  process.exitCode = code ?? (signal ? 128 : 1);
});
