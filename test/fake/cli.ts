// `npm run testserver`: a fake cluster with demo pods to try kdbg (or kubectl) by hand. The first stdout line is
// `export KUBECONFIG=…` for the admin user; the other users' kubeconfigs sit next to it. Ctrl-C stops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { userNames } from './api/auth.ts';
import { startFakeCluster } from './cluster.ts';
import { addDemo } from './demo.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'start-delay-ms': { type: 'string' },
    'status-lag-ms': { type: 'string' },
  },
});
const number = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));

const cluster = await startFakeCluster({
  port: number(values.port),
  startDelayMs: number(values['start-delay-ms']),
  statusLagMs: number(values['status-lag-ms']),
});

const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-testserver-'));
const files = userNames.map((user) => cluster.writeKubeconfig(user, 'default', dir));
await addDemo(cluster);

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
    '  api-7d9f  container app, of Deployment api (ReplicaSet api-7d9f), labels app=api: kdbg attach deploy/api',
    '  db-0      runAsNonRoot, runAsUser 1000',
    '  crashloop   container app exits 1 over and over: CrashLoopBackOff',
    '  init-fails  init container migrate exits 2, so app never starts: Init:CrashLoopBackOff',
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
