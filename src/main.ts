// The one place that turns outcomes into exit codes and text. Commands return a number or throw a KdbgError of
// some kind; nothing else exits the process. Command modules, and the process's IO (prompts, spinners, colour),
// load only when a command runs, so --help, --version and completion stay fast.
import { Command, CommanderError, Option } from 'commander';
import { EXIT_CODES, ExitCode, KdbgError, UsageError } from './errors.ts';
import type { IO } from './io.ts';
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
import { colorFlag, COLOR_MODES } from './ui/color.ts';

declare const KDBG_VERSION: string;

async function main(argv: string[]): Promise<number> {
  const dashDash = argv.indexOf('--');
  const args = dashDash < 0 ? argv : argv.slice(0, dashDash);
  const remoteCommand = dashDash < 0 ? [] : argv.slice(dashDash + 1);
  const verbose = args.includes('--verbose') || args.includes('-v');
  const quiet = args.includes('--quiet') || args.includes('-q');
  let result: Promise<number> | undefined;
  const ctx: CommandContext = {
    remoteCommand,
    run(body, options) {
      result = (async () => {
        if (remoteCommand.length > 0 && !options?.takesCommand) throw new UsageError('only kdbg attach and kdbg node take a command after --');
        const { processIO } = await import('./io.ts');
        return body(processIO({ verbose, quiet, color: colorFlag(args) }));
      })();
    },
  };

  const program = new Command('kdbg')
    .description('Debug Kubernetes pods with ephemeral containers: fast, safe and scriptable.')
    .version(KDBG_VERSION, '-V, --version')
    .option('-v, --verbose', 'show details of errors')
    .option('-q, --quiet', "no notes on stderr, only errors (the remote command's own stderr still passes)")
    .addOption(new Option('--color <when>', 'colour in tables, spinners and pickers (auto: on a terminal, unless NO_COLOR or TERM=dumb)').choices(COLOR_MODES).default('auto'))
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(oneLine(text)) })
    .addHelpText('after', '\nExit codes: the remote command\'s own; 124 wait timed out; 125 kdbg, usage or API error;\n126 debug container unusable; 127 command not in the image; 130/143/129 interrupted; 141 stdout closed;\n255 session lost.\n');
  program.addCommand(attachCommand(ctx));
  program.addCommand(lsCommand(ctx));
  program.addCommand(stopCommand(ctx));
  program.addCommand(captureCommand(ctx));
  program.addCommand(cpCommand(ctx));
  program.addCommand(nodeCommand(ctx));
  program.addCommand(runbookCommand(ctx));
  program.addCommand(profilesCommand(ctx));
  program.addCommand(completionCommand(ctx));
  program.addCommand(versionCommand(ctx));
  inheritSettings(program);
  // the shell scripts' hidden command: the words after it are a command line being typed, not kdbg's arguments
  if (argv[0] === '__complete') return (await import('./completion/complete.ts')).runCompletion(program, argv.slice(1), process);

  try {
    await program.parseAsync(args, { from: 'user' });
    if (result === undefined) {
      if (remoteCommand.length > 0) throw new UsageError('a command after -- needs kdbg attach: kdbg attach POD -- CMD');
      return ExitCode.ok;
    }
    return await result;
  } catch (err) {
    return report(err, verbose, process.stderr);
  }
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

function report(err: unknown, verbose: boolean, stderr: IO['stderr']): number {
  if (err instanceof CommanderError) {
    // commander already printed its one line
    return err.exitCode === 0 ? ExitCode.ok : EXIT_CODES.usage;
  }
  if (err instanceof KdbgError) {
    stderr.write(`kdbg: ${err.message}\n`);
    if (verbose && err.cause) stderr.write(`caused by: ${describe(err.cause)}\n`);
    return EXIT_CODES[err.kind];
  }
  stderr.write(`kdbg: internal error: ${(err as Error)?.message ?? String(err)}\n`);
  if (verbose && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  return EXIT_CODES.api;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}${(cause as NodeJS.ErrnoException).code ? ` (${(cause as NodeJS.ErrnoException).code})` : ''}`;
  return String(cause);
}

// A reader that stops early (`kdbg … | head`) ends kdbg the way SIGPIPE ends other programs in a pipeline; a
// running command listens too (IO.interrupts), and then stops its remote command first.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  if (process.stdout.listenerCount('error') === 1) process.exit(ExitCode.stdoutClosed);
});
// likewise for stderr (`2>&1 | head`); with nowhere to report, kdbg's own notes are dropped
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

// no top-level await: the single executable bundles this module into one CommonJS script
void main(process.argv.slice(2)).then((code) => {
  // Let stdout drain before exiting, so a pipe gets every byte (unless its reader has gone).
  const exit = () => process.exit(code);
  if (process.stdout.destroyed || process.stdout.errored) exit();
  else process.stdout.write('', exit);
});
