import { Command, Option } from 'commander';
import type { CommandContext } from '../context.ts';
import type { AttachFlags } from './options.ts';
import { addClusterOptions } from '../cluster.ts';
import { addDebugContainerOptions } from '../debug-container-flags.ts';

export function attachCommand(ctx: CommandContext): Command {
  const cmd = new Command('attach')
    .summary('open a shell or run a command in a debug container beside a pod')
    .description(
      'Adds an idle debug container to the pod (or reuses yours) and execs into it: a shell with a TTY from a terminal, ' +
        'or the command after --, with its output exact and its exit code as kdbg\'s own.',
    )
    .argument('[target]', 'POD, pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME')
    .option('-l, --selector <selector>', 'pick the pod by label selector')
    .option('-t, --tty', 'allocate a TTY for the command after --')
    .option('--no-stdin', 'do not forward stdin to the command')
    .option('--escape-char <char>', 'escape character for TTY sessions ("none" to disable)', '~')
    .option('--record <file>', 'write the session to FILE as an asciicast v2 recording (output, terminal size and resizes)')
    .option('--record-input', 'with --record, also record what is typed (passwords too)')
    .option('--copy', 'debug a copy of the pod (for a container that is not running): the failing container held, deleted after the session')
    .option('--hold <container>', 'with --copy: the container (or init container) to hold (default: the failing one)')
    .option('--same-node', "with --copy: run the copy on the original pod's node")
    .option('--keep', 'with --copy: keep the copy after the session (kdbg stop deletes it)')
    .addOption(new Option('-o, --output <format>', 'when the target is not running: why, as JSON on stdout').choices(['json']))
    .addHelpText('after', '\nExamples:\n  kdbg attach web-0\n  kdbg attach deploy/api -c app -- ss -tlnp\n  kdbg attach web-0 -p netshoot -- tcpdump -i any -w - port 80 > web.pcap\n  kdbg attach crashy --copy\n');
  addDebugContainerOptions(cmd, 'debug container profile (see kdbg profiles)');
  addClusterOptions(cmd);
  cmd.action((target: string | undefined, flags: AttachFlags) =>
    ctx.run(async (io) => {
      const { planAttach } = await import('./options.ts');
      const plan = planAttach(flags, target, ctx.remoteCommand, Boolean(io.stdin.isTTY));
      const { runAttach } = await import('./run.ts');
      return runAttach(plan, io);
    }, { takesCommand: true }),
  );
  return cmd;
}
