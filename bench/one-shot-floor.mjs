// The least a Node client can do for a one-shot in a running container, as `kubectl exec` does it: read the
// kubeconfig, GET the pod, exec `true` over a v5.channel.k8s.io WebSocket and exit on its status. Nothing else: no
// identity, no debug container, no wrapper. Run with the single executable's Node beside `kubectl exec`, it is the
// floor under kdbg's reused one-shot. npm run bench bundles it into one file first, as kdbg is.
// node bench/one-shot-floor.mjs POD CONTAINER  (KUBECONFIG names one file; its current context is used)
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import WebSocket from 'ws';
import { load } from 'js-yaml';

const [pod, container] = process.argv.slice(2);
const file = process.env.KUBECONFIG;
const config = load(readFileSync(file, 'utf8'));
const context = config.contexts.find((c) => c.name === config['current-context']).context;
const cluster = config.clusters.find((c) => c.name === context.cluster).cluster;
const user = config.users.find((u) => u.name === context.user).user;
const namespace = context.namespace ?? 'default';
const pem = (data, path) => (data ? Buffer.from(data, 'base64') : path ? readFileSync(resolve(dirname(file), path)) : undefined);
const tls = {
  ca: pem(cluster['certificate-authority-data'], cluster['certificate-authority']),
  cert: pem(user['client-certificate-data'], user['client-certificate']),
  key: pem(user['client-key-data'], user['client-key']),
  rejectUnauthorized: !cluster['insecure-skip-tls-verify'],
};
const headers = user.token ? { Authorization: `Bearer ${user.token}` } : {};
const agent = new https.Agent({ keepAlive: true });
const base = `${cluster.server}/api/v1/namespaces/${namespace}/pods/${pod}`;

await new Promise((done, fail) => {
  const req = https.request(base, { ...tls, agent, headers }, (res) => {
    if (res.statusCode !== 200) fail(new Error(`GET ${base}: ${res.statusCode}`));
    res.resume().once('end', done);
  });
  req.once('error', fail).end();
});
const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/exec?command=true&container=${container}&stdout=true&stderr=true`, ['v5.channel.k8s.io'], {
  ...tls,
  agent,
  headers,
  perMessageDeflate: false,
});
ws.on('message', (data) => {
  // channel 3: the exit status, the last thing the node sends
  if (data[0] !== 3) return;
  const status = JSON.parse(data.subarray(1).toString());
  process.exit(status.status === 'Success' ? 0 : 1);
});
ws.on('error', (err) => {
  console.error(err.message);
  process.exit(2);
});
