import { Command, Option } from 'commander';
import type { Runtime } from '../../runtime.ts';
import { addClusterOptions } from '../cluster-options.ts';

export interface ProfilesFlags {
  config?: string;
  output: 'table' | 'json';
}

export interface ShowFlags {
  config?: string;
  output: 'yaml' | 'json';
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
    .option('--config <path>', 'kdbg config file with custom profiles')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
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
    .option('--ttl <duration>', 'idle time after the last session', '15m')
    .option('--config <path>', 'kdbg config file with custom profiles')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'));
  addClusterOptions(show);
  show.action((profile: string, pod: string | undefined, flags: ShowFlags) => {
    setResult(import('./run.ts').then((m) => m.showProfile(profile, pod, flags, rt())));
  });
  cmd.addCommand(show);
  return cmd;
}
