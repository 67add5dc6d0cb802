import { Command, Option } from 'commander';
import type { CommandContext } from '../context.ts';
import { addClusterOptions } from '../cluster.ts';
import type { VersionFlags } from './run.ts';

declare const KDBG_VERSION: string;

export function versionCommand(ctx: CommandContext): Command {
  const cmd = new Command('version')
    .summary("print kdbg's, Node's and the API server's versions")
    .description("Prints kdbg's and Node's versions, and the API server's (GET /version) when it answers within 2 s.")
    .addOption(new Option('-o, --output <format>', 'json for a stable object; default: one line each').choices(['json']));
  addClusterOptions(cmd);
  cmd.action((flags: VersionFlags) => ctx.run(async (io) => (await import('./run.ts')).runVersion(flags, KDBG_VERSION, io)));
  return cmd;
}
