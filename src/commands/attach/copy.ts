// kdbg attach --copy: a session in a copy of the pod, for a container that cannot take a debug container (a crash
// loop, a failed init container). The failing container is held by kdbg's idle program; where its image has no
// shell, kdbg's debug container joins the copy instead. The copy is asked of the API server (access and a dry
// run) before it exists and deleted when the session ends, unless --keep. A signal ends the lookups and the
// questions at once.
import type { V1Pod } from '@kubernetes/client-node';
import type { IO } from '../../io.ts';
import type { KubeClient } from '../../kube/types.ts';
import type { Profile } from '../../profiles/profile.ts';
import type { AttachPlan } from './options.ts';
import { describeTarget, type SessionPlace } from '../pipeline.ts';
import { interruptible } from '../interruptible.ts';
import { KdbgError } from '../../errors.ts';
import { pickPod } from '../../debug/target.ts';
import { impliedContainer, resolveContainer } from '../../debug/target-container.ts';
import { whoAmI } from '../../debug/preflight.ts';
import { failingContainer, podCopy, type CopyMode } from '../../debug/pod-copy.ts';
import { preflightPod, withOwnPod } from '../../debug/own-pod.ts';
import { NoShell } from '../../debug/states.ts';
import { contextPrefix } from '../../ui/where.ts';

export interface CopyRequest {
  plan: AttachPlan;
  profile: Profile;
  signal: AbortSignal;
}

export async function inPodCopy<T>(client: KubeClient, req: CopyRequest, io: IO, session: (c: SessionPlace) => Promise<T>): Promise<T> {
  const { plan } = req;
  const { flags } = plan;
  const namespace = client.context.namespace;
  const identityP = whoAmI(client);
  identityP.catch(() => undefined);
  const pod = await interruptible(req.signal, `looking up ${describeTarget(plan.target)}`, pickPod({ client, namespace, target: plan.target, choose: io.choose, now: io.now() }));
  const podName = pod.metadata!.name!;
  const failing = flags.hold !== undefined ? heldByName(pod, flags.hold) : failingContainer(pod, (impliedContainer(pod, flags.target) ?? (await resolveContainer(pod, flags.target, io.choose))).name);
  if (!failing) throw new KdbgError('not-found', `pod ${podName} has no container to hold`);
  const identity = await interruptible(req.signal, 'asking the API server who you are', identityP);

  const attempt = async (mode: CopyMode): Promise<T> => {
    const copy = podCopy({
      pod,
      failing: failing.name,
      mode,
      profile: req.profile,
      image: flags.image,
      user: identity.user,
      reason: flags.reason,
      ttlSeconds: plan.ttlSeconds,
      sameNode: flags.sameNode === true,
      writableMounts: flags.rw === true,
      random: io.random(5),
    });
    const what = `copy of pod ${podName}`;
    await interruptible(req.signal, `asking the API server about the ${what} (nothing was created)`, preflightPod({ client, namespace, identity, pod: copy.pod, what }));
    const copyName = copy.pod.metadata!.name!;
    const kind = failing.init ? 'init container' : 'container';
    io.note(
      mode === 'hold'
        ? `${contextPrefix(client.context.contextName)}${namespace} pod/${copyName}, a copy of ${podName} with its ${kind} ${failing.name} held${copy.stateDir ? ` (its root filesystem is read-only: TMPDIR=${copy.stateDir}, an emptyDir for kdbg's state)` : ''}`
        : `${contextPrefix(client.context.contextName)}${namespace} pod/${copyName}, a copy of ${podName} with debug container ${copy.container} ${failing.init ? `before ${kind} ${failing.name}` : `beside ${failing.name}`}`,
    );
    return withOwnPod(
      { client, namespace, identity, pod: copy.pod, container: copy.container, init: copy.init, timeoutMs: plan.timeoutMs, keep: flags.keep === true, io, signal: req.signal, what },
      (running) => session({ pod: running, container: findContainer(running, copy.container) }),
    );
  };

  try {
    return await attempt('hold');
  } catch (err) {
    if (!(err instanceof NoShell)) throw err;
    io.note(`${failing.name}'s image has no shell to hold it with; kdbg's debug container joins a new copy instead`);
    return attempt('beside');
  }
}

function heldByName(pod: V1Pod, name: string): { name: string; init: boolean } {
  if (pod.spec?.containers.some((c) => c.name === name)) return { name, init: false };
  if (pod.spec?.initContainers?.some((c) => c.name === name)) return { name, init: true };
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name).join(', ');
  throw new KdbgError('not-found', `pod ${pod.metadata!.name} has no container "${name}" to hold; it has: ${all}`);
}

function findContainer(pod: V1Pod, name: string) {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name)!;
}
