// npm run bench:wrapper -- [RUNS] [SHELL…]: what the session wrapper adds to a session's start. With the idle program
// running (started as the kubelet would), times `SHELL -c true` and the wrapper running `true` at --priority low and
// normal, RUNS times each (default 41), and prints the medians in ms, per shell (default: sh, and busybox sh where
// installed). Everything runs locally, in a temp dir.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idleCommand, sessionCommand } from '../src/debug/programs.ts';
import { expand } from '../test/fake/node/container-config.ts';

const runs = Number(process.argv[2] ?? 41);
const shells = process.argv.length > 3 ? [process.argv.slice(3)] : [['sh'], ...(spawnSync('busybox', ['true']).status === 0 ? [['busybox', 'sh']] : [])];

for (const shell of shells) {
  const tmp = mkdtempSync(join(tmpdir(), 'kdbg-wrapper-'));
  const env = { PATH: process.env.PATH, TMPDIR: tmp, KDBG_NAME: 'kdbg-busybox-bench', KDBG_TTL: '900' };
  const [, ...args] = idleCommand().map((a) => expand(a, {}));
  const idle = spawn(shell[0]!, [...shell.slice(1), ...args], { env, stdio: 'ignore' });
  while (!existsSync(join(tmp, 'kdbg-busybox-bench', 'idle.pid'))) await new Promise((r) => setTimeout(r, 20));

  /** The median wall time, in ms, of running argv (argv[0] is "sh") under the shell. */
  const median = (argv: () => string[]): string => {
    const times = Array.from({ length: runs }, () => {
      const [, ...rest] = argv();
      const start = process.hrtime.bigint();
      const r = spawnSync(shell[0]!, [...shell.slice(1), ...rest], { env });
      if (r.status !== 0) throw new Error(`${shell.join(' ')}: exit ${r.status}: ${String(r.stderr)}`);
      return Number(process.hrtime.bigint() - start) / 1e6;
    }).sort((a, b) => a - b);
    return times[Math.floor(runs / 2)]!.toFixed(1);
  };
  let n = 0;
  const line = [
    `sh -c true ${median(() => ['sh', '-c', 'true'])}`,
    `wrapper low ${median(() => sessionCommand(`s${n++}`, 900, 'bench', 'low', ['true']))}`,
    `wrapper normal ${median(() => sessionCommand(`s${n++}`, 900, 'bench', 'normal', ['true']))}`,
  ];
  console.log(`${shell.join(' ')}: ${line.join(', ')} (ms, median of ${runs})`);
  idle.kill('SIGTERM');
  await new Promise((r) => idle.once('exit', r));
  rmSync(tmp, { recursive: true, force: true });
}
