// kdbg node: a privileged pod on the node, one session in it (chrooted into the host's root by default), deleted
// when the session ends. Refused before anything exists where the node does not exist, or where access or the API
// server's dry run say no. The dry run is PodSecurity's judge, exemptions included; the namespace's enforce label
// only explains its refusal.
import type { IO } from '../../io.ts';
import type { KubeClient } from '../../kube/types.ts';
import type { NodePlan } from './options.ts';
import { ApiError } from '../../kube/api-error.ts';
import { KdbgError } from '../../errors.ts';
import { withClient } from '../cluster.ts';
import { whoAmI } from '../../debug/preflight.ts';
import { enforcedLevel } from '../../debug/pod-security.ts';
import { nodePod, nodeSessionCommand, NODE_SHELL_CONTAINER } from '../../debug/node-pod.ts';
import { preflightPod, withOwnPod } from '../../debug/own-pod.ts';
import { userSession, userSessionExitCode } from '../user-session.ts';
import { contextPrefix } from '../../ui/where.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { DEFAULT_PROFILE } from '../../profiles/builtin.ts';
import { assertPinned } from '../debug-container-flags.ts';

const SHELL = ['sh'];

export async function runNode(plan: NodePlan, io: IO): Promise<number> {
  const { flags } = plan;
  const catalog = await loadProfiles({ configPath: flags.config, env: io.env });
  const image = flags.image ?? catalog.get(DEFAULT_PROFILE).image;
  assertPinned(catalog, image, flags.image === undefined ? `profile "${DEFAULT_PROFILE}"'s image` : '--image');
  return withClient(flags, io, async (client) => {
    const namespace = client.context.namespace;
    const [identity, level] = await Promise.all([whoAmI(client), enforcedLevel(client, namespace), assertNodeExists(client, plan.node)]);
    const pod = nodePod({ node: plan.node, image, user: identity.user, reason: flags.reason, ttlSeconds: plan.ttlSeconds, random: io.random(5) });
    const what = `shell on node ${plan.node}`;
    const enforced = level === 'baseline' || level === 'restricted' ? `namespace ${namespace} enforces PodSecurity ${level}; ` : '';
    const podSecurityAdvice = `${enforced}pass -n with a namespace that admits privileged pods`;
    await preflightPod({ client, namespace, identity, pod, what, podSecurityAdvice });
    const interrupts = io.interrupts();
    try {
      io.note(`${contextPrefix(client.context.contextName)}${namespace} pod/${pod.metadata!.name} on node ${plan.node}${flags.chroot ? ', chrooted into the host\'s root' : ''}`);
      const command = nodeSessionCommand(plan.command, flags.chroot, SHELL);
      const end = await withOwnPod(
        { client, namespace, identity, pod, container: NODE_SHELL_CONTAINER, init: false, timeoutMs: plan.timeoutMs, keep: flags.keep === true, io, signal: interrupts.signal, what, podSecurityAdvice },
        (running) => userSession(client, { pod: running, container: running.spec!.containers[0]! }, io, plan, command, interrupts.signal),
      );
      return userSessionExitCode(end, io, interrupts);
    } finally {
      interrupts.close();
    }
  });
}

/** A node that does not exist is said at once; one you may not read is left to the pod's start. */
async function assertNodeExists(client: KubeClient, node: string): Promise<void> {
  try {
    await client.request({ method: 'GET', path: `/api/v1/nodes/${encodeURIComponent(node)}` });
  } catch (err) {
    if (err instanceof ApiError && err.statusCode === 404) throw new KdbgError('not-found', `no node ${node} in the cluster`);
    if (!(err instanceof ApiError && err.statusCode === 403)) throw err;
  }
}
