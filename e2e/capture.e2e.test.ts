// (b) Packet capture is real: a debug container in the target's namespaces sees the target's loopback traffic
// with containerd's default capabilities, and a container without capabilities cannot capture at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { eventually, runKdbg } from '../test/scenarios/harness.ts';
import { readWholePcap } from '../test/scenarios/pcap.ts';
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

  it('kdbg capture of the pod\'s loopback HTTP, stopped by Ctrl-C, ends whole and reads in tshark', async () => {
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    const r = await runKdbg(['capture', 'http-0', '-i', 'lo', '-f', 'tcp port 8080'], {
      kubeconfig,
      onSpawn: (child, out) => {
        // the header and a few requests' worth of packets are out, then Ctrl-C (SIGINT, as a terminal sends it)
        void eventually(() => out.stdout().length > 3000, 40_000).then(() => child.kill('SIGINT'));
      },
    });
    expect(r.code).toBe(0);
    const pcap = readWholePcap(r.stdout);
    expect(pcap.linkType).toBe(1); // Ethernet, as Linux shows lo
    expect(pcap.records.length).toBeGreaterThan(5);
    expect(r.stderr).toMatch(new RegExp(`kdbg: ${pcap.records.length} packets captured, \\d+ dropped by the kernel, ${r.stdout.length} bytes in [\\d.]+s\\n$`));
    if (backendIsLocal()) await eventually(async () => (await backend.nodeProcesses('tcp port 8080')).length === 0, 10_000);
    // Debian's tshark (the e2e node installs it) reads it as the HTTP the pod sends itself
    if (!realNode()) return;
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kdbg-capture-e2e-')), 'http.pcap');
    writeFileSync(file, r.stdout);
    const uris = execFileSync('tshark', ['-r', file, '-Y', 'http.request', '-T', 'fields', '-e', 'http.request.uri'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(uris.trim().split('\n')).toContain('/hostname');
  });

  it.runIf(realNode())('kdbg capture with a custom profile whose image has no tcpdump says so in one line, exit 127', async () => {
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'kdbg-capture-e2e-')), 'config.yaml');
    writeFileSync(config, 'profiles:\n  plain:\n    image: busybox:1.36\n');
    const r = await runKdbg(['capture', 'http-0', '-p', 'plain', '--config', config, '-w', '-'], { kubeconfig });
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/\nkdbg: image busybox:1\.36 has no tcpdump; kdbg capture needs a profile whose image has it, such as -p netshoot\n$/);
  });

  it.runIf(backendIsLocal())('a root container gets containerd\'s 14 default capabilities, not the host\'s', async () => {
    const caps = await kubectl('1.33', admin, ['exec', 'other', '--', 'grep', 'CapBnd', '/proc/self/status']);
    expect(caps.stdout).toMatch(/CapBnd:\s+00000000a80425fb/);
  });
});
