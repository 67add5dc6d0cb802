// The words of a command line being completed, read against kdbg's own command tree (commander's): which command,
// the flags already typed with their values, the positional arguments, and what the last word is. Pure.
import type { Command, Option } from 'commander';

export interface Line {
  /** the deepest command named, e.g. `profiles show` */
  command: Command;
  /** its path from the root: ['attach'], ['profiles', 'show'] */
  path: string[];
  /** values typed for options, by option attribute name (`namespace`, `asGroup`…) */
  values: Map<string, string[]>;
  positionals: string[];
  /** the word being completed ('' after a space) */
  word: string;
  /** the completed word is past `--` (a remote command) */
  afterDashDash: boolean;
  /**
   * the completed word is this option's value (`-n WORD`, or `--namespace=WORD`, where `word` is what follows the
   * `=`: as in cobra, candidates are values without the flag, and the shell scripts put the flag back if need be)
   */
  optionValue?: Option;
}

/** `words` are the words after `kdbg`; the last one is the word being completed. */
export function readLine(root: Command, words: string[]): Line {
  const done = words.slice(0, -1);
  const word = words[words.length - 1] ?? '';
  const line: Line = { command: root, path: [], values: new Map(), positionals: [], word, afterDashDash: false };
  for (let i = 0; i < done.length; i++) {
    const w = done[i]!;
    if (line.afterDashDash) continue;
    if (w === '--') {
      line.afterDashDash = true;
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      const { option, inline } = optionOf(line.command, w);
      if (!option || !takesValue(option)) continue;
      if (inline !== undefined) record(line, option, inline);
      else if (i + 1 < done.length) record(line, option, done[++i]!);
      else line.optionValue = option;
      continue;
    }
    const sub = line.positionals.length === 0 ? subcommand(line.command, w) : undefined;
    if (sub) {
      line.command = sub;
      line.path.push(sub.name());
    } else {
      line.positionals.push(w);
    }
  }
  if (!line.optionValue && !line.afterDashDash && word.startsWith('--') && word.includes('=')) {
    const { option } = optionOf(line.command, word);
    if (option && takesValue(option)) {
      return { ...line, word: word.slice(word.indexOf('=') + 1), optionValue: option };
    }
  }
  return line;
}

/** The option a word names on this command or an ancestor (commander takes the root's options anywhere). */
function optionOf(cmd: Command, w: string): { option?: Option; inline?: string } {
  const long = w.startsWith('--');
  const eq = long ? w.indexOf('=') : -1;
  const flag = long ? (eq < 0 ? w : w.slice(0, eq)) : w.slice(0, 2);
  const inline = long ? (eq < 0 ? undefined : w.slice(eq + 1)) : w.length > 2 ? w.slice(2) : undefined;
  for (let c: Command | null = cmd; c; c = c.parent) {
    const option = c.options.find((o) => o.long === flag || o.short === flag);
    if (option) return { option, inline };
  }
  return {};
}

const takesValue = (o: Option): boolean => o.required || o.optional;

function record(line: Line, option: Option, value: string): void {
  const key = option.attributeName();
  line.values.set(key, [...(line.values.get(key) ?? []), value]);
}

function subcommand(cmd: Command, w: string): Command | undefined {
  return cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
}

/** The last value typed for an option, by attribute name. */
export function valueOf(line: Line, name: string): string | undefined {
  return line.values.get(name)?.at(-1);
}
