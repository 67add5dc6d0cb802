// The one place that turns outcomes into exit codes and text. Commands return a number or throw; nothing else
// exits the process. Command modules load only when their command runs, so --help and --version stay fast.
import { Command, CommanderError } from 'commander';
import { ExitCode, KdbgError } from './errors.ts';
import { processRuntime } from './runtime.ts';
import { attachCommand } from './commands/attach/command.ts';
import { profilesCommand } from './commands/profiles/command.ts';

declare const KDBG_VERSION: string;

async function main(argv: string[]): Promise<number> {
  const dashDash = argv.indexOf('--');
  const args = dashDash < 0 ? argv : argv.slice(0, dashDash);
  const remoteCommand = dashDash < 0 ? [] : argv.slice(dashDash + 1);
  const verbose = args.includes('--verbose') || args.includes('-v');
  const runtime = () => processRuntime(verbose);
  let result: Promise<number> | undefined;
  const setResult = (p: Promise<number>) => {
    result = p;
  };

  const program = new Command('kdbg')
    .description('Debug Kubernetes pods with ephemeral containers: fast, safe and scriptable.')
    .version(KDBG_VERSION, '-V, --version')
    .option('-v, --verbose', 'show details of errors')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`kdbg: ${text.replace(/^error: /, '')}`) })
    .addHelpText('after', '\nExit codes: the remote command\'s own; 124 wait timed out; 125 kdbg, usage or API error;\n126 debug container unusable; 130/143/129 interrupted; 141 stdout closed; 255 session lost.\n');
  program.addCommand(attachCommand(runtime, remoteCommand, setResult));
  program.addCommand(profilesCommand(runtime, setResult));
  inheritSettings(program);

  try {
    await program.parseAsync(args, { from: 'user' });
    if (remoteCommand.length > 0 && result === undefined) {
      throw new KdbgError('a command after -- needs `kdbg attach`');
    }
    return result === undefined ? ExitCode.ok : await result;
  } catch (err) {
    return report(err, verbose, process.stderr);
  }
}

/** Subcommands added with addCommand do not inherit exitOverride and the error format; give them both. */
function inheritSettings(parent: Command): void {
  for (const child of parent.commands) {
    child.exitOverride().configureOutput(parent.configureOutput());
    inheritSettings(child);
  }
}

function report(err: unknown, verbose: boolean, stderr: NodeJS.WritableStream): number {
  if (err instanceof CommanderError) {
    // commander already printed its one line
    return err.exitCode === 0 ? ExitCode.ok : ExitCode.kdbg;
  }
  if (err instanceof KdbgError) {
    stderr.write(`kdbg: ${err.message}\n`);
    if (verbose && err.cause) stderr.write(`caused by: ${describe(err.cause)}\n`);
    return err.exitCode;
  }
  stderr.write(`kdbg: internal error: ${(err as Error)?.message ?? String(err)}\n`);
  if (verbose && err instanceof Error && err.stack) stderr.write(`${err.stack}\n`);
  return ExitCode.kdbg;
}

function describe(cause: unknown): string {
  if (cause instanceof Error) return `${cause.name}: ${cause.message}${(cause as NodeJS.ErrnoException).code ? ` (${(cause as NodeJS.ErrnoException).code})` : ''}`;
  return String(cause);
}

// A reader that stops early (`kdbg … | head`) ends kdbg the way SIGPIPE ends other programs in a pipeline; a
// running session listens too, and then stops its remote command first.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  if (process.stdout.listenerCount('error') === 1) process.exit(ExitCode.stdoutClosed);
});
// likewise for stderr (`2>&1 | head`); with nowhere to report, kdbg's own notes are dropped
process.stderr.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

const code = await main(process.argv.slice(2));
// Let stdout drain before exiting, so a pipe gets every byte (unless its reader has gone).
const exit = () => process.exit(code);
if (process.stdout.destroyed || process.stdout.errored) exit();
else process.stdout.write('', exit);
