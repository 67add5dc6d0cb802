// npm run bench: medians of interleaved runs, kdbg beside kubectl, against the in-process fake API server (start
// 100 ms, status lag 300 ms), or with KDBG_BENCH_KUBECONFIG against the pod web-0 (container app) in that
// kubeconfig's namespace, as `npm run bench:e2e` does on the real control plane. Prints each figure, its goal, and
// whether it is met.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeCluster } from '../test/fake/cluster.ts';
import { webPod } from '../test/backends/backend.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const KDBG = fileURLToPath(new URL('../bin/kdbg.js', import.meta.url));
const KUBECTL = join(dirname(spawnSync('sh', ['-c', 'readlink -f "$(command -v kubectl)"']).stdout.toString().trim()), 'kubectl.1.33');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Sample {
  ms: number;
  rssKb?: number;
}

/** Runs one command to its end (asynchronously: the fake API server lives in this process). */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const started = process.hrtime.bigint();
  const child = TIME ? spawn(TIME, ['-f', '%M', cmd, ...args], { env }) : spawn(cmd, args, { env });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  return new Promise((resolve, reject) => {
    child.on('close', (status) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (status !== 0) reject(new Error(`${cmd} ${args.join(' ')} exited ${status}: ${stderr}`));
      else resolve({ ms, rssKb: TIME ? Number(stderr.trim().split('\n').pop()) : undefined });
    });
  });
}

async function output(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  const status = await new Promise((r) => child.on('close', r));
  if (status !== 0 || !out.trim()) throw new Error(`${cmd} ${args.join(' ')} failed (${status})`);
  return out.trim();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Runs the commands in turn, RUNS rounds, so drift hits all of them alike. */
async function interleaved(cases: Record<string, () => Promise<Sample>>): Promise<Record<string, Sample[]>> {
  const out: Record<string, Sample[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < RUNS; i++) for (const [k, run] of Object.entries(cases)) out[k]!.push(await run());
  return out;
}

const target = process.env.KDBG_BENCH_KUBECONFIG
  ? { kubeconfig: process.env.KDBG_BENCH_KUBECONFIG, where: 'the cluster of KDBG_BENCH_KUBECONFIG', close: async () => undefined }
  : await fakeTarget();

async function fakeTarget() {
  const cluster = await startFakeCluster({ startDelayMs: 100, statusLagMs: 300 });
  cluster.createNamespace('bench');
  await cluster.addPod('bench', webPod('web-0'));
  return { kubeconfig: cluster.writeKubeconfig('admin', 'bench'), where: 'fake API server: start 100 ms, status lag 300 ms', close: () => cluster.close() };
}

try {
  const kubeconfig = target.kubeconfig;
  const env = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: mkdtempSync(join(tmpdir(), 'kdbg-bench-kubecache-')), XDG_CONFIG_HOME: '/nonexistent' };
  const node = process.execPath;

  // warm-up: kubectl's discovery cache, kdbg's compile cache, and the container kdbg reuses
  await timed(KUBECTL, ['get', 'pods'], env);
  const reused = await output(node, [KDBG, 'attach', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo $KDBG_NAME'], env);

  const startup = await interleaved({
    'node -e 0': () => timed(node, ['-e', '0'], env),
    'kdbg --version': () => timed(node, [KDBG, '--version'], env),
  });
  const oneShot = await interleaved({
    'kdbg attach --new -- true': () => timed(node, [KDBG, 'attach', 'web-0', '-c', 'app', '--new', '--', 'true'], env),
    'kdbg attach -- true (reused)': () => timed(node, [KDBG, 'attach', 'web-0', '-c', 'app', '--', 'true'], env),
    'kubectl debug -i -- true': () => timed(KUBECTL, ['debug', 'web-0', '-i', '-q', '--image=busybox:1.36.1', '--target=app', '--', 'true'], env),
    'kubectl exec (same container) -- true': () => timed(KUBECTL, ['exec', 'web-0', '-c', reused, '--', 'true'], env),
  });

  const all = { ...startup, ...oneShot };
  const m = (k: string) => median(all[k]!.map((s) => s.ms));
  const ratio = (a: string, b: string) => m(a) / m(b);
  const row = (label: string, value: number, goal: number) =>
    `${label.padEnd(58)} ${value.toFixed(2).padStart(6)}×   goal ≤ ${goal}×   ${value <= goal ? 'met' : 'MISSED'}`;

  console.log(`medians of ${RUNS} interleaved runs (${target.where})\n`);
  for (const k of Object.keys(all)) console.log(`${k.padEnd(40)} ${m(k).toFixed(0).padStart(6)} ms`);
  console.log('');
  console.log(row('kdbg --version / node -e 0', ratio('kdbg --version', 'node -e 0'), 1.3));
  console.log(row('kdbg one-shot, new container / kubectl debug -i', ratio('kdbg attach --new -- true', 'kubectl debug -i -- true'), 1.0));
  console.log(row('kdbg one-shot, reused container / kubectl debug -i', ratio('kdbg attach -- true (reused)', 'kubectl debug -i -- true'), 0.3));
  console.log(row('kdbg one-shot, reused container / kubectl exec', ratio('kdbg attach -- true (reused)', 'kubectl exec (same container) -- true'), 1.5));
  if (TIME) {
    const rss = Math.max(...[...all['kdbg attach --new -- true']!, ...all['kdbg attach -- true (reused)']!].map((s) => s.rssKb ?? 0));
    const kubectlRss = Math.max(...all['kubectl debug -i -- true']!.map((s) => s.rssKb ?? 0));
    console.log(`\nkdbg peak RSS ${(rss / 1024).toFixed(0)} MiB (kubectl debug: ${(kubectlRss / 1024).toFixed(0)} MiB)`);
  }
} finally {
  await target.close();
}
