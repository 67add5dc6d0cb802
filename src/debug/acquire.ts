// The correctness loop every command runs on: use the user's debug container that runs with the same spec, else
// add one (under the name concurrent callers agree on) and use it on the kubelet's Started event; where the exec
// is refused because the container is not running, wait for its status or move on to a new one. A command that
// may have started is never run again (runner.ts only reports NotRunning when nothing ran).
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';
import type { IO } from '../io.ts';
import { getPod } from '../kube/pods.ts';
import type { Profile } from '../profiles/profile.ts';
import { addDebugContainer } from './add.ts';
import { dryRunAdd, type DryRun } from './dry-run.ts';
import { isPodSecurityRefusal, refusal } from './refusal.ts';
import { assertLevelAdmits } from './pod-security.ts';
import { assertImageNotFailed, findReusable, freshReusableName, unusedRandomName } from './reuse.ts';
import { debugContainer, reuseIdentity, type DebugContainerInput } from './spec.ts';
import { ephemeralStatus, ImageFailed, judgeStatus, NotRunning } from './states.ts';
import { assertPermitted, missingPermissions, TO_CREATE, type Identity, type Permission } from './preflight.ts';
import { waitForRunning, waitForTerminated } from './wait.ts';

export interface AcquireRequest {
  client: KubeClient;
  namespace: string;
  pod: V1Pod;
  target: string;
  identity: Identity;
  spec: Omit<DebugContainerInput, 'pod' | 'target' | 'user'>;
  /** --new: a new container under a random name, even if one could be reused */
  fresh: boolean;
  timeoutMs: number;
  io: Pick<IO, 'note' | 'progress' | 'random'>;
  signal?: AbortSignal | undefined;
  /**
   * The access reviews of what a new container takes (TO_CREATE), if the caller sent them early (with the pod's
   * read); else they are asked when a container must be added.
   */
  reviews?: Promise<Permission[]> | undefined;
  /** The server's dry run of the container to add (under the name freshReusableName gives), if the caller sent it early. */
  judged?: Promise<DryRun> | undefined;
  /**
   * No -p: the profile to use instead where the API server's PodSecurity refuses the default's container (the
   * namespace's labels could not say so first).
   */
  fallback?: Profile | undefined;
  /** the container about to be used: once it exists, before any session */
  onContainer(c: { name: string; reused: boolean; startedAt?: Date | undefined }): void;
}

export interface Acquired {
  /** the pod as last read, with the container running (or started, by its event) */
  pod: V1Pod;
  container: V1EphemeralContainer;
}

/** How long a container that refused an exec has to show, in its status, how it ended (a kubelet relists every second). */
const ENDED_WITHIN_MS = 5000;

export async function withDebugContainer<T>(req: AcquireRequest, use: (a: Acquired) => Promise<T>): Promise<T> {
  const { client, namespace, identity } = req;
  const podName = req.pod.metadata!.name!;
  const fit = (pod: V1Pod, name: string) => debugContainer({ ...req.spec, pod, target: req.target, user: identity.user }, name);
  const wait = (container: V1EphemeralContainer, from: V1Pod, earlyStart: boolean, pastEvents = false) => started(req, container, from, earlyStart, pastEvents);

  let pod = req.pod;
  const hash = reuseIdentity({ ...req.spec, pod, target: req.target, user: identity.user });
  if (!req.fresh) {
    const reusable = findReusable(pod, identity.user, hash);
    if (reusable) {
      try {
        // one that still starts may have failed already: its events say so before its status does
        const ready = reusable.starting
          ? await wait(reusable.container, pod, false, true).catch((err: unknown) => {
              throw err instanceof ImageFailed ? err.again() : err;
            })
          : pod;
        req.onContainer({ name: reusable.container.name, reused: true, startedAt: reusable.startedAt });
        return await use({ pod: ready, container: reusable.container });
      } catch (err) {
        // It ended between our read and the exec (its status may still say running: a kubelet reports the end
        // up to a relist late): make a new one.
        if (!(err instanceof NotRunning)) throw err;
        pod = await getPod(client, namespace, podName);
        req.io.note(`${reusable.container.name} has stopped; adding a new debug container`);
      }
    }
    assertImageNotFailed(pod, req.spec.image ?? req.spec.profile.image);
  }

  const reviews = req.reviews ?? missingPermissions(client, namespace, podName, TO_CREATE);
  const name = req.fresh ? unusedRandomName(pod, req.spec.profile.name, req.io.random) : freshReusableName(pod, req.spec.profile.name, identity.user, hash);
  const container = fit(pod, name);
  // the exact PATCH, judged by the API server while the access reviews are still on their way
  const judged = (!req.fresh && req.judged) || dryRunAdd(client, namespace, pod, container);
  judged.catch(() => undefined);
  await assertPermitted(reviews, namespace, identity, `kdbg needs it to debug pod ${podName} (nothing was created)`);
  const dryRun = await judged;
  if (dryRun.verdict === 'refused') {
    if (req.fallback && isPodSecurityRefusal(dryRun.error)) {
      req.io.note(`profile ${req.fallback.name}: PodSecurity in namespace ${namespace} refuses profile ${req.spec.profile.name}`);
      return withDebugContainer({ ...req, pod, reviews, judged: undefined, spec: { ...req.spec, profile: req.fallback }, fallback: undefined }, use);
    }
    throw refusal(dryRun.error, container, pod, req.spec.profile);
  }
  if (dryRun.verdict === 'undecided') await assertLevelAdmits(client, namespace, pod, container, req.spec.profile);
  const added = await add(req, container);
  req.onContainer({ name, reused: added.existed });
  const running = await wait(container, added.pod, !added.existed, added.existed);
  try {
    return await use({ pod: running, container });
  } catch (err) {
    // Used on the Started event, before the status: if the container died at once, its status says why.
    if (!(err instanceof NotRunning)) throw err;
    const again = await wait(container, running, false);
    return use({ pod: again, container }).catch((e: unknown) => {
      if (!(e instanceof NotRunning)) throw e;
      return whyEnded(req, container, again, e);
    });
  }
}

/**
 * The container refused the exec twice while its status, a relist late, still said running: once the status says
 * how it ended, that is the error (`exited with code 1 before a session could start`); else the refusal.
 */
async function whyEnded(req: AcquireRequest, container: V1EphemeralContainer, from: V1Pod, refusal: NotRunning): Promise<never> {
  const { client, namespace } = req;
  const pod = req.pod.metadata!.name!;
  await waitForTerminated({ client, namespace, pod, container: container.name, from, timeoutMs: ENDED_WITHIN_MS }).catch(() => undefined);
  const verdict = judgeStatus(ephemeralStatus(await getPod(client, namespace, pod), container.name), container.image!, container.name);
  throw verdict.kind === 'failed' ? verdict.error : refusal;
}

async function add(req: AcquireRequest, container: V1EphemeralContainer) {
  const progress = await req.io.progress(`Adding ${container.name} (${container.image})`);
  try {
    return await addDebugContainer(req.client, req.namespace, req.pod.metadata!.name!, container, (err) => refusal(err, container, req.pod, req.spec.profile));
  } finally {
    progress.stop();
  }
}

async function started(req: AcquireRequest, container: V1EphemeralContainer, from: V1Pod, earlyStart: boolean, pastEvents: boolean): Promise<V1Pod> {
  const progress = await req.io.progress(`Starting ${container.name} (${container.image})`);
  try {
    return await waitForRunning({
      client: req.client,
      namespace: req.namespace,
      pod: req.pod.metadata!.name!,
      container: container.name,
      image: container.image!,
      from,
      timeoutMs: req.timeoutMs,
      earlyStart,
      pastEvents,
      signal: req.signal,
      onProgress: (text) => progress.update(`${container.name}: ${text}`),
    });
  } finally {
    progress.stop();
  }
}
