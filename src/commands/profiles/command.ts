import { Command, Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { addClusterOptions, type ClusterFlags } from '../cluster.ts';

/** Options of `kdbg profiles`, which `kdbg profiles show` shares (commander gives them to the parent). */
export interface ProfilesFlags {
  config?: string;
  /** unset: a table for the list, YAML for show */
  output?: 'table' | 'wide' | 'json' | 'yaml';
}

export interface ShowFlags extends ClusterFlags {
  target?: string;
  image?: string;
  reason?: string;
  ttl: string;
  harden?: boolean;
}

export function profilesCommand(ctx: CommandContext): Command {
  const cmd = new Command('profiles')
    .summary('list debug container profiles')
    .option('--config <path>', 'kdbg config file with custom profiles (default: $XDG_CONFIG_HOME/kdbg/config.yaml)')
    .addOption(new Option('-o, --output <format>', 'output format (default: table, cut to the terminal; yaml for show)').choices(['table', 'wide', 'json', 'yaml']))
    .action((flags: ProfilesFlags) => ctx.run(async (io) => (await import('./run.ts')).listProfiles(flags, io)));
  const show = new Command('show')
    .summary('print the exact container spec kdbg would send')
    .description(
      'Prints the ephemeral container kdbg attach would add. With a POD it is fitted to that pod and to you, exactly ' +
        'as attach would send it, and stderr says the PodSecurity level it needs against the level the namespace ' +
        'enforces, and which profile attach uses there without -p; without one, the pod-specific fields show placeholders.',
    )
    .argument('<profile>', 'profile name')
    .argument('[pod]', 'fit the spec to this pod')
    .option('-c, --target <container>', 'target container')
    .option('--image <image>', "use this image instead of the profile's")
    .option('--reason <text>', 'reason recorded as KDBG_REASON')
    .option('--ttl <duration>', 'idle time after the last session', '15m')
    .option('--harden', "the profile's image under the restricted securityContext, as attach --harden");
  addClusterOptions(show);
  show.action((profile: string, pod: string | undefined, flags: ShowFlags) =>
    ctx.run(async (io) => (await import('./run.ts')).showProfile(profile, pod, flags, cmd.opts<ProfilesFlags>(), io)),
  );
  cmd.addCommand(show);
  return cmd;
}
