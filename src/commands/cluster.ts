// kubectl's cluster flags, on every command that talks to a cluster, and the client they select.
import { Option, type Command } from 'commander';
import type { IO } from '../io.ts';
import type { KubeClient } from '../kube/types.ts';

export interface ClusterFlags {
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  as?: string;
  asGroup?: string[];
}

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <namespace>', "namespace (default: the context's, else default)")
    .option('--context <name>', 'kubeconfig context to use')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--as <user>', 'user to impersonate')
    .addOption(new Option('--as-group <group>', 'group to impersonate (repeatable)').argParser((v: string, prev: string[] = []) => [...prev, v]));
}

/** Runs `fn` with the client the flags select, and closes it after. */
export async function withClient<T>(flags: ClusterFlags, io: IO, fn: (client: KubeClient) => Promise<T>): Promise<T> {
  const { loadKubeClient } = await import('../kube/client.ts');
  const client = await loadKubeClient({
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    as: flags.as,
    asGroups: flags.asGroup,
    env: io.env,
    stderr: io.stderr,
    stdinIsTTY: Boolean(io.stdin.isTTY),
    onWarning: (text) => io.stderr.write(`Warning: ${text}\n`),
  });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
