// The server dry run of the exact PATCH that adds a debug container (dryRun=All): the API server's validation and
// every admission plugin and webhook judge the container, and nothing is stored. Sent only when a container must be
// added, in the same round as the access reviews (or while a caller's are still in flight).
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';
import { ApiError } from '../kube/api-error.ts';
import { getPod } from '../kube/pods.ts';
import { patchEphemeralContainers, sameContainer } from './add.ts';

/**
 * admitted: the PATCH would pass; refused: the API server's answer; undecided: no verdict (a server or a webhook
 * without dry runs, a transient failure), so the PATCH itself is the judge.
 */
export type DryRun = { verdict: 'admitted' } | { verdict: 'refused'; error: ApiError } | { verdict: 'undecided' };

export async function dryRunAdd(client: KubeClient, namespace: string, pod: V1Pod, container: V1EphemeralContainer): Promise<DryRun> {
  const name = pod.metadata!.name!;
  try {
    await patchEphemeralContainers(client, namespace, name, container, true);
    return { verdict: 'admitted' };
  } catch (err) {
    if (!(err instanceof ApiError) || undecided(err)) return { verdict: 'undecided' };
    // another caller added the same container first (another reason, say): the PATCH then uses that one
    if (err.statusCode === 422 && sameContainer(await getPod(client, namespace, name), container)) return { verdict: 'admitted' };
    return { verdict: 'refused', error: err };
  }
}

function undecided(err: ApiError): boolean {
  const { statusCode: code } = err;
  // a server without dry run on this subresource (404 without a name: no such path; 405)
  if ((code === 404 && !err.status?.details?.name) || code === 405) return true;
  // a webhook whose sideEffects keep it from dry runs: the PATCH reaches it
  if (code === 400 && /^admission webhook ".*" does not support dry run$/.test(err.message)) return true;
  // what the PATCH retries
  return code === 409 || code === 429 || code >= 500;
}
