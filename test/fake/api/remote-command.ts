// GET pods/NAME/exec and pods/NAME/attach as WebSocket upgrades: the apiserver's checks (authz on get AND create,
// pod, container), then what the node does. With v5.channel.k8s.io the apiserver upgrades the client itself and
// talks SPDY to the kubelet (StreamTranslatorHandler), so kubelet failures arrive as a status frame after the 101;
// other protocols are proxied to the kubelet as they are, so its refusals are plain HTTP answers.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { UserInfo } from './auth.ts';
import { recordRequest, takeWarnings, type ServerContext } from './context.ts';
import { StreamTargetError, type ContainerRecord } from '../node/kubelet.ts';
import { boolParam } from './logs.ts';
import type { HostProcess } from '../node/process.ts';
import { ApiFailure, badRequest, forbidden, notFound, statusObject, type JsonObject } from './status.ts';
import { ChannelSession, streamProtocols, type StreamOptions } from '../wire/streams.ts';

const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (_offered, req) => (req as IncomingMessage & { negotiated?: string }).negotiated ?? false,
});

export function handleUpgrade(ctx: ServerContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => {});
  let user: UserInfo | undefined;
  try {
    user = ctx.authn.authenticate(req.headers.authorization);
  } catch (e) {
    recordRequest(ctx, req, undefined);
    refuse(ctx, socket, e as ApiFailure);
    return;
  }
  const url = recordRequest(ctx, req, user);
  try {
    const m = url.pathname.match(/^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/);
    if (!m) throw badRequest('the fake API server upgrades connections only for pods/exec and pods/attach');
    const [, ns, name, sub] = m as unknown as [string, string, string, 'exec' | 'attach'];
    const verb = req.method === 'POST' ? 'create' : 'get';
    const attrs = { verb, group: '', resource: 'pods', subresource: sub, namespace: ns, name };
    ctx.authz.check(user, attrs);
    // AuthorizePodWebsocketUpgradeCreatePermission (on by default since 1.35): "create" too, with RBAC's empty reason
    if (verb !== 'create' && !ctx.authz.allowed(user, { ...attrs, verb: 'create' })) throw forbidden('pods', name, '');
    const pod = ctx.store.get('Pod', ns, name);
    if (!pod) throw notFound('pods', name);
    const container = chooseContainer(pod, url.searchParams.get('container') ?? '', name);
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      throw badRequest(`unable to upgrade: the fake API server speaks WebSocket only, not ${req.headers.upgrade}`);
    }
    const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
    const protocol = ctx.websocketProtocols.find((p) => offered.includes(p) && streamProtocols.includes(p));
    if (!protocol) {
      // proxied to the kubelet, whose x/net/websocket handshake refuses unknown subprotocols with a bare 403
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const q = url.searchParams;
    const tty = boolParam(q.get('tty'));
    const opts: StreamOptions = { stdin: boolParam(q.get('stdin')), stdout: boolParam(q.get('stdout')), stderr: boolParam(q.get('stderr')) && !tty, tty };
    const v5 = protocol === 'v5.channel.k8s.io';
    const target = { ctx, req, socket, head, protocol, v5, opts };
    if (!opts.stdin && !opts.stdout && !opts.stderr) {
      // the kubelet's remotecommand.NewOptions, answered 400
      kubeletRefusal(target, new StreamTargetError('you must specify at least 1 of stdin, stdout, stderr', 'kubelet'), 400);
      return;
    }
    if (sub === 'attach') attach(target, ns, name, container);
    else exec(target, ns, name, container, q.getAll('command'));
  } catch (e) {
    if (!(e instanceof ApiFailure)) throw e;
    refuse(ctx, socket, e);
  }
}

interface Target {
  ctx: ServerContext;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  protocol: string;
  v5: boolean;
  opts: StreamOptions;
}

/** apiserver streamLocation: the only container, or a named one of any kind. */
export function chooseContainer(pod: JsonObject, container: string, name: string): string {
  const spec = pod.spec;
  if (!container) {
    const names = (spec.containers ?? []).map((c: JsonObject) => c.name);
    if (names.length === 1) return names[0];
    const init = (spec.initContainers ?? []).map((c: JsonObject) => c.name);
    let msg = `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`;
    if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
    throw badRequest(msg);
  }
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
  if (!all.some((c: JsonObject) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
  return container;
}

function refuse(ctx: ServerContext, socket: Duplex, failure: ApiFailure): void {
  respond(ctx, socket, failure.code, 'application/json', JSON.stringify(failure.body()));
}

function respond(ctx: ServerContext, socket: Duplex, code: number, contentType: string, body: string): void {
  const warnings = takeWarnings(ctx).map((w) => `Warning: ${w}\r\n`).join('');
  socket.end(
    `HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `${warnings}Connection: close\r\n\r\n${body}`,
  );
}

function upgrade(t: Target, then: (session: ChannelSession) => void): void {
  (t.req as IncomingMessage & { negotiated?: string }).negotiated = t.protocol;
  wss.handleUpgrade(t.req, t.socket, t.head, (ws: WebSocket) => {
    const session = new ChannelSession(ws, t.v5, t.opts);
    const drop = t.ctx.hooks.dropStreamsAfterMs;
    if (drop !== undefined) {
      const timer = setTimeout(() => session.destroy(), drop);
      ws.on('close', () => clearTimeout(timer));
    }
    then(session);
  });
}

/** A kubelet refusal: v5 gets it translated on the status channel, other protocols the kubelet's plain answer. */
function kubeletRefusal(t: Target, err: StreamTargetError, code = 500): void {
  if (!t.v5) {
    respond(t.ctx, t.socket, code, 'text/plain; charset=utf-8', err.message);
    return;
  }
  upgrade(t, (s) => s.finish(internalErrorStatus(`unable to upgrade connection: ${err.message}`)));
}

function internalErrorStatus(message: string): JsonObject {
  return statusObject('Failure', `Internal error occurred: ${message}`, 'InternalError', { causes: [{ message }] }, 500);
}

const success = (): JsonObject => statusObject('Success');

/** Forwards output, pausing `proc` while the client is congested; returns the detach function. */
function pump(session: ChannelSession, proc: HostProcess, tty: boolean): () => void {
  let paused = false;
  const release = (): void => {
    if (paused) {
      paused = false;
      proc.resume();
    }
  };
  session.onDrain = release;
  const unsubscribe = proc.onOutput((stream, chunk) => {
    session.output(tty ? 1 : stream, chunk);
    if (session.congested && !paused) {
      paused = true;
      proc.pause();
    }
  });
  return () => {
    unsubscribe();
    release();
  };
}

function attach(t: Target, ns: string, pod: string, name: string): void {
  let c: ContainerRecord & { proc: HostProcess };
  try {
    c = t.ctx.kubelet.attachTarget(ns, pod, name);
  } catch (e) {
    if (!(e instanceof StreamTargetError)) throw e;
    kubeletRefusal(t, e);
    return;
  }
  upgrade(t, (session) => {
    const proc = c.proc;
    const tty = Boolean(c.spec.tty);
    // the container runtime only wires the client's stdin to a container created with stdin
    const withStdin = session.opts.stdin && Boolean(c.spec.stdin);
    const detach = pump(session, proc, tty);
    // cri-streaming ServeAttach reports Success however the container ended: never an exit code
    const end = (): void => {
      detach();
      session.finish(success());
    };
    session.onStdin = (data) => {
      if (withStdin) proc.write(data);
    };
    // containerd (ContainerIO.Attach) and CRI-O alike: on the client's stdin EOF a stdinOnce, non-tty container
    // gets its stdin closed; otherwise the container's stdin stays open and this attach session ends.
    const stdinEnded = (): boolean => {
      if (!withStdin) return false;
      if (c.spec.stdinOnce && !tty) {
        proc.closeStdin();
        return false;
      }
      return true;
    };
    session.onStdinEnd = () => {
      if (stdinEnded()) end();
    };
    session.onResize = (cols, rows) => {
      if (tty) proc.resize(cols, rows);
    };
    session.onGone = detach;
    void proc.exited.then(end);
  });
}

function exec(t: Target, ns: string, pod: string, name: string, argv: string[]): void {
  let proc: HostProcess;
  try {
    proc = t.ctx.kubelet.exec(ns, pod, name, argv, t.opts.tty, t.opts.stdin);
  } catch (e) {
    if (!(e instanceof StreamTargetError)) throw e;
    if (e.stage === 'kubelet') {
      kubeletRefusal(t, e);
      return;
    }
    // the runtime failed after the kubelet upgraded: ServeExec's InternalError, re-wrapped by the translator for v5
    const kubeletStatus = internalErrorStatus(`error executing command in container: ${e.message}`);
    upgrade(t, (s) => s.finish(t.v5 ? internalErrorStatus(kubeletStatus.message) : kubeletStatus));
    return;
  }
  upgrade(t, (session) => {
    const tty = t.opts.tty;
    let detach = pump(session, proc, tty);
    session.onStdin = (data) => proc.write(data);
    // containerd execs with StdinOnce: stdin EOF closes the process's stdin; with a tty it detaches the output
    session.onStdinEnd = () => {
      if (!tty) proc.closeStdin();
      else {
        detach();
        detach = () => {};
      }
    };
    session.onResize = (cols, rows) => proc.resize(cols, rows);
    // the client went away: the process keeps running (kubernetes#89031), only its streams are gone
    session.onGone = () => detach();
    void proc.exited.then((code) => {
      detach();
      session.finish(code === 0 ? success() : exitStatus(code, argv, t.v5));
    });
  });
}

/** NonZeroExitCode as the kubelet writes it (v4 and older), or as the translator re-encodes it (v5). */
function exitStatus(code: number, argv: string[], v5: boolean): JsonObject {
  const err = v5 ? `command terminated with exit code ${code}` : `error executing command [${argv.join(' ')}], exit code ${code}`;
  return statusObject('Failure', `command terminated with non-zero exit code: ${err}`, 'NonZeroExitCode', {
    causes: [{ reason: 'ExitCode', message: String(code) }],
  });
}

