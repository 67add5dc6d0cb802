import { Command, Option } from 'commander';
import type { Runtime } from '../../runtime.ts';
import { addClusterOptions } from '../cluster-options.ts';

/** Options of `kdbg profiles`, which `kdbg profiles show` shares (commander gives them to the parent). */
export interface ProfilesFlags {
  config?: string;
  /** unset: a table for the list, YAML for show */
  output?: 'table' | 'json' | 'yaml';
}

export interface ShowFlags {
  target?: string;
  image?: string;
  reason?: string;
  ttl: string;
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  as?: string;
}

export function profilesCommand(rt: () => Runtime, setResult: (p: Promise<number>) => void): Command {
  const cmd = new Command('profiles')
    .summary('list debug container profiles')
    .option('--config <path>', 'kdbg config file with custom profiles (default: $XDG_CONFIG_HOME/kdbg/config.yaml)')
    .addOption(new Option('-o, --output <format>', 'output format (default: table; yaml for show)').choices(['table', 'json', 'yaml']))
    .action((flags: ProfilesFlags) => {
      setResult(import('./run.ts').then((m) => m.listProfiles(flags, rt())));
    });
  const show = new Command('show')
    .summary('print the exact container spec kdbg would send')
    .description(
      'Prints the ephemeral container kdbg attach would add. With a POD it is fitted to that pod and to you, exactly\n' +
        'as attach would send it; without one, the pod-specific fields show placeholders.',
    )
    .argument('<profile>', 'profile name')
    .argument('[pod]', 'fit the spec to this pod')
    .option('-c, --target <container>', 'target container')
    .option('--image <image>', "use this image instead of the profile's")
    .option('--reason <text>', 'reason recorded as KDBG_REASON')
    .option('--ttl <duration>', 'idle time after the last session', '15m');
  addClusterOptions(show);
  show.action((profile: string, pod: string | undefined, flags: ShowFlags) => {
    setResult(import('./run.ts').then((m) => m.showProfile(profile, pod, flags, cmd.opts<ProfilesFlags>(), rt())));
  });
  cmd.addCommand(show);
  return cmd;
}
