// Reuse that never piles up, and a command that never runs twice. Runs on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1EventList } from '@kubernetes/client-node';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, kubectlJson, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

describe(`reuse and convergence (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('reuse');
    kubeconfig = await backend.kubeconfig('debugger', ns);
  });

  it('a command that may have started is never run again, even when it dies by a signal', async () => {
    await backend.createPod(ns, webPod('once'));
    const r = await runKdbg(['attach', 'once', '--', 'sh', '-c', 'echo ran >> "${TMPDIR:-/tmp}/once.log"; kill -9 $$'], { kubeconfig });
    expect(r.code).toBe(137);
    const after = await runKdbg(['attach', 'once', '--', 'sh', '-c', 'cat "${TMPDIR:-/tmp}/once.log"'], { kubeconfig });
    expect(after.stdout.toString()).toBe('ran\n');
    expect(await backend.ephemeralContainers(ns, 'once')).toHaveLength(1);
  });

  it('another --ttl reuses the container and sets its TTL instead of adding one', async () => {
    await backend.createPod(ns, webPod('ttl'));
    expect((await runKdbg(['attach', 'ttl', '--', 'true'], { kubeconfig })).code).toBe(0);
    const r = await runKdbg(['attach', 'ttl', '--ttl', '2h', '--', 'sh', '-c', 'cat "${TMPDIR:-/tmp}/$KDBG_NAME/ttl"'], { kubeconfig });
    expect(r.stderr).toMatch(/\(reused/);
    expect(r.stdout.toString()).toBe('7200\n');
    expect(await backend.ephemeralContainers(ns, 'ttl')).toHaveLength(1);
  });

  it('20 concurrent calls on one pod share one container, each with its own reason', async () => {
    await backend.createPod(ns, webPod('crowd'));
    // where the backend can slow the node, every call PATCHes before the container starts
    const hooks = backend.features.hooks ? (backend as Backend & { cluster: { hooks: { slowStartMs: number } } }).cluster.hooks : undefined;
    if (hooks) hooks.slowStartMs = 5000;
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) => runKdbg(['attach', 'crowd', '--reason', `call-${i}`, '--', 'sh', '-c', 'echo $KDBG_NAME'], { kubeconfig, timeoutMs: 90_000 })),
    );
    if (hooks) hooks.slowStartMs = 0;
    // a failure shows its own words
    expect(runs.map((r) => (r.code === 0 ? 0 : `${r.code}: ${r.stderr}`))).toEqual(Array(20).fill(0));
    const containers = await backend.ephemeralContainers(ns, 'crowd');
    expect(containers).toHaveLength(1);
    expect(new Set(runs.map((r) => r.stdout.toString().trim()))).toEqual(new Set([containers[0]!.name]));
  }, 120_000);

  it('an image that already failed in the pod is refused at once, with --new to try anyway', async () => {
    await backend.createPod(ns, webPod('badimage'));
    const first = await runKdbg(['attach', 'badimage', '--image', 'example/nosuchimage:2', '--', 'true'], { kubeconfig, timeoutMs: 30_000 });
    expect(first.code).toBe(126);
    const again = await runKdbg(['attach', 'badimage', '--image', 'example/nosuchimage:2', '--', 'true'], { kubeconfig, timeoutMs: 30_000 });
    expect(again.code).toBe(126);
    expect(again.stderr).toMatch(/^kdbg: image example\/nosuchimage:2 already failed in debug container kdbg-busybox-\w{5} of this pod: (ErrImagePull|ImagePullBackOff): .*\(--new tries it anyway\)\n$/);
    expect(await backend.ephemeralContainers(ns, 'badimage')).toHaveLength(1);
  });

  it('an image that is not a reference, a --ttl over 7 days and a --timeout over a day are refused before any request', async () => {
    await backend.createPod(ns, webPod('bounds'));
    for (const [args, text] of [
      [['--image', 'UPPER CASE::bad'], 'kdbg: --image "UPPER CASE::bad" is not an image reference'],
      [['--ttl', '169h'], 'kdbg: --ttl is at most 168h'],
      [['--timeout', '597h'], 'kdbg: --timeout is at most 24h'],
    ] as const) {
      const r = await runKdbg(['attach', 'bounds', ...args, '--', 'true'], { kubeconfig: '/nonexistent' });
      expect(r.code).toBe(125);
      expect(r.stderr).toContain(text);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(await backend.ephemeralContainers(ns, 'bounds')).toEqual([]);
  });

  it('each session leaves an event on the pod: who, which container, why and what', async () => {
    await backend.createPod(ns, webPod('audited'));
    const admin = await backend.kubeconfig('admin', ns);
    const r = await runKdbg(['attach', 'audited', '--reason', 'INC-77', '--', 'echo', 'hello'], { kubeconfig: admin });
    expect(r.code).toBe(0);
    const container = (await backend.ephemeralContainers(ns, 'audited'))[0]!.name;
    const event = await eventually(async () => (await kubectlJson<CoreV1EventList>(admin, ['-n', ns, 'get', 'events'])).items.find((e) => e.reason === 'DebugSession'));
    expect(event).toMatchObject({
      type: 'Normal',
      source: { component: 'kdbg' },
      involvedObject: { kind: 'Pod', name: 'audited', fieldPath: `spec.ephemeralContainers{${container}}` },
    });
    expect(event.message).toMatch(new RegExp(`^\\S+ opened a session in debug container ${container} \\(reason: INC-77\\): echo hello$`));
  });

  it('a user who may not create events still gets the session, with no word about it', async () => {
    await backend.createPod(ns, webPod('unaudited'));
    const r = await runKdbg(['attach', 'unaudited', '--', 'echo', 'fine'], { kubeconfig });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('fine\n');
    expect(r.stderr.trim().split('\n')).toHaveLength(1); // the where-line only
  });
});
