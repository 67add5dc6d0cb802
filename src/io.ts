// The process's edges, owned in one place and handed to commands, so a command can also run in-process against
// other streams: stdin/stdout/stderr, environment, clock, randomness, signals, notes, prompts and spinners.
import { randomBytes } from 'node:crypto';
import { terminalChooser } from './ui/picker.ts';
import { startProgress, type Progress } from './ui/progress.ts';
import { canAnimate, wantsColor, type ColorMode } from './ui/color.ts';
import { painter, type Paint } from './ui/paint.ts';

/** A choice among several; undefined when there is no terminal to ask on. */
export type Chooser = <T>(message: string, choices: { name: string; value: T; description?: string }[]) => Promise<T> | undefined;

export interface IO {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  now(): Date;
  random(bytes: number): Buffer;
  /** subscribes to SIGINT/SIGTERM/SIGHUP; returns the unsubscribe */
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
  verbose: boolean;
  /** --quiet: no notes, only errors */
  quiet: boolean;
  /** one `kdbg: …` line on stderr, unless --quiet */
  note(text: string): void;
  /** asks on the terminal; never in a pipe */
  choose: Chooser;
  /** a spinner on a terminal (unless --quiet or TERM=dumb), nothing in a pipe */
  progress(text: string): Promise<Progress>;
  /** colour for what goes to stdout and to stderr, as --color, NO_COLOR, FORCE_COLOR, TERM and the streams decide */
  paint: { out: Paint; err: Paint };
  /**
   * From now until close(): SIGINT, SIGTERM, SIGHUP, and stdout or stderr that can no longer be written (its reader
   * went away, or a full disk behind it), abort the signal with 'INT', 'TERM', 'HUP' or 'PIPE'. A command asks for it
   * once, whatever number of sessions it runs.
   */
  interrupts(): Interrupts;
}

export interface Interrupts {
  signal: AbortSignal;
  /** what failed a write to stdout, other than a reader gone (a full disk): it stops the session as a reader gone does */
  readonly writeError: NodeJS.ErrnoException | undefined;
  close(): void;
}

const SIGNAL_REASON: Record<string, string> = { SIGINT: 'INT', SIGTERM: 'TERM', SIGHUP: 'HUP' };

export interface IOOptions {
  verbose: boolean;
  quiet: boolean;
  /** --color (default auto) */
  color?: ColorMode;
}

export function processIO(options: IOOptions): IO {
  return streamsIO({ stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env, ...options });
}

export function streamsIO(s: Pick<IO, 'stdin' | 'stdout' | 'stderr' | 'env'> & IOOptions): IO {
  const color = s.color ?? 'auto';
  const paint = {
    out: painter(wantsColor(color, s.env, Boolean(s.stdout.isTTY))),
    err: painter(wantsColor(color, s.env, Boolean(s.stderr.isTTY))),
  };
  const spinnerStream = !s.quiet && canAnimate(s.env, Boolean(s.stderr.isTTY)) ? s.stderr : undefined;
  return {
    stdin: s.stdin,
    stdout: s.stdout,
    stderr: s.stderr,
    env: s.env,
    now: () => new Date(),
    random: (n) => randomBytes(n),
    onSignal(handler) {
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const sig of signals) process.on(sig, handler);
      return () => {
        for (const sig of signals) process.off(sig, handler);
      };
    },
    verbose: s.verbose,
    quiet: s.quiet,
    note: (text) => {
      if (!s.quiet) s.stderr.write(`kdbg: ${text}\n`);
    },
    choose: terminalChooser(s.stdin, s.stderr, paint.err),
    progress: (text) => startProgress(spinnerStream, text, paint.err),
    paint,
    interrupts() {
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (!controller.signal.aborted) controller.abort(SIGNAL_REASON[signal]);
      };
      let writeError: NodeJS.ErrnoException | undefined;
      const onStderr = () => {
        if (!controller.signal.aborted) controller.abort('PIPE');
      };
      const onStdout = (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') writeError ??= err;
        onStderr();
      };
      const off = this.onSignal(onSignal);
      s.stdout.on('error', onStdout);
      s.stderr.on('error', onStderr);
      return {
        signal: controller.signal,
        get writeError() {
          return writeError;
        },
        close() {
          off();
          s.stdout.off('error', onStdout);
          s.stderr.off('error', onStderr);
        },
      };
    },
  };
}
