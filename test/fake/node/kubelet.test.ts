// The node: real processes with the spec's env and user, a read-only root filesystem, events, logs, the status lag,
// image pull failures, images without a shell, runAsNonRoot, and pod deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { call, execPath, mustOpen, until, watch } from '../test-client.ts';

let cluster: FakeCluster;
let n = 0;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 50, statusLagMs: 150 });
});
afterAll(() => cluster.close());

async function pod(extra: Parameters<typeof webPod>[1] = {}): Promise<string> {
  const name = `k${++n}`;
  await cluster.addPod('default', webPod(name, extra));
  return name;
}

async function addEphemeral(podName: string, ec: Record<string, unknown>): Promise<void> {
  const r = await call(cluster, 'debugger', 'PATCH', `/api/v1/namespaces/default/pods/${podName}/ephemeralcontainers`, {
    body: { spec: { ephemeralContainers: [{ image: 'busybox:1.36', ...ec }] } },
    contentType: 'application/strategic-merge-patch+json',
  });
  expect(r.status).toBe(200);
}

const ecState = (podName: string, name: string) =>
  cluster.getPod('default', podName)?.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state;

const events = async (podName: string) =>
  (await call(cluster, 'viewer', 'GET', `/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${podName}`)).json.items as {
    reason: string;
    type: string;
    message: string;
    involvedObject: { fieldPath: string };
  }[];

const output = async (podName: string, container: string, command: string[]): Promise<string> => {
  const s = await mustOpen(cluster, 'admin', execPath('default', podName, container, command));
  await s.closed;
  return s.stdout().toString();
};

describe('containers', () => {
  it('runs the spec command as a host process with the spec env, the pod user, and the kubelet env', async () => {
    const p = await pod({
      securityContext: { runAsUser: 1000, runAsGroup: 3000 },
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '321'], env: [{ name: 'GREETING', value: 'hi' }, { name: 'ECHO', value: '$(GREETING)-there' }] }],
    });
    expect(cluster.processes('sleep 321')).toEqual(['sleep 321']);
    expect(await output(p, 'app', ['sh', '-c', 'echo $(id -u):$(id -g) $ECHO $HOSTNAME $KUBERNETES_SERVICE_HOST'])).toBe(`1000:3000 hi-there ${p} 10.96.0.1\n`);
  });

  it('writes Pulled/Created/Started events and shows running only statusLagMs after the start', async () => {
    const p = await pod();
    const w = await watch(cluster, 'viewer', `/api/v1/namespaces/default/pods?watch=true&fieldSelector=metadata.name%3D${p}`);
    await w.next((e) => e.type === 'ADDED');
    const patched = Date.now();
    await addEphemeral(p, { name: 'dbg', command: ['sleep', '322'] });
    const creating = await w.next((e) => e.object.status?.ephemeralContainerStatuses?.[0]?.state?.waiting);
    expect(creating.object.status.ephemeralContainerStatuses[0].state.waiting).toEqual({ reason: 'ContainerCreating' });
    await w.next((e) => e.object.status?.ephemeralContainerStatuses?.[0]?.state?.running);
    expect(Date.now() - patched).toBeGreaterThanOrEqual(50 + 150);
    w.stop();
    const dbg = (await events(p)).filter((e) => e.involvedObject.fieldPath === 'spec.ephemeralContainers{dbg}');
    expect(dbg.map((e) => `${e.type} ${e.reason}: ${e.message}`)).toEqual([
      'Normal Pulled: Container image "busybox:1.36" already present on machine and can be accessed by the pod',
      'Normal Created: Container created',
      'Normal Started: Started container dbg',
    ]);
  });

  it('logs everything the container wrote, stdout and stderr interleaved; 400 for other containers', async () => {
    const p = await pod();
    await addEphemeral(p, { name: 'talk', command: ['sh', '-c', 'echo one; echo two >&2; sleep 0.05; echo three'] });
    await until(() => ecState(p, 'talk')?.terminated, 5000, 'terminated');
    const log = await call(cluster, 'debugger', 'GET', `/api/v1/namespaces/default/pods/${p}/log?container=talk`);
    expect(log.text).toBe('one\ntwo\nthree\n');
    expect((await call(cluster, 'debugger', 'GET', `/api/v1/namespaces/default/pods/${p}/log?container=talk&tailLines=1`)).text).toBe('three\n');
    const bad = await call(cluster, 'debugger', 'GET', `/api/v1/namespaces/default/pods/${p}/log?container=nope`);
    expect(bad.json).toMatchObject({ message: `container nope is not valid for pod ${p}`, reason: 'BadRequest', code: 400 });
  });

  it('follows a log until the container ends', async () => {
    const p = await pod();
    await addEphemeral(p, { name: 'slow', command: ['sh', '-c', 'echo a; sleep 0.3; echo b'] });
    await until(() => ecState(p, 'slow')?.running, 5000, 'running');
    const log = await call(cluster, 'debugger', 'GET', `/api/v1/namespaces/default/pods/${p}/log?container=slow&follow=true`);
    expect(log.text).toBe('a\nb\n');
  });

  it('a read-only root filesystem: nothing can be created in TMPDIR, unless a writable emptyDir is mounted there', async () => {
    const mkdir = ['sh', '-c', 'mkdir "${TMPDIR:-/tmp}/x" 2>/dev/null && echo made || echo refused'];
    const ro = { readOnlyRootFilesystem: true };
    const p = await pod({
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [
        { name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'], securityContext: ro },
        { name: 'tmp', image: 'busybox:1.36', command: ['sleep', '3600'], securityContext: ro, volumeMounts: [{ name: 'scratch', mountPath: '/tmp' }] },
        { name: 'own', image: 'busybox:1.36', command: ['sleep', '3600'], securityContext: ro, env: [{ name: 'TMPDIR', value: '/scratch' }], volumeMounts: [{ name: 'scratch', mountPath: '/scratch/' }] },
        { name: 'ro-mount', image: 'busybox:1.36', command: ['sleep', '3600'], volumeMounts: [{ name: 'scratch', mountPath: '/tmp', readOnly: true }] },
        { name: 'rw', image: 'busybox:1.36', command: ['sleep', '3600'] },
      ],
    });
    expect(await output(p, 'app', mkdir)).toBe('refused\n');
    expect(await output(p, 'ro-mount', mkdir)).toBe('refused\n');
    expect(await output(p, 'rw', mkdir)).toBe('made\n');
    // one emptyDir, wherever it is mounted
    expect(await output(p, 'tmp', mkdir)).toBe('made\n');
    expect(await output(p, 'own', ['sh', '-c', 'test -d "$TMPDIR/x" && echo shared'])).toBe('shared\n');
  });

  it('kills the processes of a deleted pod and removes it', async () => {
    const p = await pod({ containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '323'] }] });
    const s = await mustOpen(cluster, 'admin', execPath('default', p, 'app', ['sleep', '324']));
    await until(() => cluster.processes('sleep 324').length === 1, 3000, 'exec running');
    const r = await call(cluster, 'admin', 'DELETE', `/api/v1/namespaces/default/pods/${p}`);
    expect(r.json.metadata.deletionTimestamp).toBeDefined();
    await until(() => !cluster.getPod('default', p), 5000, 'pod removed');
    expect(cluster.processes('sleep 323')).toEqual([]);
    expect(cluster.processes('sleep 324')).toEqual([]);
    await s.closed;
    expect((await events(p)).some((e) => e.reason === 'Killing')).toBe(true);
  });
});

describe('failures the node reports', () => {
  it('an unpullable image: ErrImagePull with the containerd message, then ImagePullBackOff, with events', async () => {
    const p = await pod();
    await addEphemeral(p, { name: 'nopull', image: 'example/nosuchimage:1', command: ['sh'] });
    const message = 'failed to pull and unpack image "docker.io/example/nosuchimage:1": failed to resolve reference "docker.io/example/nosuchimage:1": docker.io/example/nosuchimage:1: not found';
    expect(await until(() => ecState(p, 'nopull')?.waiting?.reason === 'ErrImagePull' && ecState(p, 'nopull')?.waiting)).toEqual({ reason: 'ErrImagePull', message });
    const backoff = await until(() => ecState(p, 'nopull')?.waiting?.reason === 'ImagePullBackOff' && ecState(p, 'nopull')?.waiting);
    expect(backoff).toEqual({ reason: 'ImagePullBackOff', message: `Back-off pulling image "example/nosuchimage:1": ErrImagePull: ${message}` });
    expect((await events(p)).filter((e) => e.involvedObject.fieldPath.includes('nopull')).map((e) => `${e.type} ${e.reason}`)).toEqual([
      'Normal Pulling',
      'Warning Failed',
      'Warning Failed',
      'Normal BackOff',
      'Warning Failed',
    ]);
    const log = await call(cluster, 'debugger', 'GET', `/api/v1/namespaces/default/pods/${p}/log?container=nopull`);
    expect(log.json.message).toBe(`container "nopull" in pod "${p}" is waiting to start: trying and failing to pull image`);
  });

  it('hooks.unpullableImages makes any repository unpullable, whatever its tag', async () => {
    cluster.hooks.unpullableImages.add('registry.example.com/tools');
    const p = await pod();
    await addEphemeral(p, { name: 'private', image: 'registry.example.com/tools:2.0', command: ['sh'] });
    await until(() => ecState(p, 'private')?.waiting?.reason === 'ErrImagePull');
  });

  it('an image without a shell fails to start like runc: waiting RunContainerError, the StartError (exit 128) as its last state', async () => {
    const p = await pod();
    await addEphemeral(p, { name: 'distroless', image: 'gcr.io/distroless/static:nonroot', command: ['sh'] });
    const message =
      'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown';
    const waiting = await until(() => ecState(p, 'distroless')?.waiting?.reason === 'RunContainerError' && ecState(p, 'distroless')?.waiting, 5000, 'RunContainerError');
    expect(waiting).toEqual({ reason: 'RunContainerError', message });
    const status = cluster.getPod('default', p)?.status?.ephemeralContainerStatuses?.find((s) => s.name === 'distroless');
    expect(status?.lastState?.terminated).toMatchObject({ exitCode: 128, reason: 'StartError', message, startedAt: '1970-01-01T00:00:00Z' });
  });

  it('runAsNonRoot with a root image and no runAsUser: CreateContainerConfigError; a non-root image runs as 1000', async () => {
    const p = await pod();
    await addEphemeral(p, { name: 'strict', command: ['sh'], securityContext: { runAsNonRoot: true } });
    const waiting = await until(() => ecState(p, 'strict')?.waiting?.reason === 'CreateContainerConfigError' && ecState(p, 'strict')?.waiting);
    const uid = cluster.getPod('default', p)!.metadata!.uid;
    expect(waiting.message).toBe(`container has runAsNonRoot and image will run as root (pod: "${p}_default(${uid})", container: strict)`);
    await addEphemeral(p, { name: 'nonroot', image: 'example/nonroot:1', command: ['sleep', '325'], securityContext: { runAsNonRoot: true } });
    await until(() => ecState(p, 'nonroot')?.running, 5000, 'running');
    expect(await output(p, 'nonroot', ['id', '-u'])).toBe('1000\n');
  });

  it('a main container that exits is restarted (restartPolicy Always) and counted', async () => {
    const p = `k${++n}`;
    cluster.createNamespace(p);
    const created = cluster.addPod(p, webPod(p, { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 0.2; exit 1'] }] }));
    await expect(created).resolves.toBeDefined();
    const status = await until(() => cluster.getPod(p, p)?.status?.containerStatuses?.[0]?.restartCount === 1 && cluster.getPod(p, p)!.status!.containerStatuses![0], 5000, 'restarted');
    expect(status.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
  });
});
