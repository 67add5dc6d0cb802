import { Command, Option } from 'commander';
import type { CommandContext } from '../context.ts';
import type { LsFlags } from './options.ts';
import { addClusterOptions } from '../cluster.ts';

export function lsCommand(ctx: CommandContext): Command {
  const cmd = new Command('ls')
    .summary('list the debug containers of pods, kdbg\'s and other tools\'')
    .description(
      'Lists every ephemeral container of the pods (one paginated LIST): who added it, profile, image, target, state, ' +
        'age, TTL and whether you can reuse it. --live also asks each running kdbg container for its sessions and ' +
        'the TTL left (one exec each).',
    )
    .argument('[target]', 'POD, pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME (default: every pod)')
    .option('-l, --selector <selector>', 'only pods with these labels')
    .option('-A, --all-namespaces', 'pods of every namespace')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'json', 'yaml']).default('table'))
    .option('--no-headers', 'no header row in tables')
    .option('--live', 'read sessions and the TTL left from each running kdbg container');
  addClusterOptions(cmd);
  cmd.action((target: string | undefined, flags: LsFlags) =>
    ctx.run(async (io) => {
      const { planLs } = await import('./options.ts');
      const plan = planLs(flags, target);
      const { runLs } = await import('./run.ts');
      return runLs(plan, io);
    }),
  );
  return cmd;
}
