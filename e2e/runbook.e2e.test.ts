// kdbg runbook on the real node: a capture of the pod's own loopback HTTP (seen from the debug container in its
// network namespace) and a copy of a file of the target container (its filesystem through /proc/1/root), in the
// report of one run; and the cpu-hungry example as it is shipped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '@kubernetes/client-node';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { runKdbg } from '../test/scenarios/harness.ts';
import { parsePcap } from '../test/scenarios/pcap.ts';
import type { Report } from '../src/runbook/report.ts';
import { backendIsLocal, httpPod, realNode } from './helpers.ts';
import { webPod } from '../test/backends/backend.ts';

let backend: RealBackend;
let ns: string;
let kubeconfig: string;
const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-runbook-e2e-'));

beforeAll(async () => {
  backend = await realBackendImpl();
  ns = await backend.newNamespace('runbook', { 'pod-security.kubernetes.io/enforce': 'baseline' });
  kubeconfig = await backend.kubeconfig('debugger', ns);
  await Promise.all([backend.createPod(ns, httpPod('http-0') as V1Pod), backend.createPod(ns, httpPod('http-1') as V1Pod)]);
});
afterAll(async () => {
  await backend?.close();
});

describe('kdbg runbook run', () => {
  it("captures each pod's loopback HTTP and copies a file of its target container, all in one report", async () => {
    const file = path.join(dir, 'http.yaml');
    writeFileSync(
      file,
      [
        'name: http',
        'params:',
        '  port: {default: 8080}',
        'profile: netshoot',
        'targets:',
        '  container: app',
        '  select: [{selector: app=http}]',
        'steps:',
        '  - name: sockets',
        '    run: [ss, -tln]',
        '  - name: sniff',
        '    capture: {interface: lo, filter: "tcp port ${{ params.port }}", duration: 5s}',
        '  - name: hostname',
        '    cp: /etc/hostname',
      ].join('\n'),
    );
    const out = path.join(dir, 'out');
    const r = await runKdbg(['runbook', 'run', file, '-o', out], { kubeconfig, timeoutMs: 180_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    expect(report.totals).toMatchObject({ pods: 2, passed: 2 });
    for (const pod of report.pods) {
      const [sockets, sniff, hostname] = pod.steps;
      expect(readFileSync(path.join(out, sockets!.artifacts.stdout!), 'utf8')).toContain('127.0.0.1:8080');
      const pcap = parsePcap(readFileSync(path.join(out, sniff!.artifacts.pcap!)));
      expect(pcap.trailing).toBe(0);
      expect(pcap.records.length).toBeGreaterThan(5);
      expect(sniff!.packets).toBe(pcap.records.length);
      // the target's own /etc/hostname: its pod's name (the stand-in node has no image filesystems)
      if (realNode()) expect(readFileSync(path.join(out, hostname!.artifacts.copy!), 'utf8').trim()).toBe(pod.pod);
    }
    if (backendIsLocal()) expect(await backend.nodeProcesses('tcp port 8080')).toEqual([]);
  });

  it('the cpu-hungry example runs whole in busybox: top, ps and /proc see the target\'s processes', async () => {
    await backend.createPod(ns, webPod('web-0'));
    const out = path.join(dir, 'cpu-hungry');
    const example = fileURLToPath(new URL('../examples/runbooks/cpu-hungry.yaml', import.meta.url));
    const r = await runKdbg(['runbook', 'run', example, '-o', out], { kubeconfig, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    expect(report.pods.map((p) => [p.pod, p.steps.map((s) => s.status)])).toEqual([['web-0', ['passed', 'passed', 'passed', 'passed', 'passed']]]);
    const ps = readFileSync(path.join(out, report.pods[0]!.steps[1]!.artifacts.stdout!), 'utf8');
    expect(ps).toMatch(/^ +1 +0 root .*while true; do sleep 1; done$/m);
  });
});
