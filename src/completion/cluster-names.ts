// Names from the cluster for completion: pods, workloads, namespaces, containers. Lists are asked for as
// meta.k8s.io Tables without objects (what `kubectl get` asks for), so a namespace of thousands of pods is a small
// answer: a name and a status per row.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';
import { podPath } from '../kube/paths.ts';
import { WORKLOADS } from '../debug/target.ts';
import type { Candidate } from './protocol.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

interface TableOrList {
  columnDefinitions?: { name: string; format?: string }[];
  rows?: { cells: unknown[] }[];
  /** a server that answers a plain list instead */
  items?: { metadata?: { name?: string } }[];
}

export interface Lookup {
  client: KubeClient;
  namespace: string;
  signal: AbortSignal;
  timeoutMs: number;
}

/** The names of a collection, each with its Status column (pods) as the description when there is one. */
async function names(l: Lookup, path: string): Promise<Candidate[]> {
  const answer = await l.client.request<TableOrList>({ method: 'GET', path, accept: TABLE, query: { includeObject: 'None' }, signal: l.signal, timeoutMs: l.timeoutMs });
  if (answer.rows && answer.columnDefinitions) {
    const columns = answer.columnDefinitions;
    const name = Math.max(0, columns.findIndex((c) => c.format === 'name'));
    const status = columns.findIndex((c) => c.name === 'Status');
    return answer.rows.map((r) => ({ value: String(r.cells[name]), description: status < 0 ? undefined : String(r.cells[status]) }));
  }
  return (answer.items ?? []).map((i) => ({ value: i.metadata?.name ?? '' })).filter((c) => c.value !== '');
}

export const podNames = (l: Lookup): Promise<Candidate[]> => names(l, podPath(l.namespace));

export const namespaceNames = (l: Lookup): Promise<Candidate[]> => names(l, '/api/v1/namespaces');

/** `TYPE/NAME` of every workload of that type (as typed: deploy, sts…). */
export async function workloadNames(l: Lookup, type: string): Promise<Candidate[]> {
  const w = WORKLOADS[type];
  if (!w) return [];
  const found = await names(l, `/${w.group}/namespaces/${encodeURIComponent(l.namespace)}/${w.plural}`);
  return found.map((c) => ({ value: `${type}/${c.value}` }));
}

/** The containers of a target as typed (POD, pod/NAME, TYPE/NAME), with their images as descriptions. */
export async function containerNames(l: Lookup, target: string): Promise<Candidate[]> {
  const slash = target.indexOf('/');
  const type = slash < 0 ? 'pod' : target.slice(0, slash).toLowerCase();
  const name = slash < 0 ? target : target.slice(slash + 1);
  let containers: V1Container[] | undefined;
  if (['pod', 'pods', 'po'].includes(type)) {
    containers = (await pod(l, name)).spec?.containers;
  } else if (WORKLOADS[type]) {
    const w = WORKLOADS[type];
    const path = `/${w.group}/namespaces/${encodeURIComponent(l.namespace)}/${w.plural}/${encodeURIComponent(name)}`;
    const obj = await l.client.request<{ spec?: { template?: { spec?: { containers?: V1Container[] } } } }>({ method: 'GET', path, signal: l.signal, timeoutMs: l.timeoutMs });
    containers = obj.spec?.template?.spec?.containers;
  }
  return (containers ?? []).map((c) => ({ value: c.name, description: c.image }));
}

/** The ephemeral (debug) containers of a pod, with their state. */
export async function debugContainerNames(l: Lookup, podName: string): Promise<Candidate[]> {
  const p = await pod(l, podName);
  const states = new Map((p.status?.ephemeralContainerStatuses ?? []).map((s) => [s.name, s.state]));
  return (p.spec?.ephemeralContainers ?? []).map((c) => {
    const state = states.get(c.name);
    return { value: c.name, description: state?.running ? 'running' : state?.terminated ? 'terminated' : state?.waiting ? 'waiting' : undefined };
  });
}

function pod(l: Lookup, name: string): Promise<V1Pod> {
  return l.client.request<V1Pod>({ method: 'GET', path: podPath(l.namespace, name), signal: l.signal, timeoutMs: l.timeoutMs });
}
