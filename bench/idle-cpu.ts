// npm run bench:idle -- [SECONDS] [SHELL…]: the CPU time kdbg's idle program (the debug container's main process)
// costs while no session runs. Starts it as the kubelet would (after its $(VAR) expansion) under the given shell
// (default: busybox sh, else sh), waits SECONDS (default 10), and reads utime+stime+cutime+cstime from
// /proc/PID/stat: the idle process and every child it waited for (date, cat, sleep), in clock ticks.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { idleCommand } from '../src/debug/programs.ts';
import { expand } from '../test/fake/node/container-config.ts';

const seconds = Number(process.argv[2] ?? 10);
const shell = process.argv.length > 3 ? process.argv.slice(3) : spawnSync('busybox', ['true']).status === 0 ? ['busybox', 'sh'] : ['sh'];
const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK']).stdout.toString().trim() || 100);

/** utime + stime + cutime + cstime of PID, in clock ticks (fields 14–17 of /proc/PID/stat, after the command name). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.slice(11, 15).reduce((sum, f) => sum + Number(f), 0);
}

const tmp = mkdtempSync(join(tmpdir(), 'kdbg-idle-'));
const [, ...args] = idleCommand().map((a) => expand(a, {}));
const child = spawn(shell[0]!, [...shell.slice(1), ...args], {
  env: { PATH: process.env.PATH, TMPDIR: tmp, KDBG_NAME: 'kdbg-busybox-bench', KDBG_TTL: String(seconds + 60) },
  stdio: 'ignore',
});
await new Promise((r) => setTimeout(r, 1000));
const before = cpuTicks(child.pid!);
const started = Date.now();
await new Promise((r) => setTimeout(r, seconds * 1000));
const ticks = cpuTicks(child.pid!) - before;
const elapsed = (Date.now() - started) / 1000;
child.kill('SIGTERM');
rmSync(tmp, { recursive: true, force: true });
console.log(
  `idle program under ${shell.join(' ')}: ${ticks} ticks (${((ticks / ticksPerSecond) * 1000).toFixed(0)} ms CPU) in ${elapsed.toFixed(0)} s` +
    ` = ${((ticks / ticksPerSecond / elapsed) * 100).toFixed(3)}% of one core`,
);
