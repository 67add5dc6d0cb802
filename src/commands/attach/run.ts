// kdbg attach: resolve where, check what the user may do, reuse or add a debug container, run the session.
import type { V1Container, V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { Runtime } from '../../runtime.ts';
import type { KubeClient } from '../../kube/types.ts';
import type { AttachPlan } from './options.ts';
import type { Profile } from '../../profiles/profile.ts';
import { loadKubeClient } from '../../kube/client.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { parseTarget, resolveContainer, resolvePod, assertDebuggable, impliedContainer } from '../../kube/resolve-pod.ts';
import { whoAmI, missingPermissions, describePermission, EXEC, PATCH_EPHEMERAL, WATCH_PODS, type Identity } from '../../kube/access.ts';
import { debugContainer, debugContainerName, ENV, envOf, type DebugContainerInput } from '../../kube/debug-container.ts';
import { addEphemeralContainer, findReusable } from '../../kube/ephemeral.ts';
import { waitForRunning, getPod } from '../../kube/wait.ts';
import { ApiError } from '../../kube/api-error.ts';
import { terminalChooser } from '../../ui/picker.ts';
import { startProgress } from '../../ui/progress.ts';
import { whereLine } from '../../ui/where.ts';
import { runSession, SessionRefused } from './session.ts';
import { KdbgError } from '../../errors.ts';

export async function runAttach(plan: AttachPlan, rt: Runtime): Promise<number> {
  const { flags } = plan;
  const client = await loadKubeClient({
    kubeconfig: flags.kubeconfig,
    context: flags.context,
    namespace: flags.namespace,
    as: flags.as,
    asGroups: flags.asGroup,
    env: rt.env,
    stderr: rt.stderr,
    stdinIsTTY: Boolean(rt.stdin.isTTY),
    onWarning: (text) => rt.stderr.write(`Warning: ${text}\n`),
  });
  try {
    return await attach(client, plan, rt);
  } finally {
    client.close();
  }
}

async function attach(client: KubeClient, plan: AttachPlan, rt: Runtime): Promise<number> {
  const { flags } = plan;
  const namespace = client.context.namespace;
  const catalog = await loadProfiles({ configPath: flags.config, env: rt.env });
  const profile = catalog.get(flags.profile ?? catalog.defaultProfile);
  const choose = terminalChooser(rt.stdin, rt.stderr);
  const identityP = whoAmI(client);
  identityP.catch(() => undefined);

  const fit = (pod: V1Pod, target: V1Container, identity: Identity, name = 'kdbg-pending'): V1EphemeralContainer =>
    debugContainer(specInput(profile, pod, target.name, identity.user, plan), name);

  const target = parseTarget(plan.podArg, flags.selector);
  // With the pod named, the access reviews go out with the pod GET and the SelfSubjectReview: one round trip.
  const reviewsFor = (pod: string) => missingPermissions(client, namespace, pod, [PATCH_EPHEMERAL, WATCH_PODS, ...EXEC]);
  const earlyReviews = target.kind === 'pod' ? reviewsFor(target.name) : undefined;
  earlyReviews?.catch(() => undefined);
  const identityForPick = target.kind === 'workload' ? await identityP : undefined;
  const pod = await resolvePod({
    client,
    namespace,
    target,
    choose,
    now: rt.now,
    hasReusable: identityForPick && !flags.new ? (p) => reusableIn(p, flags.target, identityForPick, fit) !== undefined : undefined,
  });
  const podName = pod.metadata!.name!;
  const targetContainer = await resolveContainer(pod, flags.target, choose);
  assertDebuggable(pod, targetContainer.name);

  const identity = await identityP;
  const wanted = fit(pod, targetContainer, identity);
  const reusable = flags.new ? undefined : findReusable(pod, identity.user, envOf(wanted, ENV.spec)!);
  const denied = await (earlyReviews ?? reviewsFor(podName));
  const missing = reusable ? denied.filter((p) => p !== PATCH_EPHEMERAL && p !== WATCH_PODS) : denied;
  if (missing.length > 0) {
    throw new KdbgError(
      `${identity.user} may not ${missing.map(describePermission).join(', ')} in namespace ${namespace}; kdbg needs it to debug pod ${podName} (nothing was created)`,
    );
  }

  const where = { context: client.context.contextName, namespace, pod: podName, target: targetContainer.name, now: rt.now() };
  const session = (p: V1Pod, container: string) =>
    runSession(
      { client, namespace, pod: p, container, command: plan.command.length ? plan.command : profile.shell, tty: plan.tty, forwardStdin: plan.forwardStdin, escapeChar: plan.escapeChar },
      rt,
    );

  const waiting = { client, namespace, pod: podName, timeoutMs: plan.timeoutMs };
  let current = pod;
  if (reusable) {
    rt.stderr.write(`${whereLine({ ...where, debugContainer: reusable.container.name, reused: true, reusedSince: reusable.startedAt })}\n`);
    const recorded = envOf(reusable.container, ENV.reason);
    if (flags.reason !== undefined && flags.reason !== recorded) {
      rt.stderr.write(`kdbg: ${reusable.container.name} records the reason "${recorded ?? ''}"; --new adds one that records yours\n`);
    }
    try {
      const ready = reusable.starting ? await started({ ...waiting, container: reusable.container, from: pod, earlyStart: false }, rt) : pod;
      return await session(ready, reusable.container.name);
    } catch (err) {
      // The reused container may have ended between our read and the exec: then make a new one.
      // Its status may still say running: a kubelet reports the end up to a relist late.
      if (!refused(err)) throw err;
      current = await getPod(client, namespace, podName);
      rt.stderr.write(`kdbg: ${reusable.container.name} has stopped; adding a new debug container\n`);
    }
  }

  const name = uniqueName(current, profile.name, rt);
  const container = fit(current, targetContainer, identity, name);
  rt.stderr.write(`${whereLine({ ...where, debugContainer: name, reused: false })}\n`);
  const patched = await create(client, namespace, podName, container, rt);
  const wait = (from: V1Pod, earlyStart: boolean) => started({ ...waiting, container, from, earlyStart }, rt);
  const running = await wait(patched, true);
  try {
    return await session(running, name);
  } catch (err) {
    // Exec'd on the Started event, before the status: if the container died at once, its status says why.
    if (!refused(err)) throw err;
    return session(await wait(running, false), name);
  }
}

async function create(client: KubeClient, namespace: string, pod: string, container: V1EphemeralContainer, rt: Runtime): Promise<V1Pod> {
  const progress = await startProgress(rt.stderr, `Adding ${container.name} (${container.image})`);
  try {
    return await addEphemeralContainer(client, namespace, pod, container);
  } finally {
    progress.stop();
  }
}

interface Starting {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: V1EphemeralContainer;
  /** the pod as last read: the watch starts after its resourceVersion */
  from: V1Pod;
  timeoutMs: number;
  /** done on the kubelet's Started event, ahead of the status */
  earlyStart: boolean;
}

async function started({ client, namespace, pod, container, from, timeoutMs, earlyStart }: Starting, rt: Runtime): Promise<V1Pod> {
  const progress = await startProgress(rt.stderr, `Starting ${container.name} (${container.image})`);
  try {
    return await waitForRunning({
      client,
      namespace,
      pod,
      container: container.name,
      image: container.image!,
      resourceVersion: from.metadata?.resourceVersion ?? '0',
      patched: from,
      timeoutMs,
      earlyStart,
      onProgress: (text) => progress.update(`${container.name}: ${text}`),
    });
  } finally {
    progress.stop();
  }
}

/**
 * The exec never ran because of the container: refused on the status channel before any exit code, or at the
 * upgrade because the container is not there or not running (older protocols). Throttling, server errors and
 * denials are not that: a new container would not help and could never be removed.
 */
function refused(err: unknown): boolean {
  if (err instanceof SessionRefused) return true;
  return err instanceof ApiError && /container .*(not found|not running|not valid|stopped)|(not found|not running).*container/i.test(err.message);
}

function specInput(profile: Profile, pod: V1Pod, target: string, user: string, plan: AttachPlan): DebugContainerInput {
  return { profile, pod, target, user, ttlSeconds: plan.ttlSeconds, reason: plan.flags.reason, image: plan.flags.image };
}

function reusableIn(pod: V1Pod, wantedTarget: string | undefined, identity: Identity, fit: (p: V1Pod, c: V1Container, i: Identity) => V1EphemeralContainer) {
  const target = impliedContainer(pod, wantedTarget);
  return target && findReusable(pod, identity.user, envOf(fit(pod, target, identity), ENV.spec)!);
}

function uniqueName(pod: V1Pod, profile: string, rt: Runtime): string {
  const taken = new Set(
    [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name),
  );
  for (;;) {
    const name = debugContainerName(profile, rt.random);
    if (!taken.has(name)) return name;
  }
}


