// TARGET → pods, the way an on-call engineer names them: POD, TYPE/NAME of a workload, or a label selector.
import type { V1LabelSelector, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';
import type { Chooser } from '../io.ts';
import { KdbgError, UsageError } from '../errors.ts';
import { checkObjectName } from './object-name.ts';
import { ApiError } from '../kube/api-error.ts';
import { getPod, listPods } from '../kube/pods.ts';
import { ageOf } from '../ui/age.ts';
import { closeNames } from '../ui/close-names.ts';

/** the workload kinds a target may name (`deploy/NAME`…), by every name they go by */
export const WORKLOADS: Record<string, { group: string; plural: string }> = {};
for (const [names, group, plural] of [
  [['deploy', 'deployment', 'deployments'], 'apis/apps/v1', 'deployments'],
  [['sts', 'statefulset', 'statefulsets'], 'apis/apps/v1', 'statefulsets'],
  [['ds', 'daemonset', 'daemonsets'], 'apis/apps/v1', 'daemonsets'],
  [['rs', 'replicaset', 'replicasets'], 'apis/apps/v1', 'replicasets'],
  [['job', 'jobs'], 'apis/batch/v1', 'jobs'],
] as const) {
  for (const n of names) WORKLOADS[n] = { group, plural };
}

export type Target =
  | { kind: 'pod'; name: string }
  | { kind: 'workload'; type: string; name: string }
  | { kind: 'selector'; selector: string }
  | { kind: 'none' };

/** Pure: checks the words of a target before any IO. */
export function parseTarget(arg: string | undefined, selector: string | undefined): Target {
  if (arg && selector) throw new UsageError('name a pod or pass -l/--selector, not both');
  if (selector) return { kind: 'selector', selector };
  if (!arg) return { kind: 'none' };
  const slash = arg.indexOf('/');
  if (slash < 0) return { kind: 'pod', name: checkedPodName(arg) };
  const type = arg.slice(0, slash).toLowerCase();
  const name = arg.slice(slash + 1);
  if (!name) throw new UsageError(`"${arg}" names no object`);
  if (type === 'pod' || type === 'pods' || type === 'po') return { kind: 'pod', name: checkedPodName(name) };
  if (!WORKLOADS[type]) {
    throw new UsageError(`"${type}" is not a kind kdbg can debug; use pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME`);
  }
  checkObjectName(type, name);
  return { kind: 'workload', type, name };
}

function checkedPodName(name: string): string {
  checkObjectName('pod', name);
  return name;
}

export interface Where {
  client: KubeClient;
  namespace: string;
}

/** The pod named; a missing one names the namespace and context and suggests close names. */
export async function namedPod({ client, namespace }: Where, name: string): Promise<V1Pod> {
  try {
    return await getPod(client, namespace, name);
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404 && err.status?.details?.name === name)) throw err;
    const near = await listPods(client, { namespace })
      .then((pods) => closeNames(name, pods.map(podName)))
      .catch(() => []);
    const ctx = client.context.contextName ? ` (context ${client.context.contextName})` : '';
    const hint = near.length ? `; did you mean ${near.join(', ')}?` : '';
    throw new KdbgError('not-found', `pod ${name} not found in namespace ${namespace}${ctx}${hint}`, { cause: err });
  }
}

/** Every pod the target stands for (none: the namespace's); [] when none match. */
export async function targetPods(where: Where, target: Target): Promise<V1Pod[]> {
  switch (target.kind) {
    case 'pod':
      return [await namedPod(where, target.name)];
    case 'workload':
      return listPods(where.client, { namespace: where.namespace, labelSelector: await workloadSelector(where, target.type, target.name) });
    case 'selector':
      return listPods(where.client, { namespace: where.namespace, labelSelector: target.selector });
    case 'none':
      return listPods(where.client, { namespace: where.namespace });
  }
}

export interface PickOptions extends Where {
  target: Target;
  choose: Chooser;
  now: Date;
  /** prefers, among a workload's pods, one that already holds a reusable container for this user */
  hasReusable?: ((pod: V1Pod) => boolean) | undefined;
}

/** One pod: the named one, a workload's best, or the person's pick among several. */
export async function pickPod(opts: PickOptions): Promise<V1Pod> {
  const { namespace, target } = opts;
  if (target.kind === 'pod') return namedPod(opts, target.name);
  const pods = await targetPods(opts, target);
  switch (target.kind) {
    case 'workload':
      if (pods.length === 0) throw new KdbgError('not-found', `${target.type}/${target.name} has no pods in namespace ${namespace}`);
      return preferred(pods, opts.hasReusable);
    case 'selector': {
      if (pods.length === 0) throw new KdbgError('not-found', `no pods match -l ${target.selector} in namespace ${namespace}`);
      if (pods.length === 1) return pods[0]!;
      const picked = await opts.choose(`${pods.length} pods match ${target.selector}; pick one`, podChoices(pods, opts.now));
      if (!picked) throw new UsageError(`${pods.length} pods match -l ${target.selector}: ${pods.map(podName).join(', ')}; name one`);
      return picked;
    }
    case 'none': {
      if (pods.length === 0) throw new KdbgError('not-found', `no pods in namespace ${namespace}`);
      const picked = await opts.choose(`Pod in ${namespace}`, podChoices(pods, opts.now));
      if (!picked) throw new UsageError('name a pod to debug: kdbg attach POD (or deploy/NAME, -l SELECTOR)');
      return picked;
    }
  }
}

async function workloadSelector({ client, namespace }: Where, type: string, name: string): Promise<string> {
  const w = WORKLOADS[type]!;
  const obj = await client.request<{ spec?: { selector?: V1LabelSelector } }>({
    method: 'GET',
    path: `/${w.group}/namespaces/${encodeURIComponent(namespace)}/${w.plural}/${encodeURIComponent(name)}`,
  });
  const sel = obj.spec?.selector;
  if (!sel) throw new KdbgError('not-found', `${type}/${name} has no pod selector`);
  return selectorString(sel);
}

export function selectorString(sel: V1LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

function ready(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function created(pod: V1Pod): number {
  const t = pod.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : Number.MAX_SAFE_INTEGER;
}

/** Holds a reusable kdbg container, then Running and Ready, then the oldest. */
function preferred(pods: V1Pod[], hasReusable?: (pod: V1Pod) => boolean): V1Pod {
  const rank = (p: V1Pod) => (hasReusable?.(p) ? 0 : 2) + (ready(p) ? 0 : 1);
  return [...pods].sort((a, b) => rank(a) - rank(b) || created(a) - created(b))[0]!;
}

export function podName(pod: V1Pod): string {
  return pod.metadata?.name ?? '?';
}

function podChoices(pods: V1Pod[], now: Date) {
  return pods.map((p) => {
    const statuses = p.status?.containerStatuses ?? [];
    const readyCount = statuses.filter((s) => s.ready).length;
    const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
    return {
      name: podName(p),
      value: p,
      description: `${readyCount}/${p.spec?.containers.length ?? 0} ready  ${p.status?.phase ?? '?'}  ${restarts} restarts  ${ageOf(p.metadata?.creationTimestamp, now)}  ${p.spec?.nodeName ?? ''}`.trim(),
    };
  });
}
