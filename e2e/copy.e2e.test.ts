// kdbg attach --copy on a real node: pods whose container cannot take a debug container (a crash loop, a failed
// init container, an image without a shell) are debugged in a copy that is deleted when the session ends. The cases
// every backend runs (a read-only root filesystem, --hold, --keep with ls and stop, ~.) are in
// test/scenarios/copy.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { eventually, noOwnPodsLeft, ownPods, runKdbg } from '../test/scenarios/harness.ts';
import { runKdbgInPty } from '../test/scenarios/pty.ts';

let backend: RealBackend;
let ns: string;
let admin: string;

/** Creates a pod as admin without waiting for it to run (these never do). */
async function createPod(pod: object): Promise<void> {
  await backend.api('POST', `/api/v1/namespaces/${ns}/pods`, { apiVersion: 'v1', kind: 'Pod', ...pod });
}

/** kdbg's copies in the namespace, those being deleted too. */
const copies = () => ownPods(backend, ns, 'copy');
/** Resolves once no copy is left, not even one being deleted; throws after 30 s. */
const noCopiesLeft = () => noOwnPodsLeft(backend, ns, 'copy');

beforeAll(async () => {
  backend = await realBackendImpl();
  ns = await backend.newNamespace('copy');
  admin = await backend.kubeconfig('admin', ns);
  await createPod({
    metadata: { name: 'crashy', labels: { app: 'crashy' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'busybox:1.36', env: [{ name: 'APP_MODE', value: 'strict' }], command: ['sh', '-c', 'echo "cannot open /data/db"; exit 3'] }],
    },
  });
  await createPod({
    metadata: { name: 'init-fails' },
    spec: {
      terminationGracePeriodSeconds: 1,
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [
        { name: 'fetch', image: 'busybox:1.36', command: ['sh', '-c', 'echo "schema v7" > /work/schema'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
        { name: 'migrate', image: 'busybox:1.36', command: ['sh', '-c', 'echo "migration failed" >&2; exit 2'], volumeMounts: [{ name: 'work', mountPath: '/work' }] },
      ],
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }],
    },
  });
  await createPod({
    metadata: { name: 'shell-less' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'example/noshell:1', command: ['/app'] }] },
  });
});
afterAll(async () => {
  await backend?.close();
});

describe('kdbg attach --copy', () => {
  it('holds a crash-looping container in a copy: its image, env and files are there; leaving deletes the copy', async () => {
    const r = await runKdbg(['attach', 'crashy', '--copy', '--', 'sh', '-c', 'echo "mode=$APP_MODE"; test -x /bin/busybox && echo files; exit 4'], { kubeconfig: admin });
    expect(r.stderr).toMatch(/kdbg: .*pod\/crashy-kdbg-[a-z0-9]{5}, a copy of crashy with its container app held\n/);
    expect(r.stdout.toString()).toBe('mode=strict\nfiles\n');
    expect(r.code).toBe(4);
    await noCopiesLeft();
  });

  it('holds a failed init container: what the earlier one left in the shared volume is there, the app never ran', async () => {
    // as on call: the pod has shown which init container fails
    await eventually(async () => {
      const s = (await backend.getPod(ns, 'init-fails')).status?.initContainerStatuses?.find((c) => c.name === 'migrate');
      return (s?.state?.terminated ?? s?.lastState?.terminated)?.exitCode === 2;
    }, 30_000);
    const r = await runKdbg(['attach', 'init-fails', '--copy', '--', 'cat', '/work/schema'], { kubeconfig: admin });
    expect(r.stderr).toMatch(/a copy of init-fails with its init container migrate held\n/);
    expect(r.stdout.toString()).toBe('schema v7\n');
    expect(r.code).toBe(0);
    await noCopiesLeft();
  });

  it('an image without a shell gets kdbg\'s debug container beside it in a new copy instead', async () => {
    // the pod shares one process namespace: the app's process and its files under /proc/PID/root are there
    const find = 'for p in /proc/[0-9]*; do [ "$(tr "\\0" " " <$p/cmdline)" = "/app " ] && test -x $p/root/app && echo "app is pid ${p#/proc/}"; done; true';
    const r = await runKdbg(['attach', 'shell-less', '--copy', '--', 'sh', '-c', find], { kubeconfig: admin });
    expect(r.stderr).toContain("app's image has no shell to hold it with; kdbg's debug container joins a new copy instead");
    expect(r.stderr).toMatch(/a copy of shell-less with debug container kdbg-debug beside app\n/);
    expect(r.stdout.toString()).toMatch(/^app is pid \d+\n$/);
    expect(r.code).toBe(0);
    await noCopiesLeft();
  });

  it('on a terminal, a target that is not running is explained and a copy offered; yes gives a shell in it', async () => {
    await eventually(async () => (await backend.getPod(ns, 'crashy')).status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode === 3, 30_000);
    const s = runKdbgInPty(['attach', 'crashy'], admin);
    await s.waitFor('last run: exited 3');
    await s.waitFor('Debug a copy of crashy instead?');
    s.write('\r');
    await s.waitFor('~. at the start of a line ends the session', 30_000);
    s.write('echo "mode=$APP_MODE"; exit 5\r');
    await s.waitFor('mode=strict');
    expect(await s.exitCode()).toBe(5);
    expect(s.output()).toContain('cannot open /data/db');
    await noCopiesLeft();
  });

  it('Ctrl-C before the copy exists, and once it does, leaves no copy behind', async () => {
    const early = await runKdbg(['attach', 'crashy', '--copy', '--', 'true'], {
      kubeconfig: admin,
      onSpawn: (child, out) => {
        void eventually(() => out.stderr().includes('a copy of crashy'), 20_000).then(() => child.kill('SIGINT'));
      },
    });
    expect(early.code).toBe(130);
    expect(early.stderr).toMatch(/kdbg: interrupted \(SIGINT\)/);
    await noCopiesLeft();

    const late = await runKdbg(['attach', 'crashy', '--copy', '--', 'sleep', '300'], {
      kubeconfig: admin,
      onSpawn: (child) => {
        void eventually(async () => (await copies()).length > 0, 20_000).then(() => child.kill('SIGINT'));
      },
    });
    expect(late.code).toBe(130);
    await noCopiesLeft();
  });

  it('a copy whose kdbg was killed ends itself when its TTL is up, without starting anything after the held container', async () => {
    let copy: string | undefined;
    const r = await runKdbg(['attach', 'init-fails', '--copy', '--hold', 'migrate', '--ttl', '2s', '--', 'true'], {
      kubeconfig: admin,
      onSpawn: (child) => {
        void eventually(async () => (copy = (await copies())[0]), 20_000).then(() => child.kill('SIGKILL'));
      },
    });
    expect(r.signal).toBe('SIGKILL');
    // the held init container's idle program ends (exit 1) once no session has run for 2 s: the pod has Failed
    const ended: V1Pod = await eventually(async () => {
      const p = await backend.getPod(ns, copy!);
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 60_000);
    expect(ended.status?.initContainerStatuses?.find((c) => c.name === 'migrate')?.state?.terminated?.exitCode).toBe(1);
    expect(ended.status?.containerStatuses?.[0]?.state?.running).toBeUndefined();
    await backend.deletePod(ns, copy!);
  });

  it('a copy the API server would refuse (PodSecurity) is refused by the dry run, before anything is created', async () => {
    // a privileged pod from before the namespace enforced baseline: PodSecurity leaves it, but refuses a copy
    const older = await backend.newNamespace('copy-psa');
    await backend.api('POST', `/api/v1/namespaces/${older}/pods`, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'legacy' },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'exit 3'], securityContext: { privileged: true } }] },
    });
    await backend.api('PATCH', `/api/v1/namespaces/${older}`, { metadata: { labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } }, { contentType: 'application/merge-patch+json' });
    const r = await runKdbg(['attach', 'legacy', '--copy', '-n', older, '--', 'true'], { kubeconfig: admin });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^kdbg: the API server refuses the copy of pod legacy: pods "legacy-kdbg-\w{5}" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "app" must not set securityContext.privileged=true\) \(nothing was created\)\n$/);
    const list = (await backend.api('GET', `/api/v1/namespaces/${older}/pods`)).body as { items: V1Pod[] };
    expect(list.items.map((p) => p.metadata!.name)).toEqual(['legacy']);
  });
});
