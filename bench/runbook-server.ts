// One fake API server (and its node) of `npm run bench:runbook`, in a process of its own, so that the two servers
// and kdbg each have an event loop and the machine's cores to themselves. Started by bench/runbook.ts with fork():
// argv: NAME PODS [SINGLE]; seeds namespace `bench` with PODS pods NAME-0…, and with SINGLE also namespace `single`
// with app-0; then sends {url, ca, token} and answers the parent's messages:
//   'start': counts from now: when each request arrived, its event loop's delays and its CPU time
//   'stop':  sends {times, delayP99Ms, delayMaxMs, cpuMs} of what it counted
//   'close': closes the server and exits
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { V1Pod } from '@kubernetes/client-node';
import { startFakeCluster, type FakeCluster } from '../test/fake/cluster.ts';

const [name = 'app', count = '0', single] = process.argv.slice(2);

function pod(podName: string): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: podName, labels: { app: 'bench' } },
    spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
  } as V1Pod;
}

/** Adds pods 50 at a time, each resolving once it runs. */
async function seed(cluster: FakeCluster, namespace: string, names: string[]): Promise<void> {
  cluster.createNamespace(namespace);
  for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map((n) => cluster.addPod(namespace, pod(n))));
}

const cluster = await startFakeCluster({ startDelayMs: 100, statusLagMs: 300 });
await seed(cluster, 'bench', Array.from({ length: Number(count) }, (_, j) => `${name}-${j}`));
if (single) await seed(cluster, 'single', ['app-0']);

let times: number[] = [];
const requests = cluster.requests;
requests.push = (...items) => {
  for (let i = 0; i < items.length; i++) times.push(performance.timeOrigin + performance.now());
  return Array.prototype.push.apply(requests, items);
};
const delays = monitorEventLoopDelay({ resolution: 10 });
let cpu = process.cpuUsage();

process.on('message', (m) => {
  if (m === 'start') {
    times = [];
    delays.reset();
    delays.enable();
    cpu = process.cpuUsage();
  } else if (m === 'stop') {
    delays.disable();
    const used = process.cpuUsage(cpu);
    process.send!({ times, delayP99Ms: delays.percentile(99) / 1e6, delayMaxMs: delays.max / 1e6, cpuMs: (used.user + used.system) / 1000 });
  } else if (m === 'close') {
    void cluster.close().then(() => process.exit(0));
  }
});
process.send!({ url: cluster.url, ca: cluster.ca, token: cluster.tokens.debugger });
