// listPods reads every page of a paginated LIST from a real server (the fake API server over HTTPS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fake/cluster.ts';
import { webPod } from '../backends/backend.ts';
import { loadKubeClient } from '../../src/kube/client.ts';
import { listPods } from '../../src/kube/pods.ts';
import type { KubeClient } from '../../src/kube/types.ts';

let cluster: FakeCluster;
let client: KubeClient;
beforeAll(async () => {
  cluster = await startFakeCluster();
  for (const ns of ['a', 'b']) cluster.createNamespace(ns);
  await Promise.all([...['p1', 'p2', 'p3'].map((n) => cluster.addPod('a', webPod(n))), ...['q1', 'q2'].map((n) => cluster.addPod('b', webPod(n)))]);
  client = await loadKubeClient({ kubeconfig: cluster.writeKubeconfig('viewer', 'a'), env: {}, stderr: process.stderr, stdinIsTTY: false });
});
afterAll(async () => {
  client?.close();
  await cluster?.close();
});

describe('listPods', () => {
  it('follows continue tokens to the last page, in one namespace and in all', async () => {
    cluster.clearRequests();
    expect((await listPods(client, { namespace: 'a', pageSize: 2 })).map((p) => p.metadata!.name)).toEqual(['p1', 'p2', 'p3']);
    const pages = cluster.requests.filter((r) => r.path === '/api/v1/namespaces/a/pods');
    expect(pages.map((r) => new URLSearchParams(r.query).get('limit'))).toEqual(['2', '2']);
    expect(new URLSearchParams(pages[1]!.query).get('continue')).toBeTruthy();

    const all = await listPods(client, { namespace: undefined, pageSize: 2 });
    expect(all.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`)).toEqual(expect.arrayContaining(['a/p1', 'a/p2', 'a/p3', 'b/q1', 'b/q2']));
  });

  it('passes the label selector on every page', async () => {
    cluster.clearRequests();
    expect(await listPods(client, { namespace: 'a', labelSelector: 'app=nope', pageSize: 1 })).toEqual([]);
    expect(cluster.requests.filter((r) => r.path === '/api/v1/namespaces/a/pods').map((r) => new URLSearchParams(r.query).get('labelSelector'))).toEqual(['app=nope']);
  });
});
