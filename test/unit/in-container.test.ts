// The in-container programs, run for real by the host's sh (and busybox ash where installed), in a temp dir.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { heartbeatCommand, heldCommand as heldArgv, idleCommand as idleArgv, interruptCommand, parseState, sessionCommand, stateCommand, stopCommand } from '../../src/debug/programs.ts';
import { expand } from '../fake/node/container-config.ts';

/** The container's command as the kubelet runs it: after its $(VAR) expansion, which turns $$ into $. */
const idleCommand = () => idleArgv().map((a) => expand(a, {}));
const heldCommand = () => heldArgv().map((a) => expand(a, {}));

const shells = [['sh'], ...(spawnSync('busybox', ['true']).status === 0 ? [['busybox', 'sh']] : [])];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) {
    // a session leads its own process group (setsid): what it started goes with it
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // not a group leader, or gone
    }
    c.kill('SIGKILL');
  }
});

function env(ttl: string) {
  const tmp = mkdtempSync(join(tmpdir(), 'kdbg-ic-'));
  return { ...process.env, TMPDIR: tmp, KDBG_NAME: 'kdbg-busybox-test1', KDBG_TTL: ttl, dir: join(tmp, 'kdbg-busybox-test1') };
}

function start(shell: string[], argv: string[], e: NodeJS.ProcessEnv, stdio: 'pipe' | 'ignore' = 'ignore') {
  const [, ...rest] = argv; // argv[0] is "sh"
  const child = spawn(shell[0]!, [...shell.slice(1), ...rest], { env: e, stdio });
  children.push(child);
  const exited = new Promise<{ code: number | null; at: number }>((r) => child.on('exit', (code) => r({ code, at: Date.now() })));
  return { child, exited };
}

const run = (shell: string[], argv: string[], e: NodeJS.ProcessEnv, input?: string) =>
  spawnSync(shell[0]!, [...shell.slice(1), ...argv.slice(1)], { env: e, input, encoding: 'utf8' });

/** Polls `check` every 50 ms; throws after 5 s. */
const until = async (check: () => boolean) => {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  if (!check()) throw new Error(`not true within 5 s: ${check.toString()}`);
};

const waitFile = async (path: string) => {
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(path)) throw new Error(`${path} did not appear within 5 s`);
};

describe.each(shells)('in-container programs under %s', (...shell) => {
  it('the idle process exits within a second of SIGTERM', async () => {
    const e = env('900');
    const idle = start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const sent = Date.now();
    idle.child.kill('SIGTERM');
    const { code, at } = await idle.exited;
    expect(code).toBe(0);
    expect(at - sent).toBeLessThan(1000);
  });

  it('a held container idles like a debug container, ends in failure when its time is up, and passes SIGTERM on', async () => {
    const e = env('1');
    const held = start(shell, heldCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const r = run(shell, sessionCommand('s1', 1, 'app:1', 'low', ['sh', '-c', 'echo in-held']), e);
    expect(r.stdout).toBe('in-held\n');
    expect((await held.exited).code).toBe(1);

    const e2 = env('900');
    const again = start(shell, heldCommand(), e2);
    await waitFile(join(e2.dir, 'idle.pid'));
    const idlePid = Number(readFileSync(join(e2.dir, 'idle.pid'), 'utf8'));
    again.child.kill('SIGTERM');
    expect((await again.exited).code).toBe(1);
    // the idle program got the TERM and is gone with it
    await until(() => spawnSync('kill', ['-0', String(idlePid)]).status !== 0);
  });

  it('a session runs the command with its stdin, output and exit code', async () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const r = run(shell, sessionCommand('s1', Number(e.KDBG_TTL), 'busybox:1.36.1', 'low', ['sh', '-c', 'wc -l; echo err >&2; exit 3']), e, 'a\nb\n');
    expect(r.stdout.trim()).toBe('2');
    expect(r.stderr).toBe('err\n');
    expect(r.status).toBe(3);
  });

  it('idles for the TTL after the last session, counting from its end', async () => {
    const e = env('2');
    const idle = start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const session = start(shell, sessionCommand('s1', Number(e.KDBG_TTL), 'busybox:1.36.1', 'low', ['sleep', '3']), e);
    const ended = (await session.exited).at;
    const { at } = await idle.exited;
    // a running session is never cut, and the idle time starts when it ends
    expect(at - ended).toBeGreaterThanOrEqual(1000);
    expect(at - ended).toBeLessThan(6000);
  });

  it('with --ttl 0 ends after the first session', async () => {
    const e = env('0');
    const idle = start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    await new Promise((r) => setTimeout(r, 1500));
    expect(idle.child.exitCode).toBeNull();
    expect(run(shell, sessionCommand('s1', Number(e.KDBG_TTL), 'busybox:1.36.1', 'low', ['true']), e).status).toBe(0);
    expect((await idle.exited).code).toBe(0);
  });

  it('an interrupt signals only the recorded process group, and the command ends with 130', async () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const session = start(shell, sessionCommand('s1', Number(e.KDBG_TTL), 'busybox:1.36.1', 'low', ['sh', '-c', 'sleep 307 & sleep 308; echo never']), e, 'pipe');
    // the session file is the group: the wrapper's PID, which the command keeps and leads its group with
    await until(() => existsSync(join(e.dir, 's', 's1')) && readFileSync(join(e.dir, 's', 's1'), 'utf8') !== '');
    expect(Number(readFileSync(join(e.dir, 's', 's1'), 'utf8'))).toBe(session.child.pid);
    // the idle program, woken by the session, starts its heartbeat clock
    await waitFile(join(e.dir, 's', 's1.hb'));
    expect(readdirSync(join(e.dir, 's')).sort()).toEqual(['s1', 's1.hb']);
    // the command runs (both sleeps started) before the interrupt comes
    await until(() => spawnSync('pgrep', ['-xf', 'sleep 30[78]']).stdout.toString().trim().split('\n').length === 2);
    expect(run(shell, interruptCommand('s1', 'INT'), e).status).toBe(0);
    expect((await session.exited).code).toBeNull(); // killed by SIGINT
    // the background sleep ignores SIGINT (a non-interactive shell's jobs do): the interrupt KILLs the group after 2 s
    await until(() => spawnSync('pgrep', ['-xf', 'sleep 30[78]']).stdout.toString() === '');
  });

  it('records the idle PID through the kubelet\'s expansion of the container command', async () => {
    const e = env('900');
    const idle = start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    expect(Number(readFileSync(join(e.dir, 'idle.pid'), 'utf8'))).toBe(idle.child.pid);
  });

  it('a session sets the TTL the idle program keeps from then on', async () => {
    const e = env('900');
    const idle = start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    expect(run(shell, sessionCommand('s1', 1, 'busybox:1.36.1', 'low', ['true']), e).status).toBe(0);
    expect(readFileSync(join(e.dir, 'ttl'), 'utf8').trim()).toBe('1');
    const { code, at } = await idle.exited;
    expect(code).toBe(0);
    expect(at - Date.now()).toBeLessThan(4000);
  });

  it('a command the image lacks is named, with exit 127', () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    return waitFile(join(e.dir, 's')).then(() => {
      const r = run(shell, sessionCommand('s1', 900, 'example/tools:1', 'low', ['no-such-tool', '-x']), e);
      expect(r.status).toBe(127);
      expect(r.stderr).toBe('no-such-tool: command not found in the debug container (image example/tools:1)\n');
    });
  });

  it('state counts live sessions; stop hangs them up and the idle program exits', async () => {
    const e = env('900');
    const idle = start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    expect(parseState(run(shell, stateCommand(), e).stdout)).toMatchObject({ sessions: 0, ttlSeconds: 900 });
    const session = start(shell, sessionCommand('s1', 900, 'busybox:1.36.1', 'low', ['sleep', '311']), e);
    await waitFile(join(e.dir, 's', 's1'));
    expect(parseState(run(shell, stateCommand(), e).stdout)).toMatchObject({ sessions: 1, idleSeconds: 0 });
    const stopped = run(shell, stopCommand(), e);
    expect(stopped.stdout).toBe('sessions 1\n');
    expect((await idle.exited).code).toBe(0);
    expect((await session.exited).code).toBeNull(); // hung up
  });

  it('stop signals only the idle program it recorded, never another PID', async () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const bystander = start(['sh'], ['sh', '-c', 'exec sleep 312'], e);
    writeFileSync(join(e.dir, 'idle.pid'), `${bystander.child.pid}\n`);
    const r = run(shell, stopCommand(), e);
    expect(r.status).toBe(3);
    expect(r.stderr).toBe('no idle program\n');
    expect(bystander.child.exitCode).toBeNull();
    expect(spawnSync('kill', ['-0', String(bystander.child.pid)]).status).toBe(0);
  });

  it('a session file seen empty (being written) is live until its heartbeat is stale, then removed', async () => {
    const e = env('1');
    const idle = start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const before = Math.floor(Date.now() / 1000);
    writeFileSync(join(e.dir, 's', 's1'), '');
    idle.child.kill('SIGUSR1');
    // the idle program starts its heartbeat clock, and stays busy past its TTL of 1 s
    await waitFile(join(e.dir, 's', 's1.hb'));
    await new Promise((r) => setTimeout(r, 2500));
    expect(idle.child.exitCode).toBeNull();
    expect(existsSync(join(e.dir, 's', 's1'))).toBe(true);
    const hb = Number(readFileSync(join(e.dir, 's', 's1.hb'), 'utf8'));
    expect(hb).toBeGreaterThanOrEqual(before);
    expect(hb).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // a wrapper that never wrote its PID (killed on the way) is not kept for ever
    writeFileSync(join(e.dir, 's', 's1.hb'), `${Math.floor(Date.now() / 1000) - 60}\n`);
    expect((await idle.exited).code).toBe(0);
    expect(readdirSync(join(e.dir, 's'))).toEqual([]);
  });

  it('a session whose kdbg never sends a heartbeat gets its first from the idle program, when it first sees it', async () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const before = Math.floor(Date.now() / 1000);
    // in an image without date: the wrapper itself needs none
    const bin = mkdtempSync(join(tmpdir(), 'kdbg-bin-'));
    for (const tool of ['setsid', 'sleep']) symlinkSync(onHost(tool)!, join(bin, tool));
    start([onHost(shell[0]!)!, ...shell.slice(1)], sessionCommand('s1', Number(e.KDBG_TTL), 'busybox:1.36.1', 'low', ['sleep', '313']), { ...e, PATH: bin });
    await waitFile(join(e.dir, 's', 's1.hb'));
    const hb = Number(readFileSync(join(e.dir, 's', 's1.hb'), 'utf8'));
    // so it goes stale STALE_AFTER_S from then (the next test ages a heartbeat)
    expect(hb).toBeGreaterThanOrEqual(before);
    expect(hb).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('ends a session whose kdbg stopped sending heartbeats', async () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const session = start(shell, sessionCommand('s1', Number(e.KDBG_TTL), 'busybox:1.36.1', 'low', ['sleep', '309']), e);
    await waitFile(join(e.dir, 's', 's1.hb'));
    expect(run(shell, heartbeatCommand('s1'), e).status).toBe(0);
    writeFileSync(join(e.dir, 's', 's1.hb'), `${Math.floor(Date.now() / 1000) - 60}\n`);
    expect((await session.exited).code).toBeNull(); // killed
    for (let i = 0; i < 20 && existsSync(join(e.dir, 's', 's1')); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(e.dir, 's', 's1'))).toBe(false);
  });

  it('runs the command at nice 10 and in the idle IO class by default, and as kdbg runs with --priority normal', async () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const niceness = (priority: 'low' | 'normal') =>
      run(shell, sessionCommand('s1', 900, 'busybox:1.36.1', priority, ['cut', '-d', ' ', '-f', '19', '/proc/self/stat']), e).stdout.trim();
    const own = getPriority();
    expect(niceness('low')).toBe(String(Math.min(own + 10, 19)));
    expect(niceness('normal')).toBe(String(own));
    if (onHost('ionice')) {
      expect(run(shell, sessionCommand('s2', 900, 'busybox:1.36.1', 'low', ['ionice']), e).stdout.trim()).toBe('idle');
      expect(run(shell, sessionCommand('s3', 900, 'busybox:1.36.1', 'normal', ['ionice']), e).stdout.trim()).not.toBe('idle');
    }
  });

  it('renices the command where the image has renice but no nice (Debian\'s busybox)', async () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const bin = mkdtempSync(join(tmpdir(), 'kdbg-bin-'));
    for (const tool of ['setsid', 'sleep', 'cut', 'renice']) symlinkSync(onHost(tool)!, join(bin, tool));
    const r = run([onHost(shell[0]!)!, ...shell.slice(1)], sessionCommand('s1', 900, 'busybox:1.36.1', 'low', ['cut', '-d', ' ', '-f', '19', '/proc/self/stat']), { ...e, PATH: bin });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(String(Math.min(getPriority() + 10, 19)));
  });

  it('runs the command anyway where the image has neither nice nor ionice', async () => {
    const e = env('900');
    start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    // an image with only what the wrapper and the command need
    const bin = mkdtempSync(join(tmpdir(), 'kdbg-bin-'));
    for (const tool of ['setsid', 'sleep', 'cut']) symlinkSync(onHost(tool)!, join(bin, tool));
    const r = run([onHost(shell[0]!)!, ...shell.slice(1)], sessionCommand('s1', 900, 'busybox:1.36.1', 'low', ['cut', '-d', ' ', '-f', '19', '/proc/self/stat']), {
      ...e,
      PATH: bin,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    // Debian's busybox shell runs its own applets (renice among them) whatever PATH says
    expect(r.stdout.trim()).toBe(String(shell[0] === 'busybox' ? Math.min(getPriority() + 10, 19) : getPriority()));
  });

  it('costs no CPU while it idles: it sleeps until the TTL is up, and a session wakes it', async () => {
    const e = env('900');
    const idle = start(shell, idleCommand(), e);
    await waitFile(join(e.dir, 'idle.pid'));
    const before = cpuTicks(idle.child.pid!);
    await new Promise((r) => setTimeout(r, 3000));
    expect(cpuTicks(idle.child.pid!) - before).toBeLessThanOrEqual(1);
  });
});

/** The absolute path of a program on the host's PATH. */
function onHost(program: string): string | undefined {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', program], { encoding: 'utf8' }).stdout.trim() || undefined;
}

/** utime + stime + cutime + cstime of PID (its own and its waited-for children's), in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 15)
    .reduce((sum, f) => sum + Number(f), 0);
}
