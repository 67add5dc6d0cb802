// --mount-target-volumes: the target's volumes at the same paths, read-only unless --rw, part of the reuse
// identity. Runs on every backend; only a real node mounts them, so what the files show is checked there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());
const mounts = backend.name !== 'fake';

describe(`--mount-target-volumes (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('volumes');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    const pod = webPod('web-0', { volumes: [{ name: 'data', emptyDir: {} }] });
    pod.spec!.containers[0]!.volumeMounts = [
      { name: 'data', mountPath: '/data' },
      { name: 'data', mountPath: '/data-sub', subPath: 'sub' },
    ];
    await backend.createPod(ns, pod);
    const tmp = webPod('web-tmp', { volumes: [{ name: 'scratch', emptyDir: {} }] });
    tmp.spec!.containers[0]!.volumeMounts = [{ name: 'scratch', mountPath: '/tmp' }];
    await backend.createPod(ns, tmp);
  });

  it("mounts the target's volumes read-only at the same paths, leaving out subPath mounts with a note", async () => {
    if (mounts) {
      const rw = await runKdbg(['attach', 'web-0', '--mount-target-volumes', '--rw', '--', 'sh', '-c', 'echo from-debug > /data/hello'], { kubeconfig });
      expect(rw.code).toBe(0);
    }
    const r = await runKdbg(['attach', 'web-0', '--mount-target-volumes', '--', 'sh', '-c', mounts ? 'cat /data/hello; touch /data/nope' : 'true'], { kubeconfig });
    expect(r.stderr).toContain('kdbg: volume data at /data-sub is left out: it mounts a subPath, which an ephemeral container may not\n');
    if (mounts) {
      expect(r.stdout.toString()).toBe('from-debug\n');
      expect(r.stderr).toMatch(/Read-only file system/);
      expect(r.code).not.toBe(0);
    } else {
      expect(r.code).toBe(0);
    }
    const containers = await backend.ephemeralContainers(ns, 'web-0');
    const ro = containers.find((c) => c.volumeMounts?.every((m) => m.readOnly));
    expect(ro?.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }]);
  });

  it('leaves out a read-only mount over /tmp, where kdbg keeps its state, and mounts it with --rw', async () => {
    const ro = await runKdbg(['attach', 'web-tmp', '--mount-target-volumes', '--', 'true'], { kubeconfig });
    expect(ro.stderr).toContain('kdbg: volume scratch at /tmp is left out: kdbg keeps its state in /tmp, which must stay writable (--rw mounts it writable)\n');
    expect(ro.code).toBe(0);
    const rw = await runKdbg(['attach', 'web-tmp', '--mount-target-volumes', '--rw', '--', 'sh', '-c', 'echo shared > /tmp/from-debug'], { kubeconfig });
    expect(rw.stderr).not.toContain('left out');
    expect(rw.code).toBe(0);
    const containers = await backend.ephemeralContainers(ns, 'web-tmp');
    expect(containers.map((c) => c.volumeMounts ?? []).sort((a, b) => a.length - b.length)).toEqual([[], [{ name: 'scratch', mountPath: '/tmp' }]]);
  });

  it('is part of the reuse identity: the same flags reuse, without them another container', async () => {
    const before = (await backend.ephemeralContainers(ns, 'web-0')).length;
    const again = await runKdbg(['attach', 'web-0', '--mount-target-volumes', '--', 'true'], { kubeconfig });
    expect(again.stderr).toMatch(/\(reused/);
    const plain = await runKdbg(['attach', 'web-0', '--', 'true'], { kubeconfig });
    expect(plain.stderr).toMatch(/\(new\)/);
    expect(await backend.ephemeralContainers(ns, 'web-0')).toHaveLength(before + 1);
    const usage = await runKdbg(['attach', 'web-0', '--rw', '--', 'true'], { kubeconfig });
    expect([usage.code, usage.stderr]).toEqual([125, 'kdbg: --rw goes with --mount-target-volumes\n']);
  });
});
