// kdbg runbook: lint with places, params as whole arguments, a run over many pods with its report, refusals before
// anything exists, and Ctrl-C midway. Runs on every backend; the recorded requests are the fake's alone.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { webPod, type Backend } from '../backends/backend.ts';
import type { FakeCluster } from '../fake/cluster.ts';
import type { FakeWebhook } from '../fake/api/webhooks.ts';
import { backendFromEnv, eventually, runKdbg } from './harness.ts';
import { parsePcap } from './pcap.ts';
import type { Report } from '../../src/runbook/report.ts';
import reportSchema from '../../docs/runbook-report.schema.json' with { type: 'json' };

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());
// the in-process fake's own handle (recorded requests); the real backend has none
const cluster = backend.features.recordsRequests ? (backend as Backend & { cluster: FakeCluster }).cluster : undefined;

const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-runbook-'));
let n = 0;
/** Writes a runbook and returns its path. */
function runbook(text: string): string {
  const file = path.join(dir, `rb-${n++}.yaml`);
  writeFileSync(file, text);
  return file;
}
const fast = ['--qps', '200', '--burst', '100'];

function validReport(out: string): Report {
  const report = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
  const validate = new Ajv({ allErrors: true, validateFormats: false }).compile(reportSchema);
  expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  return report;
}

describe('kdbg runbook lint', () => {
  it('says every problem with its file, line, column and field, and exits 1', async () => {
    const file = runbook(
      [
        'name: checkout',
        'targets:',
        '  select: [deploy/checkout]',
        'steps:',
        '  - name: sockets',
        '    run: [ss, -tanp]',
        '    timeout: soon',
        '  - name: sniff',
        '    capture: {filter: "port ${{ params.port }}"}',
        '  - name: log',
        '    cp: /var/log/app.log',
        '    retries: 3',
      ].join('\n'),
    );
    const r = await runKdbg(['runbook', 'lint', file], { kubeconfig: '/nonexistent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      [
        `${file}:7:14: steps[0].timeout: must be a duration such as 90s, 15m or 1h30m`,
        `${file}:9:14: steps[1].capture: needs a duration or a count, so that it ends`,
        `${file}:12:5: steps[2].retries: unknown key (expected one of name, run, capture, cp, timeout, continueOnError, save)`,
        '',
      ].join('\n'),
    );
  });

  it('checks what the schema cannot: params that exist, scripts without references, unique names', async () => {
    const file = runbook(
      [
        'name: x',
        'params:',
        '  port: {default: 80}',
        'targets:',
        '  select: [svc/web]',
        'steps:',
        '  - name: a',
        '    run: [echo, "${{ params.prot }}"]',
        '  - name: a',
        '    run: "echo ${{ params.port }}"',
      ].join('\n'),
    );
    const r = await runKdbg(['runbook', 'lint', file], { kubeconfig: '/nonexistent' });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      `${file}:5:12: targets.select[0]: "svc" is not a kind kdbg can debug; use pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME`,
      `${file}:8:17: steps[0].run[1]: params.prot is not a param of this runbook`,
      `${file}:9:11: steps[1].name: another step is named a`,
      `${file}:10:10: steps[1].run: a script gets params as environment variables ("$port"), never spliced into its text; or write run as a list`,
    ]);
  });

  it('passes the examples', async () => {
    const examples = path.join(import.meta.dirname, '../../examples/runbooks');
    const files = readdirSync(examples).filter((f) => f.endsWith('.yaml')).map((f) => path.join(examples, f));
    expect(files.length).toBeGreaterThanOrEqual(5);
    const r = await runKdbg(['runbook', 'lint', ...files], { kubeconfig: '/nonexistent' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of files) expect(r.stdout.toString()).toContain(`${f}: ok`);
  });

  it('run refuses an invalid file with the same places, before any IO (exit 125)', async () => {
    const file = runbook('name: Bad\ntargets: {select: [web-0]}\nsteps: []\n');
    const r = await runKdbg(['runbook', 'run', file], { kubeconfig: '/nonexistent' });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(`kdbg: ${file}:1:7: name: must be lower-case letters, digits and -, starting and ending with a letter or digit\n${file}:3:8: steps: must NOT have fewer than 1 items\n`);
  });
});

describe(`kdbg runbook run (${backend.name})`, () => {
  it('--set values stay one argument each: a value with "; rm -rf /" reaches the command whole', async () => {
    const ns = await backend.newNamespace('rb-set');
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.createPod(ns, webPod('web-0'));
    const marker = path.join(dir, 'injected');
    const file = runbook(
      [
        'name: set',
        'params:',
        '  word: {default: safe}',
        'targets: {select: [web-0]}',
        'steps:',
        '  - name: argv',
        `    run: [printf, '<%s>\\n', "\${{ params.word }}", "x\${{ params.word }}"]`,
        '  - name: script',
        '    run: printf "<%s>\\n" "$word"',
      ].join('\n'),
    );
    const out = path.join(dir, 'set-out');
    const value = `a b; touch ${marker}; rm -rf /`;
    const r = await runKdbg(['runbook', 'run', file, '--set', `word=${value}`, '-o', out, ...fast], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    const report = validReport(out);
    const [argv, script] = report.pods[0]!.steps;
    expect(readFileSync(path.join(out, argv!.artifacts.stdout!), 'utf8')).toBe(`<${value}>\n<x${value}>\n`);
    expect(readFileSync(path.join(out, script!.artifacts.stdout!), 'utf8')).toBe(`<${value}>\n`);
    expect(existsSync(marker)).toBe(false);
    expect(report.params).toEqual({ word: value });
  });

  it('runs 50 pods to a report: every step of every pod, artifacts linked, under the rate limit', async () => {
    const ns = await backend.newNamespace('rb-fleet');
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    await Promise.all(Array.from({ length: 50 }, (_, i) => backend.createPod(ns, webPod(`web-${i}`))));
    // the /etc/hostname a pod's containers see: the kubelet's, with the pod's name; the fake's containers are
    // processes of this machine, which see its own
    const hostname = (pod: string) => (backend.name === 'fake' ? readFileSync('/etc/hostname', 'utf8') : `${pod}\n`);
    const file = runbook(
      [
        'name: fleet',
        'targets:',
        '  select: [{selector: app=web}]',
        'steps:',
        '  - name: hello',
        '    run: [sh, -c, "echo hello from $KDBG_NAME; echo to stderr >&2"]',
        '  - name: fails',
        '    run: [sh, -c, "exit 3"]',
        '    continueOnError: true',
        '  - name: note',
        '    cp: {path: /etc/hostname, from: debug}',
      ].join('\n'),
    );
    const out = path.join(dir, 'fleet-out');
    const r = await runKdbg(['runbook', 'run', file, '-o', out, '--concurrency', '25', ...fast], { kubeconfig, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(1);
    const report = validReport(out);
    expect(report.totals).toEqual({ pods: 50, passed: 0, failed: 50, refused: 0, error: 0, interrupted: 0 });
    expect(report.outcome).toBe('failed');
    for (const pod of report.pods) {
      expect(pod.steps.map((s) => [s.name, s.status, s.exitCode])).toEqual([
        ['hello', 'passed', 0],
        ['fails', 'failed', 3],
        ['note', 'passed', 0],
      ]);
      const [hello, , copy] = pod.steps;
      expect(readFileSync(path.join(out, hello!.artifacts.stdout!), 'utf8')).toBe(`hello from ${pod.debugContainer}\n`);
      expect(readFileSync(path.join(out, hello!.artifacts.stderr!), 'utf8')).toBe('to stderr\n');
      expect(readFileSync(path.join(out, copy!.artifacts.copy!), 'utf8')).toBe(hostname(pod.pod));
    }
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).toContain('| pod | hello | fails | note |');
    const web7 = report.pods.find((p) => p.pod === 'web-7')!;
    const stderrLink = web7.steps[0]!.artifacts.stderr!.replaceAll('.', '\\.');
    expect(md).toMatch(new RegExp(`\\| ${web7.context}/${ns}/web-7 \\| ✅ passed, [\\d.]+s \\[stderr\\]\\(${stderrLink}\\) \\[stdout\\]`));
    expect(r.stderr).toMatch(new RegExp(`kdbg: runbook fleet: 50 failed of 50 pods in [\\d.]+s; report in ${out}/report.md\\n$`));
  }, 180_000);

  it('lists pods refused by RBAC and by PodSecurity before anything is created, and runs the others', async () => {
    const ok = await backend.newNamespace('rb-ok');
    const denied = await backend.newNamespace('rb-denied');
    const restricted = await backend.newNamespace('rb-restricted', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    // the kubeconfig's namespace is none of them: each pod is worked on in its own
    const kubeconfig = await backend.kubeconfig('debugger', 'default');
    const hardened = webPod('web-0', { securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } } });
    hardened.spec!.containers[0]!.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
    await Promise.all([backend.createPod(ok, webPod('web-0')), backend.createPod(ok, webPod('web-1')), backend.createPod(denied, webPod('web-0')), backend.createPod(restricted, hardened)]);
    await backend.denyEphemeralContainers(denied, 'debugger');
    const podsOf = [[ok, 'web-0'], [ok, 'web-1'], [denied, 'web-0'], [restricted, 'web-0']] as const;
    const added = () => Promise.all(podsOf.map(async ([n, p]) => (await backend.ephemeralContainers(n, p)).length));
    const file = runbook(
      ['name: refusals', 'profile: netshoot', 'targets:', `  namespaces: [${ok}, ${denied}, ${restricted}]`, '  select: [{selector: app=web}]', 'steps:', '  - name: id', '    run: [id, -u]'].join(
        '\n',
      ),
    );
    const refusedRbac = `kdbg: refused before anything was created: ${denied}/web-0: debugger may not patch pods/ephemeralcontainers in namespace ${denied}\n`;
    const refusedPsa = `kdbg: refused before anything was created: ${restricted}/web-0: namespace ${restricted} enforces PodSecurity restricted; profile netshoot's container needs baseline (allowPrivilegeEscalation != false, unrestricted capabilities)\n`;

    // --dry-run: the same verdicts, and nothing at all is created
    cluster?.clearRequests();
    const dry = await runKdbg(['runbook', 'run', file, '--dry-run', ...fast], { kubeconfig });
    expect(dry.code, dry.stderr).toBe(1);
    expect(dry.stderr).toContain(refusedRbac);
    expect(dry.stderr).toContain(refusedPsa);
    expect(dry.stderr).toContain('kdbg: dry run: 2 of 4 pods would run; nothing was created\n');
    expect(await added()).toEqual([0, 0, 0, 0]);
    // not even an event: only reads, the preflight's reviews, and the server's dry runs of the two that would run
    const writes = cluster?.requests.filter((q) => q.method !== 'GET' && !q.path.includes('selfsubject'));
    if (writes) expect(writes.map((q) => `${q.method} ${q.path}?${q.query}`).sort()).toEqual([`PATCH /api/v1/namespaces/${ok}/pods/web-0/ephemeralcontainers?dryRun=All`, `PATCH /api/v1/namespaces/${ok}/pods/web-1/ephemeralcontainers?dryRun=All`]);

    cluster?.clearRequests();
    const out = path.join(dir, 'refusals-out');
    const r = await runKdbg(['runbook', 'run', file, '-o', out, ...fast], { kubeconfig });
    expect(r.code, r.stderr).toBe(1);
    // said before the first debug container was added
    const firstAdded = r.stderr.indexOf('debug container kdbg-');
    expect(r.stderr.indexOf(refusedRbac)).toBeGreaterThanOrEqual(0);
    expect(r.stderr.indexOf(refusedRbac)).toBeLessThan(firstAdded);
    expect(r.stderr.indexOf(refusedPsa)).toBeLessThan(firstAdded);
    // a debug container in each pod that ran, none in the refused ones
    expect(await added()).toEqual([1, 1, 0, 0]);
    // nothing was asked of the refused pods (each add is asked first as a dry run)
    const patches = cluster?.requests.filter((q) => q.method === 'PATCH' && !q.query.includes('dryRun'));
    if (patches) expect(patches.map((q) => q.path).sort()).toEqual([`/api/v1/namespaces/${ok}/pods/web-0/ephemeralcontainers`, `/api/v1/namespaces/${ok}/pods/web-1/ephemeralcontainers`]);
    const report = validReport(out);
    expect(report.pods.map((p) => [p.namespace, p.status])).toEqual([
      [ok, 'passed'],
      [ok, 'passed'],
      [denied, 'refused'],
      [restricted, 'refused'],
    ]);
    expect(report.totals).toMatchObject({ passed: 2, refused: 2 });
  });

  it.runIf(cluster)('a pod only the server dry run refuses (an admission webhook) is listed with the others; each container is judged once', async () => {
    const ns = await backend.newNamespace('rb-webhook');
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    await Promise.all([backend.createPod(ns, webPod('web-0')), backend.createPod(ns, webPod('web-1'))]);
    const webhook: FakeWebhook = {
      name: 'deny.example.com',
      sideEffects: 'None',
      review: (req) => (req.namespace === ns && req.name === 'web-1' ? { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'web-1 is frozen' } } : { allowed: true }),
    };
    cluster!.hooks.webhooks.push(webhook);
    cluster!.clearRequests();
    try {
      const file = runbook(['name: webhook', 'targets: {select: [{selector: app=web}]}', 'steps:', '  - name: id', '    run: [id, -u]'].join('\n'));
      const r = await runKdbg(['runbook', 'run', file, '-o', path.join(dir, 'webhook-out'), ...fast], { kubeconfig });
      expect(r.code, r.stderr).toBe(1);
      const refused = new RegExp(`kdbg: refused before anything was created: ${ns}/web-1: an admission webhook refuses debug container kdbg-busybox-\\w+: admission webhook "deny\\.example\\.com" denied the request: web-1 is frozen \\(nothing was created\\)\n`);
      expect(r.stderr).toMatch(refused);
      expect(r.stderr.search(refused)).toBeLessThan(r.stderr.indexOf('debug container kdbg-'));
      expect(await backend.ephemeralContainers(ns, 'web-1')).toEqual([]);
      expect(await backend.ephemeralContainers(ns, 'web-0')).toHaveLength(1);
      // the preflight's dry run is the one the add goes by: one per pod, then the PATCH where it passed
      const patches = cluster!.requests.filter((q) => q.method === 'PATCH').map((q) => `${q.path.split('/')[6]} ${q.query}`);
      expect(patches.sort()).toEqual(['web-0 ', 'web-0 dryRun=All', 'web-1 dryRun=All']);
      expect(validReport(path.join(dir, 'webhook-out')).pods.map((p) => [p.pod, p.status])).toEqual([
        ['web-0', 'passed'],
        ['web-1', 'refused'],
      ]);
    } finally {
      cluster!.hooks.webhooks.length = 0;
    }
  });

  it('Ctrl-C midway stops every capture whole, writes the partial report and exits 130', async () => {
    const ns = await backend.newNamespace('rb-interrupt');
    const kubeconfig = await backend.kubeconfig('debugger', ns);
    const port = 19000 + Math.floor(Math.random() * 1000);
    // each pod knocks at a closed port of its own loopback: a SYN and a RST at a time
    const knocking = (name: string) =>
      webPod(name, { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', `while true; do busybox nc 127.0.0.1 ${port} </dev/null; sleep 0.05; done`] }] });
    await Promise.all([0, 1, 2].map((i) => backend.createPod(ns, knocking(`web-${i}`))));
    const file = runbook(
      [
        'name: interrupted',
        'profile: netshoot',
        'targets: {select: [{selector: app=web}]}',
        'steps:',
        '  - name: sniff',
        `    capture: {interface: lo, filter: tcp port ${port}, duration: 60s}`,
        '  - name: after',
        '    run: [echo, never]',
      ].join('\n'),
    );
    const out = path.join(dir, 'interrupt-out');
    const r = await runKdbg(['runbook', 'run', file, '-o', out, ...fast], {
      kubeconfig,
      timeoutMs: 60_000,
      onSpawn: (child) => {
        // every pod's pcap has records: then Ctrl-C
        void eventually(() => pcaps(path.join(out, 'pods')).filter((f) => fileSize(f) > 200).length === 3, 30_000).then(() => child.kill('SIGINT'));
      },
    });
    expect(r.code, r.stderr).toBe(130);
    const report = validReport(out);
    expect(report.outcome).toBe('interrupted');
    expect(report.exitCode).toBe(130);
    for (const pod of report.pods) {
      expect(pod.status).toBe('interrupted');
      expect(pod.steps.map((s) => s.status)).toEqual(['interrupted', 'interrupted']);
      const pcap = parsePcap(readFileSync(path.join(out, pod.steps[0]!.artifacts.pcap!)));
      expect(pcap.records.length).toBeGreaterThan(0);
      expect(pcap.trailing).toBe(0);
    }
    await eventually(async () => (await backend.nodeProcesses(`port ${port}`)).length === 0, 10_000);
  });
});

/** The capture files under a report's folder of pods, as far as they exist yet. */
function pcaps(d: string): string[] {
  try {
    return readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.pcap')).map((f) => path.join(d, f));
  } catch {
    return [];
  }
}

function fileSize(f: string): number {
  try {
    return readFileSync(f).length;
  } catch {
    return 0;
  }
}
