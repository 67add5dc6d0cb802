// Finding a reusable kdbg container in a pod, and adding a new one with a PATCH that is safe to resend.
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './types.ts';
import { ApiError, TransportError } from './api-error.ts';
import { podPath } from './paths.ts';
import { KdbgError } from '../errors.ts';
import { ENV, envOf, specHash } from './debug-container.ts';
import { FATAL_WAITING, ephemeralStatus } from './container-states.ts';

export interface Reusable {
  container: V1EphemeralContainer;
  startedAt: Date | undefined;
  /** its status does not show it running yet: a kubelet reports a start up to a relist (about 1 s) late */
  starting: boolean;
}

/**
 * The newest kdbg container of this user with the same spec hash (as labelled and as recomputed from its spec)
 * that runs, or else one that is still starting (no status yet, or waiting for a reason that is not fatal).
 */
export function findReusable(pod: V1Pod, user: string, hash: string): Reusable | undefined {
  let best: Reusable | undefined;
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    if (envOf(c, ENV.user) !== user || envOf(c, ENV.spec) !== hash || specHash(c) !== hash) continue;
    const state = ephemeralStatus(pod, c.name)?.state;
    if (state?.terminated || (state?.waiting?.reason && FATAL_WAITING.has(state.waiting.reason))) continue;
    const running = state?.running;
    const candidate = { container: c, startedAt: running?.startedAt ? new Date(running.startedAt) : undefined, starting: !running };
    if (!best || better(candidate, best)) best = candidate;
  }
  return best;
}

function better(a: Reusable, b: Reusable): boolean {
  if (a.starting !== b.starting) return !a.starting;
  return (a.startedAt?.getTime() ?? 0) > (b.startedAt?.getTime() ?? 0);
}

/**
 * Adds the container with a strategic merge PATCH of pods/NAME/ephemeralcontainers. On 409, 5xx or a lost
 * answer the same name and body are sent again: an identical patch is a no-op, while a new name would leave a
 * second container that can never be removed.
 */
export async function addEphemeralContainer(
  client: KubeClient,
  namespace: string,
  pod: string,
  container: V1EphemeralContainer,
): Promise<V1Pod> {
  const attempts = 4;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 250 * 2 ** (i - 1)));
    try {
      return await client.request<V1Pod>({
        method: 'PATCH',
        path: `${podPath(namespace, pod)}/ephemeralcontainers`,
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { ephemeralContainers: [container] } },
      });
    } catch (err) {
      if (!retryable(err)) throw explain(err, container);
      lastError = err;
    }
  }
  throw new KdbgError(
    `could not add debug container ${container.name} after ${attempts} attempts: ${(lastError as Error).message}`,
    undefined,
    { cause: lastError },
  );
}

function retryable(err: unknown): boolean {
  if (err instanceof ApiError) return err.statusCode === 409 || err.statusCode >= 500 || err.statusCode === 429;
  return err instanceof TransportError; // timeouts and dropped connections, not e.g. a failing exec plugin
}

function explain(err: unknown, container: V1EphemeralContainer): unknown {
  if (!(err instanceof ApiError)) return err;
  if (err.statusCode === 404 && !err.status?.details?.name) {
    return new KdbgError('ephemeral containers are disabled on this cluster (the pods/ephemeralcontainers subresource is missing)');
  }
  if (err.statusCode === 403 && /PodSecurity/.test(err.message)) {
    return new KdbgError(`${err.message} (try --profile restricted, or a profile that fits this namespace's PodSecurity level)`);
  }
  if (err.statusCode === 422) return new KdbgError(`the API server refused debug container ${container.name}: ${err.message}`);
  return err;
}
