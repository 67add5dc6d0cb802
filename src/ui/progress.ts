// What kdbg is waiting for, on stderr: a spinner on a terminal, nothing in a pipe (scripts read stderr too).

export interface Progress {
  update(text: string): void;
  stop(): void;
}

export async function startProgress(stderr: NodeJS.WriteStream, text: string): Promise<Progress> {
  if (!stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const { default: ora } = await import('ora');
  const spinner = ora({ text, stream: stderr, discardStdin: false }).start();
  return {
    update: (t) => {
      spinner.text = t;
    },
    stop: () => spinner.stop(),
  };
}
