// TARGET → one running pod and one running container, the way an on-call engineer names things.
import type { V1Container, V1LabelSelector, V1Pod, V1PodList } from '@kubernetes/client-node';
import type { KubeClient } from './types.ts';
import { UsageError, KdbgError } from '../errors.ts';
import { podPath } from './paths.ts';
import { getPod } from './wait.ts';

const WORKLOADS: Record<string, { group: string; plural: string }> = {
  deploy: { group: 'apis/apps/v1', plural: 'deployments' },
  deployment: { group: 'apis/apps/v1', plural: 'deployments' },
  deployments: { group: 'apis/apps/v1', plural: 'deployments' },
  sts: { group: 'apis/apps/v1', plural: 'statefulsets' },
  statefulset: { group: 'apis/apps/v1', plural: 'statefulsets' },
  statefulsets: { group: 'apis/apps/v1', plural: 'statefulsets' },
  ds: { group: 'apis/apps/v1', plural: 'daemonsets' },
  daemonset: { group: 'apis/apps/v1', plural: 'daemonsets' },
  daemonsets: { group: 'apis/apps/v1', plural: 'daemonsets' },
  rs: { group: 'apis/apps/v1', plural: 'replicasets' },
  replicaset: { group: 'apis/apps/v1', plural: 'replicasets' },
  replicasets: { group: 'apis/apps/v1', plural: 'replicasets' },
  job: { group: 'apis/batch/v1', plural: 'jobs' },
  jobs: { group: 'apis/batch/v1', plural: 'jobs' },
};

export type Target =
  | { kind: 'pod'; name: string }
  | { kind: 'workload'; type: string; name: string }
  | { kind: 'selector'; selector: string }
  | { kind: 'none' };

export function parseTarget(arg: string | undefined, selector: string | undefined): Target {
  if (arg && selector) throw new UsageError('name a pod or pass -l/--selector, not both');
  if (selector) return { kind: 'selector', selector };
  if (!arg) return { kind: 'none' };
  const slash = arg.indexOf('/');
  if (slash < 0) return { kind: 'pod', name: arg };
  const type = arg.slice(0, slash).toLowerCase();
  const name = arg.slice(slash + 1);
  if (!name) throw new UsageError(`"${arg}" names no object`);
  if (type === 'pod' || type === 'pods' || type === 'po') return { kind: 'pod', name };
  if (!WORKLOADS[type]) {
    throw new UsageError(`"${type}" is not a kind kdbg can debug; use pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME`);
  }
  return { kind: 'workload', type, name };
}

/** A choice among several; undefined when there is no terminal to ask on. */
export type Chooser = <T>(message: string, choices: { name: string; value: T; description?: string }[]) => Promise<T> | undefined;

export interface ResolveOptions {
  client: KubeClient;
  namespace: string;
  target: Target;
  choose: Chooser;
  now: () => Date;
  /** prefers a pod that already holds a reusable container for this user */
  hasReusable?: (pod: V1Pod) => boolean;
}

export async function resolvePod(opts: ResolveOptions): Promise<V1Pod> {
  const { client, namespace, target } = opts;
  switch (target.kind) {
    case 'pod':
      return getPod(client, namespace, target.name);
    case 'workload': {
      const selector = await workloadSelector(client, namespace, target.type, target.name);
      const pods = await listPods(client, namespace, selector);
      if (pods.length === 0) throw new KdbgError(`${target.type}/${target.name} has no pods in namespace ${namespace}`);
      return preferred(pods, opts.hasReusable);
    }
    case 'selector': {
      const pods = await listPods(client, namespace, target.selector);
      if (pods.length === 0) throw new KdbgError(`no pods match -l ${target.selector} in namespace ${namespace}`);
      if (pods.length === 1) return pods[0]!;
      const picked = await opts.choose(`${pods.length} pods match ${target.selector}; pick one`, podChoices(pods, opts.now()));
      if (!picked) throw new UsageError(`${pods.length} pods match -l ${target.selector}: ${pods.map(name).join(', ')}; name one`);
      return picked;
    }
    case 'none': {
      const pods = await listPods(client, namespace, undefined);
      if (pods.length === 0) throw new KdbgError(`no pods in namespace ${namespace}`);
      const picked = await opts.choose(`Pod in ${namespace}`, podChoices(pods, opts.now()));
      if (!picked) throw new UsageError('name a pod to debug: kdbg attach POD (or deploy/NAME, -l SELECTOR)');
      return picked;
    }
  }
}

/** The debug target container: -c, else the default-container annotation, else the only one, else ask. */
export async function resolveContainer(pod: V1Pod, wanted: string | undefined, choose: Chooser): Promise<V1Container> {
  const containers = pod.spec?.containers ?? [];
  const names = containers.map((c) => c.name).join(', ');
  if (wanted && !containers.some((c) => c.name === wanted)) {
    throw new UsageError(`pod ${name(pod)} has no container "${wanted}"; it has: ${names}`);
  }
  const implied = impliedContainer(pod, wanted);
  if (implied) return implied;
  const picked = await choose(`Container of ${name(pod)} to debug`, containers.map((c) => ({ name: c.name, value: c, description: c.image })));
  if (!picked) throw new UsageError(`pod ${name(pod)} has ${containers.length} containers (${names}); pick one with -c/--target`);
  return picked;
}

/** The container -c names, else the default-container annotation's, else the only one; undefined if it takes a choice. */
export function impliedContainer(pod: V1Pod, wanted: string | undefined): V1Container | undefined {
  const containers = pod.spec?.containers ?? [];
  const byName = (n: string | undefined) => (n ? containers.find((c) => c.name === n) : undefined);
  if (wanted) return byName(wanted);
  return byName(pod.metadata?.annotations?.['kubectl.kubernetes.io/default-container']) ?? (containers.length === 1 ? containers[0] : undefined);
}

/** Refuses before anything is created when a debug container could not be used. */
export function assertDebuggable(pod: V1Pod, container: string): void {
  const n = name(pod);
  if (pod.metadata?.annotations?.['kubernetes.io/config.mirror']) {
    throw new KdbgError(`pod ${n} is a static (mirror) pod; the API server cannot add containers to it`);
  }
  if (pod.metadata?.deletionTimestamp) throw new KdbgError(`pod ${n} is being deleted`);
  const phase = pod.status?.phase ?? 'Unknown';
  if (phase !== 'Running') throw new KdbgError(`pod ${n} is ${phase}, not Running`);
  const state = pod.status?.containerStatuses?.find((s) => s.name === container)?.state;
  if (!state?.running) {
    const why = state?.waiting?.reason ?? (state?.terminated ? `terminated (${state.terminated.reason ?? state.terminated.exitCode})` : 'not running');
    throw new KdbgError(`container ${container} of pod ${n} is ${why}; a debug container targets a running one`);
  }
}

async function workloadSelector(client: KubeClient, namespace: string, type: string, wname: string): Promise<string> {
  const w = WORKLOADS[type]!;
  const obj = await client.request<{ spec?: { selector?: V1LabelSelector } }>({
    method: 'GET',
    path: `/${w.group}/namespaces/${encodeURIComponent(namespace)}/${w.plural}/${encodeURIComponent(wname)}`,
  });
  const sel = obj.spec?.selector;
  if (!sel) throw new KdbgError(`${type}/${wname} has no pod selector`);
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

async function listPods(client: KubeClient, namespace: string, labelSelector: string | undefined): Promise<V1Pod[]> {
  const list = await client.request<V1PodList>({ method: 'GET', path: podPath(namespace), query: { labelSelector } });
  return list.items;
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

function name(pod: V1Pod): string {
  return pod.metadata?.name ?? '?';
}

function podChoices(pods: V1Pod[], now: Date) {
  return pods.map((p) => {
    const statuses = p.status?.containerStatuses ?? [];
    const readyCount = statuses.filter((s) => s.ready).length;
    const restarts = statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0);
    return {
      name: name(p),
      value: p,
      description: `${readyCount}/${p.spec?.containers.length ?? 0} ready  ${p.status?.phase ?? '?'}  ${restarts} restarts  ${age(p, now)}  ${p.spec?.nodeName ?? ''}`.trim(),
    };
  });
}

export function age(pod: V1Pod, now: Date): string {
  const t = pod.metadata?.creationTimestamp;
  return t ? formatAge(now.getTime() - new Date(t).getTime()) : '?';
}

export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}
