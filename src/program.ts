// kdbg's command tree (commander's): every command with its flags, help and action. main() parses the words with
// it; completion reads it as data (completion/tree.ts).
import { Command, Option } from 'commander';
import type { CommandContext } from './commands/context.ts';
import { attachCommand } from './commands/attach/command.ts';
import { lsCommand } from './commands/ls/command.ts';
import { stopCommand } from './commands/stop/command.ts';
import { captureCommand } from './commands/capture/command.ts';
import { cpCommand } from './commands/cp/command.ts';
import { profilesCommand } from './commands/profiles/command.ts';
import { nodeCommand } from './commands/node/command.ts';
import { completionCommand } from './commands/completion/command.ts';
import { versionCommand } from './commands/version/command.ts';
import { runbookCommand } from './commands/runbook/command.ts';
import { COLOR_MODES } from './ui/color.ts';

export { CommanderError } from 'commander';

declare const KDBG_VERSION: string;

const COMMANDS: [name: string, make: (ctx: CommandContext) => Command][] = [
  ['attach', attachCommand],
  ['ls', lsCommand],
  ['stop', stopCommand],
  ['capture', captureCommand],
  ['cp', cpCommand],
  ['node', nodeCommand],
  ['runbook', runbookCommand],
  ['profiles', profilesCommand],
  ['completion', completionCommand],
  ['version', versionCommand],
];

/**
 * The whole tree, or with `only` (the command the words name) that command alone: each command's options cost
 * commander a little, and a one-shot runs one command. A word that names no command gets the whole tree, and
 * with it commander's "did you mean".
 */
export function buildProgram(ctx: CommandContext, only?: string): Command {
  const program = new Command('kdbg')
    .description('Debug Kubernetes pods with ephemeral containers: fast, safe and scriptable.')
    .version(KDBG_VERSION, '-V, --version')
    .option('-v, --verbose', 'show details of errors')
    .option('-q, --quiet', "no notes on stderr, only errors (the remote command's own stderr still passes)")
    .addOption(new Option('--color <when>', 'colour in tables, spinners and pickers (auto: on a terminal, unless NO_COLOR or TERM=dumb)').choices(COLOR_MODES).default('auto'))
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLine(text)) })
    .addHelpText('after', '\nExit codes: the remote command\'s own; 124 wait timed out; 125 kdbg, usage or API error;\n126 debug container unusable; 127 command not in the image; 130/143/129 interrupted; 141 stdout closed;\n255 session lost.\n');
  const named = COMMANDS.find(([name]) => name === only);
  for (const [, make] of named ? [named] : COMMANDS) program.addCommand(make(ctx));
  inheritSettings(program);
  return program;
}

/** commander's messages as kdbg's one line: `kdbg: …`, its "Did you mean" on the same line, and the `--` hint. */
function oneLine(text: string): string {
  let line = text
    .replace(/^error: /, '')
    .replace(/\n\(Did you mean (.*)\?\)/, '; did you mean $1?')
    .trimEnd();
  if (/^too many arguments for 'attach'/.test(line)) line = 'too many arguments: put the command after --, as in kdbg attach POD -- CMD ARGS';
  return `kdbg: ${line}\n`;
}

/** Subcommands added with addCommand do not inherit exitOverride and the error format; give them both. */
function inheritSettings(parent: Command): void {
  for (const child of parent.commands) {
    child.exitOverride().configureOutput(parent.configureOutput());
    inheritSettings(child);
  }
}
