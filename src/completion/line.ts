// The words of a command line being completed, read against kdbg's own command tree (tree.ts): which command,
// the flags already typed with their values, the positional arguments, and what the last word is. Pure.
import type { CommandNode, OptionNode } from './tree.ts';

export interface Line {
  /** the deepest command named, e.g. `profiles show` */
  command: CommandNode;
  /** the commands from the root to it, whose flags all apply (commander takes the root's anywhere) */
  chain: CommandNode[];
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
  optionValue?: OptionNode;
}

/** `words` are the words after `kdbg`; the last one is the word being completed. */
export function readLine(root: CommandNode, words: string[]): Line {
  const done = words.slice(0, -1);
  const word = words[words.length - 1] ?? '';
  const line: Line = { command: root, chain: [root], path: [], values: new Map(), positionals: [], word, afterDashDash: false };
  for (let i = 0; i < done.length; i++) {
    const w = done[i]!;
    if (line.afterDashDash) continue;
    if (w === '--') {
      line.afterDashDash = true;
      continue;
    }
    if (w.startsWith('-') && w.length > 1) {
      const { option, inline } = optionOf(line.chain, w);
      if (!option?.takesValue) continue;
      if (inline !== undefined) record(line, option, inline);
      else if (i + 1 < done.length) record(line, option, done[++i]!);
      else line.optionValue = option;
      continue;
    }
    const sub = line.positionals.length === 0 ? subcommand(line.command, w) : undefined;
    if (sub) {
      line.command = sub;
      line.chain.push(sub);
      line.path.push(sub.name);
    } else {
      line.positionals.push(w);
    }
  }
  if (!line.optionValue && !line.afterDashDash && word.startsWith('--') && word.includes('=')) {
    const { option } = optionOf(line.chain, word);
    if (option?.takesValue) {
      return { ...line, word: word.slice(word.indexOf('=') + 1), optionValue: option };
    }
  }
  return line;
}

/** The option a word names on the deepest command of the chain that has it. */
function optionOf(chain: CommandNode[], w: string): { option?: OptionNode; inline?: string } {
  const long = w.startsWith('--');
  const eq = long ? w.indexOf('=') : -1;
  const flag = long ? (eq < 0 ? w : w.slice(0, eq)) : w.slice(0, 2);
  const inline = long ? (eq < 0 ? undefined : w.slice(eq + 1)) : w.length > 2 ? w.slice(2) : undefined;
  for (const c of [...chain].reverse()) {
    const option = c.options.find((o) => o.long === flag || o.short === flag);
    if (option) return { option, inline };
  }
  return {};
}

function record(line: Line, option: OptionNode, value: string): void {
  line.values.set(option.name, [...(line.values.get(option.name) ?? []), value]);
}

function subcommand(cmd: CommandNode, w: string): CommandNode | undefined {
  return cmd.commands.find((c) => c.name === w || c.aliases.includes(w));
}

/** The last value typed for an option, by attribute name. */
export function valueOf(line: Line, name: string): string | undefined {
  return line.values.get(name)?.at(-1);
}
