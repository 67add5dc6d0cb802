// What the apiserver's defaulting (k8s.io/kubernetes/pkg/apis/core/v1/defaults.go) adds to a Pod, and the
// JSON shape Go would marshal it back to (omitempty drops false, "", [] and nil).
import { defaultPullPolicy } from '../node/images.ts';
import type { Json, JsonObject } from './status.ts';

/** SetDefaults_Container, which SetDefaults_EphemeralContainer applies too. */
export function defaultContainer(c: JsonObject): JsonObject {
  const out = canonicalContainer(c);
  if (!out.terminationMessagePath) out.terminationMessagePath = '/dev/termination-log';
  if (!out.terminationMessagePolicy) out.terminationMessagePolicy = 'File';
  if (!out.imagePullPolicy) out.imagePullPolicy = defaultPullPolicy(typeof out.image === 'string' ? out.image : '');
  for (const e of out.env ?? []) {
    if (e.valueFrom?.fieldRef && !e.valueFrom.fieldRef.apiVersion) e.valueFrom.fieldRef.apiVersion = 'v1';
  }
  for (const p of out.ports ?? []) p.protocol ??= 'TCP';
  return out;
}

/** A container as Go marshals it: no nulls, no omitempty zero values at the top level, `resources` always present. */
function canonicalContainer(c: JsonObject): JsonObject {
  const out: JsonObject = dropNulls(structuredClone(c));
  for (const [k, v] of Object.entries(out)) {
    if (v === false || v === '' || (Array.isArray(v) && v.length === 0)) delete out[k];
  }
  const resources: JsonObject = out.resources && typeof out.resources === 'object' ? out.resources : {};
  for (const [k, v] of Object.entries(resources)) {
    if ((Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v && Object.keys(v).length === 0)) delete resources[k];
  }
  out.resources = resources;
  return out;
}

function dropNulls(v: Json): Json {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      if (x === null || x === undefined) delete v[k];
      else v[k] = dropNulls(x);
    }
  }
  return v;
}

export function defaultPodSpec(spec: JsonObject): JsonObject {
  const out: JsonObject = structuredClone(spec);
  out.containers = (out.containers ?? []).map(defaultContainer);
  if (out.initContainers) out.initContainers = out.initContainers.map(defaultContainer);
  out.restartPolicy ??= 'Always';
  out.terminationGracePeriodSeconds ??= 30;
  out.dnsPolicy ??= 'ClusterFirst';
  out.serviceAccountName ??= 'default';
  out.serviceAccount ??= out.serviceAccountName;
  out.securityContext ??= {};
  out.schedulerName ??= 'default-scheduler';
  out.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
  out.priority ??= 0;
  out.enableServiceLinks ??= true;
  out.preemptionPolicy ??= 'PreemptLowerPriority';
  if (out.volumes) out.volumes = out.volumes.map(defaultVolume);
  return out;
}

const volumeModes = ['configMap', 'secret', 'downwardAPI', 'projected'];

/** SetDefaults_Volume (no source: an emptyDir), SetDefaults_HostPathVolumeSource and the 0644 default modes. */
function defaultVolume(volume: JsonObject): JsonObject {
  const { name, ...source } = volume;
  if (Object.values(source).every((v) => v === null || v === undefined)) return { name, emptyDir: {} };
  if (volume.hostPath) volume.hostPath.type ??= '';
  for (const key of volumeModes) if (volume[key]) volume[key].defaultMode ??= 420;
  return volume;
}
