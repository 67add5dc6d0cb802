// The node's containers that do not run, as kubelet 1.36 reports them: a crash loop's last termination and
// restarts, init containers that fail (the pod Pending, or Failed under restartPolicy Never), and the log of the
// previous run (validateContainerLogStatus in pkg/kubelet/kubelet_pods.go; its errors reach the client as the
// apiserver's 400 BadRequest with the kubelet's text, generic/rest/response_checker.go).
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashLoopPod, initFailsPod, webPod } from '../../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { call, until } from '../test-client.ts';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 50, statusLagMs: 100 });
});
afterAll(() => cluster.close());

const get = (name: string) => cluster.getPod('default', name) as V1Pod;
const log = (name: string, query: string) => call(cluster, 'debugger', 'GET', `/api/v1/namespaces/default/pods/${name}/log?${query}`);
const rfc3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('a crash loop', () => {
  it('waits in CrashLoopBackOff with the last run in lastState, and serves that run as previous', async () => {
    cluster.submitPod('default', crashLoopPod('crashy', 3));
    const s = await until(() => {
      const c = get('crashy').status?.containerStatuses?.[0];
      return c?.state?.waiting?.reason === 'CrashLoopBackOff' && c;
    }, 10_000, 'CrashLoopBackOff');
    expect(get('crashy').status?.phase).toBe('Running');
    expect(s.restartCount).toBe(1);
    expect(s.state!.waiting!.message).toMatch(/^back-off 10s restarting failed container=app pod=crashy_default\([0-9a-f-]{36}\)$/);
    const t = s.lastState!.terminated!;
    expect(t).toEqual({ exitCode: 3, reason: 'Error', startedAt: expect.stringMatching(rfc3339), finishedAt: expect.stringMatching(rfc3339), containerID: s.containerID });
    const previous = await log('crashy', 'container=app&previous=true');
    expect(previous.status).toBe(200);
    expect(previous.text).toBe('starting\ngiving up\n');
    expect((await log('crashy', 'container=app&previous=true&tailLines=1')).text).toBe('giving up\n');
  });

  it('answers previous=true for a container that never restarted with the kubelet 400', async () => {
    await cluster.addPod('default', webPod('steady'));
    const r = await log('steady', 'container=app&previous=true');
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400, message: 'previous terminated container "app" in pod "steady" not found' });
  });
});

describe('init containers', () => {
  it('one that fails keeps the pod Pending in Init:CrashLoopBackOff, app waiting PodInitializing', async () => {
    cluster.submitPod('default', initFailsPod('init-loop'));
    const init = await until(() => {
      const c = get('init-loop').status?.initContainerStatuses?.[0];
      return c?.state?.waiting?.reason === 'CrashLoopBackOff' && c;
    }, 10_000, 'Init:CrashLoopBackOff');
    const pod = get('init-loop');
    expect(pod.status?.phase).toBe('Pending');
    expect(init).toMatchObject({ name: 'migrate', ready: false, restartCount: 1, lastState: { terminated: { exitCode: 2, reason: 'Error', containerID: init.containerID } } });
    expect(pod.status?.containerStatuses).toEqual([
      expect.objectContaining({ name: 'app', state: { waiting: { reason: 'PodInitializing' } }, ready: false, restartCount: 0, started: false }),
    ]);
    expect(pod.status?.containerStatuses?.[0]).not.toHaveProperty('containerID');
    expect(pod.status?.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({
      status: 'False',
      reason: 'ContainersNotInitialized',
      message: 'containers with incomplete status: [migrate]',
    });
    expect((await log('init-loop', 'container=migrate&previous=true')).text).toBe('migration failed\n');
    const app = await log('init-loop', 'container=app');
    expect(app.status).toBe(400);
    expect(app.json.message).toBe('container "app" in pod "init-loop" is waiting to start: PodInitializing');
    const events = (await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dinit-loop')).json.items as { reason: string; message: string; involvedObject: { fieldPath: string } }[];
    expect(events.some((e) => e.involvedObject.fieldPath === 'spec.containers{app}')).toBe(false);
    expect(events.find((e) => e.reason === 'BackOff')).toMatchObject({ involvedObject: { fieldPath: 'spec.initContainers{migrate}' }, message: expect.stringMatching(/^Back-off restarting failed container migrate in pod init-loop_default\(/) });
  });

  it('one that fails under restartPolicy Never fails the pod; its only run is the current log', async () => {
    cluster.submitPod('default', initFailsPod('init-never', 'Never'));
    await until(() => get('init-never').status?.phase === 'Failed', 10_000, 'Failed');
    const pod = get('init-never');
    const init = pod.status!.initContainerStatuses![0]!;
    expect(init).toMatchObject({ name: 'migrate', restartCount: 0, state: { terminated: { exitCode: 2, reason: 'Error', containerID: init.containerID } }, lastState: {} });
    expect(pod.status?.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodFailed' });
    expect(pod.status?.conditions?.find((c) => c.type === 'Ready')).not.toHaveProperty('message');
    expect((await log('init-never', 'container=migrate&previous=true')).json.message).toBe('previous terminated container "migrate" in pod "init-never" not found');
    expect((await log('init-never', 'container=migrate')).text).toBe('migration failed\n');
  });

  it('run one after the other before the containers, which then start', async () => {
    const p = webPod('init-ok');
    p.spec!.initContainers = [
      { name: 'first', image: 'busybox:1.36', command: ['sh', '-c', 'echo one'] },
      { name: 'second', image: 'busybox:1.36', command: ['sh', '-c', 'echo two'] },
    ];
    const running = await cluster.addPod('default', p);
    expect(running.status?.initContainerStatuses?.map((s) => [s.name, s.ready, s.state?.terminated?.reason])).toEqual([
      ['first', true, 'Completed'],
      ['second', true, 'Completed'],
    ]);
    expect(running.status?.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    const first = Date.parse(running.status!.initContainerStatuses![0]!.state!.terminated!.finishedAt as unknown as string);
    const second = Date.parse(running.status!.initContainerStatuses![1]!.state!.terminated!.startedAt as unknown as string);
    expect(second).toBeGreaterThanOrEqual(first);
    const events = (await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dinit-ok')).json.items as { reason: string; involvedObject: { fieldPath: string } }[];
    expect(events.filter((e) => e.reason === 'Started').map((e) => e.involvedObject.fieldPath)).toEqual([
      'spec.initContainers{first}',
      'spec.initContainers{second}',
      'spec.containers{app}',
    ]);
  });
});
