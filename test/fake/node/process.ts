// Host processes that stand in for container processes: plain pipes or a pty, running as a given uid/gid in a
// session of their own so that the whole tree can be found (/proc) and killed later.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn as spawnPty, type IPty } from '@lydell/node-pty';

export interface ProcessSpec {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  uid: number;
  gid: number;
  tty: boolean;
  /** a stdin pipe (without it stdin is /dev/null); a tty always has input */
  stdin: boolean;
  /** a container's init: when it exits, its pid namespace goes and takes every other process with it */
  init: boolean;
}

export type OutputListener = (stream: 1 | 2, chunk: Buffer) => void;

/** Finds `file` like execvp does with the container's PATH; returns the runc-style failure otherwise. */
export function resolveExecutable(file: string, pathEnv: string): { path: string } | { error: string } {
  const candidates = file.includes('/') ? [file] : pathEnv.split(':').filter(Boolean).map((d) => join(d, file));
  let denied = false;
  for (const c of candidates) {
    try {
      if (!statSync(c).isFile()) continue;
      accessSync(c, constants.X_OK);
      return { path: c };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES') denied = true;
    }
  }
  if (denied) return { error: `exec: "${file}": permission denied` };
  return { error: file.includes('/') ? `exec: "${file}": stat ${file}: no such file or directory` : `exec: "${file}": executable file not found in $PATH` };
}

export class HostProcess {
  readonly pid: number;
  /** exit code as a runtime reports it (128+N after signal N); resolves after the output has been read */
  readonly exited: Promise<number>;
  private readonly listeners = new Set<OutputListener>();
  private child?: ChildProcess;
  private term?: IPty;
  private pauses = 0;
  private stdinOpen: boolean;

  constructor(spec: ProcessSpec, exe: string) {
    this.stdinOpen = spec.stdin || spec.tty;
    if (spec.tty) {
      const term = spawnPty(exe, spec.argv.slice(1), {
        name: spec.env.TERM ?? 'xterm',
        cols: 80,
        rows: 24,
        cwd: spec.cwd,
        env: spec.env,
        uid: spec.uid,
        gid: spec.gid,
        encoding: null,
      });
      this.term = term;
      this.pid = term.pid;
      term.onData((d) => this.emit(1, d as unknown as Buffer));
      this.exited = new Promise((resolve) => {
        term.onExit(({ exitCode, signal }) => {
          if (spec.init) killSession(this.pid, 'SIGKILL');
          resolve(signal ? 128 + signal : exitCode);
        });
      });
    } else {
      const child = spawn(exe, spec.argv.slice(1), {
        argv0: spec.argv[0],
        cwd: spec.cwd,
        env: spec.env,
        uid: spec.uid,
        gid: spec.gid,
        detached: true,
        stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      });
      this.child = child;
      this.pid = child.pid ?? -1;
      child.stdin?.on('error', () => {});
      child.stdout!.on('data', (d: Buffer) => this.emit(1, d));
      child.stderr!.on('data', (d: Buffer) => this.emit(2, d));
      this.exited = new Promise((resolve) => {
        let code = 0;
        child.on('error', () => resolve(128));
        child.on('exit', (c, sig) => {
          code = sig ? 128 + signalNumber(sig) : (c ?? 0);
          // Whatever a container's init left behind dies with its pid namespace, which also closes the pipes. An
          // exec'd process's children live on and keep its output open, so its end waits for them (as on a node).
          if (spec.init) killSession(this.pid, 'SIGKILL');
        });
        child.on('close', () => resolve(code));
      });
    }
  }

  /** Subscribes to output from now on; returns the unsubscribe function. */
  onOutput(listener: OutputListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  write(data: Buffer): void {
    if (!this.stdinOpen) return;
    if (this.term) this.term.write(data as unknown as string);
    else this.child?.stdin?.write(data);
  }

  closeStdin(): void {
    if (!this.stdinOpen || this.term) return;
    this.stdinOpen = false;
    this.child?.stdin?.end();
  }

  resize(cols: number, rows: number): void {
    if (cols > 0 && rows > 0) {
      try {
        this.term?.resize(cols, rows);
      } catch {
        // the pty is already gone
      }
    }
  }

  /** Flow control: output stops being read while any consumer holds a pause. */
  pause(): void {
    if (this.pauses++ === 0) this.setFlowing(false);
  }

  resume(): void {
    if (this.pauses > 0 && --this.pauses === 0) this.setFlowing(true);
  }

  private setFlowing(on: boolean): void {
    if (this.term) {
      if (on) this.term.resume();
      else this.term.pause();
    } else {
      for (const s of [this.child?.stdout, this.child?.stderr]) {
        if (on) s?.resume();
        else s?.pause();
      }
    }
  }

  private emit(stream: 1 | 2, chunk: Buffer): void {
    for (const l of [...this.listeners]) l(stream, chunk);
  }
}

function signalNumber(sig: NodeJS.Signals): number {
  const n = (
    { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15 } as Record<string, number>
  )[sig];
  return n ?? 1;
}

export interface ProcInfo {
  pid: number;
  session: number;
  cmdline: string;
}

/** Every live (non-zombie) process on the host with its session id and command line. */
export function listProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
      out.push({ pid: Number(entry), session: Number(fields[3]), cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Sends `signal` to every process of session `sid` (the fake's containers and execs each lead one). */
export function killSession(sid: number, signal: NodeJS.Signals): void {
  killSessions([sid], signal);
}

export function killSessions(sids: Iterable<number>, signal: NodeJS.Signals): void {
  const wanted = new Set(sids);
  for (const p of listProcesses()) {
    if (!wanted.has(p.session)) continue;
    try {
      process.kill(p.pid, signal);
    } catch {
      // already gone
    }
  }
}
