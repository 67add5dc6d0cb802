// POST /api/v1/namespaces/NS/pods in the apiserver's order (k8s.io/apiserver endpoints/handlers/create.go, then
// registry/generic/registry/store.go create and registry/rest/create.go BeforeCreate; the Pod's strategy in
// pkg/registry/core/pod/strategy.go):
//   decode; the object's namespace must match the URL's; system fields wiped; NamespaceLifecycle admission (404 for a
//   missing namespace, 403 for a terminating one); uid and creationTimestamp set, the name generated; defaults;
//   PrepareForCreate (status dropped: Pending with its QoS class; generation 1; SchedulingGated condition);
//   ValidatePodCreate (422); validating admission (PodSecurity, 403); the storage write (409 AlreadyExists).
// A dry run (dryRun=All) goes through every step and stores nothing: the answer has no resourceVersion
// (registry/generic/registry/dryrun.go copies the object it would have written).
import { randomUUID } from 'node:crypto';
import { defaultPodSpec } from './defaults.ts';
import { generateName } from './object-meta.ts';
import { admitPodSecurity, type PodAdmission } from './pod-security.ts';
import { validatePodCreate } from './pod-validation.ts';
import type { WriteOptions } from './request-options.ts';
import { ApiFailure, badRequest, forbidden, invalid, notFound, type JsonObject } from './status.ts';
import type { Store } from './store.ts';

export function createPod(
  store: Store,
  namespace: string,
  body: string,
  options: WriteOptions,
  admission: Pick<PodAdmission, 'user' | 'exemptions'>,
): { pod: JsonObject; warnings: string[] } {
  const pod = decode(body);
  const meta: JsonObject = (pod.metadata ??= {});
  if (meta.namespace && meta.namespace !== namespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  const resourceVersion = meta.resourceVersion;
  for (const k of ['creationTimestamp', 'uid', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'resourceVersion']) delete meta[k];

  const ns = store.get('Namespace', '', namespace);
  if (!ns) throw notFound('namespaces', namespace);
  if (ns.status?.phase === 'Terminating') {
    const f = forbidden('pods', meta.name || meta.generateName || 'Unknown', `unable to create new content in namespace ${namespace} because it is being terminated`);
    f.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }];
    throw f;
  }

  meta.namespace = namespace;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  meta.creationTimestamp = now;
  meta.uid = randomUUID();
  if (meta.generateName && !meta.name) meta.name = generateName(meta.generateName);
  meta.generation = 1;
  pod.spec = defaultPodSpec(pod.spec ?? {});
  pod.status = { phase: 'Pending', qosClass: qosClass(pod.spec) };
  if (pod.spec.schedulingGates?.length) {
    pod.status.conditions = [
      { type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: now, reason: 'SchedulingGated', message: 'Scheduling is blocked due to non-empty scheduling gates' },
    ];
  }

  const errs = validatePodCreate(pod);
  if (errs.length) throw invalid('Pod', meta.name ?? '', errs);
  const warnings = admitPodSecurity(store, { namespace, pod, ...admission });

  // etcd3's store refuses what the handler did not wipe (a 500 without a reason); a dry run never gets there
  if (resourceVersion && !options.dryRun) throw new ApiFailure(500, '', 'resourceVersion should not be set on objects to be created');
  const existing = store.get('Pod', namespace, meta.name);
  if (existing) {
    const text = `pods "${meta.name}" already exists`;
    throw new ApiFailure(409, 'AlreadyExists', existing.metadata.deletionTimestamp ? `object is being deleted: ${text}` : text, { name: meta.name, kind: 'pods' });
  }
  if (options.dryRun) return { pod, warnings };
  if (pod.spec.initContainers?.some((c: JsonObject) => c.restartPolicy)) {
    // the kubelet of test/fake runs no sidecar init containers: a limitation of the fake, not an apiserver answer
    throw new ApiFailure(500, 'InternalError', 'the fake cluster cannot run pods with sidecar (restartable) init containers');
  }
  return { pod: store.create('Pod', pod), warnings };
}

function decode(body: string): JsonObject {
  let obj: JsonObject;
  try {
    obj = JSON.parse(body);
  } catch (e) {
    throw badRequest(`the object provided is unrecognized (must be of type Pod): ${(e as Error).message}`);
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw badRequest('the object provided is unrecognized (must be of type Pod)');
  if (obj.apiVersion !== undefined && obj.apiVersion !== 'v1') {
    throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (v1)`);
  }
  if (obj.kind !== undefined && obj.kind !== 'Pod') throw badRequest(`${obj.kind} in version "v1" cannot be handled as a Pod`);
  delete obj.apiVersion;
  delete obj.kind;
  return obj;
}

/** qos.GetPodQOS: BestEffort without requests or limits, Guaranteed when every container limits cpu and memory to its requests. */
function qosClass(spec: JsonObject): string {
  const containers: JsonObject[] = [...spec.containers, ...(spec.initContainers ?? [])];
  const resources = containers.map((c) => c.resources ?? {});
  const named = (r: JsonObject, key: 'requests' | 'limits'): Record<string, string> =>
    Object.fromEntries(Object.entries(r[key] ?? {}).filter(([k]) => k === 'cpu' || k === 'memory')) as Record<string, string>;
  if (resources.every((r) => !Object.keys(named(r, 'requests')).length && !Object.keys(named(r, 'limits')).length)) return 'BestEffort';
  const guaranteed = resources.every((r) => {
    const limits = named(r, 'limits');
    const requests = { ...limits, ...named(r, 'requests') };
    return ['cpu', 'memory'].every((k) => limits[k] !== undefined && String(requests[k]) === String(limits[k]));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
