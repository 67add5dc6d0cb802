// The one place that turns outcomes into exit codes and text. Commands return a number or throw a KdbgError of
// some kind; nothing else exits the process. Command modules, and the process's IO (prompts, spinners, colour),
// load only when a command runs, so --help, --version and completion stay fast.
import { cannotWrite, EXIT_CODES, ExitCode, KdbgError, UsageError } from './errors.ts';
import type { IO } from './io.ts';
import type { CommandContext } from './commands/context.ts';
import { describeProgram, type CommandNode } from './completion/tree.ts';
import { colorFlag } from './ui/color.ts';

/** the command tree as data: scripts/build.mjs writes it into dist/complete.cjs; elsewhere it is built when asked */
declare const KDBG_COMMAND_TREE: CommandNode | undefined;

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

  // the shell scripts' hidden command: the words after it are a command line being typed, not kdbg's arguments
  if (argv[0] === '__complete') {
    const tree = typeof KDBG_COMMAND_TREE === 'object' ? KDBG_COMMAND_TREE : describeProgram((await import('./program.ts')).buildProgram(ctx));
    return (await import('./completion/complete.ts')).runCompletion(tree, argv.slice(1), process);
  }

  const { buildProgram, CommanderError } = await import('./program.ts');
  const program = buildProgram(ctx, commandWord(args));
  try {
    await program.parseAsync(args, { from: 'user' });
    if (result === undefined) {
      if (remoteCommand.length > 0) throw new UsageError('a command after -- needs kdbg attach: kdbg attach POD -- CMD');
      return ExitCode.ok;
    }
    return await result;
  } catch (err) {
    // commander has already printed its one line
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : EXIT_CODES.usage;
    return report(err, verbose, process.stderr);
  }
}

/** The command the words name: the first that is not a global flag; none after a -h that asks for kdbg's own help. */
function commandWord(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const word = args[i]!;
    if (word === '-h' || word === '--help') return undefined;
    if (word === '--color') i++;
    else if (!word.startsWith('-')) return word;
  }
  return undefined;
}

function report(err: unknown, verbose: boolean, stderr: IO['stderr']): number {
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

// A reader that stops early (`kdbg … | head`) ends kdbg the way SIGPIPE ends other programs in a pipeline; a stdout
// that fails otherwise (a full disk behind `>`) ends it with one line. A running command listens too
// (IO.interrupts): it stops its remote command first, and says so.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (process.stdout.listenerCount('error') === 1) stdoutFailed(err);
});
// likewise for stderr (`2>&1 | head`, a full disk); with nowhere to report, kdbg's own notes are dropped
process.stderr.on('error', () => undefined);

function stdoutFailed(err: NodeJS.ErrnoException): never {
  if (err.code === 'EPIPE') process.exit(ExitCode.stdoutClosed);
  process.stderr.write(`kdbg: ${cannotWrite('stdout', err).message}\n`);
  process.exit(EXIT_CODES.local);
}

// no top-level await: the single executable bundles this module into one CommonJS script
void main(process.argv.slice(2)).then((code) => {
  // Let stdout drain before exiting, so a pipe gets every byte (unless its reader has gone: the command has had its
  // say on that). A command that did well while what it wrote was lost did not: its stdout's failure may not have
  // been emitted yet.
  const exit = () => {
    const failed = process.stdout.errored as NodeJS.ErrnoException | null;
    if (failed && failed.code !== 'EPIPE' && code === ExitCode.ok) stdoutFailed(failed);
    process.exit(code);
  };
  if (process.stdout.destroyed || process.stdout.errored) exit();
  else process.stdout.write('', exit);
});
