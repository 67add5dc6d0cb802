// The API client: kubectl's kubeconfig rules, one keep-alive agent for every request and upgrade, JSON in and out.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { KdbgError } from '../errors.ts';
import { ApiError, TransportError } from './api-error.ts';
import { credentialsFor, type AuthMaterial, type Credentials } from './auth/credentials.ts';
import { SERVICE_ACCOUNT_DIR, inClusterTarget } from './auth/in-cluster.ts';
import { describeSources, loadMergedKubeconfig, selectContext, type ClusterSettings, type KubeTarget } from './auth/kubeconfig.ts';
import type { ConnectOptions, KubeClient, LoadOptions, RequestOptions, ResolvedContext } from './types.ts';
import { parseWarnings } from './warning-header.ts';
import { MAX_RETRIES_ON_429, RequestLimiter, retryAfterMs } from './rate-limit.ts';

export interface ClientLoadOptions extends LoadOptions {
  /** where the in-cluster service-account files are read (tests point it elsewhere) */
  serviceAccountDir?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const USER_AGENT = 'kdbg';

export async function loadKubeClient(opts: ClientLoadOptions): Promise<KubeClient> {
  const merged = loadMergedKubeconfig(opts);
  const target = selectContext(merged, opts) ?? inClusterTarget(opts.env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, opts);
  if (!target) {
    throw new KdbgError('config', `no current context (${describeSources(merged)}): pass --kubeconfig or --context, or choose one with kubectl config use-context`);
  }
  const limiter = opts.rateLimit ? new RequestLimiter(opts.rateLimit) : undefined;
  return new HttpKubeClient(target, credentialsFor(target, opts), opts.onWarning, limiter);
}

interface Exchange {
  res: IncomingMessage;
  /** the whole body, except for a streaming 200, whose body is left to the caller */
  body: string;
}

class HttpKubeClient implements KubeClient {
  readonly context: ResolvedContext;
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly cluster: ClusterSettings;
  /** the TLS context of the last credentials: building one (the CA parsed, the key loaded) costs more than a handshake */
  private secure: { cert: AuthMaterial['cert']; key: AuthMaterial['key']; context: tls.SecureContext } | undefined;

  constructor(
    target: KubeTarget,
    private readonly credentials: Credentials,
    private readonly onWarning: ((text: string) => void) | undefined,
    /** with a rate limit: every request and upgrade waits its turn, and a 429 is sent again when the server says */
    private readonly limiter: RequestLimiter | undefined,
  ) {
    this.cluster = target.cluster;
    const { contextName, namespace, userName } = target;
    this.context = { contextName, namespace, server: this.cluster.server, userName };
    const secure = this.cluster.server.startsWith('https:');
    this.transport = secure ? https : http;
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  async request<T = unknown>(opts: RequestOptions): Promise<T> {
    const { res, body } = await this.send(opts, false);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw ApiError.fromBody(status, body);
    if (body.trim() === '') return undefined as T;
    try {
      return JSON.parse(body) as T;
    } catch {
      throw new KdbgError('api', `${this.context.server} answered ${opts.method} ${opts.path} with invalid JSON`);
    }
  }

  async stream(opts: RequestOptions): Promise<IncomingMessage> {
    const { res, body } = await this.send(opts, true);
    if (res.statusCode !== 200) throw ApiError.fromBody(res.statusCode ?? 0, body);
    return res;
  }

  async connectOptions(): Promise<ConnectOptions> {
    await this.limiter?.take();
    const auth = await this.credentials();
    return {
      agent: this.agent,
      headers: { ...auth.headers, 'User-Agent': USER_AGENT },
      ...this.tlsOptions(auth),
    };
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * One exchange, repeated once with renewed credentials when a renewable credential gets a 401; under a rate limit,
   * repeated after the wait a 429 asks for (the server did not act on it), everything else of this client waiting too.
   */
  private async send(opts: RequestOptions, streaming: boolean): Promise<Exchange> {
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    for (let attempt = 0; ; attempt++) {
      const answer = await this.authenticated(opts, payload, streaming);
      if (!this.limiter || answer.res.statusCode !== 429 || attempt >= MAX_RETRIES_ON_429) return answer;
      this.limiter.pause(retryAfterMs(answer.res.headers['retry-after'], attempt));
    }
  }

  private async authenticated(opts: RequestOptions, payload: Buffer | undefined, streaming: boolean): Promise<Exchange> {
    const auth = await this.credentials();
    await this.limiter?.take(opts.signal);
    const first = await this.exchange(opts, payload, auth, streaming, true);
    if (first.res.statusCode !== 401 || !auth.renew) return first;
    auth.renew();
    const renewed = await this.credentials();
    await this.limiter?.take(opts.signal);
    return this.exchange(opts, payload, renewed, streaming, true);
  }

  /**
   * One HTTP exchange under its own timeout, which ends once the whole body has arrived (or, for a streaming 200,
   * the headers). The caller's signal aborts it at any point, a stream included.
   */
  private exchange(
    opts: RequestOptions,
    payload: Buffer | undefined,
    auth: AuthMaterial,
    streaming: boolean,
    retryStaleSocket: boolean,
  ): Promise<Exchange> {
    const server = this.context.server;
    const ms = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const outer = opts.signal;
    return new Promise<Exchange>((resolve, reject) => {
      let req: http.ClientRequest | undefined;
      let res: IncomingMessage | undefined;
      // node:http's own `signal` option stops applying once the request is sent, so aborts are handled here.
      let aborted: { reason: unknown } | undefined;
      const abort = (reason: unknown): void => {
        aborted ??= { reason };
        req?.destroy();
        res?.destroy();
      };
      const relay = (): void => abort(outer?.reason);
      const timer = setTimeout(() => abort(new TransportError(`timed out after ${ms / 1000}s talking to ${server}`)), ms);
      const release = (): void => {
        clearTimeout(timer);
        outer?.removeEventListener('abort', relay);
      };
      const fail = (err: unknown): void => {
        release();
        if (aborted) return reject(aborted.reason);
        const code = (err as NodeJS.ErrnoException).code;
        // A keep-alive socket the server closed just as we reused it: a GET is safe to send again, once (under a
        // rate limit, as a request of its own), on a connection of its own: the agent's other idle sockets may be
        // as stale as the first.
        if (retryStaleSocket && req?.reusedSocket && code === 'ECONNRESET' && opts.method === 'GET') {
          const turn = this.limiter?.take(opts.signal) ?? Promise.resolve();
          return void turn.then(() => this.exchange(opts, payload, auth, streaming, false)).then(resolve, reject);
        }
        reject(networkError(server, err));
      };
      if (outer?.aborted) {
        clearTimeout(timer);
        return reject(outer.reason);
      }
      outer?.addEventListener('abort', relay, { once: true });

      const headers: http.OutgoingHttpHeaders = { ...auth.headers, Accept: opts.accept ?? 'application/json', 'User-Agent': USER_AGENT };
      if (payload) {
        headers['Content-Type'] = opts.contentType ?? 'application/json';
        headers['Content-Length'] = payload.length;
      }
      const onResponse = (answer: IncomingMessage): void => {
        res = answer;
        this.reportWarnings(answer);
        if (streaming && answer.statusCode === 200) {
          clearTimeout(timer);
          answer.once('close', release);
          return resolve({ res: answer, body: '' });
        }
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.once('end', () => {
          release();
          resolve({ res: answer, body: Buffer.concat(chunks).toString('utf8') });
        });
        answer.once('error', fail);
        answer.once('close', () => answer.complete || fail(new Error('connection closed before the answer ended')));
      };
      try {
        const options = { method: opts.method, headers, agent: retryStaleSocket ? this.agent : false, ...this.tlsOptions(auth) };
        req = this.transport.request(this.url(opts), options, onResponse);
      } catch (err) {
        return fail(err);
      }
      req.once('error', fail);
      req.end(payload);
    });
  }

  private url(opts: RequestOptions): URL {
    const url = new URL(this.context.server + opts.path);
    for (const [key, value] of Object.entries(opts.query ?? {})) {
      for (const item of [value].flat()) if (item !== undefined) url.searchParams.append(key, item);
    }
    return url;
  }

  /** ca, cert and key name the agent's pool of sockets; the context made of them serves every new connection */
  private tlsOptions(auth: AuthMaterial): Omit<ConnectOptions, 'agent' | 'headers'> {
    const { ca } = this.cluster;
    const { cert, key } = auth;
    if (this.transport === https && (!this.secure || this.secure.cert !== cert || this.secure.key !== key)) {
      this.secure = { cert, key, context: tls.createSecureContext({ ca, cert, key }) };
    }
    return {
      ca,
      cert,
      key,
      secureContext: this.secure?.context,
      rejectUnauthorized: !this.cluster.insecureSkipTLSVerify,
      servername: this.cluster.tlsServerName,
    };
  }

  private reportWarnings(res: IncomingMessage): void {
    const header = res.headers.warning;
    if (!header || !this.onWarning) return;
    for (const text of parseWarnings(header)) this.onWarning(text);
  }
}

/** Names the server and the OS or TLS error code; node's messages for these carry no credentials. */
function networkError(server: string, err: unknown): KdbgError {
  const { message, code } = err as NodeJS.ErrnoException;
  // OpenSSL's own text is a trace (`…:SSL routines:FUNCTION:REASON:FILE:LINE:`, lines of it): its reason is what says
  const tlsReason = /SSL routines:[^:]*:([^:]+):/.exec(message)?.[1];
  const text = tlsReason ? `TLS failed: ${tlsReason}` : message.trim().split('\n')[0]!;
  const detail = code && !text.includes(code) ? `${text} (${code})` : text;
  return new TransportError(`cannot talk to ${server}: ${detail}`, { cause: err });
}
