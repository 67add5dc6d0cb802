// A real pseudo-terminal around kdbg, with a screen buffer that tests can wait on. kdbg runs under sh, which
// records `stty -g` before and after, so a test can see that kdbg left the terminal as it found it.
import { spawn, type IPty } from '@lydell/node-pty';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KDBG_COMMAND, KDBG_SHELL } from './harness.ts';

export interface PtySession {
  pty: IPty;
  output(): string;
  /** waits for the pattern in the output (only in what came after `since`, a length of output, if given) */
  waitFor(pattern: RegExp | string, timeoutMs?: number, since?: number): Promise<string>;
  write(data: string): void;
  /** resizes the terminal and asks `stty size` until the remote terminal has the new size (it follows asynchronously) */
  resizeTo(cols: number, rows: number): Promise<void>;
  /** kdbg's exit code, once it has ended */
  exitCode(): Promise<number>;
  /** `stty -g` before kdbg started and after it ended */
  sttyBeforeAfter(): { before: string; after: string };
}

export function runKdbgInPty(args: string[], kubeconfig: string, size = { cols: 100, rows: 30 }): PtySession {
  const dir = mkdtempSync(join(tmpdir(), 'kdbg-pty-'));
  const script = `stty -g >"${dir}/before"; "$0" "$@"; rc=$?; stty -g >"${dir}/after"; echo "KDBG_EXIT=$rc"; sleep 0.2`;
  const pty = spawn('sh', ['-c', script, ...KDBG_COMMAND, ...args], {
    name: 'xterm-256color',
    cols: size.cols,
    rows: size.rows,
    env: { ...process.env, KUBECONFIG: kubeconfig, XDG_CONFIG_HOME: '/nonexistent', TERM: 'xterm-256color' } as Record<string, string>,
  });
  const { output, waitFor } = screen(pty);
  return {
    pty,
    output,
    write: (d) => pty.write(d),
    async resizeTo(cols, rows) {
      pty.resize(cols, rows);
      const until = Date.now() + 15_000;
      for (;;) {
        const since = output().length;
        pty.write('stty size\r');
        const out = await waitFor(/\n(\d+ \d+)\r\n/, 5000, since);
        if (out.slice(since).includes(`\n${rows} ${cols}\r\n`)) return;
        if (Date.now() > until) throw new Error(`the remote terminal did not become ${cols}x${rows} within 15 s`);
      }
    },
    waitFor,
    async exitCode() {
      const text = await waitFor(/KDBG_EXIT=(\d+)/, 30_000);
      return Number(/KDBG_EXIT=(\d+)/.exec(text)![1]);
    },
    sttyBeforeAfter: () => ({
      before: readFileSync(join(dir, 'before'), 'utf8').trim(),
      after: readFileSync(join(dir, 'after'), 'utf8').trim(),
    }),
  };
}

/** What a pty has printed so far, and a wait for a pattern in it that throws with the screen when time runs out. */
function screen(pty: IPty): Pick<PtySession, 'output' | 'waitFor'> {
  let buffer = '';
  pty.onData((d) => (buffer += d));
  const waitFor = async (pattern: RegExp | string, timeoutMs = 15_000, since = 0) => {
    const until = Date.now() + timeoutMs;
    const test = () => (typeof pattern === 'string' ? buffer.slice(since).includes(pattern) : pattern.test(buffer.slice(since)));
    while (!test()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${String(pattern)}; screen so far:\n${buffer}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return buffer;
  };
  return { output: () => buffer, waitFor };
}

export type ShellSession = Pick<PtySession, 'pty' | 'output' | 'waitFor' | 'write'>;

/** An interactive shell (`bash --norc --noprofile`…) in a pty, with `kdbg` on its PATH as the scenarios' kdbg. */
export function runShellInPty(shell: string, args: string[], env: Record<string, string>): ShellSession {
  const bin = mkdtempSync(join(tmpdir(), 'kdbg-bin-'));
  writeFileSync(join(bin, 'kdbg'), `#!/bin/sh\nexec ${KDBG_SHELL} "$@"\n`, { mode: 0o755 });
  // node-pty sets TERM to `name`
  const pty = spawn(shell, args, {
    name: env.TERM ?? 'xterm-256color',
    cols: 100,
    rows: 30,
    env: { ...process.env, XDG_CONFIG_HOME: '/nonexistent', TERM: 'xterm-256color', ...env, PATH: `${bin}:${process.env.PATH}` } as Record<string, string>,
  });
  return { pty, ...screen(pty), write: (d) => pty.write(d) };
}
