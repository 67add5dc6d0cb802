// `npm run testserver`: a fake cluster with demo pods to try kdbg (or kubectl) by hand. The first stdout line is
// `export KUBECONFIG=…` for the admin user; the other users' kubeconfigs sit next to it. Ctrl-C stops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { userNames } from './auth.ts';
import { startFakeCluster } from './cluster.ts';
import { controllerRef } from './workloads.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'start-delay-ms': { type: 'string' },
    'status-lag-ms': { type: 'string' },
  },
});
const number = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

const loop = (name: string) => ({ name, image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 1; done'] });

const cluster = await startFakeCluster({
  port: number(values.port),
  startDelayMs: number(values['start-delay-ms']),
  statusLagMs: number(values['status-lag-ms']),
});
// Deployment api → ReplicaSet api-7d9f → pod api-7d9f (no controllers: each made here)
const apiLabels = { app: 'api', 'pod-template-hash': '7d9f' };
const deployment = cluster.addWorkload('default', {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api', labels: { app: 'api' } },
  spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [loop('api')] } } },
});
const replicaSet = cluster.addWorkload('default', {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'api-7d9f', labels: apiLabels, ownerReferences: [controllerRef(deployment)] },
  spec: { replicas: 1, selector: { matchLabels: apiLabels }, template: { metadata: { labels: apiLabels }, spec: { containers: [loop('api')] } } },
});

const demoPods: V1Pod[] = [
  {
    metadata: { name: 'web-0', labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/default-container': 'app' } },
    spec: { containers: [loop('app'), loop('sidecar')] },
  },
  { metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { containers: [loop('app')] } },
  {
    metadata: { name: 'api-7d9f', labels: apiLabels, ownerReferences: [controllerRef(replicaSet)] },
    spec: { containers: [loop('api')] },
  },
  { metadata: { name: 'db-0', labels: { app: 'db' } }, spec: { securityContext: { runAsNonRoot: true, runAsUser: 1000 }, containers: [loop('db')] } },
];

const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-testserver-'));
const files = userNames.map((user) => cluster.writeKubeconfig(user, 'default', dir));
await Promise.all(demoPods.map((pod) => cluster.addPod('default', pod)));

process.stdout.write(`export KUBECONFIG=${files[0]}\n`);
process.stderr.write(
  [
    `fake API server at ${cluster.url}, namespace default`,
    `users (kubeconfigs in ${dir}):`,
    '  admin     everything',
    '  debugger  get/list/watch pods, events, namespaces, workloads; patch pods/ephemeralcontainers; get+create pods/exec, pods/attach; get pods/log',
    '  viewer    get/list/watch pods, events, workloads',
    '  noexec    like debugger, without pods/exec',
    'pods:',
    '  web-0     containers app (default) and sidecar',
    '  web-1     container app',
    '  api-7d9f  of Deployment api (ReplicaSet api-7d9f), labels app=api: kdbg attach deploy/api',
    '  db-0      runAsNonRoot, runAsUser 1000',
    'Ctrl-C stops the server and every process it started.',
    '',
  ].join('\n'),
);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
