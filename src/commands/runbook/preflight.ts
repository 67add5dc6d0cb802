// Before anything is created: whether each pod can take the runbook, and if not, why. The same checks a single
// attach makes on its way (the target container, a running target, an image that already failed, the access
// reviews, the server's dry run of the exact container), and the namespace's PodSecurity against that container.
import type { V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../../kube/types.ts';
import type { DebugContainerInput } from '../../debug/spec.ts';
import { debugContainer, reuseIdentity } from '../../debug/spec.ts';
import { assertDebuggable, impliedContainer } from '../../debug/target-container.ts';
import { assertImageNotFailed, findReusable, freshReusableName } from '../../debug/reuse.ts';
import { dryRunAdd, type DryRun } from '../../debug/dry-run.ts';
import { refusal } from '../../debug/refusal.ts';
import { describePermission, EXEC, missingPermissions, TO_CREATE, type Identity, type Permission } from '../../debug/preflight.ts';
import { podSecurityViolations, podSecurityLevel } from '../../debug/pod-security-level.ts';
import type { PodSecurityLevel } from '../../debug/pod-security.ts';
import { KdbgError } from '../../errors.ts';

/** A context's client, who kdbg is there, and the namespace. */
export interface Place {
  client: KubeClient;
  /** the context's name ("" for an unnamed current context) */
  context: string;
  namespace: string;
  identity: Identity;
}

export interface PreflightRequest {
  spec: Omit<DebugContainerInput, 'pod' | 'target' | 'user'>;
  /** targets' container, if named */
  container: string | undefined;
  /** a step captures packets: tcpdump needs NET_RAW, which restricted never allows */
  captures: boolean;
  /** the namespace's enforced PodSecurity level (asked once per namespace) */
  level: Promise<PodSecurityLevel | undefined>;
  /** which of these permissions the namespace does not grant for every pod (asked once per namespace) */
  notNamespaceWide(wanted: Permission[]): Promise<Permission[]>;
}

export type Verdict =
  | { ok: true; container: string; reviews: Promise<Permission[]> | undefined; judged: Promise<DryRun> | undefined }
  | { ok: false; container?: string | undefined; reason: string };

const RANK: Record<PodSecurityLevel, number> = { restricted: 0, baseline: 1, privileged: 2 };

export async function preflightPod(place: Place, pod: V1Pod, req: PreflightRequest): Promise<Verdict> {
  const containers = pod.spec?.containers ?? [];
  const target = impliedContainer(pod, req.container);
  if (!target) {
    const names = containers.map((c) => c.name).join(', ');
    return {
      ok: false,
      reason: req.container ? `has no container "${req.container}"; it has: ${names}` : `has ${containers.length} containers (${names}); name one with targets.container`,
    };
  }
  const refuse = (reason: string): Verdict => ({ ok: false, container: target.name, reason });
  try {
    assertDebuggable(pod, target.name);
  } catch (err) {
    if (err instanceof KdbgError) return refuse(err.message);
    throw err;
  }
  const user = place.identity.user;
  const podName = pod.metadata!.name!;
  /** the permissions of `wanted` RBAC denies, as a refusal; undefined where it allows them all */
  const rbac = async (wanted: Permission[]): Promise<Verdict | undefined> => {
    // what the namespace grants for every pod holds for this one; the rest is asked for this pod (a rule may name it)
    const unsure = await req.notNamespaceWide(wanted);
    const denied = unsure.length ? await missingPermissions(place.client, place.namespace, podName, unsure) : [];
    return denied.length ? refuse(`${user} may not ${denied.map(describePermission).join(', ')} in namespace ${place.namespace}`) : undefined;
  };
  const input = { ...req.spec, pod, target: target.name, user };
  const hash = reuseIdentity(input);
  const reusable = findReusable(pod, user, hash);
  const level = await req.level;
  if (req.captures && level === 'restricted') {
    return refuse(`namespace ${place.namespace} enforces PodSecurity restricted, which allows no NET_RAW: tcpdump cannot capture there`);
  }
  if (reusable) {
    // a container to reuse needs only the exec
    return (await rbac(EXEC)) ?? { ok: true, container: target.name, reviews: undefined, judged: undefined };
  }
  try {
    assertImageNotFailed(pod, req.spec.image ?? req.spec.profile.image);
  } catch (err) {
    if (err instanceof KdbgError) return refuse(err.message);
    throw err;
  }
  const container = debugContainer(input, freshReusableName(pod, req.spec.profile.name, user, hash));
  const needs = podSecurityLevel(container.securityContext, pod.spec ?? {});
  if (level && RANK[needs] > RANK[level]) {
    const why = podSecurityViolations(container.securityContext, pod.spec ?? {})
      .filter((v) => level === 'restricted' || v.level === 'baseline')
      .map((v) => v.reason);
    return refuse(`namespace ${place.namespace} enforces PodSecurity ${level}; profile ${req.spec.profile.name}'s container needs ${needs} (${why.join(', ')})`);
  }
  // a new one needs what adding it takes too; then, only where RBAC allows it, the API server's admission (webhooks
  // included) of that container
  const denied = await rbac(TO_CREATE);
  if (denied) return denied;
  const judged = await dryRunAdd(place.client, place.namespace, pod, container);
  if (judged.verdict === 'refused') return refuse(refusal(judged.error, container, pod, req.spec.profile).message);
  return { ok: true, container: target.name, reviews: Promise.resolve([]), judged: Promise.resolve(judged) };
}
