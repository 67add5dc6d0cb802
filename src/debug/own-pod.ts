// The pods kdbg creates (copies of pods, node shells): asked before they exist (access reviews and a server dry
// run of the exact pod, in one parallel round), created, used once their session container runs, and deleted
// however the use ends (an error, Ctrl-C, SIGTERM) unless kept. If kdbg itself is killed, the idle program's TTL
// ends the pod's containers and `kdbg stop` removes what is left.
import type { V1Pod } from '@kubernetes/client-node';
import type { IO } from '../io.ts';
import type { KubeClient } from '../kube/types.ts';
import { ApiError } from '../kube/api-error.ts';
import { podPath } from '../kube/paths.ts';
import { KdbgError } from '../errors.ts';
import { assertPermitted, missingPermissions, type Identity, type Permission } from './preflight.ts';
import { isPodSecurityRefusal } from './refusal.ts';
import { waitForRunning } from './wait.ts';
import { OWN_POD } from './pod-copy.ts';

/** What creating a pod, using it and removing it take. */
export const TO_CREATE_POD: Permission[] = [
  { verb: 'create', resource: 'pods' },
  { verb: 'delete', resource: 'pods' },
  { verb: 'watch', resource: 'pods' },
  { verb: 'get', resource: 'pods', subresource: 'exec' },
  { verb: 'create', resource: 'pods', subresource: 'exec' },
];

export interface OwnPodRequest {
  client: KubeClient;
  namespace: string;
  identity: Identity;
  pod: V1Pod;
  /** the container sessions run in */
  container: string;
  init: boolean;
  timeoutMs: number;
  /** --keep: leave the pod when done */
  keep: boolean;
  io: Pick<IO, 'note' | 'progress'>;
  signal?: AbortSignal | undefined;
  /** what the pod is, for messages: "copy of pod web-0", "shell on node n1" */
  what: string;
  /** what to do when PodSecurity refuses the pod */
  podSecurityAdvice?: string | undefined;
}

/**
 * Refuses before anything exists when the user may not create, use or delete the pod, or when the API server
 * (validation, PodSecurity, quotas, admission webhooks) would refuse it: both asked at once.
 */
export async function preflightPod(req: Pick<OwnPodRequest, 'client' | 'namespace' | 'identity' | 'pod' | 'what' | 'podSecurityAdvice'>): Promise<void> {
  const name = req.pod.metadata!.name!;
  const reviews = missingPermissions(req.client, req.namespace, name, TO_CREATE_POD);
  const dryRun = createPod(req.client, req.namespace, req.pod, true);
  dryRun.catch(() => undefined);
  await assertPermitted(reviews, req.namespace, req.identity, `kdbg needs it for a ${req.what} (nothing was created)`);
  try {
    await dryRun;
  } catch (err) {
    throw refusal(err, req);
  }
}

/** Creates the pod, waits for its session container, runs `use`, then deletes the pod (unless kept). */
export async function withOwnPod<T>(req: OwnPodRequest, use: (running: V1Pod) => Promise<T>): Promise<T> {
  const name = req.pod.metadata!.name!;
  if (req.signal?.aborted) throw new KdbgError('interrupted', `interrupted (SIG${String(req.signal.reason)}) before the ${req.what} was created`);
  const created = await createPod(req.client, req.namespace, req.pod, false).catch((err: unknown) => {
    throw refusal(err, req);
  });
  let kept = false;
  try {
    const progress = await req.io.progress(`Starting ${name}`);
    const running = await waitForRunning({
      client: req.client,
      namespace: req.namespace,
      pod: name,
      container: req.container,
      image: req.pod.spec![req.init ? 'initContainers' : 'containers']!.find((c) => c.name === req.container)!.image!,
      kind: req.init ? 'initContainers' : 'containers',
      from: created,
      timeoutMs: req.timeoutMs,
      earlyStart: true,
      signal: req.signal,
      onProgress: (text) => progress.update(`${name}: ${text}`),
    }).finally(() => progress.stop());
    const result = await use(running);
    kept = req.keep;
    return result;
  } finally {
    if (kept) req.io.note(`kept pod ${name}; kdbg stop ${name} deletes it`);
    else await deletePod(req.client, req.namespace, name, req.io);
  }
}

function createPod(client: KubeClient, namespace: string, pod: V1Pod, dryRun: boolean): Promise<V1Pod> {
  return client.request<V1Pod>({ method: 'POST', path: podPath(namespace), query: dryRun ? { dryRun: 'All' } : undefined, body: pod });
}

/** Deletes with a short grace period (the idle program ends at once on TERM); a pod already gone is fine. */
export async function deleteOwnPod(client: KubeClient, namespace: string, name: string): Promise<void> {
  try {
    await client.request({ method: 'DELETE', path: podPath(namespace, name), body: { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 1 } });
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
}

/** deleteOwnPod at the end of a session: a failure is said, not thrown over the session's own result. */
async function deletePod(client: KubeClient, namespace: string, name: string, io: Pick<IO, 'note'>): Promise<void> {
  await deleteOwnPod(client, namespace, name).catch((err: unknown) => io.note(`could not delete pod ${name}: ${(err as Error).message}; kdbg stop ${name} deletes it`));
}

/** The API server's refusal of the pod as one line: what refused it and why, and what to do about PodSecurity. */
function refusal(err: unknown, req: Pick<OwnPodRequest, 'what' | 'podSecurityAdvice'>): unknown {
  if (!(err instanceof ApiError)) return err;
  const advice = req.podSecurityAdvice && isPodSecurityRefusal(err) ? `; ${req.podSecurityAdvice}` : '';
  return new KdbgError(err.kind, `the API server refuses the ${req.what}: ${err.message} (nothing was created)${advice}`, { cause: err });
}

/** A pod kdbg made, as `kdbg ls` and `kdbg stop` see it. */
export interface OwnPodRecord {
  namespace: string;
  name: string;
  /** "copy" or "node" */
  kind: string;
  /** the pod it copies (copies only) */
  copyOf: string | undefined;
  createdBy: string | undefined;
  phase: string;
  created: string | undefined;
}

export function isOwnPod(pod: V1Pod): boolean {
  return pod.metadata?.labels?.[OWN_POD.managedBy] === 'kdbg' && pod.metadata.labels[OWN_POD.kind] !== undefined;
}

export function ownPodRecords(pods: V1Pod[]): OwnPodRecord[] {
  return pods.filter(isOwnPod).map((p) => ({
    namespace: p.metadata!.namespace!,
    name: p.metadata!.name!,
    kind: p.metadata!.labels![OWN_POD.kind]!,
    copyOf: p.metadata!.annotations?.[OWN_POD.copyOf],
    createdBy: p.metadata!.annotations?.[OWN_POD.user],
    phase: p.metadata!.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Pending'),
    created: p.metadata!.creationTimestamp ? new Date(p.metadata!.creationTimestamp).toISOString() : undefined,
  }));
}
