// Runs the built kdbg as a child process, piped or under a real pseudo-terminal, against a Backend.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from '../backends/backend.ts';

export const KDBG = fileURLToPath(new URL('../../bin/kdbg.cjs', import.meta.url));

/**
 * The kdbg the scenarios spawn: the npm entry under this Node, or with KDBG_BIN (a path from the repository's root,
 * as `npm run test:binary` sets it) that single executable. `[program, ...its first arguments]`.
 */
export const KDBG_COMMAND: [string, ...string[]] = process.env.KDBG_BIN
  ? [fileURLToPath(new URL(`../../${process.env.KDBG_BIN}`, import.meta.url))]
  : [process.execPath, KDBG];
if (!existsSync(KDBG_COMMAND[0])) throw new Error(`KDBG_BIN: ${KDBG_COMMAND[0]} does not exist (npm run dist makes it)`);

/** KDBG_COMMAND as words for sh, each double-quoted */
export const KDBG_SHELL = KDBG_COMMAND.map((w) => `"${w}"`).join(' ');

/** The version of the Node that runs the scenarios' kdbg, as process.version says it: this one's, or the executable's. */
export function kdbgNodeVersion(): string {
  if (!process.env.KDBG_BIN) return process.version;
  const answer = execFileSync(KDBG_COMMAND[0], ['--version'], { encoding: 'utf8' });
  const node = /\(Node (v[\d.]+)\)$/.exec(answer.trim())?.[1];
  if (!node) throw new Error(`${KDBG_COMMAND[0]} --version: ${answer}`);
  return node;
}

/** The backend the scenarios run on: the in-process fake, or KDBG_BACKEND=real for the e2e control plane. */
export async function backendFromEnv(): Promise<Backend> {
  if (process.env.KDBG_BACKEND === 'real') {
    const { realBackend } = await import('../backends/real.ts');
    return realBackend();
  }
  const { fakeBackend } = await import('../backends/fake.ts');
  return fakeBackend();
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
}

export interface RunOptions {
  kubeconfig: string;
  stdin?: Buffer | string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** a file stdout is opened on instead of a pipe (/dev/full: every write fails with ENOSPC) */
  stdoutFile?: string;
  /** called once the process is spawned: send signals, read partial output */
  onSpawn?: (child: import('node:child_process').ChildProcess, output: { stdout: () => string; stderr: () => string }) => void;
}

export function runKdbg(args: string[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const [program, ...first] = KDBG_COMMAND;
  const stdoutFd = opts.stdoutFile === undefined ? undefined : openSync(opts.stdoutFile, 'w');
  const child = spawn(program, [...first, ...args], {
    env: { ...process.env, KUBECONFIG: opts.kubeconfig, XDG_CONFIG_HOME: '/nonexistent', ...opts.env },
    stdio: ['pipe', stdoutFd ?? 'pipe', 'pipe'],
  });
  // the child has its own
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  else child.stdin!.end();
  child.stdin!.on('error', () => undefined);
  opts.onSpawn?.(child, { stdout: () => Buffer.concat(out).toString(), stderr: () => Buffer.concat(err).toString() });
  const timeout = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString(), ms: Date.now() - started });
    });
  });
}

/** Polls until `check` returns a truthy value, and returns it; throws when the time runs out. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 100): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last = await check();
  while (!last && Date.now() < until) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await check();
  }
  if (!last) throw new Error(`eventually: still ${JSON.stringify(last)} after ${timeoutMs} ms: ${check.toString().slice(0, 200)}`);
  return last as NonNullable<T>;
}

/** The names of kdbg's own pods of that kind (`kdbg.dev/pod`: copy, node) in the namespace, those being deleted too. */
export async function ownPods(backend: Pick<Backend, 'listPods'>, namespace: string, kind: 'copy' | 'node'): Promise<string[]> {
  return (await backend.listPods(namespace)).filter((p) => p.metadata?.labels?.['kdbg.dev/pod'] === kind).map((p) => p.metadata!.name!);
}

/**
 * Resolves once the namespace holds no pod of kdbg's of that kind, not even one being deleted (gone from the API,
 * as after its kubelet has stopped it); throws after timeoutMs.
 */
export async function noOwnPodsLeft(backend: Pick<Backend, 'listPods'>, namespace: string, kind: 'copy' | 'node', timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (let left = await ownPods(backend, namespace, kind); left.length; left = await ownPods(backend, namespace, kind)) {
    if (Date.now() > until) throw new Error(`${kind} pods still in ${namespace} after ${timeoutMs} ms: ${left.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** kubectl.1.33 in the folder of the real kubectl (plain `kubectl` is a version dispatcher); undefined if absent. */
export function kubectlPath(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = path.join(dir, 'kubectl');
    if (!dir || !existsSync(candidate)) continue;
    const bin = path.join(path.dirname(realpathSync(candidate)), 'kubectl.1.33');
    return existsSync(bin) ? bin : undefined;
  }
  return undefined;
}

/** `kubectl … -o json` with that kubeconfig, as a child process (the fake API server shares this event loop); throws on failure. */
export async function kubectlJson<T>(kubeconfig: string, args: string[]): Promise<T> {
  const bin = kubectlPath();
  if (!bin) throw new Error('kubectl.1.33 not found next to the kubectl on PATH');
  const child = spawn(bin, ['--kubeconfig', kubeconfig, ...args, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${Buffer.concat(err).toString()}`);
  return JSON.parse(Buffer.concat(out).toString()) as T;
}
