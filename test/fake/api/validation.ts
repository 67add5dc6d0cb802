// ValidatePodEphemeralContainersUpdate from k8s.io/kubernetes/pkg/apis/core/validation, for the parts that can
// differ between the old and the new Pod on the ephemeralcontainers subresource: validateEphemeralContainers
// (validateContainerCommon, the ephemeral allow-list, unique names, targetContainerName) followed by
// "existing ephemeral containers may not be removed / changed". Its container checks serve pod-validation.ts too.
import { supportedValues, type FieldError, type Json, type JsonObject } from './status.ts';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1123LabelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end " +
  "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is " +
  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** validation.IsDNS1123Label */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!dns1123Label.test(value)) errs.push(dns1123Subdomain.test(value) ? 'must not contain dots' : dns1123LabelMessage);
  return errs;
}

// Fields of core.EphemeralContainerCommon outside allowedEphemeralContainerFields, in struct order.
const forbiddenEphemeralFields = [
  'ports',
  'resources',
  'resizePolicy',
  'restartPolicy',
  'restartPolicyRules',
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle',
];

/** reflect.DeepEqual(field, zero value): a JSON field is "set" once present and not null (even [] or {}). */
function isSet(ec: JsonObject, field: string): boolean {
  const v = ec[field];
  if (v === undefined || v === null) return false;
  if (field === 'resources') return Object.values(v as JsonObject).some((x) => x !== null && x !== undefined);
  return true;
}

/** `raw` are the ephemeral containers as decoded, before defaulting: the allow-list sees `ports: []` as set. */
export function validateEphemeralContainersUpdate(newPod: JsonObject, oldPod: JsonObject, raw: JsonObject[]): FieldError[] {
  const errs: FieldError[] = [];
  const spec = newPod.spec;
  const others = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: JsonObject) => c.name);
  const allNames = new Set<string>(others);
  const volumes = new Set<string>((spec.volumes ?? []).map((v: JsonObject) => v.name));

  (spec.ephemeralContainers ?? []).forEach((ec: JsonObject, i: number) => {
    const path = `spec.ephemeralContainers[${i}]`;
    errs.push(...validateContainerCommon(ec, path, volumes));
    if (typeof ec.image === 'string' && ec.image.trim() !== ec.image) {
      errs.push({ type: 'Invalid value', field: `${path}.image`, value: ec.image, detail: 'must not have leading or trailing whitespace' });
    }
    if (allNames.has(ec.name)) errs.push({ type: 'Duplicate value', field: `${path}.name`, value: ec.name });
    else allNames.add(ec.name);
    if (ec.targetContainerName && !others.includes(ec.targetContainerName)) {
      errs.push({ type: 'Not found', field: `${path}.targetContainerName`, value: ec.targetContainerName });
    }
    for (const f of forbiddenEphemeralFields) {
      if (isSet(raw[i] ?? ec, f)) errs.push({ type: 'Forbidden', field: `${path}.${f}`, detail: 'cannot be set for an Ephemeral Container' });
    }
    (ec.volumeMounts ?? []).forEach((vm: JsonObject, j: number) => {
      for (const f of ['subPath', 'subPathExpr']) {
        if (vm[f]) errs.push({ type: 'Forbidden', field: `${path}.volumeMounts[${j}].${f}`, detail: 'cannot be set for an Ephemeral Container' });
      }
    });
  });

  const byName = new Map<string, JsonObject>((spec.ephemeralContainers ?? []).map((ec: JsonObject) => [ec.name, ec]));
  for (const old of oldPod.spec.ephemeralContainers ?? []) {
    const now = byName.get(old.name);
    if (!now) {
      errs.push({ type: 'Forbidden', field: 'spec.ephemeralContainers', detail: `existing ephemeral containers "${old.name}" may not be removed\n` });
    } else if (!deepEqual(old, now)) {
      errs.push({
        type: 'Forbidden',
        field: 'spec.ephemeralContainers',
        detail: `existing ephemeral containers "${old.name}" may not be changed\n${diff(old, now)}`,
      });
    }
  }
  return errs;
}

export function validateContainerCommon(c: JsonObject, path: string, volumes: Set<string>): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.name) errs.push({ type: 'Required value', field: `${path}.name` });
  else for (const msg of dns1123LabelErrors(String(c.name))) errs.push({ type: 'Invalid value', field: `${path}.name`, value: c.name, detail: msg });
  if (!c.image) errs.push({ type: 'Required value', field: `${path}.image` });
  errs.push(...oneOf(c.terminationMessagePolicy, `${path}.terminationMessagePolicy`, ['File', 'FallbackToLogsOnError']));
  (c.env ?? []).forEach((e: JsonObject, i: number) => {
    const field = `${path}.env[${i}].name`;
    if (!e.name) errs.push({ type: 'Required value', field });
    else if (!/^[\x20-\x3c\x3e-\x7e]+$/.test(e.name)) {
      errs.push({
        type: 'Invalid value',
        field,
        value: e.name,
        detail: "a valid environment variable name must consist only of printable ASCII characters other than '='",
      });
    }
  });
  (c.volumeMounts ?? []).forEach((vm: JsonObject, i: number) => {
    if (!vm.name) errs.push({ type: 'Required value', field: `${path}.volumeMounts[${i}].name` });
    else if (!volumes.has(vm.name)) errs.push({ type: 'Not found', field: `${path}.volumeMounts[${i}].name`, value: vm.name });
    if (!vm.mountPath) errs.push({ type: 'Required value', field: `${path}.volumeMounts[${i}].mountPath` });
  });
  errs.push(...oneOf(c.imagePullPolicy, `${path}.imagePullPolicy`, ['Always', 'IfNotPresent', 'Never']));
  errs.push(...validateSecurityContext(c.securityContext, `${path}.securityContext`));
  return errs;
}

export function oneOf(value: Json, field: string, allowed: string[]): FieldError[] {
  if (value === undefined || value === '') return [{ type: 'Required value', field }];
  if (!allowed.includes(value)) return [{ type: 'Unsupported value', field, value, detail: supportedValues(allowed) }];
  return [];
}

function validateSecurityContext(sc: JsonObject | undefined, path: string): FieldError[] {
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const f of ['runAsUser', 'runAsGroup']) {
    const v = sc[f];
    if (v !== undefined && !(Number.isInteger(v) && v >= 0 && v <= 2147483647)) {
      errs.push({ type: 'Invalid value', field: `${path}.${f}`, value: v, detail: 'must be between 0 and 2147483647, inclusive' });
    }
  }
  const seccomp = sc.seccompProfile;
  if (seccomp) {
    const types = ['Localhost', 'RuntimeDefault', 'Unconfined'];
    if (!seccomp.type) errs.push({ type: 'Required value', field: `${path}.seccompProfile`, detail: 'type is required when seccompProfile is set' });
    else if (!types.includes(seccomp.type)) {
      errs.push({ type: 'Unsupported value', field: `${path}.seccompProfile`, value: seccomp.type, detail: supportedValues(types) });
    } else if (seccomp.type === 'Localhost' && !seccomp.localhostProfile) {
      errs.push({ type: 'Required value', field: `${path}.seccompProfile.localhostProfile`, detail: 'must be set when seccomp type is Localhost' });
    }
  }
  if (sc.allowPrivilegeEscalation === false) {
    if (sc.privileged === true) {
      errs.push({ type: 'Invalid value', field: path, value: sc, detail: 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true' });
    }
    if ((sc.capabilities?.add ?? []).includes('CAP_SYS_ADMIN')) {
      errs.push({ type: 'Invalid value', field: path, value: sc, detail: 'cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN' });
    }
  }
  return errs;
}

export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
}

/** A go-cmp flavoured diff of the fields that changed (the real message prints cmp.Diff of the Go structs). */
function diff(old: JsonObject, now: JsonObject): string {
  const goName = (k: string): string => (k === 'tty' ? 'TTY' : k[0]!.toUpperCase() + k.slice(1));
  const lines = ['  core.EphemeralContainer{', '  \tEphemeralContainerCommon: core.EphemeralContainerCommon{'];
  for (const k of [...new Set([...Object.keys(old), ...Object.keys(now)])]) {
    if (deepEqual(old[k], now[k])) continue;
    if (old[k] !== undefined) lines.push(`- \t\t${goName(k)}: ${JSON.stringify(old[k])},`);
    if (now[k] !== undefined) lines.push(`+ \t\t${goName(k)}: ${JSON.stringify(now[k])},`);
  }
  lines.push('  \t},', '  }');
  return lines.join('\n');
}
