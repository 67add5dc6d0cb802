import { Command } from 'commander';
import type { CommandContext } from '../context.ts';
import type { CpFlags } from './options.ts';
import { addClusterOptions } from '../cluster.ts';
import { addDebugContainerOptions } from '../debug-container-flags.ts';

export function cpCommand(ctx: CommandContext): Command {
  const cmd = new Command('cp')
    .summary("copy files out of or into a pod's container, without tar in it")
    .description(
      "Copies a file or a directory between this machine and the target container's filesystem (reached through " +
        "/proc/PID/root of the target's main process, found from the debug container, which shares its PID " +
        'namespace), with tar running in the debug container: distroless and shell-less targets work. Directories ' +
        'recursively, symlinks as links, modes and mtimes kept; what comes out is unpacked here with nothing written ' +
        'outside the destination.',
    )
    .argument('<src>', 'POD:PATH or a local path')
    .argument('<dst>', 'a local path or POD:PATH')
    .option('--debug-fs', "the pod side is the debug container's own filesystem, not the target's");
  addDebugContainerOptions(cmd, 'debug container profile with tar', 'busybox');
  addClusterOptions(cmd);
  cmd.addHelpText('after', '\nExamples:\n  kdbg cp web-0:/var/log/app.log ./app.log\n  kdbg cp web-0:/etc/nginx ./nginx-conf\n  kdbg cp ./fix.conf web-0:/tmp/\n');
  cmd.action((src: string, dst: string, flags: CpFlags) =>
    ctx.run(async (io) => {
      const { planCp } = await import('./options.ts');
      const plan = planCp(flags, src, dst);
      const { runCp } = await import('./run.ts');
      return runCp(plan, io);
    }),
  );
  return cmd;
}
