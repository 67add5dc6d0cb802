// What kdbg is waiting for, on stderr: a spinner on a terminal, nothing in a pipe (scripts read stderr too).
import type { Paint } from './paint.ts';

export interface Progress {
  /** whether anything is drawn (a terminal, not -q) */
  readonly shown: boolean;
  update(text: string): void;
  stop(): void;
}

const SILENT: Progress = { shown: false, update: () => undefined, stop: () => undefined };

/** `stderr` undefined: no spinner (quiet, a pipe, a dumb terminal); `paint` says whether it is in colour. */
export async function startProgress(stderr: NodeJS.WriteStream | undefined, text: string, paint: Paint): Promise<Progress> {
  if (!stderr?.isTTY) return SILENT;
  const { default: ora } = await import('ora');
  // ora's own colour guess reads argv and would take `--color never` for a request of colour: kdbg decides
  const spinner = ora({ text, stream: stderr, discardStdin: false, isEnabled: true, color: paint.enabled ? 'cyan' : false }).start();
  return {
    shown: true,
    update: (t) => {
      spinner.text = t;
    },
    stop: () => spinner.stop(),
  };
}
