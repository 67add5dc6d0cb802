// kdbg capture: pcap that parses record by record however the capture stops. The pods make their own traffic (HTTP
// to themselves on loopback), so every scenario runs on both backends: on the fake, pods share this machine's
// loopback; on the real node each pod has its own, and tshark reads every pcap too (pcap.ts). The real capture of
// a pod's traffic with kubectl alongside is in e2e/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, runKdbg } from './harness.ts';
import { parsePcap, readWholePcap } from './pcap.ts';
import { runKdbgInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const PORT = 18000 + Math.floor(Math.random() * 1000);
const FILTER = `tcp port ${PORT}`;

/** A pod that serves HTTP on 127.0.0.1:port and fetches from it every 50 ms: about 200 packets a second on lo. */
function talkingPod(name: string, port: number, labels: Record<string, string> = { app: 'web' }): V1Pod {
  const pod = webPod(name);
  pod.metadata!.labels = labels;
  pod.spec!.terminationGracePeriodSeconds = 1;
  pod.spec!.containers[0]!.command = [
    'sh',
    '-c',
    `busybox httpd -f -p 127.0.0.1:${port} -h /etc & while true; do busybox wget -q -O /dev/null http://127.0.0.1:${port}/hostname; sleep 0.05; done`,
  ];
  return pod;
}

/** tcpdump of this filter is no longer running on the node */
const tcpdumpGone = (filter: string) => eventually(async () => (await backend.nodeProcesses(filter)).length === 0, 10_000);

/** `kdbg: N packets captured, D dropped by the kernel, B bytes in Ts[ to FILE]` as the last line; N */
function summaryCount(stderr: string, bytes: number, to = ''): number {
  const m = new RegExp(`kdbg: (\\d+) packets captured, \\d+ dropped by the kernel, ${bytes} bytes in [\\d.]+s${to ? ` to ${to}` : ''}\\n$`).exec(stderr);
  if (!m) throw new Error(`no summary of ${bytes} bytes at the end of: ${stderr}`);
  return Number(m[1]);
}

describe(`kdbg capture (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-capture-'));
  beforeAll(async () => {
    ns = await backend.newNamespace('capture');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.createPod(ns, talkingPod('web-0', PORT));
  });

  it('--count N writes N whole records to the file and says what it captured', async () => {
    const file = path.join(dir, 'count.pcap');
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER, '--count', '3', '-w', file], { kubeconfig });
    expect(r.code).toBe(0);
    const bytes = readFileSync(file);
    expect(readWholePcap(bytes).records).toHaveLength(3);
    expect(summaryCount(r.stderr, bytes.length, file)).toBe(3);
  });

  it('--duration stops cleanly: exit 0 and a pcap on stdout that ends with a whole record', async () => {
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER, '--duration', '1500ms'], { kubeconfig });
    expect(r.code).toBe(0);
    const pcap = readWholePcap(r.stdout);
    expect(pcap.records.length).toBeGreaterThan(5);
    expect(summaryCount(r.stderr, r.stdout.length)).toBe(pcap.records.length);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} stops cleanly: tcpdump flushes and reports, kdbg exits 0, no tcpdump is left`, async () => {
      const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER, '--snaplen', '60'], {
        kubeconfig,
        onSpawn: (child, out) => {
          // the global header and some packets are out
          void eventually(() => out.stdout().length > 500, 30_000).then(() => child.kill(signal));
        },
      });
      expect(r.code).toBe(0);
      const pcap = readWholePcap(r.stdout);
      expect(pcap.records.length).toBeGreaterThan(0);
      expect(pcap.records.every((x) => x.captured <= 60)).toBe(true);
      expect(summaryCount(r.stderr, r.stdout.length)).toBe(pcap.records.length);
      await tcpdumpGone(FILTER);
    });
  }

  it('a reader that closes the pipe after 5 whole records ends the capture cleanly: what it read parses, exit 0', async () => {
    const RECORDS = 5;
    let read = Buffer.alloc(0);
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER], {
      kubeconfig,
      onSpawn: (child) => {
        // the reader: takes the global header and RECORDS whole records, then closes its end of the pipe
        const take = (chunk: Buffer) => {
          read = Buffer.concat([read, chunk]);
          if (read.length < 24 || parsePcap(read).records.length < RECORDS) return;
          child.stdout!.off('data', take);
          child.stdout!.destroy();
        };
        child.stdout!.on('data', take);
      },
    });
    expect(r.code).toBe(0);
    // what kdbg had written up to the close, cut after the records the reader took, is a pcap of whole records
    let end = 24;
    for (const x of parsePcap(read).records.slice(0, RECORDS)) end += 16 + x.captured;
    const pcap = readWholePcap(read.subarray(0, end));
    expect(pcap.linkType).toBe(1); // Ethernet, as Linux shows lo
    expect(pcap.records).toHaveLength(RECORDS);
    expect(pcap.records.every((x) => x.captured > 0 && x.captured <= x.length)).toBe(true);
    // tcpdump stopped with SIGINT, so its counts arrived: at least what was read
    const captured = /kdbg: (\d+) packets captured, \d+ dropped by the kernel, \d+ bytes in [\d.]+s\n$/.exec(r.stderr)?.[1];
    expect(Number(captured)).toBeGreaterThanOrEqual(RECORDS);
    await tcpdumpGone(FILTER);
  });

  it('a -w FILE that cannot be written is found before anything is created', async () => {
    await backend.createPod(ns, webPod('nowrite-0'));
    const file = path.join(dir, 'no-such-dir', 'x.pcap');
    const r = await runKdbg(['capture', 'nowrite-0', '-i', 'lo', '-w', file], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`kdbg: cannot write ${file}: no such file or directory (ENOENT)\n`);
    expect(await backend.ephemeralContainers(ns, 'nowrite-0')).toEqual([]);
  });

  it('a capture that writes nothing leaves no file it created; a file that was there stays, emptied as tcpdump -w would', async () => {
    const created = path.join(dir, 'never.pcap');
    const missing = await runKdbg(['capture', 'no-such-pod', '-i', 'lo', '-w', created], { kubeconfig });
    expect(missing.code).toBe(125);
    expect(missing.stderr).toMatch(/^kdbg: pod no-such-pod not found in namespace /);
    expect(existsSync(created)).toBe(false);
    // tcpdump refuses the filter: nothing was captured
    const refused = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', 'port notaport', '-w', created], { kubeconfig });
    expect(refused.code).toBe(1);
    expect(existsSync(created)).toBe(false);
    const there = path.join(dir, 'there.pcap');
    writeFileSync(there, 'old');
    expect((await runKdbg(['capture', 'no-such-pod', '-i', 'lo', '-w', there], { kubeconfig })).code).toBe(125);
    expect(readFileSync(there, 'utf8')).toBe('');
  });

  it('a file that fails while written (a full disk) is an error, and tcpdump is stopped', async () => {
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER, '-w', '/dev/full'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/\nkdbg: cannot write \/dev\/full: no space left on device \(ENOSPC\); tcpdump was stopped\n$/);
    await tcpdumpGone(FILTER);
  });

  it('--wireshark without wireshark on PATH says so before anything is created', async () => {
    await backend.createPod(ns, webPod('ws-0'));
    const r = await runKdbg(['capture', 'ws-0', '--wireshark'], { kubeconfig, env: { PATH: mkdtempSync(path.join(tmpdir(), 'kdbg-empty-path-')) } });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe('kdbg: wireshark is not installed (not on PATH); pipe stdout to it, or write a file with -w\n');
    expect(await backend.ephemeralContainers(ns, 'ws-0')).toEqual([]);
  });

  it('--wireshark runs `wireshark -k -i -` and feeds it the pcap', async () => {
    // a stand-in wireshark that keeps its arguments and what it reads
    const bin = mkdtempSync(path.join(tmpdir(), 'kdbg-wireshark-'));
    writeFileSync(path.join(bin, 'wireshark'), `#!/bin/sh\nprintf '%s\\n' "$@" >"${bin}/argv"\ncat >"${bin}/stdin.pcap"\n: >"${bin}/done"\n`);
    chmodSync(path.join(bin, 'wireshark'), 0o755);
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER, '--count', '3', '--wireshark'], { kubeconfig, env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(0);
    await eventually(() => existsSync(path.join(bin, 'done')), 10_000);
    expect(readFileSync(path.join(bin, 'argv'), 'utf8')).toBe('-k\n-i\n-\n');
    const bytes = readFileSync(path.join(bin, 'stdin.pcap'));
    expect(readWholePcap(bytes).records).toHaveLength(3);
    expect(summaryCount(r.stderr, bytes.length)).toBe(3);
  });

  it('a filter is tcpdump arguments, never a shell line', async () => {
    const marker = path.join(dir, 'injected');
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', `udp; touch ${marker}`, '--count', '1', '-w', path.join(dir, 'x.pcap')], { kubeconfig });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/syntax error|tcpdump/);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses to write pcap to a terminal, before anything is created', async () => {
    await backend.createPod(ns, webPod('tty-0'));
    const s = runKdbgInPty(['capture', 'tty-0', '-i', 'lo'], kubeconfig);
    expect(await s.exitCode()).toBe(125);
    expect(s.output()).toContain('kdbg: pcap is binary and would garble the terminal: pass -w FILE, pipe stdout (… | wireshark -k -i -), or --wireshark');
    expect(await backend.ephemeralContainers(ns, 'tty-0')).toEqual([]);
  });
});

describe(`kdbg capture of several pods (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  const ports = [PORT + 1, PORT + 2];
  // on the fake both pods' traffic is on the one loopback; on the real node each sees its own
  const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
  beforeAll(async () => {
    ns = await backend.newNamespace('capture-many');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await Promise.all(ports.map((p, i) => backend.createPod(ns, talkingPod(`web-${i}`, p))));
  });

  async function captureEach(target: string[]): Promise<void> {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'kdbg-capture-many-')), 'out/');
    const r = await runKdbg(['capture', ...target, '-i', 'lo', '-f', filter, '--duration', '1500ms', '-w', dir], { kubeconfig, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    for (const pod of ['web-0', 'web-1']) {
      const pcap = readWholePcap(readFileSync(path.join(dir, `${pod}.pcap`)));
      expect(pcap.records.length, `${pod}.pcap; kdbg said: ${r.stderr}`).toBeGreaterThan(0);
      expect(r.stderr).toMatch(new RegExp(`kdbg: pod/${pod}: ${pcap.records.length} packets captured, .* to ${dir}${pod}.pcap\\n`));
    }
  }

  it('-l SEL -w DIR/ captures every matching pod to DIR/POD.pcap, all stopped together', () => captureEach(['-l', 'app=web']));

  // without controllers the Deployment makes no pods: its selector finds the two above
  it.skipIf(backend.features.controllers)('deploy/NAME -w DIR/ does the same for the Deployment\'s pods', async () => {
    await backend.createWorkload(ns, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: webPod('').spec } },
    });
    await captureEach(['deploy/web']);
  });
});

describe(`kdbg capture where PodSecurity is restricted (${backend.name})`, () => {
  it('is refused before anything is created, saying why', async () => {
    const ns = await backend.newNamespace('capture-psa', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    const pod = webPod('web-0', { securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } } });
    pod.spec!.containers[0]!.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    await backend.createPod(ns, pod);
    const r = await runKdbg(['capture', 'web-0', '-w', '/dev/null', '--count', '1'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(
      `kdbg: namespace ${ns} enforces PodSecurity restricted, which allows no NET_RAW: tcpdump cannot capture in a debug container there (nothing was created); capture where the namespace enforces baseline or privileged\n`,
    );
    expect(await backend.ephemeralContainers(ns, 'web-0')).toEqual([]);
  });
});
