// Workload targets: deploy/NAME (and rs/, job/, …) resolve through the workload's selector to one of its pods: the
// one holding the user's reusable debug container, else the oldest Running and Ready one. No controllers run, so
// the scenario makes the pods itself. Runs on every backend without workload controllers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod, V1PodSpec } from '@kubernetes/client-node';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const hash = { app: 'api', 'pod-template-hash': '5d8f7' };
const pod = (name: string, labels: Record<string, string>, extra: Partial<V1PodSpec> = {}): V1Pod => ({ ...webPod(name, extra), metadata: { name, labels } });
const template = (labels: Record<string, string>, extra: Partial<V1PodSpec> = {}) => ({ metadata: { labels }, spec: webPod('', extra).spec });
const tick = () => new Promise((r) => setTimeout(r, 1000)); // creationTimestamp counts whole seconds

describe.skipIf(backend.features.controllers)(`workload targets (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('workloads');
    await backend.createWorkload(ns, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api' },
      spec: { selector: { matchLabels: { app: 'api' } }, template: template({ app: 'api' }) },
    });
    await backend.createWorkload(ns, {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'api-5d8f7', labels: hash },
      spec: { selector: { matchLabels: hash }, template: template(hash) },
    });
    const job = { app: 'migrate' };
    await backend.createWorkload(ns, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: { manualSelector: true, selector: { matchLabels: job }, template: template(job, { restartPolicy: 'Never' }) },
    });
    // oldest first: one whose second container ends (Running, not Ready), then two Ready ones; names sort the other way
    const unready = pod('api-5d8f7-unready', hash, { restartPolicy: 'Never' });
    unready.spec!.containers.push({ name: 'warmup', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 2'] });
    unready.metadata!.annotations = { 'kubectl.kubernetes.io/default-container': 'app' };
    await backend.createPod(ns, unready);
    await tick();
    await backend.createPod(ns, pod('api-5d8f7-older', hash));
    await tick();
    await backend.createPod(ns, pod('api-5d8f7-newer', hash));
    await backend.createPod(ns, pod('migrate-7xq2m', job, { restartPolicy: 'Never' }));
    const notReady = await eventually(async () => {
      const pod = await backend.getPod(ns, 'api-5d8f7-unready');
      return pod.status?.phase === 'Running' && pod.status.conditions?.find((c) => c.type === 'Ready')?.status === 'False';
    }, 20_000);
    expect(notReady).toBe(true);
    kubeconfig = await backend.kubeconfig('debugger', ns);
  });

  it('deploy/NAME picks the oldest Running and Ready pod', async () => {
    const r = await runKdbg(['attach', 'deploy/api', '--ttl', '0', '--', 'sh', '-c', 'echo $HOSTNAME'], { kubeconfig });
    expect(r.stderr).toMatch(/kdbg: .*pod\/api-5d8f7-older → app, debug container \S+ \(new\)/);
    expect(r.stdout.toString()).toBe('api-5d8f7-older\n');
    expect(r.code).toBe(0);
    // --ttl 0: that container ends, so nothing in api-5d8f7-older is reusable
    const ended = await eventually(async () => {
      const statuses = (await backend.getPod(ns, 'api-5d8f7-older')).status?.ephemeralContainerStatuses ?? [];
      return statuses.length > 0 && statuses.every((s) => s.state?.terminated);
    }, 10_000);
    expect(ended).toBe(true);
  });

  it('prefers the pod that holds a reusable debug container of this user', async () => {
    const made = await runKdbg(['attach', 'api-5d8f7-newer', '--new', '--', 'sh', '-c', 'echo $KDBG_NAME'], { kubeconfig });
    expect(made.code).toBe(0);
    const name = made.stdout.toString().trim();
    const r = await runKdbg(['attach', 'deploy/api', '--', 'sh', '-c', 'echo $HOSTNAME $KDBG_NAME'], { kubeconfig });
    expect(r.stderr).toContain(`pod/api-5d8f7-newer → app, debug container ${name} (reused`);
    expect(r.stdout.toString()).toBe(`api-5d8f7-newer ${name}\n`);
    expect(r.code).toBe(0);
  });

  it('rs/NAME and job/NAME resolve the same way; with --new a reusable container does not count', async () => {
    const rs = await runKdbg(['attach', 'rs/api-5d8f7', '--new', '--ttl', '0', '--', 'sh', '-c', 'echo $HOSTNAME'], { kubeconfig });
    expect(rs.stderr).toMatch(/pod\/api-5d8f7-older → app, debug container \S+ \(new\)/);
    expect(rs.stdout.toString()).toBe('api-5d8f7-older\n');
    const job = await runKdbg(['attach', 'job/migrate', '--', 'sh', '-c', 'echo $HOSTNAME'], { kubeconfig });
    expect(job.stdout.toString()).toBe('migrate-7xq2m\n');
    expect(job.code).toBe(0);
  });

  it('a missing workload fails with the API’s NotFound; a kind kdbg cannot debug is a usage error', async () => {
    const missing = await runKdbg(['attach', 'sts/nosuch', '--', 'true'], { kubeconfig });
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain('statefulsets.apps "nosuch" not found');
    const svc = await runKdbg(['attach', 'svc/x'], { kubeconfig });
    expect(svc.code).toBe(125);
    expect(svc.stderr).toContain('"svc" is not a kind kdbg can debug');
  });
});
