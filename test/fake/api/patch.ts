// The three patch types a Pod subresource accepts: strategic merge (with the Pod schema's merge keys and the
// $patch / $setElementOrder / $retainKeys / $deleteFromPrimitiveList directives), JSON merge (RFC 7386) and
// JSON patch (RFC 6902).
import { ApiFailure, badRequest, type Json, type JsonObject } from './status.ts';

type Ctx = 'pod' | 'metadata' | 'spec' | 'status' | 'container' | 'other';

interface ListRule {
  key?: string;
  primitiveMerge?: boolean;
  itemCtx?: Ctx;
}

// patchMergeKey / patchStrategy tags of k8s.io/api/core/v1 that matter for a Pod
const listRules: Record<string, ListRule> = {
  'spec.containers': { key: 'name', itemCtx: 'container' },
  'spec.initContainers': { key: 'name', itemCtx: 'container' },
  'spec.ephemeralContainers': { key: 'name', itemCtx: 'container' },
  'spec.volumes': { key: 'name' },
  'spec.imagePullSecrets': { key: 'name' },
  'spec.hostAliases': { key: 'ip' },
  'container.env': { key: 'name' },
  'container.ports': { key: 'containerPort' },
  'container.volumeMounts': { key: 'mountPath' },
  'container.volumeDevices': { key: 'devicePath' },
  'metadata.ownerReferences': { key: 'uid' },
  'metadata.finalizers': { primitiveMerge: true },
  'status.conditions': { key: 'type' },
};

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function strategicMerge(original: JsonObject, patch: Json): JsonObject {
  if (!isObject(patch)) throw badRequest('unable to find api field in struct Pod for the json field "$patch"');
  return mergeMap(structuredClone(original), patch, 'pod') ?? {};
}

function mergeMap(original: JsonObject, patch: JsonObject, ctx: Ctx): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') {
    const copy = { ...patch };
    delete copy.$patch;
    return copy;
  }
  if (directive !== undefined && directive !== 'merge') throw badRequest(`Unknown patch type: ${directive}`);
  if (Array.isArray(patch.$retainKeys)) {
    for (const k of Object.keys(original)) if (!patch.$retainKeys.includes(k)) delete original[k];
  }
  const orders: Record<string, Json[]> = {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys') continue;
    if (k.startsWith('$setElementOrder/')) {
      orders[k.slice('$setElementOrder/'.length)] = v;
      continue;
    }
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(original[field])) original[field] = original[field].filter((x: Json) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete original[k];
      continue;
    }
    const rule = listRules[`${ctx}.${k}`];
    if (Array.isArray(v)) {
      original[k] = rule ? mergeList(Array.isArray(original[k]) ? original[k] : [], v, rule) : v;
    } else if (isObject(v)) {
      const merged = mergeMap(isObject(original[k]) ? original[k] : {}, v, childCtx(ctx, k));
      if (merged === undefined) delete original[k];
      else original[k] = merged;
    } else {
      original[k] = v;
    }
  }
  for (const [field, order] of Object.entries(orders)) {
    const rule = listRules[`${ctx}.${field}`];
    if (Array.isArray(original[field]) && Array.isArray(order)) original[field] = reorder(original[field], order, rule?.key);
  }
  return original;
}

function childCtx(ctx: Ctx, field: string): Ctx {
  if (ctx === 'pod' && (field === 'metadata' || field === 'spec' || field === 'status')) return field;
  return 'other';
}

function mergeList(original: Json[], patch: Json[], rule: ListRule): Json[] {
  if (rule.primitiveMerge) return [...new Set([...original, ...patch])];
  const key = rule.key!;
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace'));
  }
  const out = [...original];
  for (const item of patch) {
    if (!isObject(item)) throw badRequest(`unable to merge list: element ${JSON.stringify(item)} has no merge key "${key}"`);
    if (item[key] === undefined) throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const idx = out.findIndex((o) => isObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) {
      const merged = mergeMap(out[idx], item, rule.itemCtx ?? 'other');
      if (merged === undefined) out.splice(idx, 1);
      else out[idx] = merged;
    } else {
      out.push(mergeMap({}, item, rule.itemCtx ?? 'other') ?? {});
    }
  }
  return out;
}

/** $setElementOrder: listed elements in the given order, the others after them in their original order. */
function reorder(list: Json[], order: Json[], key: string | undefined): Json[] {
  const id = (x: Json): Json => (key && isObject(x) ? x[key] : x);
  const wanted = order.map(id);
  const listed = wanted.flatMap((w) => list.filter((x) => id(x) === w));
  return [...listed, ...list.filter((x) => !wanted.includes(id(x)))];
}

export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

export function jsonPatch(target: JsonObject, ops: Json): JsonObject {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc: Json = structuredClone(target);
  for (const op of ops) {
    if (!isObject(op) || typeof op.path !== 'string') throw unprocessable('missing path');
    switch (op.op) {
      case 'add':
        doc = put(doc, op.path, structuredClone(op.value), true);
        break;
      case 'replace':
        get(doc, op.path);
        doc = put(doc, op.path, structuredClone(op.value), false);
        break;
      case 'remove':
        get(doc, op.path);
        doc = remove(doc, op.path);
        break;
      case 'move': {
        const value = get(doc, op.from);
        doc = put(remove(doc, op.from), op.path, value, true);
        break;
      }
      case 'copy':
        doc = put(doc, op.path, structuredClone(get(doc, op.from)), true);
        break;
      case 'test':
        if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(op.value)) {
          throw unprocessable(`testing value ${op.path} failed: test failed`);
        }
        break;
      default:
        throw unprocessable(`Unexpected kind: ${op.op}`);
    }
  }
  return doc;
}

function unprocessable(message: string): ApiFailure {
  return new ApiFailure(422, 'Invalid', message);
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw unprocessable(`JSON pointer must be empty or start with a "/": ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: Json, path: string): Json {
  let cur = doc;
  for (const part of pointer(path)) {
    if (Array.isArray(cur) ? !(Number(part) >= 0 && Number(part) < cur.length) : !isObject(cur) || !(part in cur)) {
      throw unprocessable(`doc is missing path: "${path}": missing value`);
    }
    cur = cur[part as keyof typeof cur];
  }
  return cur;
}

function put(doc: Json, path: string, value: Json, insert: boolean): Json {
  const parts = pointer(path);
  if (parts.length === 0) return value;
  const last = parts.pop()!;
  const parent = get(doc, parts.length ? `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : '');
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!(idx >= 0 && idx <= parent.length)) throw unprocessable(`add operation does not apply: doc is missing path: "${path}"`);
    if (insert) parent.splice(idx, 0, value);
    else parent[idx] = value;
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw unprocessable(`doc is missing path: "${path}"`);
  }
  return doc;
}

function remove(doc: Json, path: string): Json {
  const parts = pointer(path);
  const last = parts.pop()!;
  const parent = get(doc, parts.length ? `/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}` : '');
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete parent[last];
  return doc;
}
