import { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import type { AttachFlags } from './options.ts';
import { addClusterOptions } from '../cluster.ts';

export function attachCommand(ctx: CommandContext): Command {
  const cmd = new Command('attach')
    .summary('open a shell or run a command in a debug container beside a pod')
    .description(
      'Adds an idle debug container to the pod (or reuses yours) and execs into it: a shell with a TTY from a terminal,\n' +
        'or the command after --, with its output exact and its exit code as kdbg\'s own.',
    )
    .argument('[target]', 'POD, pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME')
    .option('-c, --target <container>', 'container whose namespaces to share (default: the default-container annotation, or the only one)')
    .option('-l, --selector <selector>', 'pick the pod by label selector')
    .option('-p, --profile <name>', 'debug container profile (see kdbg profiles)')
    .option('--image <image>', "use this image instead of the profile's")
    .option('--config <path>', 'kdbg config file with custom profiles (default: $XDG_CONFIG_HOME/kdbg/config.yaml)')
    .option('--reason <text>', 'why you are debugging; recorded in the container and in the pod\'s events')
    .option('--ttl <duration>', 'how long the debug container idles after the last session (at most 168h); 0 ends it after this one', '15m')
    .option('--new', 'add a new debug container even if one of yours can be reused')
    .option('--timeout <duration>', 'how long to wait for the debug container to start (at most 24h)', '2m')
    .option('-t, --tty', 'allocate a TTY for the command after --')
    .option('--no-stdin', 'do not forward stdin to the command')
    .option('--escape-char <char>', 'escape character for TTY sessions ("none" to disable)', '~')
    .addHelpText('after', '\nExamples:\n  kdbg attach web-0\n  kdbg attach deploy/api -c app -- ss -tlnp\n  kdbg attach web-0 -p netshoot -- tcpdump -i any -w - port 80 > web.pcap\n');
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
