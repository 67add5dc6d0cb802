import { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import type { StopFlags } from './options.ts';
import { addClusterOptions } from '../cluster.ts';

export function stopCommand(ctx: CommandContext): Command {
  const cmd = new Command('stop')
    .summary("end kdbg's debug containers now")
    .description(
      'Ends kdbg debug containers now: the idle program hangs up its sessions and exits, so the container is ' +
        'terminated (it stays in the pod\'s spec: ephemeral containers cannot be removed). Without NAMEs, stops ' +
        'your running ones in the target\'s pods; other tools\' containers are never touched.',
    )
    .argument('[target]', 'POD, pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME')
    .argument('[names...]', 'debug containers of that pod to stop (default: all of yours)')
    .option('-l, --selector <selector>', 'the pods with these labels')
    .option('--all-mine', 'every running debug container of yours in the namespace')
    .option('--timeout <duration>', 'how long to wait for each container to end', '30s');
  addClusterOptions(cmd);
  cmd.action((target: string | undefined, names: string[], flags: StopFlags) =>
    ctx.run(async (io) => {
      const { planStop } = await import('./options.ts');
      const plan = planStop(flags, target, names);
      const { runStop } = await import('./run.ts');
      return runStop(plan, io);
    }),
  );
  return cmd;
}
