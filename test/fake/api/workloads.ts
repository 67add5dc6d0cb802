// The workload objects the fake stores and serves read-only at their real paths: apps/v1 Deployments,
// StatefulSets, DaemonSets, ReplicaSets and batch/v1 Jobs. No controllers run: a Deployment makes no ReplicaSet
// and a ReplicaSet no pods; a test adds pods with matching labels (and ownerReferences) itself.
import { randomUUID } from 'node:crypto';
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { JsonObject } from './status.ts';
import type { Kind, Store } from './store.ts';

export type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'ReplicaSet' | 'Job';

export interface WorkloadResource {
  group: 'apps' | 'batch';
  resource: string;
  singular: string;
  kind: WorkloadKind;
  shortNames?: string[];
}

/** in the order of the apiserver's discovery */
export const workloadResources: WorkloadResource[] = [
  { group: 'apps', resource: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', shortNames: ['ds'] },
  { group: 'apps', resource: 'deployments', singular: 'deployment', kind: 'Deployment', shortNames: ['deploy'] },
  { group: 'apps', resource: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', shortNames: ['rs'] },
  { group: 'apps', resource: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', shortNames: ['sts'] },
  { group: 'batch', resource: 'jobs', singular: 'job', kind: 'Job' },
];

export function apiVersionOf(kind: Kind): string {
  const r = workloadResources.find((w) => w.kind === kind);
  return r ? `${r.group}/v1` : 'v1';
}

/** Stores a workload (apiVersion and kind required) in `namespace`; uid, creationTimestamp and generation default. */
export function addWorkload(store: Store, namespace: string, input: object): JsonObject {
  const obj: JsonObject = structuredClone(input);
  const r = workloadResources.find((w) => w.kind === obj.kind && `${w.group}/v1` === obj.apiVersion);
  if (!r) throw new Error(`addWorkload: ${obj.apiVersion} ${obj.kind} is not a workload the fake serves`);
  if (!store.get('Namespace', '', namespace)) throw new Error(`namespaces "${namespace}" not found`);
  const name: string | undefined = obj.metadata?.name;
  if (!name) throw new Error('addWorkload: metadata.name is required');
  if (!obj.spec?.selector) throw new Error(`${r.kind}.${r.group} "${name}" is invalid: spec.selector: Required value`);
  delete obj.apiVersion;
  delete obj.kind;
  obj.metadata = {
    ...obj.metadata,
    namespace,
    uid: obj.metadata.uid ?? randomUUID(),
    creationTimestamp: obj.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    generation: obj.metadata.generation ?? 1,
  };
  return { kind: r.kind, apiVersion: `${r.group}/v1`, ...store.create(r.kind, obj) };
}

/** The ownerReference a controller sets on what it creates. */
export function controllerRef(owner: JsonObject): V1OwnerReference {
  const { apiVersion, kind, metadata } = owner;
  return { apiVersion, kind, name: metadata.name, uid: metadata.uid, controller: true, blockOwnerDeletion: true };
}
