// Fuzzy search pickers, drawn on stderr so stdout stays the remote command's. Only where a person can answer.
import type { Chooser } from '../io.ts';
import { KdbgError } from '../errors.ts';
import { fuzzyFilter } from './fuzzy.ts';

export function terminalChooser(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream): Chooser {
  if (!stdin.isTTY || !stderr.isTTY) return () => undefined;
  return async (message, choices) => {
    const { default: search } = await import('@inquirer/search');
    try {
      // The prompt clears itself whether picked or cancelled (Ctrl-C leaves no list behind); a pick is then said
      // in one line.
      const picked = await search(
        {
          message,
          pageSize: 12,
          source: (term) =>
            fuzzyFilter(term, choices, (c) => `${c.name} ${c.description ?? ''}`).map((c) => ({
              name: c.description ? `${c.name.padEnd(width(choices))}  ${c.description}` : c.name,
              value: c.value,
              short: c.name,
            })),
        },
        { input: stdin, output: stderr, clearPromptOnDone: true },
      );
      stderr.write(`✔ ${message} ${choices.find((c) => c.value === picked)?.name ?? ''}\n`);
      return picked;
    } catch (err) {
      if ((err as Error).name === 'ExitPromptError') throw new KdbgError('interrupted', 'cancelled');
      throw err;
    }
  };
}

function width(choices: { name: string }[]): number {
  return Math.min(40, Math.max(...choices.map((c) => c.name.length)));
}
