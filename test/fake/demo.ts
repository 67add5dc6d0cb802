// The demo of `npm run testserver` and `npm run try`, which the README's tour runs against (tested in
// test/scenarios/usability.test.ts).
import type { V1Pod } from '@kubernetes/client-node';
import type { FakeCluster } from './cluster.ts';
import { controllerRef } from './api/workloads.ts';
import { crashLoopPod, initFailsPod } from '../backends/backend.ts';

const loop = (name: string) => ({ name, image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 1; done'] });

/**
 * Deployment api → ReplicaSet api-7d9f → pod api-7d9f (no controllers: each made here), web-0, web-1, db-0; and,
 * as in the e2e sandbox, crashloop and init-fails, which never run.
 */
export async function addDemo(cluster: FakeCluster, namespace = 'default'): Promise<void> {
  const apiLabels = { app: 'api', 'pod-template-hash': '7d9f' };
  const deployment = cluster.addWorkload(namespace, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', labels: { app: 'api' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: { metadata: { labels: { app: 'api' } }, spec: { containers: [loop('app')] } } },
  });
  const replicaSet = cluster.addWorkload(namespace, {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'api-7d9f', labels: apiLabels, ownerReferences: [controllerRef(deployment)] },
    spec: { replicas: 1, selector: { matchLabels: apiLabels }, template: { metadata: { labels: apiLabels }, spec: { containers: [loop('app')] } } },
  });
  const pods: V1Pod[] = [
    {
      metadata: { name: 'web-0', labels: { app: 'web' }, annotations: { 'kubectl.kubernetes.io/default-container': 'app' } },
      spec: { containers: [loop('app'), loop('sidecar')] },
    },
    { metadata: { name: 'web-1', labels: { app: 'web' } }, spec: { containers: [loop('app')] } },
    {
      metadata: { name: 'api-7d9f', labels: apiLabels, ownerReferences: [controllerRef(replicaSet)] },
      spec: { containers: [loop('app')] },
    },
    { metadata: { name: 'db-0', labels: { app: 'db' } }, spec: { securityContext: { runAsNonRoot: true, runAsUser: 1000 }, containers: [loop('db')] } },
  ];
  await Promise.all(pods.map((pod) => cluster.addPod(namespace, pod)));
  cluster.submitPod(namespace, crashLoopPod());
  cluster.submitPod(namespace, initFailsPod());
}
