// Watches like the apiserver's watch cache: replay after a resourceVersion, synthetic ADDED for "0", 410 for a
// version older than the retained window, selectors, timeoutSeconds, DELETED, and the dropped-watch hook.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { call, watch } from '../test-client.ts';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 10, statusLagMs: 30 });
  cluster.createNamespace('w');
  await cluster.addPod('w', webPod('a'));
  await cluster.addPod('w', webPod('b'));
});
afterAll(() => cluster.close());

const pods = '/api/v1/namespaces/w/pods';
const smp = 'application/strategic-merge-patch+json';

describe('watch', () => {
  it('starts with ADDED for the current state when resourceVersion is 0, filtered by field selector', async () => {
    const w = await watch(cluster, 'viewer', `${pods}?watch=1&resourceVersion=0&fieldSelector=metadata.name%3Da`);
    expect(w.status).toBe(200);
    const first = await w.next((e) => e.type === 'ADDED');
    expect(first.object).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'a' } });
    w.stop();
    expect(w.events.map((e) => e.object.metadata.name)).toEqual(['a']);
  });

  it('replays exactly the events after a list resourceVersion, then goes live', async () => {
    const list = (await call(cluster, 'viewer', 'GET', pods)).json;
    const rv = list.metadata.resourceVersion;
    await call(cluster, 'debugger', 'PATCH', `${pods}/a/ephemeralcontainers`, {
      body: { spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox:1.36', command: ['sleep', '300'] }] } },
      contentType: smp,
    });
    const w = await watch(cluster, 'viewer', `${pods}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=30`);
    const patched = await w.next((e) => e.type === 'MODIFIED' && Boolean(e.object.spec.ephemeralContainers));
    expect(Number(patched.object.metadata.resourceVersion)).toBeGreaterThan(Number(rv));
    const running = await w.next((e) => e.object.status?.ephemeralContainerStatuses?.[0]?.state?.running !== undefined);
    expect(running.type).toBe('MODIFIED');
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect([...rvs].sort((x, y) => x - y)).toEqual(rvs);
    expect(w.events.every((e) => e.type === 'MODIFIED')).toBe(true);
    w.stop();
  });

  it('answers a resourceVersion older than the retained events with one 410 Expired event and ends', async () => {
    const rv = (await call(cluster, 'viewer', 'GET', pods)).json.metadata.resourceVersion;
    cluster.createNamespace('w-compacted');
    cluster.hooks.compact();
    cluster.createNamespace('w-after');
    const w = await watch(cluster, 'viewer', `${pods}?watch=true&resourceVersion=${rv}`);
    expect(await w.ended).toBe('end');
    expect(w.events).toEqual([
      {
        type: 'ERROR',
        object: {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          message: `too old resource version: ${rv} (${Number(rv) + 1})`,
          reason: 'Expired',
          code: 410,
        },
      },
    ]);
  });

  it('honours timeoutSeconds with a clean end', async () => {
    const started = Date.now();
    const w = await watch(cluster, 'viewer', `${pods}?watch=true&timeoutSeconds=1`);
    expect(await w.ended).toBe('end');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('sends DELETED when a pod goes, and a pod leaving a label selection is DELETED too', async () => {
    await cluster.addPod('w', webPod('gone'));
    const w = await watch(cluster, 'viewer', `${pods}?watch=true&labelSelector=app%3Dweb`);
    await w.next((e) => e.object.metadata.name === 'gone');
    cluster.deletePod('w', 'gone');
    const deleted = await w.next((e) => e.type === 'DELETED');
    expect(deleted.object.metadata.name).toBe('gone');
    expect(cluster.getPod('w', 'gone')).toBeUndefined();
    w.stop();
  });

  it('dropWatchesOnce cuts the next watch without a clean end', async () => {
    cluster.hooks.dropWatchesOnce = true;
    const w = await watch(cluster, 'viewer', `${pods}?watch=true`);
    expect(await w.ended).toBe('aborted');
    const next = await watch(cluster, 'viewer', `${pods}?watch=true&timeoutSeconds=1`);
    expect(await next.ended).toBe('end');
  });

  it('watches events of one pod by involvedObject fields', async () => {
    const uid = cluster.getPod('w', 'b')!.metadata!.uid;
    const w = await watch(cluster, 'viewer', `/api/v1/namespaces/w/events?watch=true&fieldSelector=involvedObject.name%3Db,involvedObject.kind%3DPod,involvedObject.uid%3D${uid}`);
    const started = await w.next((e) => e.object.reason === 'Started');
    expect(started.object).toMatchObject({ type: 'Normal', involvedObject: { kind: 'Pod', name: 'b', namespace: 'w', fieldPath: 'spec.containers{app}' } });
    expect(w.events.every((e) => e.object.involvedObject.name === 'b')).toBe(true);
    w.stop();
  });
});
