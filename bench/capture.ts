// The capture case of npm run bench: time from starting a capture to the first packet on its stdout, for kdbg
// capture (reused container) against kubectl exec … tcpdump -w - into the same container, with traffic the
// filter matches flowing all along.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';

/** pcap's global header, then one record header: once stdout holds both, the first packet is out */
const FIRST_RECORD = 24 + 16;

/**
 * Starts `cmd args` and resolves with the milliseconds until its stdout holds a whole first record header; then
 * stops it with SIGINT (and SIGKILL if that is not enough) and waits for it to end, so no run overlaps the next.
 */
export function firstPacket(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<{ ms: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let bytes = 0;
  let ms: number | undefined;
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const stop = () => {
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  };
  const limit = setTimeout(stop, timeoutMs);
  child.stdout.on('data', (c: Buffer) => {
    bytes += c.length;
    if (ms === undefined && bytes >= FIRST_RECORD) {
      ms = Number(process.hrtime.bigint() - started) / 1e6;
      stop();
    }
  });
  return new Promise((resolve, reject) => {
    child.on('close', () => {
      clearTimeout(limit);
      if (ms === undefined) reject(new Error(`${cmd} ${args.join(' ')}: no packet in ${timeoutMs} ms: ${stderr}`));
      else resolve({ ms });
    });
  });
}

/** UDP datagrams to 127.0.0.1:port every 5 ms (the fake's pods share this machine's loopback); returns stop. */
export function udpTraffic(port: number): () => void {
  const socket = createSocket('udp4');
  const timer = setInterval(() => socket.send(Buffer.from('kdbg-bench'), port, '127.0.0.1'), 5);
  return () => {
    clearInterval(timer);
    socket.close();
  };
}

/**
 * HTTP requests to the pod's own 127.0.0.1:8080 every 20 ms, from inside the pod (kubectl exec into `container`),
 * for at most `seconds`; returns stop.
 */
export function podHttpTraffic(kubectl: string, container: string, env: NodeJS.ProcessEnv, seconds: number): () => void {
  const loop = 'while :; do wget -q -O /dev/null http://127.0.0.1:8080/hostname; sleep 0.02; done';
  const child = spawn(kubectl, ['exec', 'web-0', '-c', container, '--', 'timeout', String(seconds), 'sh', '-c', loop], { env, stdio: 'ignore' });
  return () => child.kill('SIGKILL');
}
