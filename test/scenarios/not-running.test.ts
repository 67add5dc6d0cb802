// A target that is not running: kdbg says why it died before anything else (how its last run ended, the last lines
// of that run's log, the init container that failed), names the way in, exits 125 and creates nothing. The pods
// are the sandbox's crashloop and init-fails (e2e/fixtures/sandbox.yaml). Runs on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashLoopPod, initFailsPod, type Backend } from '../backends/backend.ts';
import type { FakeCluster } from '../fake/cluster.ts';
import { backendFromEnv, eventually, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const ts = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';

// a back-off doubles each time: a fresh one can be 40 s away by the time the third crash-loop test waits
describe(`a target that is not running (${backend.name})`, { timeout: 60_000 }, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('not-running');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.submitPod(ns, crashLoopPod('crashy', 3));
    await backend.submitPod(ns, initFailsPod('init-fails'));
    await backend.submitPod(ns, initFailsPod('init-never', 'Never'));
  });

  /**
   * Resolves once the container waits out a back-off that has 4 s left at least, so kdbg sees it not running. The
   * back-off is the status's own (`back-off 1m20s restarting failed container=…`; the fake writes `80s`), counted
   * from the last run's finishedAt, whose whole seconds make the time left a lower bound.
   */
  const backingOff = (pod: string) =>
    eventually(async () => {
      const s = (await backend.getPod(ns, pod)).status?.containerStatuses?.[0];
      const backoff = /^back-off (?:(\d+)m)?(\d+)s /.exec(s?.state?.waiting?.message ?? '');
      const finished = s?.lastState?.terminated?.finishedAt;
      if (s?.state?.waiting?.reason !== 'CrashLoopBackOff' || !backoff || !finished) return undefined;
      const until = new Date(finished).getTime() + (Number(backoff[1] ?? 0) * 60 + Number(backoff[2])) * 1000;
      return until - Date.now() >= 4000 ? s : undefined;
    }, 55_000);

  it('a crash loop: its exit code and its last lines first, then the way in; nothing is created', async () => {
    await backingOff('crashy');
    const r = await runKdbg(['attach', 'crashy', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stdout.toString()).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        '^kdbg: container app of pod crashy is CrashLoopBackOff \\(restarted (once|\\d+ times)\\)\n' +
          `  last run: exited 3 \\(Error\\) at ${ts}, after \\ds\n` +
          '  last lines of its log:\n' +
          '    \\| starting\n' +
          '    \\| giving up\n' +
          'kdbg: a debug container needs a running target; debug a copy instead: kdbg attach crashy --copy\n$',
      ),
    );
    expect(await backend.ephemeralContainers(ns, 'crashy')).toEqual([]);
  });

  it('-o json: the same fields on stdout, the refusal in one line on stderr', async () => {
    const s = await backingOff('crashy');
    const r = await runKdbg(['attach', 'crashy', '-o', 'json', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    const pm = JSON.parse(r.stdout.toString());
    expect(pm).toMatchObject({
      apiVersion: 'kdbg.dev/v1',
      kind: 'PostMortem',
      namespace: ns,
      pod: 'crashy',
      phase: 'Running',
      container: 'app',
      state: { phase: 'waiting', reason: 'CrashLoopBackOff' },
      lastTermination: { exitCode: 3, reason: 'Error', startedAt: expect.stringMatching(new RegExp(`^${ts}$`)), finishedAt: expect.stringMatching(new RegExp(`^${ts}$`)) },
      log: { container: 'app', previous: true, lines: ['starting', 'giving up'] },
    });
    expect(pm.restartCount).toBeGreaterThanOrEqual(s.restartCount);
    expect(pm).not.toHaveProperty('failedInit');
    expect(r.stderr).toMatch(/^kdbg: container app of pod crashy is CrashLoopBackOff \(restarted (once|\d+ times)\); a debug container needs a running target; debug a copy instead: kdbg attach crashy --copy\n$/);
    expect(await backend.ephemeralContainers(ns, 'crashy')).toEqual([]);
  });

  it('-q: only the refusal, in one line', async () => {
    await backingOff('crashy');
    const r = await runKdbg(['-q', 'attach', 'crashy', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^kdbg: container app of pod crashy is CrashLoopBackOff .*; debug a copy instead: kdbg attach crashy --copy\n$/);
  });

  it('an init container that keeps failing: it is named, with its exit code and its last lines', async () => {
    // app stays waiting whatever migrate does, so kdbg refuses in each of the states migrate cycles through
    await eventually(async () => {
      const s = (await backend.getPod(ns, 'init-fails')).status?.initContainerStatuses?.[0];
      return s?.lastState?.terminated ?? s?.state?.terminated;
    }, 30_000);
    const r = await runKdbg(['attach', 'init-fails', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    const restarted = '\\(restarted (once|\\d+ times)\\)';
    expect(r.stderr).toMatch(
      new RegExp(
        `^kdbg: container app of pod init-fails has not started: init container migrate (is CrashLoopBackOff ${restarted}|is running ${restarted}|failed)\n` +
          `  last run: exited 2 \\(Error\\) at ${ts}, after \\ds\n` +
          '  last lines of its log:\n' +
          '    \\| migration failed\n' +
          'kdbg: a debug container needs a running target; debug a copy instead: kdbg attach init-fails --copy\n$',
      ),
    );
    expect(await backend.ephemeralContainers(ns, 'init-fails')).toEqual([]);
  });

  it('an init container that failed under restartPolicy Never: the pod has Failed; its only run is read', async () => {
    await eventually(async () => (await backend.getPod(ns, 'init-never')).status?.phase === 'Failed', 30_000);
    const r = await runKdbg(['attach', 'init-never', '-o', 'json', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({
      phase: 'Failed',
      state: { phase: 'waiting', reason: 'PodInitializing' },
      restartCount: 0,
      failedInit: { name: 'migrate', state: { phase: 'terminated', reason: 'Error' }, restartCount: 0, lastTermination: { exitCode: 2, reason: 'Error' } },
      log: { container: 'migrate', previous: false, lines: ['migration failed'] },
    });
    expect(r.stderr).toBe(
      'kdbg: container app of pod init-never has not started: init container migrate failed; the pod has Failed; ' +
        'a debug container needs a running target; debug a copy instead: kdbg attach init-never --copy\n',
    );
  });

  it.runIf(backend.features.hooks)('a log kdbg may not read is skipped with the reason; the refusal stands', async () => {
    const { cluster } = backend as Backend & { cluster: FakeCluster };
    const pod = crashLoopPod('crashy-nolog', 3);
    await backend.submitPod(ns, pod);
    await backingOff('crashy-nolog');
    cluster.hooks.deny('debugger', 'get', 'pods/log');
    const r = await runKdbg(['attach', 'crashy-nolog', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/\n {2}last run: exited 3 \(Error\) .*\n {2}its log cannot be read: you may not get pods\/log\nkdbg: a debug container needs a running target; /);
  });
});
