// Adds a debug container with a strategic-merge PATCH of pods/NAME/ephemeralcontainers that is safe to resend
// and safe to race: the same name and body is the API server's no-op.
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';
import { ApiError, TransportError } from '../kube/api-error.ts';
import { podPath } from '../kube/paths.ts';
import { getPod } from '../kube/pods.ts';
import { KdbgError } from '../errors.ts';
import { ENV, envOf, specHash } from './spec.ts';

export interface Added {
  pod: V1Pod;
  /**
   * Another caller added the same container first (same name, user and spec; another reason, say): the API
   * server refused ours as a change to it, and this one is to be used instead.
   */
  existed: boolean;
}

/**
 * On 409, 429, 5xx or a lost answer the same name and body are sent again: an identical patch is a no-op, while
 * a new name would leave a second container that can never be removed.
 */
export async function addDebugContainer(
  client: KubeClient,
  namespace: string,
  pod: string,
  container: V1EphemeralContainer,
  refused: (err: ApiError) => KdbgError,
): Promise<Added> {
  const attempts = 4;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** (i - 1)));
    try {
      return { pod: await patchEphemeralContainers(client, namespace, pod, container, false), existed: false };
    } catch (err) {
      if (err instanceof ApiError && err.statusCode === 422) {
        const current = await getPod(client, namespace, pod);
        if (sameContainer(current, container)) return { pod: current, existed: true };
      }
      if (!retryable(err)) throw await explain(client, err, refused);
      lastError = err;
    }
  }
  throw new KdbgError('api', `could not add debug container ${container.name} after ${attempts} attempts: ${(lastError as Error).message}`, { cause: lastError });
}

/** The strategic-merge PATCH that adds the container; with `dryRun`, every check and admission runs and nothing is stored. */
export function patchEphemeralContainers(client: KubeClient, namespace: string, pod: string, container: V1EphemeralContainer, dryRun: boolean): Promise<V1Pod> {
  return client.request<V1Pod>({
    method: 'PATCH',
    path: `${podPath(namespace, pod)}/ephemeralcontainers`,
    query: dryRun ? { dryRun: 'All' } : undefined,
    contentType: 'application/strategic-merge-patch+json',
    body: { spec: { ephemeralContainers: [container] } },
  });
}

/** The pod holds a container of that name for the same user and spec. */
export function sameContainer(pod: V1Pod, wanted: V1EphemeralContainer): boolean {
  const found = pod.spec?.ephemeralContainers?.find((c) => c.name === wanted.name);
  return found !== undefined && envOf(found, ENV.user) === envOf(wanted, ENV.user) && specHash(found) === envOf(wanted, ENV.spec);
}

/** The API server's gitVersion, or undefined when it does not say. */
async function serverVersion(client: KubeClient): Promise<string | undefined> {
  const v = await client.request<{ gitVersion?: string }>({ method: 'GET', path: '/version', timeoutMs: 2000 }).catch(() => undefined);
  return v?.gitVersion;
}

function retryable(err: unknown): boolean {
  if (err instanceof ApiError) return err.statusCode === 409 || err.statusCode >= 500 || err.statusCode === 429;
  return err instanceof TransportError; // timeouts and dropped connections, not e.g. a failing exec plugin
}

/** The oldest Kubernetes whose API server always serves pods/ephemeralcontainers (GA). */
const MIN_KUBERNETES = '1.25';

async function explain(client: KubeClient, err: unknown, refused: (err: ApiError) => KdbgError): Promise<unknown> {
  if (!(err instanceof ApiError)) return err;
  // a 404 that names no pod: the subresource itself is missing
  if (err.statusCode === 404 && !err.status?.details?.name) {
    const version = await serverVersion(client);
    return new KdbgError('api', `the API server${version ? ` (${version})` : ''} has no ephemeral containers: kdbg needs Kubernetes ${MIN_KUBERNETES} or later`, { cause: err });
  }
  return refused(err);
}
