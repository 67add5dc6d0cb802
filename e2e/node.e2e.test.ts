// kdbg node on a real node: a shell in the host's namespaces and root, and nothing left after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { noOwnPodsLeft, ownPods, runKdbg } from '../test/scenarios/harness.ts';
import { backendIsLocal, realNode } from './helpers.ts';

let backend: RealBackend;
let ns: string;
let admin: string;
const node = process.env.KDBG_E2E_NODE ?? 'localhost';

/** kdbg's node pods in the namespace, those being deleted too. */
const nodePods = (namespace: string) => ownPods(backend, namespace, 'node');

beforeAll(async () => {
  backend = await realBackendImpl();
  ns = await backend.newNamespace('node', { 'pod-security.kubernetes.io/enforce': 'privileged' });
  admin = await backend.kubeconfig('admin', ns);
});
afterAll(async () => {
  await backend?.close();
});

describe.runIf(realNode() && backendIsLocal())('kdbg node', () => {
  it("chroots into the host's root by default; the pod is gone after the session", async () => {
    const r = await runKdbg(['node', node, '--', 'cat', '/etc/hostname'], { kubeconfig: admin });
    expect(r.stderr).toMatch(new RegExp(`kdbg: .*${ns} pod/kdbg-node-${node}-\\w{5} on node ${node}, chrooted into the host's root\\n`));
    expect(r.stdout.toString()).toBe(readFileSync('/etc/hostname', 'utf8'));
    expect(r.code).toBe(0);
    await noOwnPodsLeft(backend, ns, 'node');
  });

  it("sees the host's processes, and --no-chroot runs in the pod's own image with the host at /host", async () => {
    const r = await runKdbg(['node', node, '--no-chroot', '--', 'sh', '-c', 'ps -o comm | grep -x kubelet; test -f /host/etc/hostname && echo host-root; exit 3'], { kubeconfig: admin });
    expect(r.stdout.toString()).toBe('kubelet\nhost-root\n');
    expect(r.code).toBe(3);
    await noOwnPodsLeft(backend, ns, 'node');
  });

  it('is refused where PodSecurity forbids it, and for a node that does not exist, creating nothing', async () => {
    const baseline = await backend.newNamespace('node-baseline', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    const r = await runKdbg(['node', node, '-n', baseline, '--', 'true'], { kubeconfig: admin });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(
      new RegExp(
        `^kdbg: the API server refuses the shell on node ${node}: pods "kdbg-node-${node}-\\w{5}" is forbidden: violates PodSecurity "baseline:latest": host namespaces \\(hostNetwork=true, hostPID=true, hostIPC=true\\), .* \\(nothing was created\\); namespace ${baseline} enforces PodSecurity baseline; pass -n with a namespace that admits privileged pods\n$`,
      ),
    );
    expect(await nodePods(baseline)).toEqual([]);

    const missing = await runKdbg(['node', 'no-such-node', '--', 'true'], { kubeconfig: admin });
    expect(missing.code).toBe(125);
    expect(missing.stderr).toBe('kdbg: no node no-such-node in the cluster\n');
    expect(await nodePods(ns)).toEqual([]);
  });
});
