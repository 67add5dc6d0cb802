// kdbg cp's programs, run for real by the host's sh (and busybox ash where installed), in a temp dir as the root
// they look under: where they look, and why they refuse. As root, also as another user, and in a cgroup of their own
// named by a container ID where this machine lets root make one.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COPY_EXIT, copyInCommand, copyOutCommand } from '../../src/debug/copy-programs.ts';

const shells = [['sh'], ...(spawnSync('busybox', ['true']).status === 0 ? [['busybox', 'sh']] : [])];
const root = process.getuid?.() === 0;
const NOBODY = 65534;

/** A cgroup hierarchy root may make cgroups in (v2, else v1's pids), or undefined. */
const cgroups = root ? ['/sys/fs/cgroup', '/sys/fs/cgroup/pids'].find((d) => existsSync(join(d, 'cgroup.procs')) && canMakeCgroup(d)) : undefined;
/** A static busybox, which runs inside a chroot with nothing else in it. */
const staticBusybox = ['/bin/busybox', '/usr/bin/busybox'].find((b) => existsSync(b) && /statically linked/.test(spawnSync('file', ['-L', b]).stdout?.toString() ?? ''));

function canMakeCgroup(dir: string): boolean {
  const probe = join(dir, `kdbg-probe-${randomBytes(4).toString('hex')}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

function run(shell: string[], argv: string[], opts: { uid?: number; input?: Buffer } = {}) {
  const r = spawnSync(shell[0]!, [...shell.slice(1), ...argv.slice(1)], { input: opts.input, uid: opts.uid, gid: opts.uid, cwd: '/' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** The names in a tar stream. */
function names(tar: Buffer): string[] {
  return spawnSync('tar', ['-tf', '-'], { input: tar }).stdout.toString().trim().split('\n');
}

/** A target's filesystem: etc/app.conf, data/ (open to all), closed/ (root's, 700), data/secret (root's, 600). */
function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kdbg-cp-root-'));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc/app.conf'), 'a=1\n');
  mkdirSync(join(dir, 'data'));
  writeFileSync(join(dir, 'data/secret'), 'pssst\n', { mode: 0o600 });
  mkdirSync(join(dir, 'closed'), { mode: 0o700 });
  writeFileSync(join(dir, 'closed/x'), 'x\n');
  for (const d of ['', 'etc', 'data']) chmodSync(join(dir, d), 0o755);
  chmodSync(join(dir, 'data'), 0o777);
  return dir;
}

describe.each(shells)('copy programs under %s', (...shell) => {
  it('packs a file under the root it is given; a missing path, or a file taken for a directory, is exit 3', () => {
    const dir = tree();
    const ok = run(shell, copyOutCommand(dir, '/etc/app.conf'));
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(names(ok.stdout)).toEqual(['app.conf']);
    expect(run(shell, copyOutCommand(dir, 'etc/nope'))).toMatchObject({ code: COPY_EXIT.missing, stderr: 'etc/nope: no such file or directory\n' });
    expect(run(shell, copyOutCommand(dir, '/no/such/file'))).toMatchObject({ code: COPY_EXIT.missing, stderr: '/no/such/file: no such file or directory\n' });
    expect(run(shell, copyOutCommand(dir, '/etc/app.conf/x'))).toMatchObject({ code: COPY_EXIT.missing, stderr: '/etc/app.conf/x: /etc/app.conf is not a directory\n' });
  });

  it('unpacks a file under a new name, and into a directory', () => {
    const dir = tree();
    const tar = spawnSync('tar', ['-cf', '-', '-C', join(dir, 'etc'), 'app.conf']).stdout;
    expect(run(shell, copyInCommand(dir, '/data/renamed.conf', 'app.conf'), { input: tar })).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(dir, 'data/renamed.conf'), 'utf8')).toBe('a=1\n');
    expect(run(shell, copyInCommand(dir, '/data', 'app.conf'), { input: tar })).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(dir, 'data/app.conf'), 'utf8')).toBe('a=1\n');
  });

  it.runIf(root)('as another user: a directory it may not enter, a file it may not read or a directory it may not write in is exit 4, with its uid', () => {
    const dir = tree();
    const as = { uid: NOBODY };
    expect(run(shell, copyOutCommand(dir, '/closed/x'), as)).toMatchObject({ code: COPY_EXIT.denied, stderr: `/closed/x: permission denied (uid ${NOBODY} may not enter /closed)\n` });
    expect(run(shell, copyOutCommand(dir, '/data/secret'), as)).toMatchObject({ code: COPY_EXIT.denied, stderr: `/data/secret: permission denied (uid ${NOBODY} may not read it)\n` });
    expect(run(shell, copyOutCommand(dir, '/closed'), as)).toMatchObject({ code: COPY_EXIT.denied, stderr: `/closed: permission denied (uid ${NOBODY} may not read it)\n` });
    const tar = spawnSync('tar', ['-cf', '-', '-C', join(dir, 'etc'), 'app.conf']).stdout;
    expect(run(shell, copyInCommand(dir, '/etc/new.conf', 'app.conf'), { ...as, input: tar })).toMatchObject({ code: COPY_EXIT.denied, stderr: `/etc/new.conf: permission denied (uid ${NOBODY} may not write in /etc)\n` });
    expect(run(shell, copyInCommand(dir, '/etc', 'app.conf'), { ...as, input: tar })).toMatchObject({ code: COPY_EXIT.denied, stderr: `/etc: permission denied (uid ${NOBODY} may not write in /etc)\n` });
    expect(existsSync(join(dir, 'etc/new.conf'))).toBe(false);
  });

  it.runIf(root)("another user's process's root (this machine's PID 1) is exit 5, naming both users", () => {
    const init = readFileSync('/proc/1/status', 'utf8');
    const [uid, gid] = ['Uid', 'Gid'].map((k) => new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(init)![1]);
    const r = run(shell, copyOutCommand('/proc/1/root', '/etc/hostname'), { uid: NOBODY });
    expect(r).toMatchObject({ code: COPY_EXIT.rootRefused, stderr: `cannot enter /proc/1/root as uid ${NOBODY} gid ${NOBODY}: its main process runs as uid ${uid} gid ${gid}\n` });
  });

  it('without a process of that container ID, exit 6 and nothing read', () => {
    const r = run(shell, copyOutCommand(`id:${'0f'.repeat(32)}`, '/etc/hostname'));
    expect(r).toMatchObject({ code: COPY_EXIT.noTarget, stderr: "no process of the target container (0f0f0f0f0f0f) among the pod's processes\n" });
    expect(r.stdout.length).toBe(0);
  });

  it.runIf(cgroups && staticBusybox)("finds the target by its container ID: the root of the oldest process in the container's cgroup", async () => {
    const id = randomBytes(32).toString('hex');
    const cgroup = join(cgroups!, `kdbg-test-${id}`);
    mkdirSync(cgroup);
    try {
      // the container's main process, in a filesystem of its own; then an exec into the container, in this machine's
      const fs = mkdtempSync(join(tmpdir(), 'kdbg-cp-target-'));
      mkdirSync(join(fs, 'etc'));
      writeFileSync(join(fs, 'etc/marker'), 'the target\n');
      copyFileSync(staticBusybox!, join(fs, 'busybox'));
      chmodSync(join(fs, 'busybox'), 0o755);
      const inCgroup = `echo $$ > ${cgroup}/cgroup.procs && exec "$@"`;
      const main = spawn('sh', ['-c', inCgroup, 'sh', 'chroot', fs, '/busybox', 'sleep', '60'], { stdio: 'ignore' });
      children.push(main);
      await until(() => readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').trim() === String(main.pid) && /busybox/.test(readFileSync(`/proc/${main.pid}/cmdline`, 'utf8')));
      // a later exec into the container, in this machine's filesystem, which has no /etc/marker
      const exec = spawn('sh', ['-c', inCgroup, 'sh', 'sleep', '60'], { stdio: 'ignore' });
      children.push(exec);
      await until(() => readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').trim().split('\n').length === 2);
      const r = run(shell, copyOutCommand(`id:${id}`, '/etc/marker'));
      expect(r.stderr).toBe('');
      expect(spawnSync('tar', ['-xOf', '-'], { input: r.stdout }).stdout.toString()).toBe('the target\n');
    } finally {
      for (const c of children.splice(0)) c.kill('SIGKILL');
      await until(() => readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').trim() === '');
      rmdirSync(cgroup);
    }
  });
});

/** Polls `check` every 20 ms; throws after 5 s. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`not true within 5 s: ${check.toString()}`);
}
