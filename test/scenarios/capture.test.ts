// kdbg capture: pcap that parses record by record however the capture stops. On the fake, pods share the host's
// loopback, so the test sends the traffic itself; the real cluster's capture of a pod's own traffic is in e2e/.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, KDBG_SHELL, runKdbg } from './harness.ts';
import { parsePcap } from './pcap.ts';
import { runKdbgInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const PORT = 18000 + Math.floor(Math.random() * 1000);
const FILTER = `udp port ${PORT}`;

/** UDP datagrams to 127.0.0.1:PORT every 20 ms until stopped. */
function traffic(): () => void {
  const socket = createSocket('udp4');
  const timer = setInterval(() => socket.send(Buffer.from('kdbg-capture-test'), PORT, '127.0.0.1'), 20);
  return () => {
    clearInterval(timer);
    socket.close();
  };
}

describe.runIf(backend.features.hooks)(`kdbg capture (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  let stopTraffic: () => void;
  const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-capture-'));
  beforeAll(async () => {
    ns = await backend.newNamespace('capture');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.createPod(ns, webPod('web-0'));
    stopTraffic = traffic();
  });
  afterAll(() => stopTraffic?.());

  it('--count N writes N whole records to the file and says what it captured', async () => {
    const file = path.join(dir, 'count.pcap');
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER, '--count', '3', '-w', file], { kubeconfig });
    expect(r.code).toBe(0);
    const pcap = parsePcap(readFileSync(file));
    expect(pcap.records).toHaveLength(3);
    expect(pcap.trailing).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`kdbg: 3 packets captured, 0 dropped by the kernel, ${readFileSync(file).length} bytes in [\\d.]+s to ${file}\\n$`));
  });

  it('--duration stops cleanly: exit 0 and a pcap on stdout that ends with a whole record', async () => {
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER, '--duration', '1500ms'], { kubeconfig });
    expect(r.code).toBe(0);
    const pcap = parsePcap(r.stdout);
    expect(pcap.records.length).toBeGreaterThan(5);
    expect(pcap.trailing).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`kdbg: ${pcap.records.length} packets captured`));
  });

  it('Ctrl-C stops cleanly too, and leaves no tcpdump running', async () => {
    const r = await runKdbg(['capture', 'web-0', '-i', 'lo', '-f', FILTER, '--snaplen', '60'], {
      kubeconfig,
      onSpawn: (child, out) => {
        void eventually(() => out.stderr().includes('debug container'), 20_000).then(() =>
          // the global header and some packets are out
          eventually(() => out.stdout().length > 100, 20_000).then(() => child.kill('SIGINT')),
        );
      },
    });
    expect(r.code).toBe(0);
    const pcap = parsePcap(r.stdout);
    expect(pcap.records.length).toBeGreaterThan(0);
    expect(pcap.trailing).toBe(0);
    expect(pcap.records.every((x) => x.captured <= 60)).toBe(true);
    await eventually(async () => (await backend.nodeProcesses(`port ${PORT}`)).length === 0, 10_000);
  });

  it('a reader that closes the pipe ends the capture with exit 0', async () => {
    const child = spawn('bash', ['-c', `${KDBG_SHELL} capture web-0 -i lo -f "${FILTER}" | head -c 200 >/dev/null; echo "kdbg=\${PIPESTATUS[0]}"`], {
      env: { ...process.env, KUBECONFIG: kubeconfig, XDG_CONFIG_HOME: '/nonexistent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let out = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => child.on('close', r));
    expect(out).toBe('kdbg=0\n');
    expect(err).toMatch(/kdbg: (\d+ packets captured, \d+ dropped by the kernel, )?\d+ bytes in [\d.]+s/);
    await eventually(async () => (await backend.nodeProcesses(`port ${PORT}`)).length === 0, 10_000);
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

describe.runIf(backend.features.hooks)(`kdbg capture of several pods (${backend.name})`, () => {
  it('-l SEL -w DIR/ captures every matching pod to DIR/POD.pcap, all stopped together', async () => {
    const ns = await backend.newNamespace('capture-many');
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    await Promise.all([backend.createPod(ns, webPod('web-0')), backend.createPod(ns, webPod('web-1'))]);
    const stop = traffic();
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'kdbg-capture-many-')), 'out/');
    try {
      const r = await runKdbg(['capture', '-l', 'app=web', '-i', 'lo', '-f', FILTER, '--duration', '1500ms', '-w', dir], { kubeconfig, timeoutMs: 60_000 });
      expect(r.code).toBe(0);
      for (const pod of ['web-0', 'web-1']) {
        const pcap = parsePcap(readFileSync(path.join(dir, `${pod}.pcap`)));
        expect(pcap.records.length).toBeGreaterThan(0);
        expect(pcap.trailing).toBe(0);
        expect(r.stderr).toMatch(new RegExp(`kdbg: pod/${pod}: ${pcap.records.length} packets captured, .* to ${dir}${pod}.pcap\\n`));
      }
    } finally {
      stop();
    }
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
