// Why a target is not running, from pod statuses shaped as kubelet 1.36 writes them (pkg/kubelet/kubelet_pods.go
// convertToAPIContainerStatuses and getPhase, pkg/kubelet/status/generate.go), and the block that says it.
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { postMortem, type PostMortem } from '../../src/debug/post-mortem.ts';
import { headline, postMortemBlock } from '../../src/ui/post-mortem.ts';
import { printable } from '../../src/ui/untrusted.ts';

const uid = '5c1e9a53-2a0e-4f7e-9d3b-6c1f3f0a1e22';
const image = 'docker.io/library/busybox:1.36';

function status(name: string, s: Partial<V1ContainerStatus>): V1ContainerStatus {
  return { name, image, imageID: '', ready: false, started: false, restartCount: 0, lastState: {}, ...s } as V1ContainerStatus;
}

function pod(name: string, spec: Partial<V1Pod['spec']>, st: V1Pod['status']): V1Pod {
  return {
    metadata: { name, namespace: 'default', uid },
    spec: { containers: [{ name: 'app', image }], restartPolicy: 'Always', ...spec },
    status: st,
  } as V1Pod;
}

const crashloop = pod('crashloop', {}, {
  phase: 'Running',
  conditions: [
    { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]' },
    { type: 'PodScheduled', status: 'True' },
  ],
  containerStatuses: [
    status('app', {
      containerID: 'containerd://7f3a',
      restartCount: 4,
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 1m20s restarting failed container=app pod=crashloop_default(${uid})` } },
      lastState: { terminated: { exitCode: 3, reason: 'Error', startedAt: '2026-11-29T22:31:01Z', finishedAt: '2026-11-29T22:31:02Z', containerID: 'containerd://7f3a' } as never },
    }),
  ],
} as V1Pod['status']);

const initSpec = { initContainers: [{ name: 'migrate', image }] };
const initFails = pod('init-fails', initSpec, {
  phase: 'Pending',
  conditions: [{ type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [migrate]' }],
  initContainerStatuses: [
    status('migrate', {
      containerID: 'containerd://91bc',
      restartCount: 2,
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 20s restarting failed container=migrate pod=init-fails_default(${uid})` } },
      lastState: { terminated: { exitCode: 2, reason: 'Error', startedAt: '2026-11-29T22:40:00Z', finishedAt: '2026-11-29T22:40:00Z', containerID: 'containerd://91bc' } as never },
    }),
  ],
  containerStatuses: [status('app', { state: { waiting: { reason: 'PodInitializing' } } })],
} as V1Pod['status']);

describe('post-mortem of a target that is not running', () => {
  it('a crash loop: its waiting reason, restarts and how the last run ended', () => {
    const pm = postMortem(crashloop, 'app');
    expect(pm).toEqual<PostMortem>({
      apiVersion: 'kdbg.dev/v1',
      kind: 'PostMortem',
      namespace: 'default',
      pod: 'crashloop',
      phase: 'Running',
      container: 'app',
      state: { phase: 'waiting', reason: 'CrashLoopBackOff', message: `back-off 1m20s restarting failed container=app pod=crashloop_default(${uid})` },
      restartCount: 4,
      lastTermination: { exitCode: 3, reason: 'Error', startedAt: '2026-11-29T22:31:01Z', finishedAt: '2026-11-29T22:31:02Z' },
    });
    expect(JSON.parse(JSON.stringify(pm))).not.toHaveProperty('reason');
  });

  it('an init container in a crash loop explains a Pending pod', () => {
    const pm = postMortem(initFails, 'app');
    expect(pm.phase).toBe('Pending');
    expect(pm.state).toEqual({ phase: 'waiting', reason: 'PodInitializing' });
    expect(pm.failedInit).toEqual({
      name: 'migrate',
      state: { phase: 'waiting', reason: 'CrashLoopBackOff', message: `back-off 20s restarting failed container=migrate pod=init-fails_default(${uid})` },
      restartCount: 2,
      lastTermination: { exitCode: 2, reason: 'Error', startedAt: '2026-11-29T22:40:00Z', finishedAt: '2026-11-29T22:40:00Z' },
    });
    expect(headline(pm)).toBe('container app of pod init-fails has not started: init container migrate is CrashLoopBackOff (restarted 2 times)');
  });

  it('an init container that failed under restartPolicy Never: the pod has Failed', () => {
    const p = pod('init-never', { ...initSpec, restartPolicy: 'Never' }, {
      phase: 'Failed',
      initContainerStatuses: [
        status('migrate', {
          containerID: 'containerd://a1',
          state: { terminated: { exitCode: 2, reason: 'Error', startedAt: '2026-11-29T22:40:00Z', finishedAt: '2026-11-29T22:40:01Z', containerID: 'containerd://a1' } as never },
        }),
      ],
      containerStatuses: [status('app', { state: { waiting: { reason: 'PodInitializing' } } })],
    } as V1Pod['status']);
    const pm = postMortem(p, 'app');
    expect(pm.failedInit?.lastTermination).toMatchObject({ exitCode: 2, reason: 'Error' });
    expect(pm.failedInit?.state).toEqual({ phase: 'terminated', reason: 'Error' });
    expect(headline(pm)).toBe('container app of pod init-never has not started: init container migrate failed; the pod has Failed');
  });

  it('an init container that succeeded after failing once is not blamed', () => {
    const p = structuredClone(initFails);
    const migrate = p.status!.initContainerStatuses![0]!;
    migrate.state = { terminated: { exitCode: 0, reason: 'Completed', containerID: 'containerd://b2' } as never };
    p.status!.containerStatuses![0]!.state = { waiting: { reason: 'ContainerCreating' } };
    expect(postMortem(p, 'app').failedInit).toBeUndefined();
  });

  it('OOMKilled: the signal from an exit code above 128', () => {
    const p = structuredClone(crashloop);
    p.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 137, reason: 'OOMKilled', containerID: 'containerd://c3' } as never };
    expect(postMortem(p, 'app').lastTermination).toEqual({ exitCode: 137, signal: 9, signalName: 'SIGKILL', reason: 'OOMKilled' });
    p.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 0, signal: 15, reason: 'Completed' } as never };
    expect(postMortem(p, 'app').lastTermination).toMatchObject({ signal: 15, signalName: 'SIGTERM' });
    p.status!.containerStatuses![0]!.lastState = { terminated: { exitCode: 255, reason: 'Error' } as never };
    expect(postMortem(p, 'app').lastTermination).toEqual({ exitCode: 255, reason: 'Error' });
  });

  it('an unschedulable pod: the reason and message of its PodScheduled condition', () => {
    const p = pod('big', {}, {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.' }],
    } as V1Pod['status']);
    const pm = postMortem(p, 'app');
    expect(pm).toMatchObject({ phase: 'Pending', reason: 'Unschedulable', message: '0/1 nodes are available: 1 Insufficient memory.', state: { phase: 'unknown' } });
    expect(postMortemBlock(pm)).toBe(
      'kdbg: container app of pod big has no status yet; the pod is Pending (Unschedulable)\n' +
        '  pod Pending: Unschedulable: 0/1 nodes are available: 1 Insufficient memory.\n',
    );
  });

  it('a pod that has Failed: every container with how it ended', () => {
    const p = pod('job-1', { containers: [{ name: 'app', image }, { name: 'sidecar', image }], restartPolicy: 'Never' }, {
      phase: 'Failed',
      containerStatuses: [
        status('app', { state: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2026-11-29T22:00:00Z', finishedAt: '2026-11-29T22:02:30Z' } as never } }),
        status('sidecar', { state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: '2026-11-29T22:02:31Z' } as never } }),
      ],
    } as V1Pod['status']);
    const pm = postMortem(p, 'app');
    expect(pm.containers).toEqual([{ name: 'sidecar', state: { phase: 'terminated', reason: 'Completed' }, restartCount: 0, lastTermination: { exitCode: 0, reason: 'Completed', finishedAt: '2026-11-29T22:02:31Z' } }]);
    expect(postMortemBlock(pm)).toBe(
      'kdbg: pod job-1 has Failed; its container app is terminated (Error)\n' +
        '  last run: exited 1 (Error) at 2026-11-29T22:02:30Z, after 2m\n' +
        '  container sidecar: exited 0 (Completed) at 2026-11-29T22:02:31Z\n',
    );
  });
});

describe('the block on stderr', () => {
  it('says what died, how, and the last lines of its log', () => {
    const pm = { ...postMortem(crashloop, 'app'), log: { container: 'app', previous: true, lines: ['starting', 'fatal: cannot open /data/db'] } };
    expect(postMortemBlock(pm)).toBe(
      'kdbg: container app of pod crashloop is CrashLoopBackOff (restarted 4 times)\n' +
        '  last run: exited 3 (Error) at 2026-11-29T22:31:02Z, after 1s\n' +
        '  last lines of its log:\n' +
        '    | starting\n' +
        '    | fatal: cannot open /data/db\n',
    );
  });

  it('escapes what a terminal would act on and cuts long lines', () => {
    const pm = { ...postMortem(crashloop, 'app'), log: { container: 'app', previous: true, lines: ['\x1b]0;pwned\x07red \x1b[31mtext', 'x'.repeat(500)] } };
    const block = postMortemBlock(pm);
    expect(block).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(block).toContain('    | \\x1b]0;pwned\\x07red \\x1b[31mtext\n');
    expect(block).toContain(`    | ${'x'.repeat(159)}…\n`);
    expect(printable('a\u202eb\tc')).toBe('a\\u{202e}b\\tc');
  });

  it('a log that cannot be read is a line, not a failure', () => {
    const pm = { ...postMortem(crashloop, 'app'), log: { container: 'app', unavailable: 'you may not get pods/log' } };
    expect(postMortemBlock(pm)).toContain('\n  its log cannot be read: you may not get pods/log\n');
  });

  it('a waiting reason other than a crash loop shows its message', () => {
    const p = structuredClone(crashloop);
    p.status!.containerStatuses![0] = status('app', { state: { waiting: { reason: 'CreateContainerConfigError', message: 'secret "db" not found' } } });
    expect(postMortemBlock(postMortem(p, 'app'))).toBe('kdbg: container app of pod crashloop is CreateContainerConfigError\n  CreateContainerConfigError: secret "db" not found\n');
  });
});
