// Where kdbg cp looks for the target's files: PID 1's root, or the target's own process found by its container ID.
import { describe, expect, it } from 'vitest';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { targetRoot } from '../../src/debug/target-root.ts';

const id = 'a'.repeat(64);
const pod = (spec: Partial<NonNullable<V1Pod['spec']>>, containerID: string | null = `containerd://${id}`): V1Pod => ({
  metadata: { name: 'web-0' },
  spec: { containers: [{ name: 'app' }, { name: 'sidecar' }], ...spec },
  status: { containerStatuses: [{ name: 'sidecar', containerID: `containerd://${'b'.repeat(64)}` }, { name: 'app', containerID: containerID ?? undefined }] as V1ContainerStatus[] },
});

describe("the target's root", () => {
  it('is PID 1\'s where the debug container joins the target\'s own PID namespace', () => {
    expect(targetRoot(pod({}), 'app')).toBe('/proc/1/root');
    expect(targetRoot(pod({ shareProcessNamespace: false }), 'app')).toBe('/proc/1/root');
  });

  it("is found by the target's container ID where the pod shares one PID namespace, or the node's", () => {
    expect(targetRoot(pod({ shareProcessNamespace: true }), 'app')).toBe(`id:${id}`);
    expect(targetRoot(pod({ hostPID: true }), 'sidecar')).toBe(`id:${'b'.repeat(64)}`);
    expect(targetRoot(pod({ shareProcessNamespace: true }, `cri-o://${id}`), 'app')).toBe(`id:${id}`);
  });

  it('is refused, never guessed, where that ID cannot name its processes', () => {
    for (const containerID of [null, 'containerd://', 'containerd://*', 'containerd://abc']) {
      expect(() => targetRoot(pod({ shareProcessNamespace: true }, containerID), 'app')).toThrow(
        `pod web-0 shares its PID namespace (all the pod's containers'), and container app's ID (${containerID ?? 'none'}) cannot tell its processes apart: its files cannot be reached (--debug-fs copies the debug container's own)`,
      );
    }
  });
});
