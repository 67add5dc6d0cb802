import type { KubeClient } from './types.ts';

/**
 * The same client (connection, credentials, rate limit) with another namespace as its own, for code that works in
 * the client's namespace; closing it leaves the client open.
 */
export function inNamespace(client: KubeClient, namespace: string): KubeClient {
  if (client.context.namespace === namespace) return client;
  return {
    context: { ...client.context, namespace },
    request: (opts) => client.request(opts),
    stream: (opts) => client.stream(opts),
    connectOptions: () => client.connectOptions(),
    close: () => undefined,
  };
}
