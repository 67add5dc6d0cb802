// Servers that are not API servers, on 127.0.0.1: a port nobody listens on, one that accepts and never answers,
// one that speaks plain HTTP to a TLS client, and a proxy that answers every request with an HTML 502.
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { certificate, privateKey } from '../fake/wire/tls.ts';

export interface TestServers {
  /** https://127.0.0.1:PORT where nothing listens */
  refused: string;
  /** accepts connections and never writes a byte */
  silent: string;
  /** plain HTTP behind an https:// URL */
  plainHttp: string;
  /** TLS with the fake's certificate, answering 502 Bad Gateway as HTML */
  badGateway: string;
  close(): Promise<void>;
}

export async function startTestServers(): Promise<TestServers> {
  const sockets = new Set<net.Socket>();
  const track = (server: net.Server) => server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const silent = track(net.createServer(() => undefined));
  const plain = track(http.createServer((_, res) => res.end('ok')));
  const gateway = track(
    https.createServer({ cert: certificate, key: privateKey }, (_, res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center></body>\n</html>\n');
    }),
  );
  const refusedPort = await freePort();
  const servers = [silent, plain, gateway];
  const ports = await Promise.all(servers.map(listen));
  const url = (port: number) => `https://127.0.0.1:${port}`;
  return {
    refused: url(refusedPort),
    silent: url(ports[0]!),
    plainHttp: url(ports[1]!),
    badGateway: url(ports[2]!),
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

/** A port that was free a moment ago, closed again: connecting to it is refused. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
