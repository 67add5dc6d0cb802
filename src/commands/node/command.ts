import { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import type { NodeFlags } from './options.ts';
import { addClusterOptions } from '../cluster.ts';

export function nodeCommand(ctx: CommandContext): Command {
  const cmd = new Command('node')
    .summary("open a shell on a node, in the host's namespaces and root")
    .description(
      "Creates a privileged pod on NODE with the host's PID, network and IPC namespaces and its root at /host, and runs " +
        'the session chrooted into /host (--no-chroot: in the pod\'s own image). The pod is deleted when the session ends. ' +
        'The namespace must admit privileged pods (PodSecurity baseline and restricted refuse them): pick one with -n.',
    )
    .argument('<node>', 'the node')
    .option('-t, --tty', 'allocate a TTY for the command after --')
    .option('--no-stdin', 'do not forward stdin to the command')
    .option('--escape-char <char>', 'escape character for TTY sessions ("none" to disable)', '~')
    .option('--no-chroot', "run in the pod's image (its tools) rather than chrooted into the host's root")
    .option('--image <image>', "image of the node pod (default: the busybox profile's, as the config's registry and requireDigest have it)")
    .option('--config <path>', 'kdbg config file (default: $XDG_CONFIG_HOME/kdbg/config.yaml)')
    .option('--reason <text>', "why you are debugging; recorded on the pod")
    .option('--ttl <duration>', 'how long the pod idles after the last session if kdbg is gone (at most 168h)', '15m')
    .option('--timeout <duration>', 'how long to wait for the pod to start (at most 24h)', '2m')
    .option('--keep', 'keep the pod after the session (kdbg stop deletes it)')
    .addHelpText('after', '\nExamples:\n  kdbg node worker-1\n  kdbg node worker-1 -- journalctl -u kubelet -n 50\n  kdbg node worker-1 --no-chroot -- ps -o pid,comm\n');
  addClusterOptions(cmd);
  cmd.action((node: string, flags: NodeFlags) =>
    ctx.run(async (io) => {
      const { planNode } = await import('./options.ts');
      const plan = planNode(flags, node, ctx.remoteCommand, Boolean(io.stdin.isTTY));
      const { runNode } = await import('./run.ts');
      return runNode(plan, io);
    }, { takesCommand: true }),
  );
  return cmd;
}
