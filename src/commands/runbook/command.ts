import { Command, Option } from 'commander';
import type { CommandContext } from '../context.ts';
import type { RunbookInputFlags, RunbookRunFlags } from './options.ts';

/**
 * kubectl sends its API requests at client-go's 5 per second (burst 10) and its discovery at 50 (burst 300): the
 * first would take minutes over a hundred pods, so a runbook sits between them.
 */
const DEFAULT_QPS = 20;
const DEFAULT_BURST = 40;
const DEFAULT_CONCURRENCY = 10;

const repeat = (v: string, prev: string[] = []) => [...prev, v];

function addInputOptions(cmd: Command): Command {
  return cmd
    .option('--set <name=value>', "a param's value, over its default (repeatable); one argument, never a shell line", repeat)
    .option('--context <name>', "run in this kubeconfig context instead of the runbook's (repeatable)", repeat)
    .option('--config <path>', 'kdbg config file with custom profiles (default: $XDG_CONFIG_HOME/kdbg/config.yaml)');
}

export function runbookCommand(ctx: CommandContext): Command {
  const cmd = new Command('runbook')
    .summary('run a runbook: the same steps in every pod of its targets, with a report')
    .description(
      'A runbook (YAML, docs/runbook.schema.json) names targets in one or more contexts and steps to run beside each ' +
        'pod: commands, packet captures and copies out of the target. See docs/runbook.md.',
    );

  const run = new Command('run')
    .summary('run a runbook over its pods and write the report')
    .argument('<file>', 'the runbook')
    .option('--concurrency <n>', 'pods at once', String(DEFAULT_CONCURRENCY))
    .option('-o, --out <dir>', 'folder of the report (default: ./kdbg-runbook-NAME-TIMESTAMP/)')
    .option('--dry-run', 'resolve the targets and preflight every pod, then stop: nothing is created')
    .option('--qps <n>', 'requests per second to each API server, sustained', String(DEFAULT_QPS))
    .option('--burst <n>', 'requests at once above --qps', String(DEFAULT_BURST))
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--as <user>', 'user to impersonate')
    .option('--as-group <group>', 'group to impersonate (repeatable)', repeat)
    .option('--reason <text>', "recorded in new debug containers and the pods' events (default: runbook NAME)")
    .option('--ttl <duration>', 'how long a debug container idles after the last step (at most 168h)', '15m')
    .option('--timeout <duration>', 'how long to wait for a debug container to start', '2m')
    .option('--image <image>', "use this image instead of the profile's")
    .option('--allow-privileged', 'allow a profile that sets privileged: true')
    .addOption(new Option('--priority <priority>', "the steps' CPU and IO priority").choices(['low', 'normal']).default('low'))
    .addHelpText(
      'after',
      '\nExit codes: 0 every step of every pod passed; 1 a step failed or timed out, or a pod was refused or could not be\ndebugged; 125 the runbook, a flag or the cluster settings are wrong (nothing ran); 130 interrupted (the partial\nreport is written).\n',
    );
  addInputOptions(run);
  run.action((file: string, flags: RunbookRunFlags) =>
    ctx.run(async (io) => {
      const { planRunbookRun } = await import('./options.ts');
      const plan = planRunbookRun(flags, file);
      const { runRunbook } = await import('./run.ts');
      return runRunbook(plan, io);
    }),
  );

  const lint = new Command('lint')
    .summary('check runbooks against the schema and the rules, without a cluster')
    .argument('<files...>', 'runbooks')
    .option('--config <path>', 'kdbg config file with custom profiles');
  lint.action((files: string[], flags: { config?: string }) =>
    ctx.run(async (io) => {
      const { lintRunbooks } = await import('./offline.ts');
      return lintRunbooks(files, flags.config, io);
    }),
  );

  const explain = new Command('explain').summary('say what a runbook would run where, with which profile').argument('<file>', 'the runbook');
  addInputOptions(explain);
  explain.action((file: string, flags: RunbookInputFlags) =>
    ctx.run(async (io) => {
      const { planRunbookInput } = await import('./options.ts');
      const input = planRunbookInput(flags, file);
      const { explainRunbook } = await import('./offline.ts');
      return explainRunbook(input, io);
    }),
  );

  return cmd.addCommand(run).addCommand(lint).addCommand(explain);
}
