// Legacy kubeconfig auth-providers (oidc, gcp, azure) through @kubernetes/client-node. Only users with one pay for
// its import; it gets kdbg's already-merged selection, so kubectl's merge rules still hold.
import type { KubeConfig } from '@kubernetes/client-node';
import type { RequestOptions } from 'node:https';
import { KdbgError } from '../../errors.ts';

/** Returns a function yielding the Authorization header value the provider produces (it refreshes as needed). */
export function authProviderAuthorization(
  provider: { name: string; kubeconfigYaml: string },
  userName: string,
): () => Promise<string | undefined> {
  let kc: Promise<KubeConfig> | undefined;
  return async () => {
    const headers: Record<string, unknown> = {};
    try {
      kc ??= import('@kubernetes/client-node').then(({ KubeConfig }) => {
        const loaded = new KubeConfig();
        loaded.loadFromString(provider.kubeconfigYaml);
        return loaded;
      });
      await (await kc).applyToHTTPSOptions({ headers } as RequestOptions);
    } catch {
      // Its messages may carry tokens or a helper's output, so none of it is shown.
      throw new KdbgError('auth', `auth-provider "${provider.name}" of user "${userName}" could not produce a credential`);
    }
    return typeof headers.Authorization === 'string' ? headers.Authorization : undefined;
  };
}
