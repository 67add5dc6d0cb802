// Fuzzy search pickers, drawn on stderr so stdout stays the remote command's. Only where a person can answer.
import type { Chooser } from '../io.ts';
import { KdbgError } from '../errors.ts';
import { fuzzyFilter } from './fuzzy.ts';
import type { Paint } from './paint.ts';

export function terminalChooser(stdin: NodeJS.ReadStream, stderr: NodeJS.WriteStream, paint: Paint): Chooser {
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
          theme: pickerTheme(paint),
          source: (term) =>
            fuzzyFilter(term, choices, (c) => `${c.name} ${c.description ?? ''}`).map((c) => ({
              name: c.description ? `${c.name.padEnd(width(choices))}  ${c.description}` : c.name,
              value: c.value,
              short: c.name,
            })),
        },
        { input: stdin, output: stderr, clearPromptOnDone: true },
      );
      stderr.write(`${paint('green', '✔')} ${message} ${choices.find((c) => c.value === picked)?.name ?? ''}\n`);
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

/** @inquirer's styles, through kdbg's colour decision instead of its own (which, on Node 20.17, is always colour). */
function pickerTheme(paint: Paint) {
  return {
    prefix: { idle: paint('cyan', '?'), done: paint('green', '✔') },
    spinner: { interval: 80, frames: ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'].map((f) => paint('yellow', f)) },
    style: {
      answer: (t: string) => paint('cyan', t),
      message: (t: string) => paint('bold', t),
      error: (t: string) => paint('red', `> ${t}`),
      defaultAnswer: (t: string) => paint('dim', `(${t})`),
      help: (t: string) => paint('dim', t),
      highlight: (t: string) => paint('cyan', t),
      key: (t: string) => paint('cyan', paint('bold', `<${t}>`)),
      disabled: (t: string) => paint('dim', `- ${t}`),
      searchTerm: (t: string) => paint('cyan', t),
      description: (t: string) => paint('cyan', t),
      keysHelpTip: (keys: [string, string][]) => keys.map(([key, action]) => `${paint('bold', key)} ${paint('dim', action)}`).join(paint('dim', ' • ')),
    },
  };
}
