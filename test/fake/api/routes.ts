// The REST side of the fake API server: authentication, per-request authorization with the apiserver's
// RequestInfo (verb from method, collection and ?watch), and the handlers for the paths it serves.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from './auth.ts';
import { recordRequest, takeWarnings, type ServerContext } from './context.ts';
import { aggregated, aggregatedVersion, legacyCoreVersions, legacyGroup, legacyGroupList, resourceList, type Served } from './discovery.ts';
import { updateEphemeralContainers } from './ephemeral-patch.ts';
import { boolParam, serveLog } from './logs.ts';
import type { ResourceAttributes } from './rbac.ts';
import { createPod } from './pod-create.ts';
import { chooseContainer } from './remote-command.ts';
import { writeOptions } from './request-options.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { ApiFailure, badRequest, forbidden, internalError, invalid, notFound, unknownPath, type FieldError, type Json, type JsonObject } from './status.ts';
import { byteOrder, type Kind } from './store.ts';
import { toTable, wantsTable } from './table.ts';
import { serveWatch } from './watch.ts';
import { apiVersionOf, workloadResources } from './workloads.ts';

interface Call {
  ctx: ServerContext;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  user: UserInfo;
  body: string;
}

/** the resources served, by `group/resource` (the core group is '') */
const kinds: Record<string, Kind> = {
  '/pods': 'Pod',
  '/events': 'Event',
  '/namespaces': 'Namespace',
  ...Object.fromEntries(workloadResources.map((r) => [`${r.group}/${r.resource}`, r.kind])),
};

export async function handleRequest(ctx: ServerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  let user: UserInfo | undefined;
  let authError: unknown;
  try {
    user = ctx.authn.authenticate(req.headers.authorization);
  } catch (e) {
    authError = e;
  }
  const url = recordRequest(ctx, req, user, body);
  if (ctx.hooks.hold?.(req.method ?? 'GET', url.pathname)) return;
  try {
    if (authError) throw authError;
    checkAccept(req.headers.accept);
    route({ ctx, req, res, url, user: user!, body });
  } catch (e) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendStatus(ctx, res, e instanceof ApiFailure ? e : internalError(String((e as Error)?.stack ?? e)));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function checkAccept(accept: string | undefined): void {
  if (!accept) return;
  const ok = accept.split(',').some((p) => /^(application\/json|application\/\*|\*\/\*)(\s*;|$)/i.test(p.trim()));
  if (!ok) {
    throw new ApiFailure(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  }
}

function sendJson(ctx: ServerContext, res: ServerResponse, code: number, obj: Json, contentType = 'application/json', extraWarnings: string[] = []): void {
  const headers: Record<string, string | string[]> = { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Audit-Id': randomUUID() };
  const warnings = takeWarnings(ctx, extraWarnings);
  if (warnings.length) headers.Warning = warnings;
  res.writeHead(code, headers);
  res.end(JSON.stringify(obj));
}

function sendStatus(ctx: ServerContext, res: ServerResponse, f: ApiFailure): void {
  sendJson(ctx, res, f.code, f.body());
}

const methodNotAllowed = (): ApiFailure =>
  new ApiFailure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {});

function route(call: Call): void {
  const { ctx, req, res, url } = call;
  const path = url.pathname.replace(/\/+$/, '') || '/';
  const method = req.method ?? 'GET';
  const accept = req.headers.accept ?? '';
  const ssr = ctx.served;

  // non-resource URLs: open to every authenticated user (system:discovery, system:public-info-viewer)
  if (method === 'GET') {
    if (path === '/version') return sendJson(ctx, res, 200, ctx.version);
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const agg = aggregatedVersion(accept);
    const aggType = (v: string): string => `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
    if (path === '/api') {
      if (agg) return sendJson(ctx, res, 200, aggregated(ssr, true, agg), aggType(agg));
      return sendJson(ctx, res, 200, legacyCoreVersions(req.headers.host ?? ''));
    }
    if (path === '/apis') {
      if (agg) return sendJson(ctx, res, 200, aggregated(ssr, false, agg), aggType(agg));
      return sendJson(ctx, res, 200, legacyGroupList(ssr));
    }
    const doc = path === '/api/v1' ? resourceList(ssr, '', 'v1') : discoveryDoc(ssr, path);
    if (doc) return sendJson(ctx, res, 200, doc);
  }

  if (path === '/apis/authentication.k8s.io/v1/selfsubjectreviews' && ssr.selfSubjectReview) return selfSubjectReview(call, method);
  if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') return selfSubjectAccessReview(call, method);

  const node = path.match(/^\/api\/v1\/nodes\/([^/]+)$/);
  if (node) return getNode(call, method, node[1]!);

  const m = path.match(/^\/(?:api\/v1|apis\/(apps|batch)\/v1)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/);
  if (!m) throw unknownPath();
  let [, group = '', ns, resource, name, sub] = m as unknown as [string, string | undefined, string | undefined, string, string | undefined, string | undefined];
  const kind = kinds[`${group}/${resource}`];
  if (!kind) throw unknownPath();
  if (resource === 'namespaces') {
    if (ns) throw unknownPath();
    ns = name; // RequestInfo: for namespaces/NAME the namespace is NAME
  } else if (name && !ns) throw unknownPath(); // a namespaced object has no cluster-scoped path
  if (sub && (resource !== 'pods' || !['ephemeralcontainers', 'log', 'exec', 'attach'].includes(sub))) throw unknownPath();
  if (sub === 'ephemeralcontainers' && !ctx.served.ephemeralContainers) throw unknownPath();
  const watch = !name && boolParam(url.searchParams.get('watch'));
  const verb = verbFor(method, Boolean(name), watch);
  const attrs: ResourceAttributes = { verb, group, resource, subresource: sub, namespace: ns, name };
  ctx.authz.check(call.user, attrs);

  if (!name) {
    if (verb === 'create' && kind === 'Event') return createEvent(call, ns!);
    if (verb === 'create' && kind === 'Pod' && ns) {
      admit(ctx, 'pods');
      const admission = { user: call.user.username, exemptions: ctx.hooks.podSecurityExemptions };
      const { pod, warnings } = createPod(ctx.store, ns, call.body, writeOptions('CreateOptions', url.searchParams), admission);
      return sendJson(ctx, res, 201, typed('Pod', pod), 'application/json', warnings);
    }
    if (verb !== 'list' && verb !== 'watch') throw methodNotAllowed();
    return collection(call, kind, resource === 'namespaces' ? undefined : ns, watch);
  }
  if (sub === 'ephemeralcontainers') return ephemeralContainers(call, method, ns!, name);
  if (sub === 'log') {
    if (method !== 'GET') throw methodNotAllowed();
    return serveLog(res, ctx.store, ctx.kubelet, ns!, name, url.searchParams);
  }
  if (sub) {
    // exec/attach without an upgrade: Connect() runs its checks before the proxy asks for the upgrade
    if (method !== 'GET' && method !== 'POST') throw methodNotAllowed();
    if (verb !== 'create' && !ctx.authz.allowed(call.user, { ...attrs, verb: 'create' })) throw forbidden('pods', name, '');
    const pod = ctx.store.get('Pod', ns!, name);
    if (!pod) throw notFound('pods', name);
    chooseContainer(pod, url.searchParams.get('container') ?? '', name);
    throw badRequest('Upgrade request required');
  }
  if (method === 'DELETE' && kind === 'Pod') return deletePod(call, ns!, name);
  if (method !== 'GET') throw methodNotAllowed();
  const obj = ctx.store.get(kind, kind === 'Namespace' ? '' : ns!, name);
  if (!obj) throw notFound(resource, name, group);
  sendJson(ctx, res, 200, present(call, kind, typed(kind, obj)));
}

/** GET of the one Node (what kdbg node asks before it makes a pod); its status is not kept. */
function getNode(call: Call, method: string, name: string): void {
  if (method !== 'GET') throw methodNotAllowed();
  call.ctx.authz.check(call.user, { verb: 'get', group: '', resource: 'nodes', name });
  if (name !== call.ctx.nodeName) throw notFound('nodes', name);
  sendJson(call.ctx, call.res, 200, { kind: 'Node', apiVersion: 'v1', metadata: { name } });
}

function discoveryDoc(ssr: Served, path: string): JsonObject | undefined {
  const m = path.match(/^\/apis\/([^/]+)(?:\/([^/]+))?$/);
  if (!m) return undefined;
  return m[2] ? resourceList(ssr, m[1]!, m[2]) : legacyGroup(ssr, m[1]!);
}

/**
 * hooks.denyingWebhook, as the apiserver reports a validating webhook's denial without a code (webhookerrors
 * ToStatusErr): 400, its name and its message. It sees dry runs too (a webhook without side effects does).
 */
function admit(ctx: ServerContext, resource: 'pods' | 'pods/ephemeralcontainers'): void {
  const webhook = ctx.hooks.denyingWebhook;
  if (webhook?.resource !== resource) return;
  throw new ApiFailure(400, '', `admission webhook "${webhook.name}" denied the request: ${webhook.message}`);
}

function verbFor(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
      return watch ? 'watch' : named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

const typed = (kind: Kind, obj: JsonObject): JsonObject => ({ kind, apiVersion: apiVersionOf(kind), ...obj });

function present(call: Call, kind: Kind, obj: JsonObject): JsonObject {
  if (!wantsTable(call.req.headers.accept ?? '')) return obj;
  return toTable(kind, [obj], obj.metadata.resourceVersion, call.url.searchParams.get('includeObject'));
}

function collection(call: Call, kind: Kind, ns: string | undefined, watch: boolean): void {
  const q = call.url.searchParams;
  const labels = parseLabelSelector(q.get('labelSelector'));
  const fields = parseFieldSelector(kind, q.get('fieldSelector'));
  const match = (o: JsonObject): boolean => labels(o) && fields(o);
  if (watch) {
    const timeout = q.get('timeoutSeconds');
    serveWatch(call.req, call.res, call.ctx.store, call.ctx.hooks, {
      kind,
      namespace: ns,
      match,
      resourceVersion: q.get('resourceVersion'),
      timeoutSeconds: timeout ? Number(timeout) : 1800,
      bookmarks: boolParam(q.get('allowWatchBookmarks')),
      present: (o) => present(call, kind, o),
    });
    return;
  }
  const { rv, items, metadata } = page(call, kind, ns, match);
  if (wantsTable(call.req.headers.accept ?? '')) {
    return sendJson(call.ctx, call.res, 200, toTable(kind, items.map((o) => typed(kind, o)), rv, q.get('includeObject')));
  }
  sendJson(call.ctx, call.res, 200, { kind: `${kind}List`, apiVersion: apiVersionOf(kind), metadata, items });
}

/**
 * A list with the apiserver's paging: `limit` cuts it after that many items in key order and answers a `continue`
 * token (and `remainingItemCount`); the token, only valid with the same selectors and no resourceVersion, starts
 * after the last key sent. The fake keeps no history, so a continued list reads the current objects.
 */
function page(call: Call, kind: Kind, ns: string | undefined, match: (o: JsonObject) => boolean) {
  const q = call.url.searchParams;
  const token = q.get('continue');
  let rv = String(call.ctx.store.currentRv());
  let after: string | undefined;
  if (token) {
    if (q.get('resourceVersion')) throw badRequest('specifying resource version is not allowed when using continue');
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: string; start: string };
      if (typeof decoded.start !== 'string' || typeof decoded.rv !== 'string') throw new Error('bad');
      ({ rv } = decoded);
      after = decoded.start;
    } catch {
      throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
  }
  const keyOf = (o: JsonObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const all = call.ctx.store.peek(kind, ns).filter((o) => match(o) && (after === undefined || byteOrder(keyOf(o), after) > 0));
  const limit = Number(q.get('limit') ?? 0);
  const items = limit > 0 ? all.slice(0, limit) : all;
  const metadata: JsonObject = { resourceVersion: rv };
  if (items.length < all.length) {
    metadata.continue = Buffer.from(JSON.stringify({ rv, start: keyOf(items[items.length - 1]!) })).toString('base64url');
    metadata.remainingItemCount = all.length - items.length;
  }
  return { rv, items, metadata };
}

/** POST of a core/v1 Event, with the apiserver's checks of its namespace and name. */
function createEvent(call: Call, ns: string): void {
  const event = parseJsonBody(call.body);
  const meta: JsonObject = (event.metadata ??= {});
  if (meta.namespace && meta.namespace !== ns) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  meta.namespace = ns;
  const errs: FieldError[] = [];
  if (!meta.name && !meta.generateName) errs.push({ type: 'Required value', field: 'metadata.name', detail: 'name or generateName is required' });
  const involvedNs = event.involvedObject?.namespace;
  if (involvedNs !== ns) errs.push({ type: 'Invalid value', field: 'involvedObject.namespace', value: involvedNs ?? '', detail: 'does not match event.namespace' });
  if (errs.length) throw invalid('Event', meta.name ?? '', errs);
  meta.name ??= `${meta.generateName}${randomUUID().replace(/-/g, '').slice(0, 5)}`;
  if (call.ctx.store.get('Event', ns, meta.name)) throw new ApiFailure(409, 'AlreadyExists', `events "${meta.name}" already exists`, { name: meta.name, kind: 'events' });
  meta.uid = randomUUID();
  meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  sendJson(call.ctx, call.res, 201, typed('Event', call.ctx.store.create('Event', event)));
}

function ephemeralContainers(call: Call, method: string, ns: string, name: string): void {
  const { ctx, req, res } = call;
  if (method === 'GET') {
    const pod = ctx.store.get('Pod', ns, name);
    if (!pod) throw notFound('pods', name);
    return sendJson(ctx, res, 200, typed('Pod', pod));
  }
  if (method !== 'PATCH' && method !== 'PUT') throw methodNotAllowed();
  admit(ctx, 'pods/ephemeralcontainers');
  const { pod, warnings } = updateEphemeralContainers(ctx.store, ctx.hooks, {
    method,
    namespace: ns,
    name,
    contentType: req.headers['content-type'] ?? '',
    body: call.body,
    query: call.url.searchParams,
    user: call.user.username,
  });
  if (ctx.hooks.dropPatchResponseOnce) {
    ctx.hooks.dropPatchResponseOnce = false;
    req.socket.destroy();
    return;
  }
  sendJson(ctx, res, 200, typed('Pod', pod), 'application/json', warnings);
}

function deletePod(call: Call, ns: string, name: string): void {
  const { ctx } = call;
  const pod = ctx.store.get('Pod', ns, name);
  if (!pod) throw notFound('pods', name);
  const options: JsonObject = call.body ? parseJsonBody(call.body) : {};
  const precondition = options.preconditions?.uid;
  if (precondition && precondition !== pod.metadata.uid) {
    throw new ApiFailure(409, 'Conflict', `Operation cannot be fulfilled on pods "${name}": Precondition failed: UID in precondition: ${precondition}, UID in object meta: ${pod.metadata.uid}`, { name, kind: 'pods' });
  }
  const q = call.url.searchParams.get('gracePeriodSeconds');
  const grace = Number(q ?? options.gracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
  sendJson(ctx, call.res, 200, typed('Pod', deletePodObject(ctx, pod, grace)));
}

/**
 * Graceful deletion marks the Pod (the kubelet kills it and removes the object); grace 0, like the deletion of a
 * pod that has finished (podStrategy.CheckGracefulDelete), removes it at once.
 */
export function deletePodObject(ctx: ServerContext, pod: JsonObject, requested: number): JsonObject {
  const finished = pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
  const grace = finished ? 0 : requested < 0 ? 1 : requested;
  const mark = (obj: JsonObject): void => {
    obj.metadata.deletionTimestamp ??= new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    obj.metadata.deletionGracePeriodSeconds = grace;
  };
  if (grace === 0) return ctx.store.delete('Pod', pod.metadata.namespace, pod.metadata.name, mark) ?? pod;
  if (pod.metadata.deletionTimestamp) return pod;
  mark(pod);
  return ctx.store.update('Pod', pod);
}

function parseJsonBody(body: string): JsonObject {
  try {
    return JSON.parse(body);
  } catch (e) {
    throw badRequest(`error decoding request body: ${(e as Error).message}`);
  }
}

function selfSubjectReview(call: Call, method: string): void {
  if (method !== 'POST') throw methodNotAllowed();
  const { user } = call;
  sendJson(call.ctx, call.res, 201, {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null },
    status: { userInfo: { username: user.username, uid: user.uid, groups: user.groups } },
  });
}

function selfSubjectAccessReview(call: Call, method: string): void {
  if (method !== 'POST') throw methodNotAllowed();
  const review = parseJsonBody(call.body);
  const spec: JsonObject = review.spec ?? {};
  const ra: JsonObject | undefined = spec.resourceAttributes;
  const nra: JsonObject | undefined = spec.nonResourceAttributes;
  if (Boolean(ra) === Boolean(nra)) {
    throw invalid('SelfSubjectAccessReview.authorization.k8s.io', '', [
      { type: 'Invalid value', field: 'spec.resourceAttributes', value: null, detail: 'exactly one of nonResourceAttributes or resourceAttributes must be specified' },
    ]);
  }
  const { user } = call;
  let allowed = true;
  if (ra) {
    allowed = call.ctx.authz.allowed(user, {
      verb: ra.verb ?? '',
      group: ra.group ?? '',
      resource: ra.resource ?? '',
      subresource: ra.subresource || undefined,
      namespace: ra.namespace || undefined,
      name: ra.name || undefined,
    });
  }
  const status: JsonObject = { allowed };
  if (allowed && !user.groups.includes('system:masters') && ra) {
    status.reason = `RBAC: allowed by ClusterRoleBinding "fake-${user.username}" of ClusterRole "fake-${user.username}" to User "${user.username}"`;
  }
  sendJson(call.ctx, call.res, 201, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec,
    status,
  });
}
