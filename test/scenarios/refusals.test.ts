// What kdbg refuses or reports, and that it leaves nothing behind when it does. Runs on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

describe(`refusals and failures (${backend.name})`, () => {
  let ns: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('refuse');
    await backend.createPod(ns, webPod());
    await backend.createPod(ns, webPod('web-1'));
    await backend.createPod(ns, webPod('hardened', { securityContext: { runAsNonRoot: true, runAsUser: 1000 } }));
  });

  it('a user without exec permission is told which, and nothing is created', async () => {
    const r = await runKdbg(['attach', 'web-0', '--', 'true'], { kubeconfig: await backend.kubeconfig('noexec', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^kdbg: noexec may not get pods\/exec, create pods\/exec in namespace \S+; .*nothing was created/m);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await backend.ephemeralContainers(ns, 'web-0')).toEqual([]);
  });

  it('a viewer is told it may not patch ephemeral containers', async () => {
    const r = await runKdbg(['attach', 'web-0', '--', 'true'], { kubeconfig: await backend.kubeconfig('viewer', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('may not patch pods/ephemeralcontainers');
    expect(await backend.ephemeralContainers(ns, 'web-0')).toEqual([]);
  });

  it('an image that cannot be pulled fails fast with the node message', async () => {
    const r = await runKdbg(['attach', 'web-1', '--image', 'example/nosuchimage:1', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns), timeoutMs: 30_000 });
    expect(r.code).toBe(126);
    expect(r.stderr).toMatch(/kdbg: debug container kdbg-busybox-\w{5}: (ErrImagePull|ImagePullBackOff): .*nosuchimage/);
    // fails on the first report from the node, far inside the 2m --timeout
    expect(r.ms).toBeLessThan(15_000);
  });

  it('an image without a shell is reported as such with exit 126', async () => {
    const r = await runKdbg(['attach', 'web-1', '--image', 'example/noshell:1', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns), timeoutMs: 30_000 });
    expect(r.code).toBe(126);
    expect(r.stderr).toContain('image example/noshell:1 has no shell; kdbg needs one');
  });

  it('a pod that requires non-root users gets a working debug container', async () => {
    const r = await runKdbg(['attach', 'hardened', '--', 'id', '-u'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.stderr).not.toMatch(/CreateContainerConfigError/);
    expect(r.stdout.toString().trim()).toBe('1000');
    expect(r.code).toBe(0);
  });

  it('several pods matching -l without a terminal is a usage error that lists them', async () => {
    const r = await runKdbg(['attach', '-l', 'app=web', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/kdbg: 3 pods match -l app=web: .*web-0.*web-1.*; name one/);
  });

  it('no target without a terminal says how to name one', async () => {
    const r = await runKdbg(['attach', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('name a pod to debug');
  });

  it('an unknown container is refused before anything is created', async () => {
    const before = (await backend.ephemeralContainers(ns, 'web-1')).length;
    const r = await runKdbg(['attach', 'web-1', '-c', 'nope', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('kdbg: pod web-1 has no container "nope"; it has: app\n');
    expect(await backend.ephemeralContainers(ns, 'web-1')).toHaveLength(before);
  });

  it('a missing pod is one line, no stack, naming the namespace and context', async () => {
    const r = await runKdbg(['attach', 'nosuchpod', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(new RegExp(`^kdbg: pod nosuchpod not found in namespace ${ns} \\(context [^)]+\\)\n$`));
  });

  it('a mistyped pod name suggests the close names of the namespace', async () => {
    const r = await runKdbg(['attach', 'web-2', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(new RegExp(`^kdbg: pod web-2 not found in namespace ${ns} \\(context [^)]+\\); did you mean web-0, web-1\\?\n$`));
  });

  it('a target container that is not running is refused before anything is created', async () => {
    const pod = webPod('halfdone', { restartPolicy: 'Never' });
    pod.spec!.containers.push({ name: 'warmup', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 1'] });
    await backend.createPod(ns, pod);
    const ended = await eventually(async () => {
      const p = await backend.getPod(ns, 'halfdone');
      return p.status?.containerStatuses?.find((c) => c.name === 'warmup')?.state?.terminated;
    }, 20_000);
    expect(ended).toBeTruthy();
    const r = await runKdbg(['attach', 'halfdone', '-c', 'warmup', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(
      new RegExp(
        '^kdbg: container warmup of pod halfdone is terminated \\(Completed\\)\n' +
          '  last run: exited 0 \\(Completed\\) at \\S+, after \\ds\n' +
          '  its log is empty\n' +
          'kdbg: a debug container needs a running target; debug a copy instead: kdbg attach halfdone -c warmup --copy\n$',
      ),
    );
    expect(await backend.ephemeralContainers(ns, 'halfdone')).toEqual([]);
  });

  it.runIf(backend.features.hooks)('a static (mirror) pod is refused: the API server cannot add containers to it', async () => {
    const pod = webPod('static-node1');
    pod.metadata!.annotations = { 'kubernetes.io/config.mirror': 'a1b2c3' };
    await backend.createPod(ns, pod);
    const r = await runKdbg(['attach', 'static-node1', '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('kdbg: pod static-node1 is a static (mirror) pod; the API server cannot add containers to it\n');
  });
});
