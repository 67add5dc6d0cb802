// PATCH / PUT of pods/NAME/ephemeralcontainers: decode and apply the patch, keep only the ephemeral-container
// change (podEphemeralContainersStrategy), default, validate, admit (PodSecurity checks the whole Pod with its new
// ephemeral containers, then the validating webhooks of hooks.webhooks), and write unless nothing changed. A dry
// run (dryRun=All) answers the Pod it would have written, with the stored resourceVersion
// (registry/generic/registry/dryrun.go GuaranteedUpdate), and writes nothing.
import { defaultContainer } from './defaults.ts';
import type { FakeHooks } from '../hooks.ts';
import { jsonMergePatch, jsonPatch, strategicMerge } from './patch.ts';
import { admitPodSecurity } from './pod-security.ts';
import { admitWebhooks } from './webhooks.ts';
import { writeOptions } from './request-options.ts';
import { ApiFailure, badRequest, conflict, invalid, notFound, type Json, type JsonObject } from './status.ts';
import type { Store } from './store.ts';
import { deepEqual, validateEphemeralContainersUpdate } from './validation.ts';

export interface EphemeralUpdate {
  method: 'PATCH' | 'PUT';
  namespace: string;
  name: string;
  contentType: string;
  body: string;
  /** the query: dryRun, fieldValidation (Ignore, Warn (default) or Strict) */
  query: URLSearchParams;
  /** who asks */
  user: string;
}

const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

// JSON names of v1.EphemeralContainer
const knownFields = new Set([
  'name', 'image', 'command', 'args', 'workingDir', 'ports', 'envFrom', 'env', 'resources', 'resizePolicy',
  'restartPolicy', 'restartPolicyRules', 'volumeMounts', 'volumeDevices', 'livenessProbe', 'readinessProbe',
  'startupProbe', 'lifecycle', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy',
  'securityContext', 'stdin', 'stdinOnce', 'tty', 'targetContainerName',
]);

const conflictText = 'the object has been modified; please apply your changes to the latest version and try again';

export function updateEphemeralContainers(store: Store, hooks: FakeHooks, req: EphemeralUpdate): { pod: JsonObject; warnings: string[] } {
  const mediaType = req.contentType.split(';')[0]!.trim().toLowerCase();
  if (req.method === 'PATCH' && !patchTypes.includes(mediaType)) {
    throw new ApiFailure(
      415,
      'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: ' +
        'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json',
    );
  }
  const options = writeOptions(req.method === 'PATCH' ? 'PatchOptions' : 'UpdateOptions', req.query);
  const old = store.get('Pod', req.namespace, req.name);
  if (!old) throw notFound('pods', req.name);
  let body: Json;
  try {
    body = JSON.parse(req.body);
  } catch (e) {
    throw badRequest(`error decoding ${req.method === 'PUT' ? 'body' : 'patch'}: ${(e as Error).message}`);
  }
  if (hooks.patchConflictOnce) {
    hooks.patchConflictOnce = false;
    throw conflict('pods', req.name, conflictText);
  }

  const patched = apply(old, body, req);
  checkIdentity(patched, old, req);
  const rawEcs = patched.spec?.ephemeralContainers;
  if (rawEcs !== undefined && rawEcs !== null && !Array.isArray(rawEcs)) throw conversionError(body, 'spec.ephemeralContainers must be a list');
  const ecList: JsonObject[] = rawEcs ?? [];
  const warnings: string[] = [];
  ecList.forEach((ec: Json, i: number) => {
    if (typeof ec !== 'object' || ec === null || Array.isArray(ec)) throw conversionError(body, `spec.ephemeralContainers[${i}] must be an object`);
    checkTypes(ec, i, body);
    for (const k of Object.keys(ec)) {
      if (knownFields.has(k)) continue;
      const text = `unknown field "spec.ephemeralContainers[${i}].${k}"`;
      if (options.fieldValidation === 'Strict') throw conversionError(body, `strict decoding error: ${text}`);
      if (options.fieldValidation !== 'Ignore') warnings.push(text);
      delete ec[k];
    }
  });

  // podEphemeralContainersStrategy.PrepareForUpdate keeps everything of the old Pod but the ephemeral containers
  const next: JsonObject = structuredClone(old);
  next.spec.ephemeralContainers = ecList.map((ec) => {
    const { targetContainerName, ...common } = ec;
    const out = defaultContainer(common);
    if (targetContainerName) out.targetContainerName = targetContainerName;
    return out;
  });
  if (next.spec.ephemeralContainers.length === 0) delete next.spec.ephemeralContainers;

  const errs = validateEphemeralContainersUpdate(next, old, ecList);
  if (errs.length) throw invalid('Pod', req.name, errs);
  warnings.push(...admitPodSecurity(store, { namespace: req.namespace, pod: next, old, user: req.user, exemptions: hooks.podSecurityExemptions }));
  admitWebhooks(hooks.webhooks, {
    operation: 'UPDATE',
    resource: 'pods',
    subResource: 'ephemeralcontainers',
    namespace: req.namespace,
    name: req.name,
    object: next,
    oldObject: old,
    dryRun: options.dryRun,
  });
  if (deepEqual(next, old)) return { pod: old, warnings };
  next.metadata.generation = (old.metadata.generation ?? 1) + 1;
  if (options.dryRun) return { pod: next, warnings };
  return { pod: store.update('Pod', next), warnings };
}

function apply(old: JsonObject, body: Json, req: EphemeralUpdate): JsonObject {
  if (req.method === 'PUT') {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Object \'Kind\' is missing in the request body');
    return body;
  }
  const mediaType = req.contentType.split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json-patch+json') return jsonPatch(old, body);
  if (mediaType === 'application/merge-patch+json') return jsonMergePatch(old, body);
  return strategicMerge(old, body);
}

function checkIdentity(patched: JsonObject, old: JsonObject, req: EphemeralUpdate): void {
  const meta = patched.metadata ?? {};
  if (meta.name !== undefined && meta.name !== req.name) {
    throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${req.name})`);
  }
  if (req.method === 'PUT' && !meta.resourceVersion) {
    throw invalid('Pod', req.name, [
      { type: 'Invalid value', field: 'metadata.resourceVersion', value: 0, detail: 'must be specified for an update' },
    ]);
  }
  if (meta.uid !== undefined && meta.uid !== old.metadata.uid) {
    throw conflict('pods', req.name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`);
  }
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== old.metadata.resourceVersion) {
    throw conflict('pods', req.name, conflictText);
  }
}

const stringFields = ['name', 'image', 'workingDir', 'terminationMessagePath', 'terminationMessagePolicy', 'imagePullPolicy', 'targetContainerName'];
const stringListFields = ['command', 'args'];
const boolFields = ['stdin', 'stdinOnce', 'tty'];

function checkTypes(ec: JsonObject, i: number, body: Json): void {
  const at = (k: string): string => `.spec.ephemeralContainers[${i}].${k}`;
  for (const k of stringFields) {
    if (ec[k] != null && typeof ec[k] !== 'string') throw conversionError(body, `${at(k)}: expected string, got ${goType(ec[k])}`);
  }
  for (const k of stringListFields) {
    if (ec[k] != null && !(Array.isArray(ec[k]) && ec[k].every((x: Json) => typeof x === 'string'))) {
      throw conversionError(body, `${at(k)}: expected list of strings, got ${goType(ec[k])}`);
    }
  }
  for (const k of boolFields) {
    if (ec[k] != null && typeof ec[k] !== 'boolean') throw conversionError(body, `${at(k)}: expected bool, got ${goType(ec[k])}`);
  }
}

/** The patch handler's 422 for a patch whose result does not convert to a Pod: `"" is invalid: patch: Invalid value: …`. */
function conversionError(body: Json, detail: string): ApiFailure {
  return invalid('', '', [{ type: 'Invalid value', field: 'patch', value: goFormat(body), detail }]);
}

function goType(v: Json): string {
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** fmt's %+v of a decoded JSON value: map[k:v …] with sorted keys, [a b] lists. */
function goFormat(v: Json): string {
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (typeof v === 'object' && v !== null) {
    return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  }
  return v === null ? '<nil>' : String(v);
}
