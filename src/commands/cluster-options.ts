import type { Command } from 'commander';

/** kubectl's cluster flags, on every command that talks to a cluster. */
export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('-n, --namespace <namespace>', "namespace (default: the context's, else default)")
    .option('--context <name>', 'kubeconfig context to use')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)')
    .option('--as <user>', 'user to impersonate');
}
