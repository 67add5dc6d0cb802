// npm run bench: medians of interleaved runs, kdbg beside kubectl, against the in-process fake API server (start
// 100 ms, status lag 300 ms), or with KDBG_BENCH_KUBECONFIG against the pod web-0 (container app) in that
// kubeconfig's namespace, as `npm run bench:e2e` does on the real control plane. Prints one table: each figure of
// kdbg and of its reference, their ratio, the goal, and whether it is met.
//
// BENCH_RUNS (default 9) sets the rounds of the start-up, one-shot and `ls` cases; the 512 MiB transfers (each
// way, BENCH_BYTES) take BENCH_THROUGHPUT_RUNS rounds (default: BENCH_RUNS, at most 3). NODE_EXTRA_CA_CERTS is
// removed from the environment of both sides: with it, every Node start parses the whole CA bundle it names.
// `kdbg cp` of BENCH_CP_BYTES (default 1 GiB) out of the target container runs against `kubectl cp` out of the same
// container (which has tar), THROUGHPUT_RUNS rounds, with both peak RSS (on the fake: out of the debug container).
// The capture case: time to the first packet of `kdbg capture` (its netshoot container reused) against `kubectl exec
// … tcpdump -w -` into the same container, with matching traffic flowing (see bench/capture.ts).
// Where npm run dist built this machine's single executable (dist/bin/kdbg-linux-ARCH), its --version runs against
// `node -e 0` of the Node inside it (goal 1.0×) and of this machine's Node (1.2×), its one-shot in the reused
// container against kubectl exec (1.2×), and its one-shot in a new container against kubectl debug (0.5×).
// Beside them, the floor: bench/one-shot-floor.mjs, kubectl exec's two requests and nothing else, run by the Node inside
// the executable (no goal; kdbg's reused one-shot cannot be faster than it).
// BENCH_TRACE=1 (fake API server only) also prints when each request of one run of each one-shot reached the server.
// The dry-run case: what the server dry run adds to `attach --new` (its answer after the last access review's, which
// go out beside it), against one round trip (the pod's GET), from kdbg's own requests (bench/request-trace.mjs).
// BENCH_ONLY runs only the cases it names, comma-separated: startup, one-shot, dry-run, transfer, cp, capture, ls, completion
// (e.g. `BENCH_ONLY=completion npm run bench` for Tab over 1,000 pods alone).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { arch, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startFakeCluster, type FakeCluster } from '../test/fake/cluster.ts';
import { webPod, type RecordedRequest } from '../test/backends/backend.ts';
import { seedFleet, type Fleet } from './fleet.ts';
import { firstPacket, podHttpTraffic, udpTraffic } from './capture.ts';
import { nodeBinary, PLATFORMS } from '../scripts/dist/node-binaries.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const THROUGHPUT_RUNS = Number(process.env.BENCH_THROUGHPUT_RUNS ?? Math.min(RUNS, 3));
/** the package's bin entry, as `npm link` installs it */
const KDBG = fileURLToPath(new URL(`../${(JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { bin: { kdbg: string } }).bin.kdbg}`, import.meta.url));
/** npm run dist's executable for this machine, and the Node inside it; undefined where it was not built */
const BINARY = fileURLToPath(new URL(`../dist/bin/kdbg-linux-${arch()}`, import.meta.url));
const binary = process.platform === 'linux' && existsSync(BINARY)
  ? { kdbg: BINARY, node: nodeBinary(PLATFORMS.find((p) => p.os === 'linux' && p.arch === arch())!) }
  : undefined;
const KUBECTL = join(dirname(spawnSync('sh', ['-c', 'readlink -f "$(command -v kubectl)"']).stdout.toString().trim()), 'kubectl.1.33');
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
/** bytes moved each way by the throughput cases */
const BYTES = Number(process.env.BENCH_BYTES ?? 512 * 1024 * 1024);
/** kdbg cp against kubectl cp: BENCH_CP_BYTES (default 1 GiB) out of a container */
const CP_BYTES = Number(process.env.BENCH_CP_BYTES ?? 1024 * 1024 * 1024);
const MiB = 1024 * 1024;
/** pods of the namespace whose names Tab completion lists */
const COMPLETION_PODS = 1000;
/** the goal for that completion, whole process included */
const COMPLETION_GOAL_MS = 150;
/** bench/one-shot-floor.mjs under the executable's Node: kubectl exec's two requests, nothing of kdbg's */
const FLOOR = 'floor: GET pod, exec -- true (the executable\'s Node)';
const CASES = ['startup', 'one-shot', 'dry-run', 'transfer', 'cp', 'capture', 'ls', 'completion'];
const only = process.env.BENCH_ONLY?.split(',');
const unknownCase = only?.find((c) => !CASES.includes(c));
if (unknownCase !== undefined) throw new Error(`BENCH_ONLY: no case ${unknownCase} (cases: ${CASES.join(', ')})`);
/** whether this run measures the case */
const runs = (name: string): boolean => !only || only.includes(name);
const scratch = mkdtempSync(join(tmpdir(), 'kdbg-bench-'));

interface Sample {
  ms: number;
  rssKb?: number | undefined;
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

/**
 * Runs `cmd args` inside a shell pipeline: `head -c BYTES /dev/zero | cmd` (in) or `cmd | wc -c` (out), under
 * /usr/bin/time -o for its peak RSS. Checks that every byte arrived: `wc -c` of the output here (out), or the
 * count the remote command prints (in).
 */
function transfer(direction: 'in' | 'out', cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  const rssFile = join(scratch, 'rss');
  rmSync(rssFile, { force: true });
  const measured = TIME ? `${TIME} -f %M -o "$RSS" "$@"` : '"$@"';
  const script = direction === 'in' ? `head -c ${BYTES} /dev/zero | ${measured}` : `${measured} | wc -c`;
  const started = process.hrtime.bigint();
  const child = spawn('bash', ['-c', `set -o pipefail; ${script}`, 'bash', cmd, ...args], { env: { ...env, RSS: rssFile }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('close', (status) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const count = Number(stdout.trim());
      if (status !== 0) return reject(new Error(`${cmd} ${args.join(' ')} (${direction}) exited ${status}: ${stderr}`));
      if (count !== BYTES) return reject(new Error(`${cmd} ${args.join(' ')} (${direction}) moved ${stdout.trim()} bytes, not ${BYTES}: ${stderr}`));
      resolve({ ms, rssKb: TIME ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : undefined });
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

/** Runs the commands in turn, `runs` rounds, so drift hits all of them alike. */
async function interleaved(cases: Record<string, () => Promise<Sample>>, runs = RUNS): Promise<Record<string, Sample[]>> {
  const out: Record<string, Sample[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) for (const [k, run] of Object.entries(cases)) out[k]!.push(await run());
  return out;
}

/** One run of the command, printing when each of its requests reached the fake API server (ms after the spawn). */
async function trace(cluster: FakeCluster, label: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const seen: string[] = [];
  const started = process.hrtime.bigint();
  const since = () => (Number(process.hrtime.bigint() - started) / 1e6).toFixed(0).padStart(5);
  const requests = cluster.requests;
  requests.push = (...items: RecordedRequest[]) => {
    for (const r of items) seen.push(`${since()} ms  ${r.method} ${r.path}${r.upgrade ? ` (upgrade ${r.upgrade})` : ''}`);
    return Array.prototype.push.apply(requests, items);
  };
  try {
    const sample = await timed(cmd, args, env);
    console.log(`${label}: ${sample.ms.toFixed(0)} ms in all`);
    for (const line of seen) console.log(`  ${line}`);
  } finally {
    Reflect.deleteProperty(requests, 'push');
  }
}

const target = process.env.KDBG_BENCH_KUBECONFIG
  ? {
      kubeconfig: process.env.KDBG_BENCH_KUBECONFIG,
      where: 'the cluster of KDBG_BENCH_KUBECONFIG',
      fleet: undefined as Fleet | undefined,
      cluster: undefined as FakeCluster | undefined,
      close: async () => undefined,
    }
  : await fakeTarget();

async function fakeTarget() {
  const cluster = await startFakeCluster({ startDelayMs: 100, statusLagMs: 300 });
  cluster.createNamespace('bench');
  await cluster.addPod('bench', webPod('web-0'));
  const fleet = seedFleet(cluster);
  return {
    kubeconfig: cluster.writeKubeconfig('admin', 'bench'),
    where: 'fake API server: start 100 ms, status lag 300 ms',
    fleet: fleet as Fleet | undefined,
    cluster: cluster as FakeCluster | undefined,
    close: () => cluster.close(),
  };
}

try {
  const kubeconfig = target.kubeconfig;
  const hadExtraCerts = process.env.NODE_EXTRA_CA_CERTS !== undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(scratch, 'kubecache'), XDG_CONFIG_HOME: '/nonexistent' };
  delete env.NODE_EXTRA_CA_CERTS;
  const node = process.execPath;
  const load = loadavg()[0]!;

  // warm-up: kubectl's discovery cache, kdbg's compile cache, and the container kdbg reuses
  await timed(KUBECTL, ['get', 'pods'], env);
  const reused = runs('one-shot') || runs('transfer') || runs('cp') || runs('capture')
    ? await output(node, [KDBG, 'attach', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo $KDBG_NAME'], env)
    : '';

  // the floor as one file, bundled as kdbg is, so that it pays no module resolution kdbg does not pay
  const floor = binary && runs('one-shot') ? join(scratch, 'one-shot-floor.mjs') : undefined;
  if (floor) {
    await build({ entryPoints: [fileURLToPath(new URL('./one-shot-floor.mjs', import.meta.url))], outfile: floor, bundle: true, minify: true, platform: 'node', format: 'esm', logLevel: 'error', banner: { js: "import { createRequire as __floorRequire } from 'node:module'; const require = __floorRequire(import.meta.url);" } });
  }
  const all: Record<string, Sample[]> = {};
  if (runs('startup')) Object.assign(all, await interleaved({
    'node -e 0': () => timed(node, ['-e', '0'], env),
    'kdbg --version': () => timed(node, [KDBG, '--version'], env),
    ...(binary && {
      'node -e 0 (the executable\'s)': () => timed(binary.node, ['-e', '0'], env),
      'kdbg --version (executable)': () => timed(binary.kdbg, ['--version'], env),
    }),
  }));
  if (runs('one-shot')) Object.assign(all, await interleaved({
    'kdbg attach --new -- true': () => timed(node, [KDBG, 'attach', 'web-0', '-c', 'app', '--new', '--', 'true'], env),
    'kdbg attach -- true (reused)': () => timed(node, [KDBG, 'attach', 'web-0', '-c', 'app', '--', 'true'], env),
    'kubectl debug -i -- true': () => timed(KUBECTL, ['debug', 'web-0', '-i', '-q', '--image=busybox:1.36.1', '--target=app', '--', 'true'], env),
    'kubectl exec (same container) -- true': () => timed(KUBECTL, ['exec', 'web-0', '-c', reused, '--', 'true'], env),
    ...(binary && {
      'kdbg attach --new -- true (executable)': () => timed(binary.kdbg, ['attach', 'web-0', '-c', 'app', '--new', '--', 'true'], env),
      'kdbg attach -- true (reused, executable)': () => timed(binary.kdbg, ['attach', 'web-0', '-c', 'app', '--', 'true'], env),
      [FLOOR]: () => timed(binary.node, [floor!, 'web-0', reused], env),
    }),
  }));

  if (runs('dry-run')) {
    const tracer = fileURLToPath(new URL('./request-trace.mjs', import.meta.url));
    interface Traced { method: string; path: string; start: number; end: number }
    const added: Sample[] = [];
    const roundTrip: Sample[] = [];
    for (let i = 0; i < RUNS; i++) {
      const file = join(scratch, `requests-${i}.jsonl`);
      await timed(node, ['--import', tracer, KDBG, 'attach', 'web-0', '-c', 'app', '--new', '--', 'true'], { ...env, KDBG_REQUEST_TRACE: file });
      const requests = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Traced);
      const dryRun = requests.find((r) => r.method === 'PATCH' && r.path.includes('dryRun=All'));
      const get = requests.find((r) => r.method === 'GET' && r.path.endsWith('/pods/web-0'));
      if (!dryRun || !get) throw new Error(`no dry-run PATCH or pod GET among kdbg's requests: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
      const reviews = requests.filter((r) => r.path.includes('selfsubjectaccessreviews') && r.start < dryRun.end);
      const without = reviews.length ? Math.max(...reviews.map((r) => r.end)) : dryRun.start;
      added.push({ ms: Math.max(0, dryRun.end - without) });
      roundTrip.push({ ms: get.end - get.start });
    }
    Object.assign(all, { 'server dry run, added to --new': added, 'GET of the pod, one round trip': roundTrip });
  }

  // kdbg ls -A over the fleet: check once that both see all of it, and that kdbg takes its containers for its own
  const fleet = target.fleet;
  let lsProblem: string | undefined;
  if (fleet && runs('ls')) {
    const list = JSON.parse(await output(node, [KDBG, 'ls', '-A', '-o', 'json'], env)) as { items: { namespace: string; kdbg: boolean }[] };
    const ours = list.items.filter((r) => fleet.namespaces.includes(r.namespace));
    const kdbgs = ours.filter((r) => r.kdbg).length;
    if (ours.length !== fleet.debugPods || kdbgs !== fleet.debugPods) {
      lsProblem = `kdbg ls -A listed ${kdbgs} kdbg debug containers of the ${fleet.debugPods} (${ours.length} debug containers in all)`;
    }
    const pods = JSON.parse(await output(KUBECTL, ['get', 'pods', '-A', '-o', 'json'], env)) as { items: unknown[] };
    if (pods.items.length < fleet.pods) throw new Error(`kubectl get pods -A listed ${pods.items.length} pods, not ${fleet.pods} or more`);
  }
  const lsCases = {
    'kdbg ls -A -o json': () => timed(node, [KDBG, 'ls', '-A', '-o', 'json'], env),
    'kubectl get pods -A -o json': () => timed(KUBECTL, ['get', 'pods', '-A', '-o', 'json'], env),
  };
  if (runs('ls')) Object.assign(all, await interleaved(lsCases));

  // Tab after `kdbg attach -n NS ` over a namespace of 1,000 pods (seeded only now, so that the `ls -A` above reads
  // the fleet alone), beside kubectl's own completion of `kubectl exec`; checked once to list every pod
  const completionNs = target.cluster && seedFleet(target.cluster, COMPLETION_PODS, 0, 1, 'complete').namespaces[0];
  if (completionNs && runs('completion')) {
    const kdbgComplete = [KDBG, '__complete', 'attach', '-n', completionNs, ''];
    const kubectlComplete = ['__complete', 'exec', '-n', completionNs, ''];
    const listed = (await output(node, kdbgComplete, env)).split('\n').filter((l) => !l.startsWith(':')).length;
    if (listed !== COMPLETION_PODS) throw new Error(`kdbg __complete listed ${listed} pods, not ${COMPLETION_PODS}`);
    Object.assign(all, await interleaved({
      'kdbg __complete attach (1,000 pods)': () => timed(node, kdbgComplete, env),
      'kubectl __complete exec (1,000 pods)': () => timed(KUBECTL, kubectlComplete, env),
    }));
  }

  const head = ['sh', '-c', `head -c ${BYTES} /dev/zero`];
  const sink = ['sh', '-c', 'wc -c'];
  if (runs('transfer')) Object.assign(all, await interleaved({
    'kdbg attach, out': () => transfer('out', node, [KDBG, 'attach', 'web-0', '-c', 'app', '--', ...head], env),
    'kubectl exec, out': () => transfer('out', KUBECTL, ['exec', 'web-0', '-c', reused, '--', ...head], env),
    'kdbg attach, in': () => transfer('in', node, [KDBG, 'attach', 'web-0', '-c', 'app', '--', ...sink], env),
    'kubectl exec -i, in': () => transfer('in', KUBECTL, ['exec', '-i', 'web-0', '-c', reused, '--', ...sink], env),
  }, THROUGHPUT_RUNS));

  // kdbg cp out of the target container app, through its root as users copy, against kubectl cp out of the same
  // container, which has tar (busybox, like the debug container's); each into a fresh local path. The fake's
  // containers are this machine's processes, without a root of their own: there both copy out of the debug
  // container's filesystem (kdbg with --debug-fs), which is this machine's, where the file is made.
  if (runs('cp')) {
    const big = target.cluster ? join(scratch, 'cp-source.bin') : '/tmp/kdbg-bench-cp-source.bin';
    const make = `head -c ${CP_BYTES} /dev/zero > "${big}"`;
    const kdbgSide = target.cluster ? ['--debug-fs'] : [];
    const kubectlSide = target.cluster ? reused : 'app';
    const made = target.cluster
      ? spawnSync('sh', ['-c', make], { stdio: 'inherit' })
      : spawnSync(KUBECTL, ['exec', 'web-0', '-c', 'app', '--', 'sh', '-c', make], { env, stdio: 'inherit' });
    if (made.status !== 0) throw new Error('could not make the file to copy');
    let n = 0;
    // a copy counts only if every byte arrived (kubectl cp exits 0 when tar in the container fails)
    const copied = async (who: string, cmd: string, args: (to: string) => string[]): Promise<Sample> => {
      const to = join(scratch, `cp-${who}-${n++}.bin`);
      const sample = await timed(cmd, args(to), env);
      const size = existsSync(to) ? statSync(to).size : 0;
      if (size !== CP_BYTES) throw new Error(`${cmd} ${args(to).join(' ')} copied ${size} bytes, not ${CP_BYTES}`);
      rmSync(to);
      return sample;
    };
    Object.assign(all, await interleaved({
      'kdbg cp, out': () => copied('kdbg', node, (to) => [KDBG, '-q', 'cp', ...kdbgSide, '-c', 'app', `web-0:${big}`, to]),
      'kubectl cp, out': () => copied('kubectl', KUBECTL, (to) => ['cp', '-c', kubectlSide, `web-0:${big}`, to]),
    }, THROUGHPUT_RUNS));
    if (!target.cluster) spawnSync(KUBECTL, ['exec', 'web-0', '-c', 'app', '--', 'rm', '-f', big], { env, stdio: 'inherit' });
  }

  if (runs('capture')) {
    // capture: the fake's pods share this machine's loopback, where this process sends UDP; on a cluster, the pod
    // requests its own HTTP server (the sandbox's web-0 serves 127.0.0.1:8080)
    const port = 19000 + Math.floor(Math.random() * 1000);
    const filter = target.cluster ? `udp port ${port}` : 'tcp port 8080';
    const captureArgs = [KDBG, '-q', 'capture', 'web-0', '-c', 'app', '-i', 'lo', '-f', filter, '-w', '-'];
    let stopTraffic = target.cluster ? udpTraffic(port) : () => undefined;
    try {
      // warm-up: the netshoot container kdbg reuses (on a cluster, caught from the sandbox's requests every 0.5 s)
      await firstPacket(node, captureArgs, env);
      const sniffer = (JSON.parse(await output(node, [KDBG, 'ls', 'web-0', '-o', 'json'], env)) as { items: { name: string; image: string }[] }).items
        .find((r) => r.image.includes('netshoot'))?.name;
      if (!sniffer) throw new Error('kdbg ls shows no netshoot debug container in web-0 after a capture');
      if (!target.cluster) stopTraffic = podHttpTraffic(KUBECTL, sniffer, env, 600);
      Object.assign(all, await interleaved({
        'kdbg capture, first packet': () => firstPacket(node, captureArgs, env),
        'kubectl exec tcpdump -w -, first packet': () => firstPacket(KUBECTL, ['exec', 'web-0', '-c', sniffer, '--', 'tcpdump', '-i', 'lo', '-U', '-w', '-', ...filter.split(' ')], env),
      }));
    } finally {
      stopTraffic();
    }
  }

  const m = (k: string) => median(all[k]!.map((s) => s.ms));
  const rate = (k: string) => BYTES / MiB / (m(k) / 1000);
  const peak = (...ks: string[]) => Math.max(...ks.flatMap((k) => all[k]!.map((s) => s.rssKb ?? 0))) / 1024;
  const ms = (k: string) => `${m(k).toFixed(0)} ms`;
  const mibs = (k: string) => `${rate(k).toFixed(0)} MiB/s`;
  type Row = [label: string, kdbg: string, reference: string, ratio: number, goal: string, met: boolean, note?: string];
  /** a row for the cases this run measured (BENCH_ONLY) */
  const measured = (...ks: string[]) => ks.every((k) => all[k] !== undefined);
  const timeRow = (label: string, k: string, ref: string, goal: number): Row[] =>
    measured(k, ref) ? [[label, ms(k), `${ms(ref)} ${ref}`, m(k) / m(ref), `≤ ${goal}×`, m(k) / m(ref) <= goal]] : [];
  const rateRow = (label: string, k: string, ref: string, goal: number): Row[] =>
    measured(k, ref) ? [[label, mibs(k), `${mibs(ref)} ${ref}`, rate(k) / rate(ref), `≥ ${goal}×`, rate(k) / rate(ref) >= goal]] : [];
  // a listing that misses pods is not a result, however fast
  const lsRow = timeRow(`kdbg ls -A -o json (${fleet ? `${fleet.pods} pods, ${fleet.debugPods} debug` : 'the cluster\'s pods'})`, 'kdbg ls -A -o json', 'kubectl get pods -A -o json', 1.0)
    .map((r): Row => (lsProblem ? [r[0], r[1], r[2], r[3], r[4], false, `INVALID: ${lsProblem}`] : r));
  const rows: Row[] = [
    ...timeRow('kdbg --version', 'kdbg --version', 'node -e 0', 1.2),
    ...timeRow('kdbg attach -- true (reused)', 'kdbg attach -- true (reused)', 'kubectl exec (same container) -- true', 1.5),
    ...timeRow('kdbg --version (executable)', 'kdbg --version (executable)', 'node -e 0 (the executable\'s)', 1.0),
    ...timeRow('kdbg --version (executable), this machine\'s Node', 'kdbg --version (executable)', 'node -e 0', 1.2),
    ...timeRow('kdbg attach -- true (reused, executable)', 'kdbg attach -- true (reused, executable)', 'kubectl exec (same container) -- true', 1.2),
    // no goal: what the executable's Node takes for kubectl's own two requests, and nothing of kdbg's
    ...timeRow('the floor: its Node, GET the pod, exec -- true', FLOOR, 'kubectl exec (same container) -- true', Infinity).map((r): Row => [r[0], r[1], r[2], r[3], '—', true, 'floor']),
    ...timeRow('kdbg attach --new -- true', 'kdbg attach --new -- true', 'kubectl debug -i -- true', 0.6),
    ...timeRow('kdbg attach --new -- true (executable)', 'kdbg attach --new -- true (executable)', 'kubectl debug -i -- true', 0.5),
    ...timeRow('kdbg attach -- true (reused)', 'kdbg attach -- true (reused)', 'kubectl debug -i -- true', 0.3),
    ...timeRow('server dry run: what it adds to --new', 'server dry run, added to --new', 'GET of the pod, one round trip', 1.0),
    ...rateRow(`${BYTES / MiB} MiB out: kdbg attach`, 'kdbg attach, out', 'kubectl exec, out', 1.0),
    ...rateRow(`${BYTES / MiB} MiB in: kdbg attach`, 'kdbg attach, in', 'kubectl exec -i, in', 1.0),
    ...timeRow('kdbg capture to the first packet (reused)', 'kdbg capture, first packet', 'kubectl exec tcpdump -w -, first packet', 1.5),
    ...lsRow,
  ];
  const tab = 'kdbg __complete attach (1,000 pods)';
  const tabRef = 'kubectl __complete exec (1,000 pods)';
  if (measured(tab, tabRef)) {
    rows.push([`Tab: kdbg __complete attach, ${COMPLETION_PODS} pods`, ms(tab), `${ms(tabRef)} ${tabRef}`, m(tab) / COMPLETION_GOAL_MS, `≤ ${COMPLETION_GOAL_MS} ms`, m(tab) <= COMPLETION_GOAL_MS]);
  }
  const cpRate = (k: string) => CP_BYTES / MiB / (m(k) / 1000);
  if (measured('kdbg cp, out', 'kubectl cp, out')) {
    const cpRatio = cpRate('kdbg cp, out') / cpRate('kubectl cp, out');
    rows.push([`${CP_BYTES / MiB} MiB out: kdbg cp`, `${cpRate('kdbg cp, out').toFixed(0)} MiB/s`, `${cpRate('kubectl cp, out').toFixed(0)} MiB/s kubectl cp, out`, cpRatio, '≥ 1×', cpRatio >= 1]);
  }
  if (TIME && measured('kdbg attach, out', 'kdbg attach, in')) {
    const transfers = ['kdbg attach, out', 'kdbg attach, in'];
    const rss = peak(...transfers);
    rows.push([
      `kdbg peak RSS, ${BYTES / MiB} MiB transfers`,
      `${rss.toFixed(0)} MiB`,
      `${peak('kubectl exec, out', 'kubectl exec -i, in').toFixed(0)} MiB kubectl exec`,
      rss / 100,
      '≤ 100 MiB',
      rss <= 100,
    ]);
  }
  if (TIME && measured('kdbg cp, out', 'kubectl cp, out')) {
    const cpRss = peak('kdbg cp, out');
    rows.push([`kdbg peak RSS, ${CP_BYTES / MiB} MiB cp`, `${cpRss.toFixed(0)} MiB`, `${peak('kubectl cp, out').toFixed(0)} MiB kubectl cp`, cpRss / 100, '≤ 100 MiB', cpRss <= 100]);
  }

  console.log(`medians of ${RUNS} interleaved runs, ${THROUGHPUT_RUNS} for the ${BYTES / MiB} MiB transfers (${target.where}); kubectl is ${KUBECTL}`);
  console.log(`NODE_EXTRA_CA_CERTS unset for kdbg, node and kubectl${hadExtraCerts ? ' (it is set in this environment)' : ''}`);
  console.log(`load average (1 min) ${load.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end\n`);
  for (const k of Object.keys(all)) {
    const rss = TIME ? `   peak RSS ${peak(k).toFixed(0).padStart(3)} MiB` : '';
    console.log(`  ${k.padEnd(42)} ${m(k).toFixed(0).padStart(6)} ms (${Math.min(...all[k]!.map((x) => x.ms)).toFixed(0)}–${Math.max(...all[k]!.map((x) => x.ms)).toFixed(0)})${rss}`);
  }
  console.log('');
  const header: Row = ['', 'kdbg', 'reference', NaN, 'goal', true];
  const widths = [0, 1, 2, 4].map((i) => Math.max(...[header, ...rows].map((r) => String(r[i]).length)));
  const line = (r: Row, ratio: string, met: string) =>
    `${r[0].padEnd(widths[0]!)}  ${r[1].padStart(widths[1]!)}  ${r[2].padEnd(widths[2]!)}  ${ratio.padStart(6)}  ${r[4].padEnd(widths[3]!)}  ${met}`;
  console.log(line(header, 'ratio', ''));
  for (const r of rows) console.log(line(r, `${r[3].toFixed(2)}×`, r[6] ?? (r[5] ? 'met' : 'MISSED')));
  if (process.env.BENCH_TRACE && target.cluster && runs('one-shot')) {
    console.log('\nrequests as the fake API server saw them:');
    const cluster = target.cluster;
    await trace(cluster, 'kdbg attach -- true (reused)', node, [KDBG, 'attach', 'web-0', '-c', 'app', '--', 'true'], env);
    await trace(cluster, 'kubectl exec -- true', KUBECTL, ['exec', 'web-0', '-c', reused, '--', 'true'], env);
    await trace(cluster, 'kdbg attach --new -- true', node, [KDBG, 'attach', 'web-0', '-c', 'app', '--new', '--', 'true'], env);
    await trace(cluster, 'kubectl debug -i -- true', KUBECTL, ['debug', 'web-0', '-i', '-q', '--image=busybox:1.36.1', '--target=app', '--', 'true'], env);
    if (binary) {
      await trace(cluster, 'kdbg attach -- true (reused, executable)', binary.kdbg, ['attach', 'web-0', '-c', 'app', '--', 'true'], env);
      await trace(cluster, 'kdbg attach --new -- true (executable)', binary.kdbg, ['attach', 'web-0', '-c', 'app', '--new', '--', 'true'], env);
    }
  }
} finally {
  await target.close();
  rmSync(scratch, { recursive: true, force: true });
}
