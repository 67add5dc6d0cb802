// pods/attach over WebSocket, as cri-streaming ServeAttach over containerd behaves: nothing before the attach is
// replayed, the status is always Success (never an exit code), and a client's stdin EOF closes the container's
// stdin only for stdinOnce (non-tty) containers; otherwise it ends the attach and the stdin stays open.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { call, mustOpen, sleep, until } from '../test-client.ts';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 10, statusLagMs: 50 });
  await cluster.addPod('default', webPod('web-0'));
});
afterAll(() => cluster.close());

const success = { metadata: {}, status: 'Success' };
const ecStatus = (name: string) => cluster.getPod('default', 'web-0')?.status?.ephemeralContainerStatuses?.find((s) => s.name === name);

async function addEphemeral(ec: Record<string, unknown>): Promise<void> {
  const r = await call(cluster, 'debugger', 'PATCH', '/api/v1/namespaces/default/pods/web-0/ephemeralcontainers', {
    body: { spec: { ephemeralContainers: [{ image: 'busybox:1.36', ...ec }] } },
    contentType: 'application/strategic-merge-patch+json',
  });
  expect(r.status).toBe(200);
  await until(() => ecStatus(ec.name as string)?.state?.running, 5000, `${ec.name} running`);
}

const attachPath = (container: string, flags = 'stdin=true&stdout=true&stderr=true') =>
  `/api/v1/namespaces/default/pods/web-0/attach?container=${container}&${flags}`;
const log = async (container: string) =>
  (await call(cluster, 'debugger', 'GET', `/api/v1/namespaces/default/pods/web-0/log?container=${container}`)).text;

describe('attach', () => {
  it('replays nothing, and ends with Success whatever the exit code; the code is only in the pod status', async () => {
    await addEphemeral({ name: 'exit3', stdin: true, command: ['sh', '-c', 'echo early; read line; echo "got $line"; exit 3'] });
    const s = await mustOpen(cluster, 'debugger', attachPath('exit3'));
    s.send(0, 'hello\n');
    expect(await s.closed).toBe(1000);
    expect(s.stdout().toString()).toBe('got hello\n');
    expect(s.status()).toEqual(success);
    expect(await log('exit3')).toBe('early\ngot hello\n');
    const terminated = await until(() => ecStatus('exit3')?.state?.terminated, 3000, 'terminated');
    expect(terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
  });

  it('stdinOnce: the client\'s stdin EOF closes the container\'s stdin, and output continues until it exits', async () => {
    await addEphemeral({ name: 'once', stdin: true, stdinOnce: true, command: ['sh', '-c', 'cat; echo eof-seen'] });
    const s = await mustOpen(cluster, 'debugger', attachPath('once'));
    s.send(0, 'x\n');
    s.closeStdin();
    await s.closed;
    expect(s.stdout().toString()).toBe('x\neof-seen\n');
    expect(s.status()).toEqual(success);
  });

  it('without stdinOnce: stdin EOF ends this attach (Success) and the container keeps its stdin open', async () => {
    await addEphemeral({ name: 'keep', stdin: true, command: ['sh', '-c', 'cat; echo eof-seen'] });
    const s = await mustOpen(cluster, 'debugger', attachPath('keep'));
    s.send(0, 'y\n');
    await s.waitFor(() => s.stdout().toString() === 'y\n');
    s.closeStdin();
    expect(await s.closed).toBe(1000);
    expect(s.status()).toEqual(success);
    await sleep(200);
    expect(ecStatus('keep')?.state?.running).toBeDefined();
    const again = await mustOpen(cluster, 'debugger', attachPath('keep'));
    again.send(0, 'z\n');
    await again.waitFor(() => again.stdout().toString() === 'z\n');
    again.ws.close();
    expect(await log('keep')).toBe('y\nz\n');
  });

  it('a stdinOnce container loses its stdin when the attached client goes away', async () => {
    await addEphemeral({ name: 'gone', stdin: true, stdinOnce: true, command: ['sh', '-c', 'cat >/dev/null; echo stdin-closed; sleep 313'] });
    const s = await mustOpen(cluster, 'debugger', attachPath('gone'));
    s.ws.terminate();
    await until(async () => (await log('gone')) === 'stdin-closed\n', 3000, 'stdin closed');
  });

  it('attaches to a tty container through its pty, with resizes, and without stderr', async () => {
    await addEphemeral({ name: 'term', stdin: true, tty: true, command: ['sh'] });
    const s = await mustOpen(cluster, 'debugger', attachPath('term', 'stdin=true&stdout=true&tty=true'));
    s.resize(81, 25);
    s.resize(80, 24);
    await sleep(100);
    s.send(0, 'stty size; exit 9\n');
    await s.closed;
    expect(s.stdout().toString()).toContain('24 80');
    expect(s.status()).toEqual(success);
  });

  it('a container that is not running is not found by the kubelet: v5 gets the translated error after the upgrade', async () => {
    const s = await mustOpen(cluster, 'debugger', attachPath('exit3'));
    await s.closed;
    expect(s.status()).toMatchObject({
      status: 'Failure',
      message: 'Internal error occurred: unable to upgrade connection: container exit3 not found in pod web-0_default',
      reason: 'InternalError',
      code: 500,
    });
  });
});
