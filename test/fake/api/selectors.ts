// Label selectors (=, ==, !=, in, notin, exists, !exists, gt, lt) and field selectors (=, ==, !=) with the
// per-resource field sets the apiserver supports.
import { badRequest, type JsonObject } from './status.ts';
import type { Kind } from './store.ts';

export type Matcher = (obj: JsonObject) => boolean;

interface LabelRequirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';
  values: string[];
}

export function parseLabelSelector(text: string | null): Matcher {
  if (!text) return () => true;
  const reqs = splitTopLevel(text).map(parseRequirement);
  return (obj) => {
    const labels: Record<string, string> = obj.metadata?.labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case 'exists':
          return has;
        case '!':
          return !has;
        case 'in':
          return has && r.values.includes(v!);
        case 'notin':
          return !has || !r.values.includes(v!);
        case 'gt':
          return has && Number(v) > Number(r.values[0]);
        case 'lt':
          return has && Number(v) < Number(r.values[0]);
      }
    });
  };
}

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim());
}

const labelKey = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function parseRequirement(text: string): LabelRequirement {
  let m: RegExpMatchArray | null;
  const check = (key: string): string => {
    if (!labelKey.test(key)) throw badRequest(`unable to parse requirement: invalid label key "${key}"`);
    return key;
  };
  if ((m = text.match(/^!\s*(\S+)$/))) return { key: check(m[1]!), op: '!', values: [] };
  if ((m = text.match(/^(\S+?)\s+(in|notin)\s*\((.*)\)$/))) {
    const values = m[3]!.split(',').map((v) => v.trim());
    return { key: check(m[1]!), op: m[2] as 'in' | 'notin', values };
  }
  if ((m = text.match(/^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/))) {
    const op = m[2]!;
    const key = check(m[1]!);
    if (op === '!=') return { key, op: 'notin', values: [m[3]!] };
    if (op === '>' || op === '<') return { key, op: op === '>' ? 'gt' : 'lt', values: [m[3]!] };
    return { key, op: 'in', values: [m[3]!] };
  }
  if ((m = text.match(/^(\S+)$/))) return { key: check(m[1]!), op: 'exists', values: [] };
  throw badRequest(`unable to parse requirement: found '${text}', expected: ',', '!=', '==', '=', 'in', 'notin'`);
}

const metadataFields = {
  'metadata.name': (o: JsonObject) => o.metadata.name,
  'metadata.namespace': (o: JsonObject) => o.metadata.namespace,
};

const fieldGetters: Record<Kind, Record<string, (o: JsonObject) => string>> = {
  Pod: {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace,
    'spec.nodeName': (o) => o.spec.nodeName ?? '',
    'spec.restartPolicy': (o) => o.spec.restartPolicy ?? '',
    'spec.schedulerName': (o) => o.spec.schedulerName ?? '',
    'spec.serviceAccountName': (o) => o.spec.serviceAccountName ?? '',
    'spec.hostNetwork': (o) => String(o.spec.hostNetwork ?? false),
    'status.phase': (o) => o.status?.phase ?? '',
    'status.podIP': (o) => o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
  Event: {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace,
    'involvedObject.kind': (o) => o.involvedObject?.kind ?? '',
    'involvedObject.namespace': (o) => o.involvedObject?.namespace ?? '',
    'involvedObject.name': (o) => o.involvedObject?.name ?? '',
    'involvedObject.uid': (o) => o.involvedObject?.uid ?? '',
    'involvedObject.apiVersion': (o) => o.involvedObject?.apiVersion ?? '',
    'involvedObject.resourceVersion': (o) => o.involvedObject?.resourceVersion ?? '',
    'involvedObject.fieldPath': (o) => o.involvedObject?.fieldPath ?? '',
    reason: (o) => o.reason ?? '',
    reportingComponent: (o) => o.reportingComponent ?? '',
    source: (o) => o.source?.component ?? '',
    type: (o) => o.type ?? '',
  },
  Namespace: {
    'metadata.name': (o) => o.metadata.name,
    'status.phase': (o) => o.status?.phase ?? '',
  },
  Deployment: metadataFields,
  StatefulSet: metadataFields,
  DaemonSet: metadataFields,
  ReplicaSet: { ...metadataFields, 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
  Job: { ...metadataFields, 'status.successful': (o) => String(o.status?.succeeded ?? 0) },
};

export function parseFieldSelector(kind: Kind, text: string | null): Matcher {
  if (!text) return () => true;
  const terms = splitFieldTerms(text).map((term) => {
    const m = term.match(/^([^=!]+?)(==|=|!=)(.*)$/);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const get = fieldGetters[kind][m[1]!];
    if (!get) throw badRequest(`field label not supported: ${m[1]}`);
    const value = m[3]!.replace(/\\(.)/g, '$1');
    return { get, negate: m[2] === '!=', value };
  });
  return (obj) => terms.every((t) => (t.get(obj) === t.value) !== t.negate);
}

/** Field selector terms are comma separated; `\,` escapes a comma inside a value. */
function splitFieldTerms(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      cur += ch + text[++i];
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.filter((t) => t !== '');
}
