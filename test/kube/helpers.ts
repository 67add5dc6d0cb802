// Shared fixtures for the kube client tests: temp dirs, kubeconfig files, openssl-made PKI, recording servers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { stringify } from 'yaml';
import { loadKubeClient, type ClientLoadOptions } from '../../src/kube/client.ts';
import type { KubeClient } from '../../src/kube/types.ts';

export const PLUGIN = path.join(import.meta.dirname, 'fixtures', 'exec-plugin.mjs');

const dirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-kube-'));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function writeFile(file: string, content: string | Buffer): string {
  writeFileSync(file, content);
  return file;
}

/** A one-context kubeconfig: cluster `c`, user `u`, context `ctx`. */
export function kubeconfig(
  file: string,
  cluster: Record<string, unknown>,
  user: Record<string, unknown> = {},
  context: Record<string, unknown> = {},
): string {
  return writeFile(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'ctx',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u', ...context } }],
    }),
  );
}

export interface Captured {
  stream: PassThrough;
  text(): string;
}

export function capture(): Captured {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Loads a client with an isolated environment (HOME in a temp dir, no KUBECONFIG unless given). */
export async function client(opts: Partial<ClientLoadOptions> & { env?: NodeJS.ProcessEnv } = {}): Promise<KubeClient> {
  const c = await loadKubeClient({
    stderr: capture().stream,
    stdinIsTTY: false,
    ...opts,
    env: { PATH: process.env.PATH, HOME: tempDir(), ...opts.env },
  });
  clients.push(c);
  return c;
}

const clients: KubeClient[] = [];

export function closeClients(): void {
  for (const c of clients.splice(0)) c.close();
}

export interface Pki {
  dir: string;
  caFile: string;
  ca: Buffer;
  /** server certificate for IP 127.0.0.1 */
  server: { cert: Buffer; key: Buffer };
  /** server certificate for DNS kube.test only */
  named: { cert: Buffer; key: Buffer };
  /** client certificate CN=alice O=devs */
  client: { cert: Buffer; key: Buffer; certFile: string; keyFile: string };
  /** client certificate CN=bob */
  bob: { certFile: string; keyFile: string };
  /** a second CA and a server certificate it signed, for 127.0.0.1 */
  other: { ca: Buffer; cert: Buffer; key: Buffer };
}

/** A CA, server and client certificates, made with the openssl CLI. */
export function makePki(): Pki {
  const dir = tempDir();
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const key = (name: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const makeCa = (name: string) => {
    key(name);
    ssl('req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const leaf = (name: string, ca: string, subj: string, ext: string) => {
    key(name);
    ssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', subj);
    writeFileSync(path.join(dir, `${name}.ext`), `${ext}\n`);
    ssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
      '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`);
  };
  makeCa('ca');
  makeCa('other-ca');
  leaf('server', 'ca', '/CN=server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  leaf('named', 'ca', '/CN=kube.test', 'subjectAltName=DNS:kube.test\nextendedKeyUsage=serverAuth');
  leaf('client', 'ca', '/CN=alice/O=devs', 'extendedKeyUsage=clientAuth');
  leaf('bob', 'ca', '/CN=bob', 'extendedKeyUsage=clientAuth');
  leaf('other', 'other-ca', '/CN=other', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
  const read = (f: string) => readFileSync(path.join(dir, f));
  return {
    dir,
    caFile: path.join(dir, 'ca.crt'),
    ca: read('ca.crt'),
    server: { cert: read('server.crt'), key: read('server.key') },
    named: { cert: read('named.crt'), key: read('named.key') },
    client: {
      cert: read('client.crt'),
      key: read('client.key'),
      certFile: path.join(dir, 'client.crt'),
      keyFile: path.join(dir, 'client.key'),
    },
    bob: { certFile: path.join(dir, 'bob.crt'), keyFile: path.join(dir, 'bob.key') },
    other: { ca: read('other-ca.crt'), cert: read('other.crt'), key: read('other.key') },
  };
}

export interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** header name (lower case) → every line's value, in order */
  lines: Record<string, string[]>;
  body: string;
  /** CN of the verified client certificate, if one was presented */
  clientCN?: string;
}

export interface TestServer {
  url: string;
  server: http.Server;
  seen: Seen[];
  /** TCP connections accepted so far */
  connections(): number;
  close(): Promise<void>;
}

export type Handler = (seen: Seen, res: http.ServerResponse, req: http.IncomingMessage) => void;

export const okJson: Handler = (_seen, res) => json(res, 200, { kind: 'Pod', metadata: { name: 'p' } });

export function json(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}) {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** A real server on 127.0.0.1 that records every request; TLS when `tls` is given (client certs requested). */
export async function startServer(
  handler: Handler = okJson,
  tls?: { cert: Buffer; key: Buffer; ca?: Buffer },
): Promise<TestServer> {
  const seen: Seen[] = [];
  let connections = 0;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const lines: Record<string, string[]> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        (lines[req.rawHeaders[i]!.toLowerCase()] ??= []).push(req.rawHeaders[i + 1]!);
      }
      const socket = req.socket as TLSSocket;
      const peer = tls && socket.authorized ? socket.getPeerCertificate() : undefined;
      const entry: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        lines,
        body: Buffer.concat(chunks).toString('utf8'),
        clientCN: peer?.subject ? String(peer.subject.CN) : undefined,
      };
      seen.push(entry);
      handler(entry, res, req);
    });
  };
  const server = tls
    ? https.createServer({ ...tls, requestCert: true, rejectUnauthorized: false }, onRequest)
    : http.createServer(onRequest);
  server.on(tls ? 'secureConnection' : 'connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    server,
    seen,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
