// (b) Packet capture is real: a debug container in the target's namespaces sees the target's loopback traffic
// with containerd's default capabilities, and a container without capabilities cannot capture at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { backendIsLocal, httpPod, kubectl, realNode, waitContainer } from './helpers.ts';

let backend: RealBackend;
let ns: string;
let admin: string;

beforeAll(async () => {
  backend = await realBackendImpl();
  ns = await backend.newNamespace('capture', { 'pod-security.kubernetes.io/enforce': 'baseline' });
  admin = await backend.kubeconfig('admin', ns);
  await backend.createPod(ns, httpPod('http-0') as V1Pod);
});
afterAll(async () => {
  await backend?.close();
});

describe('capture', () => {
  it('tcpdump in a netshoot ephemeral container targeting the pod sees its loopback HTTP traffic', async () => {
    const add = await kubectl('1.33', admin, [
      'debug', 'http-0', '--image=nicolaka/netshoot:v0.13', '--target=app', '-c', 'sniff', '--profile=legacy', '--', 'sleep', '3600',
    ]);
    expect(add.code).toBe(0);
    await waitContainer(backend, ns, 'http-0', 'sniff', (s) => !!s.state?.running);
    const r = await kubectl('1.33', admin, ['exec', 'http-0', '-c', 'sniff', '--', 'timeout', '20', 'tcpdump', '-i', 'lo', '-c', '4', '-nn', 'tcp', 'port', '8080']);
    expect(r.code).toBe(0);
    const packets = r.stdout.trim().split('\n');
    expect(packets).toHaveLength(4);
    for (const p of packets) expect(p).toMatch(/ IP 127\.0\.0\.1\.\d+ > 127\.0\.0\.1\.\d+: /);
    expect(r.stderr).toContain('4 packets captured');
    // it shares the target's PID namespace: the target's httpd is visible
    const ps = await kubectl('1.33', admin, ['exec', 'http-0', '-c', 'sniff', '--', 'ps', '-eo', 'pid,args']);
    expect(ps.stdout).toContain('httpd -f -p 127.0.0.1:8080');
    // and /proc/1/root is the target's filesystem (busybox: no tcpdump there), not its own (the stand-in has no
    // image filesystems)
    if (!realNode()) return;
    const root = await kubectl('1.33', admin, ['exec', 'http-0', '-c', 'sniff', '--', 'sh', '-c',
      'test -x /usr/bin/tcpdump && test -x /proc/1/root/bin/busybox && ! test -e /proc/1/root/usr/bin/tcpdump && echo target-root']);
    expect(root.stdout).toBe('target-root\n');
  });

  it('the traffic is invisible from another pod', async () => {
    await backend.createPod(ns, { metadata: { name: 'other' }, spec: { containers: [{ name: 'app', image: 'nicolaka/netshoot:v0.13', command: ['sleep', '3600'] }] } } as V1Pod);
    const r = await kubectl('1.33', admin, ['exec', 'other', '--', 'timeout', '3', 'tcpdump', '-i', 'lo', '-c', '1', '-nn', 'tcp', 'port', '8080']);
    // timeout stopped it: GNU timeout exits 124, busybox's (the e2e netshoot image's) passes tcpdump's 0 on
    expect([0, 124]).toContain(r.code);
    expect(r.stdout.trim()).toBe('');
    expect(r.stderr).toContain('0 packets captured');
  });

  it('a container with capabilities drop: [ALL] cannot run tcpdump', async () => {
    await backend.createPod(ns, {
      metadata: { name: 'nocaps' },
      spec: {
        containers: [{ name: 'app', image: 'nicolaka/netshoot:v0.13', command: ['sleep', '3600'], securityContext: { capabilities: { drop: ['ALL'] } } }],
      },
    } as V1Pod);
    const r = await kubectl('1.33', admin, ['exec', 'nocaps', '--', 'timeout', '5', 'tcpdump', '-i', 'lo', '-c', '1', '-nn']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Operation not permitted/);
    const caps = await kubectl('1.33', admin, ['exec', 'nocaps', '--', 'grep', 'CapEff', '/proc/self/status']);
    expect(caps.stdout).toMatch(/CapEff:\s+0000000000000000/);
  });

  it.runIf(backendIsLocal())('a root container gets containerd\'s 14 default capabilities, not the host\'s', async () => {
    const caps = await kubectl('1.33', admin, ['exec', 'other', '--', 'grep', 'CapBnd', '/proc/self/status']);
    expect(caps.stdout).toMatch(/CapBnd:\s+00000000a80425fb/);
  });
});
