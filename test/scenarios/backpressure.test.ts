// A reader that stops reading (Wireshark paused, a slow disk) holds the remote command back through the stream
// protocol: kdbg's memory does not grow with what the command would send meanwhile, and every byte arrives once the
// reader resumes. Runs on every backend; capture and cp stream through the same session.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, KDBG_COMMAND } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const BYTES = 400 * 1024 * 1024;
const MiB = 1024 * 1024;

/** The process's resident set, from /proc (kB there). */
const rssOf = (pid: number): number => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) * 1024;

describe(`a stalled reader (${backend.name})`, () => {
  let kubeconfig: string;
  beforeAll(async () => {
    const ns = await backend.newNamespace('backpressure');
    await backend.createPod(ns, webPod());
    kubeconfig = await backend.kubeconfig('debugger', ns);
  });

  it(`holds back a command that would send ${BYTES / MiB} MiB, with kdbg's memory bounded, and loses nothing`, async () => {
    const [program, ...first] = KDBG_COMMAND;
    const child = spawn(program, [...first, '-q', 'attach', 'web-0', '--', 'head', '-c', String(BYTES), '/dev/zero'], {
      env: { ...process.env, KUBECONFIG: kubeconfig, XDG_CONFIG_HOME: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // read the first bytes, then stop: the pipe fills, and kdbg must stop reading the stream
    let received = 0;
    const firstBytes = new Promise<void>((resolve) => child.stdout.once('data', (c: Buffer) => ((received += c.length), child.stdout.pause(), resolve())));
    await firstBytes;
    // while nothing is read, kdbg's memory settles well below what the command would have sent
    let peak = 0;
    for (let i = 0; i < 15; i++) {
      peak = Math.max(peak, rssOf(child.pid!));
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(child.exitCode, stderr).toBeNull();
    expect(peak, `kdbg's RSS with the reader stalled: ${(peak / MiB).toFixed(0)} MiB`).toBeLessThan(160 * MiB);
    child.stdout.on('data', (c: Buffer) => (received += c.length));
    child.stdout.resume();
    expect(await exited, stderr).toBe(0);
    expect(received).toBe(BYTES);
  }, 120_000);
});
