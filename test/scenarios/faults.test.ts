// Faults only the in-process fake can inject: lost answers, conflicts, dropped streams and watches, old
// servers. What kdbg must do in each is what it must do on a real cluster that misbehaves the same way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../backends/backend.ts';
import { fakeBackend } from '../backends/fake.ts';
import { startFakeCluster, type FakeCluster } from '../fake/cluster.ts';
import { eventually, runKdbg } from './harness.ts';
import { spawnSync } from 'node:child_process';
import { runKdbgInPty } from './pty.ts';

const backend = await fakeBackend();
const cluster: FakeCluster = backend.cluster;
afterAll(() => backend.close());

const patches = () => cluster.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/ephemeralcontainers'));

describe('faults (fake API server)', () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('faults');
    kubeconfig = await backend.kubeconfig('debugger', ns);
  });

  it('a reused container costs no PATCH', async () => {
    await backend.createPod(ns, webPod('reuse'));
    expect((await runKdbg(['attach', 'reuse', '--', 'true'], { kubeconfig })).code).toBe(0);
    cluster.clearRequests();
    const r = await runKdbg(['attach', 'reuse', '--', 'echo', 'again'], { kubeconfig });
    expect(r.stdout.toString()).toBe('again\n');
    expect(patches()).toEqual([]);
  });

  it('a 409 on the PATCH is retried with the same name and body', async () => {
    await backend.createPod(ns, webPod('conflict'));
    cluster.clearRequests();
    cluster.hooks.patchConflictOnce = true;
    const r = await runKdbg(['attach', 'conflict', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(0);
    const sent = patches();
    expect(sent).toHaveLength(2);
    expect(sent[1]!.body).toBe(sent[0]!.body);
    expect(await backend.ephemeralContainers(ns, 'conflict')).toHaveLength(1);
  });

  it('a PATCH whose answer is lost is resent, and leaves one container', async () => {
    await backend.createPod(ns, webPod('dropped'));
    cluster.clearRequests();
    cluster.hooks.dropPatchResponseOnce = true;
    const r = await runKdbg(['attach', 'dropped', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(0);
    expect(patches()).toHaveLength(2);
    expect(await backend.ephemeralContainers(ns, 'dropped')).toHaveLength(1);
  });

  it('a dropped watch resumes', async () => {
    await backend.createPod(ns, webPod('watchdrop'));
    cluster.hooks.dropWatchesOnce = true;
    const r = await runKdbg(['attach', 'watchdrop', '--', 'echo', 'ok'], { kubeconfig });
    expect(r.stdout.toString()).toBe('ok\n');
    expect(r.code).toBe(0);
  });

  it('a stream the server drops ends with 255 and a reason', async () => {
    await backend.createPod(ns, webPod('streamdrop'));
    expect((await runKdbg(['attach', 'streamdrop', '--', 'true'], { kubeconfig })).code).toBe(0);
    cluster.hooks.dropStreamsAfterMs = 500;
    try {
      const r = await runKdbg(['attach', 'streamdrop', '--', 'sleep', '305'], { kubeconfig });
      expect(r.code).toBe(255);
      expect(r.stderr).toMatch(/kdbg: session lost: /);
    } finally {
      cluster.hooks.dropStreamsAfterMs = undefined;
    }
  });

  it('a TTY session whose stream is dropped restores the terminal', async () => {
    await backend.createPod(ns, webPod('ttydrop'));
    expect((await runKdbg(['attach', 'ttydrop', '--', 'true'], { kubeconfig })).code).toBe(0);
    cluster.hooks.dropStreamsAfterMs = 1500;
    try {
      const s = runKdbgInPty(['attach', 'ttydrop'], kubeconfig);
      expect(await s.exitCode()).toBe(255);
      const { before, after } = s.sttyBeforeAfter();
      expect(after).toBe(before);
    } finally {
      cluster.hooks.dropStreamsAfterMs = undefined;
    }
  });

  it('passes the API server\'s warnings through to stderr', async () => {
    await backend.createPod(ns, webPod('warned'));
    cluster.hooks.warnings.push('ephemeral containers are audited here');
    const r = await runKdbg(['attach', 'warned', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: ephemeral containers are audited here');
  });
});

describe('a reused container that ended meanwhile (fake API server, 3 s status lag)', () => {
  let slow: FakeCluster;
  afterAll(() => slow?.close());

  it('is replaced by a new one, and the command runs once', async () => {
    slow = await startFakeCluster({ statusLagMs: 3000 });
    slow.createNamespace('slow');
    await slow.addPod('slow', webPod('web-0'));
    const kubeconfig = slow.writeKubeconfig('debugger', 'slow');
    const first = await runKdbg(['attach', 'web-0', '--', 'sh', '-c', 'echo $KDBG_NAME'], { kubeconfig });
    const old = first.stdout.toString().trim();
    await eventually(() => slow.getPod('slow', 'web-0')?.status?.ephemeralContainerStatuses?.[0]?.state?.running, 10_000);
    // the idle process ends; for the next 3 s the API still shows the container running
    expect(spawnSync('pkill', ['-f', `/${old}/idle`]).status).toBe(0);
    const r = await runKdbg(['attach', 'web-0', '--', 'sh', '-c', 'echo ran in $KDBG_NAME'], { kubeconfig });
    expect(r.stderr).toContain(`kdbg: ${old} has stopped; adding a new debug container`);
    const names = (slow.getPod('slow', 'web-0')?.spec?.ephemeralContainers ?? []).map((c) => c.name);
    expect(names).toHaveLength(2);
    expect(r.stdout.toString()).toBe(`ran in ${names[1]}\n`);
    expect(r.code).toBe(0);
  });

  it('with stdin already read, is not run again elsewhere: all of the input or a clear failure', async () => {
    const kubeconfig = slow.writeKubeconfig('debugger', 'slow');
    const current = slow.getPod('slow', 'web-0')!.spec!.ephemeralContainers![1]!.name;
    // the kubelet lists statuses by name, not in the order the containers were added
    await eventually(() => slow.getPod('slow', 'web-0')?.status?.ephemeralContainerStatuses?.find((s) => s.name === current)?.state?.running, 10_000);
    expect(spawnSync('pkill', ['-f', `/${current}/idle`]).status).toBe(0);
    const r = await runKdbg(['attach', 'web-0', '--', 'cat'], { kubeconfig, stdin: 'first\nsecond\n' });
    if (r.code === 0) expect(r.stdout.toString()).toBe('first\nsecond\n');
    else {
      expect(r.code).toBe(126);
      expect(r.stdout.toString()).toBe('');
      expect(r.stderr).toMatch(/kdbg: the session failed: .*container not found/);
    }
  });
});

describe('older API servers (fake API server)', () => {
  let old: FakeCluster;
  afterAll(() => old?.close());

  it('without SelfSubjectReview, reuse keys on the kubeconfig user', async () => {
    old = await startFakeCluster({ selfSubjectReview: false, websocketProtocols: ['v4.channel.k8s.io'] });
    old.createNamespace('old');
    await old.addPod('old', webPod('web-0'));
    const kubeconfig = old.writeKubeconfig('debugger', 'old');
    const first = await runKdbg(['attach', 'web-0', '--no-stdin', '--', 'echo', 'v4'], { kubeconfig });
    expect(first.stdout.toString()).toBe('v4\n');
    expect(first.code).toBe(0);
    const second = await runKdbg(['attach', 'web-0', '--no-stdin', '--', 'true'], { kubeconfig });
    expect(second.stderr).toMatch(/\(reused/);
    expect(old.getPod('old', 'web-0')?.spec?.ephemeralContainers?.[0]?.env?.find((e) => e.name === 'KDBG_USER')?.value).toBe('debugger');
  });

  it('a v4-only server refuses sessions that need stdin with a clear message', async () => {
    const kubeconfig = old.writeKubeconfig('debugger', 'old');
    const r = await runKdbg(['attach', 'web-0', '--', 'cat'], { kubeconfig, stdin: 'x' });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^kdbg: .*does not speak v5\.channel\.k8s\.io/m);
  });
});
