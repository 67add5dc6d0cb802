// kdbg's command tree as completion reads it: names, flags and what they take, as plain data. describeProgram()
// makes it from commander's tree; scripts/build.mjs does so once and writes it into dist/complete.cjs, so that a Tab
// neither loads commander and the command modules nor builds their tree.
import type { Command, Option } from 'commander';

export interface CommandNode {
  name: string;
  aliases: string[];
  /** the summary, else the description */
  summary: string;
  hidden: boolean;
  /** it takes positional arguments (else a word after it names a subcommand) */
  takesArguments: boolean;
  options: OptionNode[];
  commands: CommandNode[];
}

export interface OptionNode {
  long?: string;
  short?: string;
  description: string;
  hidden: boolean;
  /** it takes a value (`-n NAMESPACE`), required or optional */
  takesValue: boolean;
  /** commander's attribute name: `namespace`, `asGroup`… */
  name: string;
  /** the only values it accepts */
  choices?: string[];
}

export function describeProgram(cmd: Command): CommandNode {
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    summary: cmd.summary() || cmd.description(),
    hidden: (cmd as Command & { _hidden?: boolean })._hidden === true,
    takesArguments: cmd.registeredArguments.length > 0,
    options: cmd.options.map(describeOption),
    commands: cmd.commands.map(describeProgram),
  };
}

function describeOption(o: Option): OptionNode {
  const node: OptionNode = { description: o.description, hidden: o.hidden, takesValue: o.required || o.optional, name: o.attributeName() };
  if (o.long) node.long = o.long;
  if (o.short) node.short = o.short;
  if (o.argChoices) node.choices = o.argChoices;
  return node;
}
