// One exec session over WebSocket: stdout and stderr apart and binary-safe, stdin with EOF (v5 CLOSE),
// backpressure both ways, pings, terminal resizes, and the exit status from channel 3.
import WebSocket from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Readable, Writable } from 'node:stream';
import type { KubeClient } from '../kube/types.ts';
import { ApiError } from '../kube/api-error.ts';
import { KdbgError } from '../errors.ts';
import { Channel, V4, V5, closeFrame, decodeStatus, frame, resizeFrame, type Outcome } from './protocol.ts';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export interface ExecRequest {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  tty: boolean;
  /** forwarded to the command; its end becomes the command's stdin EOF */
  stdin?: NodeJS.ReadableStream | undefined;
  stdout: NodeJS.WritableStream;
  /** ignored with a TTY: the terminal carries both */
  stderr?: NodeJS.WritableStream | undefined;
  /** with a TTY: the size now, and later sizes */
  size?: TerminalSize | undefined;
  pingIntervalMs?: number;
}

export type ExecResult = Outcome | { kind: 'lost'; message: string } | { kind: 'closed' };

export interface ExecSession {
  /** whether anything went either way: stdin bytes sent, output bytes received */
  readonly exchangedData: boolean;
  /** settles once the exit status has come (the last thing the node sends), or the socket has closed */
  readonly done: Promise<ExecResult>;
  resize(size: TerminalSize): void;
  /** ends the session from this side; `done` settles with `closed` unless a status already came */
  close(): void;
}

const UPLOAD_HIGH_WATER = 1 << 20;

export function execUrl(server: string, r: Pick<ExecRequest, 'namespace' | 'pod' | 'container' | 'command' | 'tty' | 'stdin'>): string {
  const q = new URLSearchParams();
  for (const c of r.command) q.append('command', c);
  q.set('container', r.container);
  if (r.stdin) q.set('stdin', 'true');
  q.set('stdout', 'true');
  if (!r.tty) q.set('stderr', 'true');
  if (r.tty) q.set('tty', 'true');
  const base = server.replace(/^http/, 'ws');
  return `${base}/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/exec?${q}`;
}

/**
 * Opens the exec; resolves once the server has upgraded the connection. The command may not run yet (the API
 * server upgrades before the node starts it) or at all (v5 reports a refusal on the status channel).
 */
export async function openExec(req: ExecRequest): Promise<ExecSession> {
  const opts = await req.client.connectOptions();
  // Without stdin a v4 server is fine; with stdin only v5 can pass EOF without closing the whole session,
  // so we never start a command we could not drive.
  const protocols = req.stdin ? [V5] : [V5, V4];
  const upgrade = (retryStaleSocket: boolean): Promise<ExecSession> => {
    let reusedSocket = false;
    const ws = new WebSocket(execUrl(req.client.context.server, req), protocols, {
      ...opts,
      // sent again, on a connection of its own: the agent's other idle sockets may be as stale as the first
      agent: retryStaleSocket ? opts.agent : undefined,
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
      finishRequest: (request) => {
        request.once('socket', () => (reusedSocket = request.reusedSocket));
        request.end();
      },
    });
    return new Promise<ExecSession>((resolve, reject) => {
      // driven from within 'open': what came with the upgrade's answer is read on the next tick, before any promise
      // continuation would have attached the listeners
      ws.once('open', () => resolve(drive(ws, req)));
      ws.once('unexpected-response', (req2, res) => {
        readBody(res)
          .then((body) => reject(refusal(res.statusCode ?? 0, body, req.client.context.server, protocols)), reject)
          .finally(() => req2.destroy());
      });
      ws.once('error', (err: NodeJS.ErrnoException) => {
        // A keep-alive socket the server closed just as we reused it: the server never read the upgrade (it would
        // have answered it), so nothing ran; it is sent again, once, as the client's GETs are.
        if (retryStaleSocket && reusedSocket && err.code === 'ECONNRESET') return void upgrade(false).then(resolve, reject);
        reject(connectError(err, req.client.context.server, protocols));
      });
    });
  };
  return upgrade(true);
}

function drive(ws: WebSocket, req: ExecRequest): ExecSession {
  let outcome: Outcome | undefined;
  let closedByUs = false;
  let downloadPaused = false;
  let lastPong = Date.now();
  const pingEvery = req.pingIntervalMs ?? 5000;

  const pinger = setInterval(() => {
    // while a slow reader holds the download, pongs are not read either: that is no sign of a dead connection
    if (downloadPaused) lastPong = Date.now();
    if (Date.now() - lastPong > pingEvery * 6) {
      ws.terminate();
      return;
    }
    ws.ping();
  }, pingEvery);
  pinger.unref();
  ws.on('pong', () => (lastPong = Date.now()));

  let exchangedData = false;
  const write = (target: NodeJS.WritableStream | undefined, payload: Buffer) => {
    if (payload.length > 0) exchangedData = true;
    // a reader that went away will never drain: drop what it would have got
    if (!target || (target as Writable).destroyed || (target as Writable).errored) return;
    if (!target.write(payload) && !downloadPaused) {
      downloadPaused = true;
      ws.pause();
      target.once('drain', () => {
        downloadPaused = false;
        ws.resume();
      });
    }
  };

  let settle!: (result: ExecResult) => void;
  const done = new Promise<ExecResult>((resolve) => (settle = resolve));
  let ended = false;
  const end = (result: ExecResult) => {
    if (ended) return;
    ended = true;
    clearInterval(pinger);
    if (stdin) {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
    }
    settle(result);
  };

  ws.on('message', (data: Buffer, isBinary) => {
    const buf = isBinary ? data : Buffer.from(data);
    if (buf.length === 0) return;
    const payload = buf.subarray(1);
    switch (buf[0]) {
      case Channel.stdout:
        write(req.stdout, payload);
        break;
      case Channel.stderr:
        write(req.tty ? req.stdout : req.stderr, payload);
        break;
      case Channel.status:
        // the node sends it last, once the command has ended and its output has all gone out: the session is over,
        // whatever the close handshake that follows takes
        outcome = decodeStatus(payload);
        end(outcome);
        break;
      default:
        break;
    }
  });

  const stdin = req.stdin;
  const onData = (chunk: Buffer | string) => {
    // read from stdin is gone from it, sent or not: this session can no longer be replayed elsewhere
    exchangedData = true;
    if (ws.readyState !== WebSocket.OPEN) return;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    ws.send(frame(Channel.stdin, buf), () => {
      if (ws.bufferedAmount < UPLOAD_HIGH_WATER / 2) stdin?.resume();
    });
    if (ws.bufferedAmount > UPLOAD_HIGH_WATER) stdin?.pause();
  };
  // An EOF is no data: a stdin that ended before any byte can be ended again elsewhere (see readableEnded below).
  const onEnd = () => {
    if (ws.readyState === WebSocket.OPEN) ws.send(closeFrame(Channel.stdin));
  };
  if (stdin) {
    stdin.on('data', onData);
    // a stdin that already ended (an earlier attempt read it to the end) ends this command's input at once
    if ((stdin as Readable).readableEnded) onEnd();
    else stdin.once('end', onEnd);
    stdin.resume();
  }

  if (req.tty && req.size) sendResize(ws, req.size);

  ws.once('close', () => {
    if (outcome) end(outcome);
    else if (closedByUs) end({ kind: 'closed' });
    else end({ kind: 'lost', message: 'the connection to the API server closed before the command reported its exit status' });
  });
  ws.on('error', () => {
    // 'close' follows every error; the outcome is decided there.
  });

  return {
    get exchangedData() {
      return exchangedData;
    },
    done,
    resize: (size) => sendResize(ws, size),
    close: () => {
      closedByUs = true;
      ws.resume();
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
    },
  };
}

function sendResize(ws: WebSocket, size: TerminalSize) {
  if (ws.readyState === WebSocket.OPEN) ws.send(resizeFrame(size.columns, size.rows));
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A refused upgrade. A Status body is the API server's own answer (RBAC, admission, a bad container name).
 * A bare 403 is the x/net/websocket handshake refusing every offered subprotocol: a server without v5.
 */
function refusal(statusCode: number, body: string, server: string, offered: string[]): Error {
  const err = ApiError.fromBody(statusCode, body);
  if (statusCode === 403 && !err.status) return noProtocol(server, offered);
  return err;
}

function noProtocol(server: string, offered: string[]): KdbgError {
  return new KdbgError(
    'api',
    offered.includes(V4)
      ? `the API server at ${server} offered no usable stream protocol (kdbg speaks ${V5} and ${V4})`
      : `the API server at ${server} does not speak ${V5}, which sessions with stdin need (Kubernetes 1.30+ with TranslateStreamCloseWebsocketRequests on); use --no-stdin`,
  );
}

function connectError(err: Error, server: string, offered: string[]): KdbgError {
  if (/sub-?protocol/i.test(err.message)) return noProtocol(server, offered);
  const code = (err as NodeJS.ErrnoException).code;
  return new KdbgError('api', `cannot open a session on ${server}: ${code ?? err.message}`, { cause: err });
}
