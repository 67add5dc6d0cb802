// What kdbg is waiting for, on stderr: a spinner on a terminal, nothing in a pipe (scripts read stderr too).

export interface Progress {
  /** whether anything is drawn (a terminal, not -q) */
  readonly shown: boolean;
  update(text: string): void;
  stop(): void;
}

const SILENT: Progress = { shown: false, update: () => undefined, stop: () => undefined };

/** `stderr` undefined: quiet. */
export async function startProgress(stderr: NodeJS.WriteStream | undefined, text: string): Promise<Progress> {
  if (!stderr?.isTTY) return SILENT;
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: stderr, discardStdin: false }).start();
  return {
    shown: true,
    update: (t) => {
      spinner.text = t;
    },
    stop: () => spinner.stop(),
  };
}
