// Real kubectl 1.33 against the fake shows what it shows against a real cluster: `kubectl debug -i` prints only
// what the container writes after the attach and exits 0 whatever the exit code; it keeps waiting on an image that
// cannot be pulled; a non-stdinOnce container keeps its stdin open after kubectl's stdin EOF; `kubectl exec`
// passes the exit code on; `kubectl create` and `kubectl run` (and their --dry-run=server) print what they print
// against a real apiserver, PodSecurity refusals and warnings included.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from './cluster.ts';
import { sleep, until } from './test-client.ts';
import { kubectlPath } from '../scenarios/harness.ts';

const kubectl = kubectlPath();
const title = kubectl ? 'kubectl 1.33 against the fake' : 'kubectl 1.33 against the fake (SKIPPED: no kubectl.1.33 next to the kubectl on PATH)';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe.skipIf(!kubectl)(title, () => {
  let cluster: FakeCluster;
  let kubeconfig: string;
  let cacheDir: string;

  beforeAll(async () => {
    cluster = await startFakeCluster();
    await cluster.addPod('default', webPod('web-0'));
    kubeconfig = cluster.writeKubeconfig('debugger', 'default');
    cacheDir = mkdtempSync(path.join(tmpdir(), 'kdbg-kubectl-cache-'));
  });
  afterAll(async () => {
    await cluster?.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  /** Runs kubectl; stdin stays open unless given; `stopWhen` kills it once its output satisfies the predicate. */
  function run(
    args: string[],
    opts: { stdin?: string; stopWhen?: (r: Run) => boolean; timeoutMs?: number; kubeconfig?: string } = {},
  ): Promise<Run & { killed: boolean }> {
    const child = spawn(kubectl!, ['--kubeconfig', opts.kubeconfig ?? kubeconfig, '--cache-dir', cacheDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const r: Run = { code: null, stdout: '', stderr: '' };
    let killed = false;
    const kill = (): void => {
      if (child.exitCode === null && !killed) {
        killed = true;
        child.kill('SIGKILL');
      }
    };
    const check = (): void => {
      if (opts.stopWhen?.(r)) kill();
    };
    child.stdout.on('data', (d: Buffer) => {
      r.stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      r.stderr += d.toString();
      check();
    });
    child.stdin.on('error', () => {});
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    const timer = setTimeout(kill, opts.timeoutMs ?? 20_000);
    const poll = setInterval(check, 100);
    return new Promise((resolve) =>
      child.on('close', (code) => {
        clearTimeout(timer);
        clearInterval(poll);
        child.stdin.destroy();
        resolve({ ...r, code, killed });
      }),
    );
  }

  it('kubectl get pods works on the fake (discovery, Table)', async () => {
    const r = await run(['get', 'pods']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nweb-0\s+1\/1\s+Running\s+0\s+/);
  });

  it('kubectl get deploy finds the workload through discovery; a missing one is the NotFound of its group', async () => {
    const spec = { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: webPod().spec } };
    cluster.addWorkload('default', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec });
    const r = await run(['get', 'deploy']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME\s+AGE\nweb\s+\d+s\n$/);
    const missing = await run(['get', 'sts/nosuch']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error from server (NotFound): statefulsets.apps "nosuch" not found\n');
  });

  it('kubectl debug -i prints "late" but not "early" (no replay) and exits 0 although the command exits 3', async () => {
    const r = await run(['debug', 'web-0', '-i', '--image=busybox:1.36', '--', 'sh', '-c', 'echo early; sleep 1; echo late; exit 3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('late');
    expect(r.stdout).not.toContain('early');
    // attach reported Success, so kubectl did not fall back to the logs
    expect(r.stderr).not.toContain('falling back to streaming logs');
    const name = r.stdout.match(/Defaulting debug container name to (\S+)\./)![1]!;
    const terminated = await until(() => cluster.getPod('default', 'web-0')?.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state?.terminated, 5000, 'terminated');
    expect(terminated.exitCode).toBe(3);
  });

  it('printf | kubectl debug -i -- wc -l: kubectl leaves at stdin EOF, wc keeps waiting in the container (no stdinOnce)', async () => {
    const r = await run(['debug', 'web-0', '-i', '--image=busybox:1.36', '--', 'wc', '-l'], { stdin: 'a\nb\n', timeoutMs: 8000 });
    expect(r.killed).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/^2$/m);
    await sleep(1500);
    expect(cluster.processes('wc -l')).toEqual(['wc -l']);
    const name = r.stdout.match(/Defaulting debug container name to (\S+)\./)![1]!;
    expect(cluster.getPod('default', 'web-0')?.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state?.running).toBeDefined();
  });

  it('an unpullable image: kubectl prints the node warning and keeps waiting', async () => {
    let warnedAt = 0;
    const r = await run(['debug', 'web-0', '-i', '--image=example/nosuchimage:1', '--', 'sh'], {
      stopWhen: (out) => {
        if (!warnedAt && /^Warning: container debugger-\w+: failed to pull and unpack image/m.test(out.stderr)) warnedAt = Date.now();
        return warnedAt > 0 && Date.now() - warnedAt > 2000;
      },
      timeoutMs: 15_000,
    });
    expect(warnedAt).toBeGreaterThan(0);
    expect(r.killed).toBe(true);
    expect(r.stderr).toMatch(
      /Warning: container debugger-\w+: failed to pull and unpack image "docker\.io\/example\/nosuchimage:1": .*not found/,
    );
  });

  it('kubectl exec passes the exit code on', async () => {
    const r = await run(['exec', 'web-0', '--', 'sh', '-c', 'echo out; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('command terminated with exit code 3');
  });

  it('kubectl auth whoami uses SelfSubjectReview', async () => {
    const r = await run(['auth', 'whoami']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Username\s+debugger/);
  });

  describe('creating pods (as admin)', () => {
    const admin = (ns: string): string => cluster.writeKubeconfig('admin', ns);
    const manifest = (name: string): string => {
      const file = path.join(cacheDir, `${name}.json`);
      writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: webPod(name).spec }));
      return file;
    };

    // the fake serves no /openapi, which kubectl's client-side --validate needs; the server's answers are the same
    it('kubectl create -f prints "created"; with --dry-run=server "(server dry run)" and nothing is created', async () => {
      const r = await run(['create', '--validate=false', '-f', manifest('made')], { kubeconfig: admin('default') });
      expect(r).toMatchObject({ code: 0, stdout: 'pod/made created\n', stderr: '' });
      const dry = await run(['create', '--validate=false', '--dry-run=server', '-f', manifest('dry')], { kubeconfig: admin('default') });
      expect(dry).toMatchObject({ code: 0, stdout: 'pod/dry created (server dry run)\n', stderr: '' });
      expect(cluster.getPod('default', 'dry')).toBeUndefined();
      const again = await run(['create', '--validate=false', '-f', manifest('made')], { kubeconfig: admin('default') });
      expect(again.code).toBe(1);
      expect(again.stderr).toBe(`Error from server (AlreadyExists): error when creating "${manifest('made')}": pods "made" already exists\n`);
    });

    it('kubectl run creates a pod the scheduler binds and the node runs; --dry-run=server creates none', async () => {
      const r = await run(['run', 'ran', '--image=busybox:1.36', '--', 'sleep', '3600'], { kubeconfig: admin('default') });
      expect(r).toMatchObject({ code: 0, stdout: 'pod/ran created\n', stderr: '' });
      await until(() => cluster.getPod('default', 'ran')?.status?.phase === 'Running', 5000, 'Running');
      expect(cluster.getPod('default', 'ran')?.spec?.nodeName).toBe('fake-node');
      const dry = await run(['run', 'dryran', '--image=busybox:1.36', '--dry-run=server'], { kubeconfig: admin('default') });
      expect(dry).toMatchObject({ code: 0, stdout: 'pod/dryran created (server dry run)\n' });
      expect(cluster.getPod('default', 'dryran')).toBeUndefined();
    });

    it('kubectl run in a restricted namespace: the PodSecurity refusal; in a warn namespace: its Warning', async () => {
      cluster.createNamespace('psa-enforce', { 'pod-security.kubernetes.io/enforce': 'restricted' });
      const r = await run(['run', 'plain', '--image=busybox:1.36'], { kubeconfig: admin('psa-enforce') });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        'Error from server (Forbidden): pods "plain" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "plain" must set securityContext.allowPrivilegeEscalation=false), ' +
          'unrestricted capabilities (container "plain" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "plain" must set securityContext.runAsNonRoot=true), ' +
          'seccompProfile (pod or container "plain" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")\n',
      );
      cluster.createNamespace('psa-warn', { 'pod-security.kubernetes.io/warn': 'baseline' });
      const warned = await run(['run', 'hostnet', '--image=busybox:1.36', '--overrides={"spec":{"hostNetwork":true}}', '--', 'sleep', '3600'], { kubeconfig: admin('psa-warn') });
      expect(warned).toMatchObject({ code: 0, stdout: 'pod/hostnet created\n', stderr: 'Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)\n' });
    });
  });
});
