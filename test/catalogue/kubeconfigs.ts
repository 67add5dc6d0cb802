// The kubeconfigs the catalogue runs with: good ones for each test user, and every way one can be wrong. Each
// carries the secrets (a token, a client key), so a message that quotes the file or a request would show them.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { FakeCluster } from '../fake/cluster.ts';
import type { Secrets } from './secrets.ts';
import type { TestServers } from './servers.ts';

const PLUGIN = path.join(import.meta.dirname, 'fixtures', 'exec-plugin.mjs');

export type KubeconfigVariant =
  | 'debugger' | 'viewer' | 'noexec' | 'admin'
  | 'exec' | 'exec-fails' | 'exec-garbage' | 'exec-missing' | 'exec-needs-terminal'
  | 'wrong-token' | 'token-file-missing' | 'garbage-yaml' | 'not-a-mapping' | 'no-current-context'
  | 'context-without-cluster' | 'missing-user' | 'no-server' | 'ftp-server' | 'ca-file-missing'
  | 'refused' | 'silent' | 'plain-http' | 'bad-gateway' | 'untrusted-ca' | 'wrong-server-name';

type Obj = Record<string, unknown>;

export interface KubeconfigWorld {
  cluster: FakeCluster;
  servers: TestServers;
  secrets: Secrets;
  namespace: string;
  dir: string;
}

/** Writes the variant into the world's folder and returns its path. */
export function writeKubeconfig(variant: KubeconfigVariant, w: KubeconfigWorld): string {
  const file = path.join(w.dir, `${variant}.kubeconfig`);
  const config = build(variant, w);
  writeFileSync(file, typeof config === 'string' ? config : stringify(config), { mode: 0o600 });
  return file;
}

function build(variant: KubeconfigVariant, w: KubeconfigWorld): Obj | string {
  const s = w.secrets;
  const server = (url = w.cluster.url, extra: Obj = {}): Obj => ({ server: url, 'certificate-authority-data': b64(w.cluster.ca), ...extra });
  const user = (token = s.token.debugger, extra: Obj = {}): Obj => ({ token, 'client-certificate-data': b64(s.clientCert), 'client-key-data': b64(s.clientKey), ...extra });
  const exec = (mode: string, extra: Obj = {}): Obj => ({
    exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: [PLUGIN], env: [{ name: 'MODE', value: mode }, { name: 'TOKEN', value: s.execToken }], interactiveMode: 'Never', ...extra },
  });
  const config = (cluster: Obj, u: Obj, context: Obj = {}): Obj => ({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'fake', cluster }],
    users: [{ name: 'me', user: u }],
    contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'me', namespace: w.namespace, ...context } }],
    'current-context': 'fake',
  });
  switch (variant) {
    case 'debugger':
    case 'viewer':
    case 'noexec':
    case 'admin':
      return config(server(), user(s.token[variant]));
    case 'exec':
      return config(server(), exec('token'));
    case 'exec-fails':
      return config(server(), exec('fail'));
    case 'exec-garbage':
      return config(server(), exec('garbage'));
    case 'exec-missing':
      return config(server(), { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'kdbg-catalogue-no-such-plugin', installHint: 'Install it with:\n  brew install kdbg-catalogue-plugin\n' } });
    case 'exec-needs-terminal':
      return config(server(), exec('token', { interactiveMode: 'Always' }));
    case 'wrong-token':
      return config(server(), user(s.wrongToken));
    case 'token-file-missing':
      return config(server(), { tokenFile: path.join(w.dir, 'no-such-token') });
    case 'garbage-yaml':
      return `apiVersion: v1\nusers:\n- name: me\n  user:\n    token: ${s.token.debugger}: [unclosed\n`;
    case 'not-a-mapping':
      return `- ${s.token.debugger}\n`;
    case 'no-current-context':
      return { ...config(server(), user()), 'current-context': '' };
    case 'context-without-cluster':
      return config(server(), user(), { cluster: 'gone' });
    case 'missing-user':
      return config(server(), user(), { user: 'nobody' });
    case 'no-server':
      return config({ 'certificate-authority-data': b64(w.cluster.ca) }, user());
    case 'ftp-server':
      return config(server('ftp://127.0.0.1:21'), user());
    case 'ca-file-missing':
      return config({ server: w.cluster.url, 'certificate-authority': path.join(w.dir, 'no-such-ca.crt') }, user());
    case 'refused':
      return config(server(w.servers.refused), user());
    case 'silent':
      return config(server(w.servers.silent), user());
    case 'plain-http':
      return config(server(w.servers.plainHttp), user());
    case 'bad-gateway':
      return config(server(w.servers.badGateway), user());
    case 'untrusted-ca':
      return config({ server: w.cluster.url, 'certificate-authority-data': b64(s.strangerCa) }, user());
    case 'wrong-server-name':
      return config(server(w.cluster.url, { 'tls-server-name': 'kubernetes.example.com' }), user());
  }
}

const b64 = (text: string) => Buffer.from(text).toString('base64');
