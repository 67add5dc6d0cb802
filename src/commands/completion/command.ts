import { Argument, Command } from 'commander';
import type { CommandContext } from '../context.ts';

export function completionCommand(ctx: CommandContext): Command {
  return new Command('completion')
    .summary('print the shell completion script for bash, zsh or fish')
    .description(
      'Prints a script that completes kdbg\'s commands and flags, and from the cluster: pods, TYPE/NAME, containers ' +
        'of the target typed (-c), namespaces (-n), contexts (--context); and profiles (-p). It asks `kdbg __complete` ' +
        'on each Tab, with the --kubeconfig, --context and -n already typed.',
    )
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', '\nExamples:\n  source <(kdbg completion bash)    # in ~/.bashrc\n  source <(kdbg completion zsh)     # in ~/.zshrc\n  kdbg completion fish | source     # in ~/.config/fish/config.fish\n')
    .action((shell: 'bash' | 'zsh' | 'fish') =>
      ctx.run(async (io) => {
        const { COMPLETION_SCRIPTS } = await import('../../completion/scripts.ts');
        io.stdout.write(COMPLETION_SCRIPTS[shell]);
        return 0;
      }),
    );
}
