// kdbg against the real API server where only a real one can judge: PodSecurity admission, and a binary pcap
// captured through the apiserver's stream translation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { httpPod } from './helpers.ts';
import { runKdbg } from '../test/scenarios/harness.ts';

let backend: RealBackend;
afterAll(async () => {
  await backend?.close();
});
beforeAll(async () => {
  backend = await realBackendImpl();
});

describe('PodSecurity decides which profiles a namespace takes', () => {
  it('restricted refuses netshoot with the admission message and nothing is added; the restricted profile works', async () => {
    const ns = await backend.newNamespace('psa-r', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const pod = httpPod('web-0', { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }) as V1Pod;
    pod.spec!.securityContext = { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } };
    await backend.createPod(ns, pod);
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    const refused = await runKdbg(['attach', 'web-0', '-p', 'netshoot', '--', 'true'], { kubeconfig });
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/^kdbg: PodSecurity refuses debug container kdbg-netshoot-\w{5}: .*violates PodSecurity "restricted:latest".*\(nothing was created\); --harden runs profile netshoot's image/);
    // one line: no word of a debug container that was never created
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(await backend.ephemeralContainers(ns, 'web-0')).toEqual([]);

    const ok = await runKdbg(['attach', 'web-0', '-p', 'restricted', '--', 'sh', '-c', 'id -u; grep -E "^Cap(Eff|Prm)" /proc/self/status'], { kubeconfig });
    expect(ok.stderr).not.toMatch(/violates/);
    // non-root, without any capability
    expect(ok.stdout.toString()).toBe('65534\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\n');
    expect(ok.code).toBe(0);
  });

  it('baseline takes the default busybox profile and refuses ptrace', async () => {
    const ns = await backend.newNamespace('psa-b', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    await backend.createPod(ns, httpPod('web-0') as V1Pod);
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    const ok = await runKdbg(['attach', 'web-0', '--', 'echo', 'in'], { kubeconfig });
    expect(ok.stdout.toString()).toBe('in\n');
    expect(ok.code).toBe(0);
    const refused = await runKdbg(['attach', 'web-0', '-p', 'ptrace', '--', 'true'], { kubeconfig });
    expect(refused.code).toBe(125);
    expect(refused.stderr).toMatch(/violates PodSecurity "baseline:latest".*SYS_PTRACE/);
  });
});

describe('capture through kdbg', () => {
  it('streams a binary pcap of the target loopback traffic to stdout', async () => {
    const ns = await backend.newNamespace('pcap', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    await backend.createPod(ns, httpPod('web-0') as V1Pod);
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    const r = await runKdbg(['attach', 'web-0', '-p', 'netshoot', '--', 'timeout', '20', 'tcpdump', '-i', 'lo', '-c', '6', '-nn', '-U', '-w', '-', 'tcp', 'port', '8080'], {
      kubeconfig,
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(0);
    // a pcap file: the libpcap magic, then six packet records
    expect(r.stdout.readUInt32LE(0)).toBe(0xa1b2c3d4);
    let offset = 24;
    let packets = 0;
    while (offset + 16 <= r.stdout.length) {
      offset += 16 + r.stdout.readUInt32LE(offset + 8);
      packets++;
    }
    expect(offset).toBe(r.stdout.length);
    expect(packets).toBe(6);
    expect(r.stderr).toContain('6 packets captured');
  });
});
