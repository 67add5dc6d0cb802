// The last lines of a container's last run, read from a real server (the fake API server over HTTPS): the previous
// run, else the current one after the kubelet's 400; nothing to read for a container that never ran; a log that
// cannot be read is a reason, never a failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../fake/cluster.ts';
import { webPod } from '../backends/backend.ts';
import { loadKubeClient } from '../../src/kube/client.ts';
import { lastLogLines } from '../../src/debug/last-log.ts';
import type { ContainerReport } from '../../src/debug/post-mortem.ts';
import type { KubeClient } from '../../src/kube/types.ts';

let cluster: FakeCluster;
let client: KubeClient;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 20, statusLagMs: 50 });
  const talker = webPod('talker');
  talker.spec!.containers[0]!.command = ['sh', '-c', 'for i in $(seq 1 15); do echo "line $i"; done; while true; do sleep 1; done'];
  await cluster.addPod('default', talker);
  client = await loadKubeClient({ kubeconfig: cluster.writeKubeconfig('debugger', 'default'), env: {}, stderr: process.stderr, stdinIsTTY: false });
});
afterAll(async () => {
  client?.close();
  await cluster?.close();
});

const crashed: ContainerReport = { name: 'app', state: { phase: 'waiting', reason: 'CrashLoopBackOff' }, restartCount: 1, lastTermination: { exitCode: 1 } };
const logQueries = () => cluster.requests.filter((r) => r.path.endsWith('/log')).map((r) => Object.fromEntries(new URLSearchParams(r.query)));

describe('lastLogLines', () => {
  it('asks for the previous run, and without one reads the current log; the last 10 lines', async () => {
    cluster.clearRequests();
    expect(await lastLogLines(client, 'default', 'talker', crashed)).toEqual({
      container: 'app',
      previous: false,
      lines: ['line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14', 'line 15'],
    });
    expect(logQueries()).toEqual([
      { container: 'app', previous: 'true', tailLines: '10', limitBytes: '16384' },
      { container: 'app', tailLines: '10', limitBytes: '16384' },
    ]);
  });

  it('reads the current log of a container that terminated for good', async () => {
    cluster.clearRequests();
    const ended: ContainerReport = { name: 'app', state: { phase: 'terminated', reason: 'Error' }, restartCount: 0, lastTermination: { exitCode: 1 } };
    expect(await lastLogLines(client, 'default', 'talker', ended, 2)).toEqual({ container: 'app', previous: false, lines: ['line 14', 'line 15'] });
    expect(logQueries()).toEqual([{ container: 'app', tailLines: '2', limitBytes: '16384' }]);
  });

  it('reads nothing for a container that never ran', async () => {
    cluster.clearRequests();
    expect(await lastLogLines(client, 'default', 'talker', { name: 'app', state: { phase: 'waiting', reason: 'PodInitializing' }, restartCount: 0 })).toBeUndefined();
    expect(logQueries()).toEqual([]);
  });

  it('says why a log cannot be read, and does not throw', async () => {
    expect(await lastLogLines(client, 'default', 'talker', { ...crashed, name: 'nope' })).toEqual({ container: 'nope', unavailable: 'container nope is not valid for pod talker' });
    cluster.hooks.deny('debugger', 'get', 'pods/log');
    expect(await lastLogLines(client, 'default', 'talker', crashed)).toEqual({ container: 'app', unavailable: 'you may not get pods/log' });
  });
});
