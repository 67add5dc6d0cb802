// The pipeline every command that runs something in a debug container composes: the pod and its target
// container, who you are, a debug container (reused or added), then `use`, whose first open session leaves its event on
// the pod.
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { IO } from '../io.ts';
import type { KubeClient } from '../kube/types.ts';
import type { Target } from '../debug/target.ts';
import type { DebugContainerInput } from '../debug/spec.ts';
import { pickPod } from '../debug/target.ts';
import { assertDebuggable, impliedContainer, NotRunningError, resolveContainer } from '../debug/target-container.ts';
import { whoAmI, type Identity, type Permission } from '../debug/preflight.ts';
import { withDebugContainer } from '../debug/acquire.ts';
import type { DryRun } from '../debug/dry-run.ts';
import { findReusable } from '../debug/reuse.ts';
import { reuseIdentity, targetVolumeMounts } from '../debug/spec.ts';
import { recordSession } from '../debug/audit.ts';
import { whereLine } from '../ui/where.ts';
import { interruptible } from './interruptible.ts';
import { explainNotRunning, type NotRunningOutput } from './not-running.ts';
import type { SessionPriority } from '../debug/programs.ts';
import type { Profile } from '../profiles/profile.ts';
import { chooseDefault, type DefaultChoice } from '../debug/default-profile.ts';

export interface PipelineRequest {
  target: Target;
  /** -c */
  targetContainer: string | undefined;
  spec: Omit<DebugContainerInput, 'pod' | 'target' | 'user'>;
  /** --new */
  fresh: boolean;
  timeoutMs: number;
  /** what the session runs, for its event */
  command: string[];
  /** aborts the wait for a container to start */
  signal: AbortSignal;
  /** how a target that is not running is explained */
  notRunning: NotRunningOutput;
  /** throws for a pod and running target the command cannot work with, before any debug container is added */
  vet?: ((pod: V1Pod, target: string) => void) | undefined;
  /**
   * No -p and no defaultProfile: spec.profile is the default, and this one is used where the namespace enforces
   * restricted (default-profile.ts)
   */
  restricted?: Profile | undefined;
  /** the denied permissions of TO_CREATE, when the caller asked already */
  reviews?: Promise<Permission[]> | undefined;
  /** the server's dry run of adding the container, when the caller asked already */
  judged?: Promise<DryRun> | undefined;
  /** who you are, when the caller asked already */
  identity?: Identity | undefined;
}

export interface InContainer {
  pod: V1Pod;
  container: V1EphemeralContainer;
  identity: Identity;
  /** records the session's event on the pod (once per container) */
  onSessionOpen: () => void;
}

export async function inDebugContainer<T>(client: KubeClient, req: PipelineRequest, io: IO, use: (c: InContainer) => Promise<T>): Promise<T> {
  const { pod, target, identity, reviews, choice } = await interruptible(req.signal, `looking up ${describeTarget(req.target)}`, resolveTarget(client, req, io));
  const namespace = client.context.namespace;
  if (choice?.why) io.note(choice.why);

  let audit: Promise<void> | undefined;
  const result = await withDebugContainer(
    {
      client,
      namespace,
      pod,
      target: target.name,
      identity,
      spec: withChoice(req.spec, choice),
      fallback: choice?.fallback,
      fresh: req.fresh,
      timeoutMs: req.timeoutMs,
      io,
      signal: req.signal,
      reviews,
      judged: req.judged,
      onContainer: (c) =>
        io.note(whereLine({ context: client.context.contextName, namespace, pod: pod.metadata!.name!, target: target.name, debugContainer: c.name, reused: c.reused, reusedSince: c.startedAt, now: io.now() })),
    },
    ({ pod: running, container }) =>
      use({
        pod: running,
        container,
        identity,
        // the event goes out once the first session is open, so the exec's upgrade does not wait behind it
        onSessionOpen: () => {
          audit ??= recordSession(client, running, { user: identity.user, container: container.name, reason: req.spec.reason, command: req.command, now: io.now() });
        },
      }),
  );
  await audit;
  return result;
}

/** The pod and its target container, who you are, and the caller's reviews of what a new container takes. */
async function resolveTarget(client: KubeClient, req: PipelineRequest, io: IO) {
  const namespace = client.context.namespace;
  const identityP = req.identity ? Promise.resolve(req.identity) : whoAmI(client);
  identityP.catch(() => undefined);
  // What a new container takes is asked only once one must be added, in the same round as the server's dry run of
  // it (acquire.ts), unless the caller asked already: a reused container needs no answers (the API server authorizes
  // the exec itself), and the first round is only the pod, who you are and the namespace's labels, each request on a
  // connection of its own.
  const reviews = req.reviews;
  reviews?.catch(() => undefined);
  // no -p: the namespace's PodSecurity labels, read in the same round as the pod
  const choiceP: Promise<DefaultChoice | undefined> = req.restricted ? chooseDefault(client, namespace, req.spec.profile, req.restricted) : Promise.resolve(undefined);
  choiceP.catch(() => undefined);

  // among a workload's pods, one that holds a container this call would reuse
  const reuser = req.target.kind === 'workload' && !req.fresh ? await identityP : undefined;
  const reuserSpec = reuser ? withChoice(req.spec, await choiceP) : undefined;
  const hasReusable = reuser
    ? (p: V1Pod) => {
        const t = impliedContainer(p, req.targetContainer);
        return t !== undefined && findReusable(p, reuser.user, reuseIdentity({ ...reuserSpec!, pod: p, target: t.name, user: reuser.user })) !== undefined;
      }
    : undefined;
  const pod = await pickPod({ client, namespace, target: req.target, choose: io.choose, now: io.now(), hasReusable });
  const target = await resolveContainer(pod, req.targetContainer, io.choose);
  try {
    assertDebuggable(pod, target.name);
  } catch (err) {
    if (err instanceof NotRunningError) throw await explainNotRunning(client, err.pod, err.container, io, req.notRunning);
    throw err;
  }
  req.vet?.(pod, target.name);
  if (req.spec.targetVolumes) {
    for (const { mount, why } of targetVolumeMounts(pod, target.name, req.spec.targetVolumes).leftOut) {
      io.note(`volume ${mount.name} at ${mount.mountPath} is left out: ${why}`);
    }
  }
  const identity = await identityP;
  return { pod, target, identity, reviews, choice: await choiceP };
}

function withChoice(spec: PipelineRequest['spec'], choice: DefaultChoice | undefined): PipelineRequest['spec'] {
  return choice ? { ...spec, profile: choice.profile } : spec;
}

export function describeTarget(t: Target): string {
  switch (t.kind) {
    case 'pod':
      return `pod ${t.name}`;
    case 'workload':
      return `${t.type}/${t.name}`;
    case 'selector':
      return `pods matching -l ${t.selector}`;
    case 'none':
      return 'pods';
  }
}

/** The container a session runs in: a debug container, or a container of a pod kdbg made. */
export interface SessionPlace {
  pod: V1Pod;
  container: { name: string; image?: string | undefined };
  /** called once a session's exec is open */
  onSessionOpen?: (() => void) | undefined;
}

/** What every command's session in that container sets alike (runSession's spec, less the streams and command). */
export function sessionIn(client: KubeClient, c: SessionPlace, io: IO, session: { ttlSeconds: number; priority: SessionPriority }, stop: AbortSignal) {
  return {
    client,
    namespace: client.context.namespace,
    pod: c.pod,
    container: c.container.name,
    image: c.container.image!,
    ttlSeconds: session.ttlSeconds,
    priority: session.priority,
    stop,
    onOpen: c.onSessionOpen,
    note: io.note,
    random: io.random,
  };
}
