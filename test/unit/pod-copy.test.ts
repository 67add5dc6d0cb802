// The copy of a pod kdbg debugs when its container cannot take a debug container: what is kept, what goes, and
// which container is held.
import { describe, expect, it } from 'vitest';
import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { copyName, failingContainer, podCopy, type CopyRequest } from '../../src/debug/pod-copy.ts';
import { heldCommand, idleCommand } from '../../src/debug/programs.ts';
import { builtinProfiles } from '../../src/profiles/builtin.ts';

const busybox = builtinProfiles().find((p) => p.name === 'busybox')!;

function pod(): V1Pod {
  return {
    metadata: { name: 'web-0', namespace: 'prod', labels: { app: 'web' }, annotations: { 'checksum/config': 'abc' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u', controller: true }] },
    spec: {
      nodeName: 'n1',
      hostname: 'web-0',
      subdomain: 'web',
      serviceAccountName: 'web',
      nodeSelector: { disk: 'ssd' },
      volumes: [{ name: 'data', emptyDir: {} }],
      initContainers: [{ name: 'fetch', image: 'busybox:1.36', command: ['true'] }, { name: 'migrate', image: 'app:1', command: ['migrate'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      containers: [{ name: 'app', image: 'app:1', command: ['serve'], args: ['--port', '80'], env: [{ name: 'MODE', value: 'x' }], livenessProbe: { exec: { command: ['true'] } }, volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    },
    status: {
      initContainerStatuses: [
        { name: 'fetch', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0 } } },
        { name: 'migrate', image: 'app:1', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2 } } },
      ],
    },
  };
}

const request = (over: Partial<CopyRequest> = {}): CopyRequest => ({
  pod: pod(), failing: 'app', mode: 'hold', profile: busybox, user: 'alice', reason: 'INC-7', ttlSeconds: 900, sameNode: false, writableMounts: false, random: Buffer.from([0, 1, 2, 3, 4]), ...over,
});

describe('a copy of a pod', () => {
  it('is named POD-kdbg-xxxxx within 63 characters', () => {
    expect(copyName('web-0', Buffer.from([0, 1, 2, 3, 4]))).toBe('web-0-kdbg-bcdfg');
    const long = copyName(`${'a'.repeat(70)}`, Buffer.from([0, 1, 2, 3, 4]));
    expect(long).toHaveLength(63);
    expect(copyName('x.y-'.repeat(20), Buffer.alloc(5))).toMatch(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?-kdbg-bbbbb$/);
  });

  it('keeps the spec, drops what ties it to the original, and holds the container with the idle program', () => {
    const { pod: copy, container, init } = podCopy(request());
    expect(copy.metadata).toEqual({
      name: 'web-0-kdbg-bcdfg',
      namespace: 'prod',
      labels: { 'app.kubernetes.io/managed-by': 'kdbg', 'kdbg.dev/pod': 'copy' },
      annotations: { 'kdbg.dev/copy-of': 'web-0', 'kdbg.dev/user': 'alice', 'kdbg.dev/session-container': 'app', 'kdbg.dev/reason': 'INC-7' },
    });
    expect(copy.spec).toMatchObject({ restartPolicy: 'Never', serviceAccountName: 'web', nodeSelector: { disk: 'ssd' }, volumes: [{ name: 'data', emptyDir: {} }] });
    expect(copy.spec!.nodeName).toBeUndefined();
    expect(copy.spec!.hostname).toBeUndefined();
    expect(copy.spec!.subdomain).toBeUndefined();
    const app = copy.spec!.containers[0]!;
    expect(app).toMatchObject({ name: 'app', image: 'app:1', command: heldCommand(), volumeMounts: [{ name: 'data', mountPath: '/data' }] });
    expect(app.args).toBeUndefined();
    expect(app.livenessProbe).toBeUndefined();
    expect(app.env).toEqual([
      { name: 'MODE', value: 'x' },
      { name: 'KDBG_NAME', value: 'web-0-kdbg-bcdfg' },
      { name: 'KDBG_USER', value: 'alice' },
      { name: 'KDBG_TTL', value: '900' },
      { name: 'KDBG_REASON', value: 'INC-7' },
    ]);
    expect([container, init]).toEqual(['app', false]);
    expect(podCopy(request({ sameNode: true })).pod.spec!.nodeName).toBe('n1');
  });

  it('a held container whose root filesystem is read-only keeps kdbg\'s state in an emptyDir of its own, named by TMPDIR', () => {
    const ro = (c: Partial<V1Container>) => {
      const p = pod();
      Object.assign(p.spec!.containers[0]!, { securityContext: { readOnlyRootFilesystem: true } }, c);
      return podCopy(request({ pod: p }));
    };
    const { pod: copy, stateDir } = ro({ env: [{ name: 'TMPDIR', value: '/var/tmp' }, { name: 'MODE', value: 'x' }] });
    expect(stateDir).toBe('/kdbg');
    expect(copy.spec!.volumes).toEqual([{ name: 'data', emptyDir: {} }, { name: 'kdbg-state', emptyDir: {} }]);
    const app = copy.spec!.containers[0]!;
    expect(app.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }, { name: 'kdbg-state', mountPath: '/kdbg' }]);
    expect(app.env!.filter((e) => e.name === 'TMPDIR')).toEqual([{ name: 'TMPDIR', value: '/kdbg' }]);
    expect(app.env![0]).toEqual({ name: 'MODE', value: 'x' });
    // where its TMPDIR is a writable mount already, nothing changes
    const tmp = ro({ volumeMounts: [{ name: 'data', mountPath: '/tmp/' }] });
    expect([tmp.stateDir, tmp.pod.spec!.volumes!.length, tmp.pod.spec!.containers[0]!.env!.some((e) => e.name === 'TMPDIR')]).toEqual([undefined, 1, false]);
    const own = ro({ env: [{ name: 'TMPDIR', value: '/data' }] });
    expect(own.stateDir).toBeUndefined();
    expect(own.pod.spec!.containers[0]!.env![0]).toEqual({ name: 'TMPDIR', value: '/data' });
    expect(ro({ volumeMounts: [{ name: 'data', mountPath: '/tmp', readOnly: true }] }).stateDir).toBe('/kdbg');
    expect(podCopy(request()).stateDir).toBeUndefined();
  });

  it('beside: kdbg\'s container joins with the process namespace shared and the mounts read-only; before a failing init container', () => {
    const app = podCopy(request({ mode: 'beside' }));
    expect(app.pod.spec!.shareProcessNamespace).toBe(true);
    expect(app.pod.spec!.containers.map((c) => c.name)).toEqual(['app', 'kdbg-debug']);
    expect(app.pod.spec!.containers[0]!.command).toEqual(['serve']);
    expect(app.pod.spec!.containers[1]).toMatchObject({ image: busybox.image, command: idleCommand(), volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] });
    const init = podCopy(request({ mode: 'beside', failing: 'migrate' }));
    expect(init.pod.spec!.initContainers!.map((c) => c.name)).toEqual(['fetch', 'kdbg-debug', 'migrate']);
    expect([init.container, init.init]).toEqual(['kdbg-debug', true]);
  });

  it('holds the first init container that failed, else the target', () => {
    expect(failingContainer(pod(), 'app')).toEqual({ name: 'migrate', init: true });
    const withMigrate = (s: Partial<V1ContainerStatus>) => {
      const p = pod();
      Object.assign(p.status!.initContainerStatuses![1]!, { lastState: {} }, s);
      return failingContainer(p, 'app');
    };
    expect(withMigrate({ state: { terminated: { exitCode: 2 } } })).toEqual({ name: 'migrate', init: true });
    expect(withMigrate({ state: { running: {} }, lastState: { terminated: { exitCode: 2 } } })).toEqual({ name: 'migrate', init: true });
    expect(withMigrate({ state: { waiting: { reason: 'ImagePullBackOff' } } })).toEqual({ name: 'migrate', init: true });
    // nothing failed: the copy runs its init containers as the pod would, and the target is held
    expect(withMigrate({ state: { terminated: { exitCode: 0 } } })).toEqual({ name: 'app', init: false });
    expect(withMigrate({ state: { running: {} } })).toEqual({ name: 'app', init: false });
    expect(withMigrate({ state: { waiting: { reason: 'PodInitializing' } } })).toEqual({ name: 'app', init: false });
    const pending = pod();
    pending.status = { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] };
    expect(failingContainer(pending, 'app')).toEqual({ name: 'app', init: false });
    expect(failingContainer(pending, undefined)).toBeUndefined();
  });
});
