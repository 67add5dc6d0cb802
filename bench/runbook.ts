// `npm run bench:runbook`: a runbook of 3 steps over BENCH_RUNBOOK_PODS pods (default 500) split over two fake API
// servers (two contexts of one kubeconfig) at once, with --concurrency 50, against the same runbook over one pod.
// Goals: wall time ≤ 3 × one pod's × ceil(pods / 50); kdbg's peak RSS ≤ 200 MiB; no second in which either API server
// got more requests than --qps allows (a full bucket of --burst at the start, then the sustained rate).
// NODE_EXTRA_CA_CERTS is removed from kdbg's environment. Each fake API server runs in a process of its own
// (bench/runbook-server.ts), where its requests are counted; the pods' containers are host processes of its node.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const PODS = Number(process.env.BENCH_RUNBOOK_PODS ?? 500);
const CONCURRENCY = 50;
const QPS = Number(process.env.BENCH_RUNBOOK_QPS ?? 250);
const BURST = Number(process.env.BENCH_RUNBOOK_BURST ?? 50);
const KDBG = fileURLToPath(new URL('../bin/kdbg.cjs', import.meta.url));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const scratch = mkdtempSync(path.join(tmpdir(), 'kdbg-bench-runbook-'));

interface Counted {
  times: number[];
  delayP99Ms: number;
  delayMaxMs: number;
  cpuMs: number;
}

/** A fake API server in a child process, seeded with `pods` pods; see bench/runbook-server.ts. */
async function startServer(name: string, pods: number, single: boolean) {
  const child: ChildProcess = fork(fileURLToPath(new URL('./runbook-server.ts', import.meta.url)), [name, String(pods), ...(single ? ['single'] : [])], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('exit', (code) => reject(new Error(`the fake API server ${name} exited (${code})`)));
    });
  const { url, ca, token } = await next<{ url: string; ca: string; token: string }>();
  return {
    url,
    ca,
    token,
    start: () => child.send('start'),
    stop: () => {
      const counted = next<Counted>();
      child.send('stop');
      return counted;
    },
    close: () => new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : (child.once('exit', () => resolve()), child.send('close')))),
  };
}

/** The most requests in any window of `ms`. */
function busiest(times: number[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

interface Run {
  ms: number;
  rssMiB: number | undefined;
  /** user + system CPU time of kdbg's process */
  cpuMs: number | undefined;
  code: number | null;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const started = performance.now();
  const child = TIME ? spawn(TIME, ['-f', '%M %U %S', process.execPath, KDBG, ...args], { env }) : spawn(process.execPath, [KDBG, ...args], { env });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.resume();
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const [rssKb, user, sys] = (stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
      const timed = TIME !== undefined;
      resolve({ ms: performance.now() - started, rssMiB: timed ? rssKb! / 1024 : undefined, cpuMs: timed ? (user! + sys!) * 1000 : undefined, code, stderr });
    });
  });
}

const half = Math.ceil(PODS / 2);
const clusters = await Promise.all([startServer('app0', half, true), startServer('app1', PODS - half, false)]);
try {
  const kubeconfig = path.join(scratch, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: clusters.map((c, i) => ({ name: `fake-${i}`, cluster: { server: c.url, 'certificate-authority-data': Buffer.from(c.ca).toString('base64') } })),
      users: clusters.map((c, i) => ({ name: `debugger-${i}`, user: { token: c.token } })),
      contexts: clusters.map((_, i) => ({ name: `ctx-${i}`, context: { cluster: `fake-${i}`, user: `debugger-${i}`, namespace: 'bench' } })),
      'current-context': 'ctx-0',
    }),
  );
  const note = path.join(scratch, 'note.txt');
  writeFileSync(note, 'a small file of the debug container\n');
  const runbook = (name: string, contexts: string[], namespace: string) => {
    const file = path.join(scratch, `${name}.yaml`);
    writeFileSync(
      file,
      stringify({
        name,
        targets: { contexts, namespaces: [namespace], maxPods: PODS, select: [{ selector: 'app=bench' }] },
        steps: [
          { name: 'status', run: ['cat', '/proc/self/status'] },
          { name: 'script', run: 'echo "$KDBG_NAME"; date' },
          { name: 'note', cp: { path: note, from: 'debug' } },
        ],
      }),
    );
    return file;
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig, XDG_CONFIG_HOME: '/nonexistent' };
  delete env.NODE_EXTRA_CA_CERTS;
  const flags = ['--qps', String(QPS), '--burst', String(BURST), '-q'];
  const load = loadavg()[0]!;

  // one pod: the first run adds its debug container, as the fleet run does in each pod; the second reuses it
  const single = runbook('single', ['ctx-0'], 'single');
  const firstOne = await run(['runbook', 'run', single, '-o', path.join(scratch, 'single-0'), ...flags], env);
  const onePod = await run(['runbook', 'run', single, '-o', path.join(scratch, 'single-1'), ...flags], env);
  if (firstOne.code !== 0 || onePod.code !== 0) throw new Error(`the one-pod runbook failed: ${firstOne.stderr}${onePod.stderr}`);

  for (const c of clusters) c.start();
  const fleet = runbook('fleet', ['ctx-0', 'ctx-1'], 'bench');
  const out = path.join(scratch, 'fleet');
  const r = await run(['runbook', 'run', fleet, '-o', out, '--concurrency', String(CONCURRENCY), ...flags], env);
  // a stall of a server's event loop holds requests back and lets them in at once
  const counted = await Promise.all(clusters.map((c) => c.stop()));
  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as {
    totals: Record<string, number>;
    pods: Array<{ pod: string; message?: string; steps: Array<{ name: string; status: string; message?: string }> }>;
  };
  if (r.code !== 0 || report.totals.passed !== PODS) {
    const why = report.pods.flatMap((p) => [p.message, ...p.steps.map((s) => s.message && `${s.name} ${s.status}: ${s.message}`)].filter(Boolean).map((m) => `${p.pod}: ${m}`));
    throw new Error(`the fleet runbook did not pass: exit ${r.code}, ${JSON.stringify(report.totals)}\n${why.slice(0, 10).join('\n')}`);
  }

  const rounds = Math.ceil(PODS / CONCURRENCY);
  const goalMs = 3 * firstOne.ms * rounds;
  const rows: Array<[string, string, string, boolean]> = [
    [`wall time, ${PODS} pods × 3 steps, 2 contexts, --concurrency ${CONCURRENCY}`, `${(r.ms / 1000).toFixed(1)} s`, `≤ 3 × ${(firstOne.ms / 1000).toFixed(2)} s (one pod, container added) × ${rounds} = ${(goalMs / 1000).toFixed(1)} s`, r.ms <= goalMs],
    ['  (one pod, container reused)', `${(onePod.ms / 1000).toFixed(2)} s`, '', true],
  ];
  if (r.rssMiB !== undefined) rows.push(['kdbg peak RSS', `${r.rssMiB.toFixed(0)} MiB`, '≤ 200 MiB', r.rssMiB <= 200]);
  if (r.cpuMs !== undefined) rows.push(['kdbg CPU (user + system)', `${(r.cpuMs / 1000).toFixed(1)} s, ${(r.cpuMs / PODS).toFixed(0)} ms a pod`, '', true]);
  counted.forEach(({ times: t, cpuMs, delayP99Ms, delayMaxMs }, i) => {
    rows.push([`API server ${i + 1}: its process's CPU (its pods' processes not counted)`, `${(cpuMs / 1000).toFixed(1)} s; event loop delay p99 ${delayP99Ms.toFixed(0)} ms, max ${delayMaxMs.toFixed(0)} ms`, '', true]);
    const span = (t[t.length - 1]! - t[0]!) / 1000;
    const oneSecond = busiest(t, 1000);
    const fiveSeconds = busiest(t, 5000) / 5;
    rows.push([`API server ${i + 1}: requests`, `${t.length} in ${span.toFixed(1)} s (${(t.length / span).toFixed(0)}/s on average)`, '', true]);
    rows.push([`API server ${i + 1}: busiest second`, String(oneSecond), `≤ --qps + --burst = ${QPS + BURST}`, oneSecond <= QPS + BURST]);
    rows.push([`API server ${i + 1}: busiest 5 s, per second`, fiveSeconds.toFixed(1), `≤ --qps + --burst / 5 = ${QPS + BURST / 5}`, fiveSeconds <= QPS + BURST / 5]);
  });
  console.log(`kdbg runbook run: ${PODS} pods over 2 fake API servers (start 100 ms, status lag 300 ms), --qps ${QPS} --burst ${BURST}; NODE_EXTRA_CA_CERTS unset`);
  console.log(`${availableParallelism()} CPUs; load average (1 min) ${load.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`);
  console.log('');
  const w = [0, 1, 2].map((k) => Math.max(...rows.map((row) => row[k]!.toString().length)));
  for (const [label, value, goal, met] of rows) console.log(`${label.padEnd(w[0]!)}  ${value.padEnd(w[1]!)}  ${goal.padEnd(w[2]!)}  ${goal ? (met ? 'met' : 'MISSED') : ''}`);
} finally {
  await Promise.all(clusters.map((c) => c.close()));
  rmSync(scratch, { recursive: true, force: true });
}
