// What the HTTP and WebSocket handlers of the fake API server share.
import type { IncomingMessage } from 'node:http';
import type { RecordedRequest } from '../../backends/backend.ts';
import type { Authenticator, UserInfo } from './auth.ts';
import type { FakeHooks } from '../hooks.ts';
import type { Served } from './discovery.ts';
import type { Kubelet } from '../node/kubelet.ts';
import type { Authorizer } from './rbac.ts';
import type { Store } from './store.ts';

export interface ServerContext {
  store: Store;
  authn: Authenticator;
  authz: Authorizer;
  kubelet: Kubelet;
  hooks: FakeHooks;
  requests: RecordedRequest[];
  websocketProtocols: string[];
  served: Served;
  /** GET /version */
  version: Record<string, unknown>;
  nodeName: string;
}

/** Records the request (never its credentials) and returns its URL. */
export function recordRequest(ctx: ServerContext, req: IncomingMessage, user: UserInfo | undefined, body?: string): URL {
  const url = new URL(req.url ?? '/', 'http://fake');
  const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), user: user?.username ?? '' };
  if (req.headers['content-type']) rec.contentType = req.headers['content-type'];
  if (body !== undefined && body !== '') rec.body = body;
  if (req.headers.upgrade) rec.upgrade = req.headers.upgrade;
  ctx.requests.push(rec);
  return url;
}

/** `Warning` header values for the warnings queued with hooks.warnings (consumed). */
export function takeWarnings(ctx: ServerContext, extra: string[] = []): string[] {
  const texts = [...ctx.hooks.warnings.splice(0), ...extra];
  return texts.map((t) => `299 - "${t.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
}
