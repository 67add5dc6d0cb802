// The contract between the API-access layer and the rest of kdbg.
import type { IncomingMessage } from 'node:http';
import type { Agent } from 'node:http';
import type { SecureContext } from 'node:tls';
import type { RateLimit } from './rate-limit.ts';

export interface ResolvedContext {
  /** kubeconfig context name ("" for in-cluster) */
  contextName: string;
  /** namespace from -n, else the context's, else "default" */
  namespace: string;
  /** https://host:port or http://host:port, no trailing slash */
  server: string;
  /** kubeconfig user entry name, used only as a fallback identity before SelfSubjectReview (1.28) */
  userName: string;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** absolute API path, e.g. /api/v1/namespaces/default/pods/web-0 */
  path: string;
  query?: Record<string, string | string[] | undefined>;
  body?: unknown;
  /** defaults to application/json when body is set */
  contentType?: string;
  /** the Accept header (default application/json), e.g. to ask for a meta.k8s.io Table */
  accept?: string;
  /** abort after this long (default 30 s); watches pass their own signal instead */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Options for a raw connection (the ws library takes these as its ClientOptions). */
export interface ConnectOptions {
  agent: Agent | undefined;
  /** an array value is sent as one header line each (Impersonate-Group) */
  headers: Record<string, string | string[]>;
  ca?: string | Buffer | Array<string | Buffer>;
  cert?: string | Buffer;
  key?: string | Buffer;
  secureContext?: SecureContext | undefined;
  rejectUnauthorized: boolean;
  servername?: string;
}

export interface KubeClient {
  readonly context: ResolvedContext;
  /** JSON request; resolves with the parsed body, rejects with ApiError for non-2xx. */
  request<T = unknown>(opts: RequestOptions): Promise<T>;
  /** Streaming GET (watch). Resolves once headers arrive with status 200; rejects with ApiError otherwise. */
  stream(opts: RequestOptions): Promise<IncomingMessage>;
  /** Auth headers, TLS material and the shared keep-alive agent for a WebSocket upgrade to `server`. */
  connectOptions(): Promise<ConnectOptions>;
  /** Closes the keep-alive agent so the process can exit. */
  close(): void;
}

export interface LoadOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  as?: string;
  asGroups?: string[];
  env: NodeJS.ProcessEnv;
  /** apiserver `Warning:` headers, already decoded to their text */
  onWarning?: (text: string) => void;
  /** exec-plugin stderr and interactive prompts go here */
  stderr: NodeJS.WritableStream;
  stdinIsTTY: boolean;
  /** every request and upgrade within this rate; a 429 waits as the server asks and is sent again */
  rateLimit?: RateLimit;
}
