// The PodSecurity admission plugin on pods (k8s.io/pod-security-admission admission/admission.go ValidatePod and
// EvaluatePod, api/helpers.go PolicyToEvaluate, admission/response.go; the apiserver's wrapper
// plugin/pkg/admission/security/podsecurity/admission.go): the namespace's pod-security.kubernetes.io labels pick
// the levels, `enforce` refuses with 403, `warn` adds a Warning header (only to requests it lets through), `audit`
// only writes audit annotations, which the fake has none of. The plugin configuration's exemptions (namespaces, the
// requesting user) skip every level. Version labels are parsed and printed; every version is
// evaluated with the newest checks (pod-security-checks.ts).
import { evaluatePod, forbiddenDetail, type Level } from './pod-security-checks.ts';
import { forbidden, type JsonObject } from './status.ts';
import type { Store } from './store.ts';

const prefix = 'pod-security.kubernetes.io/';
const levels: Level[] = ['privileged', 'baseline', 'restricted'];

interface LevelVersion {
  level: Level;
  version: string;
}

/** PolicyToEvaluate: unset is privileged:latest; a bad enforce level fails closed (restricted), bad warn/audit open. */
function policy(labels: Record<string, string>): { enforce: LevelVersion; warn: LevelVersion } {
  const version = (key: string): string => {
    const v = labels[`${prefix}${key}-version`];
    return v !== undefined && /^(latest|v1\.(0|[1-9][0-9]*))$/.test(v) ? v : 'latest';
  };
  const level = (key: string, onError: Level): Level | undefined => {
    const v = labels[`${prefix}${key}`];
    if (v === undefined) return undefined;
    return levels.includes(v as Level) ? (v as Level) : onError;
  };
  const enforce = { level: level('enforce', 'restricted') ?? 'privileged', version: version('enforce') };
  let warn = { level: level('warn', 'privileged') ?? 'privileged', version: version('warn') };
  // warn defaults to an enforce level set more restrictive than it
  const enforceValid = levels.includes(labels[`${prefix}enforce`] as Level);
  if (labels[`${prefix}warn`] === undefined && enforceValid && levels.indexOf(enforce.level) > levels.indexOf(warn.level)) {
    warn = { level: enforce.level, version: labels[`${prefix}warn-version`] === undefined ? enforce.version : warn.version };
  }
  return { enforce, warn };
}

/** PodSecurityConfiguration.exemptions, which a real API server reads from its admission configuration file. */
export interface PodSecurityExemptions {
  namespaces: Set<string>;
  usernames: Set<string>;
}

export interface PodAdmission {
  namespace: string;
  /** who asks */
  user: string;
  exemptions: PodSecurityExemptions;
  /** the pod after the change, defaulted, its name generated */
  pod: JsonObject;
  /** the pod before an update (ephemeralcontainers), undefined on create */
  old?: JsonObject;
}

/** Throws the plugin's 403, or returns the warnings to send. */
export function admitPodSecurity(store: Store, a: PodAdmission): string[] {
  const labels: Record<string, string> = store.get('Namespace', '', a.namespace)?.metadata.labels ?? {};
  const { enforce, warn } = policy(labels);
  if (enforce.level === 'privileged' && warn.level === 'privileged') return [];
  const { exemptions } = a;
  if (exemptions.namespaces.has(a.namespace) || exemptions.usernames.has(a.user)) return [];
  if (a.old && !significantUpdate(a.pod, a.old)) return [];
  const meta = a.pod.metadata ?? {};
  const spec = a.pod.spec ?? {};
  const denied = evaluatePod(enforce.level, meta, spec);
  if (denied.length) {
    throw forbidden('pods', meta.name, `violates PodSecurity "${enforce.level}:${enforce.version}": ${forbiddenDetail(denied)}`);
  }
  const warned = evaluatePod(warn.level, meta, spec);
  return warned.length ? [`would violate PodSecurity "${warn.level}:${warn.version}": ${forbiddenDetail(warned)}`] : [];
}

/** isSignificantPodUpdate: container counts or images changed, or an ephemeral container was added. */
function significantUpdate(pod: JsonObject, old: JsonObject): boolean {
  for (const key of ['containers', 'initContainers']) {
    const now: JsonObject[] = pod.spec[key] ?? [];
    const before: JsonObject[] = old.spec[key] ?? [];
    if (now.length !== before.length || now.some((c, i) => c.image !== before[i]!.image)) return true;
  }
  const previous = new Map<string, JsonObject>((old.spec.ephemeralContainers ?? []).map((c: JsonObject) => [c.name, c]));
  return (pod.spec.ephemeralContainers ?? []).some((c: JsonObject) => previous.get(c.name)?.image !== c.image);
}
