// The Backend on the in-process fake API server (test/fake): fast, records every request, injects faults.
import { randomBytes } from 'node:crypto';
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { startFakeCluster, type FakeCluster, type FakeClusterOptions } from '../fake/cluster.ts';
import type { Backend } from './backend.ts';

export async function fakeBackend(opts: FakeClusterOptions = {}): Promise<Backend & { cluster: FakeCluster }> {
  const cluster = await startFakeCluster(opts);
  const getPod = async (namespace: string, name: string): Promise<V1Pod> => {
    const pod = cluster.getPod(namespace, name);
    if (!pod) throw new Error(`pods "${name}" not found in namespace ${namespace}`);
    return pod;
  };
  return {
    name: 'fake',
    features: { recordsRequests: true, podSecurity: true, hooks: true, selfSubjectReview: opts.selfSubjectReview ?? true, controllers: false },
    cluster,
    async newNamespace(prefix, labels) {
      const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'kdbg';
      const name = `${clean}-${randomBytes(3).toString('hex')}`;
      cluster.createNamespace(name, labels);
      return name;
    },
    kubeconfig: async (user, namespace) => cluster.writeKubeconfig(user, namespace),
    createPod: (namespace, pod) => cluster.createPod(namespace, pod),
    async submitPod(namespace, pod) {
      cluster.submitPod(namespace, pod);
    },
    getPod,
    listPods: async (namespace) => cluster.listPods(namespace),
    async createWorkload(namespace, obj) {
      cluster.addWorkload(namespace, obj);
    },
    async ephemeralContainers(namespace, pod): Promise<V1EphemeralContainer[]> {
      return (await getPod(namespace, pod)).spec?.ephemeralContainers ?? [];
    },
    async denyEphemeralContainers(namespace, user) {
      cluster.hooks.deny(user, 'patch', 'pods/ephemeralcontainers', namespace);
    },
    async deletePod(namespace, name) {
      cluster.deletePod(namespace, name);
    },
    nodeProcesses: async (match) => cluster.processes(match),
    close: () => cluster.close(),
  };
}
