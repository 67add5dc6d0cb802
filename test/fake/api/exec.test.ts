// pods/exec over WebSocket: the double authorization of 1.35+, exit codes on the status channel (as the v5
// translator and as a v4 kubelet write them), stdin half-close, processes that outlive their client, runtime
// failures, binary data under backpressure, and terminal resize.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { execPath, mustOpen, openStream, sleep, until } from '../test-client.ts';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 10, statusLagMs: 30 });
  await cluster.addPod('default', webPod('web-0'));
});
afterAll(() => cluster.close());

const exec = (command: string[], flags?: string[]) => execPath('default', 'web-0', 'app', command, flags);

describe('authorization of the upgrade', () => {
  it('refuses without get on pods/exec, as a plain HTTP 403 with the Status body', async () => {
    const r = await openStream(cluster, 'noexec', exec(['true']));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({
      kind: 'Status',
      message: 'pods "web-0" is forbidden: User "noexec" cannot get resource "pods/exec" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { name: 'web-0', kind: 'pods' },
      code: 403,
    });
  });

  it('also requires create on pods/exec for a WebSocket GET (1.35+), with RBAC\'s empty reason', async () => {
    cluster.hooks.deny('debugger', 'create', 'pods/exec');
    const r = await openStream(cluster, 'debugger', exec(['true']));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body)).toMatchObject({ message: 'pods "web-0" is forbidden: ', reason: 'Forbidden', code: 403 });
    const shell = await openStream(cluster, 'admin', exec(['true']));
    expect(shell.ok).toBe(true);
  });

  it('checks the container after authorization: unknown is 400, several without a name is 400', async () => {
    const unknown = await openStream(cluster, 'admin', execPath('default', 'web-0', 'nope', ['true']));
    expect(unknown.ok || JSON.parse(unknown.body)).toMatchObject({ message: 'container nope is not valid for pod web-0', reason: 'BadRequest', code: 400 });
  });
});

describe('exit status', () => {
  it('v5: sends the output, then NonZeroExitCode as the apiserver translator re-encodes it, then closes', async () => {
    const s = await mustOpen(cluster, 'admin', exec(['sh', '-c', 'echo out; echo err >&2; exit 3']));
    expect(s.protocol).toBe('v5.channel.k8s.io');
    expect(await s.closed).toBe(1000);
    expect(s.frames[0]).toEqual(Buffer.from([1]));
    expect(s.stdout().toString()).toBe('out\n');
    expect(s.stderr().toString()).toBe('err\n');
    expect(s.status()).toEqual({
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: command terminated with exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
    expect(s.frames.at(-1)![0]).toBe(3);
  });

  it('v4 (proxied to the kubelet): the kubelet\'s own message; success is Success', async () => {
    const s = await mustOpen(cluster, 'admin', exec(['sh', '-c', 'exit 7']), ['v4.channel.k8s.io']);
    expect(s.protocol).toBe('v4.channel.k8s.io');
    await s.closed;
    expect(s.status()).toMatchObject({ message: 'command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7', details: { causes: [{ reason: 'ExitCode', message: '7' }] } });
    const ok = await mustOpen(cluster, 'admin', exec(['true']));
    await ok.closed;
    expect(ok.status()).toEqual({ metadata: {}, status: 'Success' });
  });

  it('a command that cannot start is an InternalError from the runtime (wrapped twice through v5)', async () => {
    const s = await mustOpen(cluster, 'admin', exec(['no-such-binary']));
    await s.closed;
    const status = s.status() as { message: string; reason: string; code: number };
    expect(status.reason).toBe('InternalError');
    expect(status.code).toBe(500);
    expect(status.message).toMatch(
      /^Internal error occurred: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "no-such-binary": executable file not found in \$PATH: unknown$/,
    );
  });

  it('a container that is not running: v5 upgrades then reports the kubelet error; v4 gets its plain 500', async () => {
    const pod = 'stopped';
    await cluster.addPod('default', webPod(pod, { restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '0.3'] }] }));
    await until(() => cluster.getPod('default', pod)?.status?.containerStatuses?.[0]?.state?.terminated, 5000, 'terminated');
    const v5 = await mustOpen(cluster, 'admin', execPath('default', pod, 'app', ['true']));
    await v5.closed;
    expect(v5.status()).toMatchObject({ message: 'Internal error occurred: unable to upgrade connection: container not found ("app")', reason: 'InternalError', code: 500 });
    const v4 = await openStream(cluster, 'admin', execPath('default', pod, 'app', ['true']), ['v4.channel.k8s.io']);
    expect(v4.ok || [v4.status, v4.body]).toEqual([500, 'container not found ("app")']);
  });
});

describe('streams', () => {
  it('answers pings, passes stdin, and closes it on the v5 CLOSE frame', async () => {
    const s = await mustOpen(cluster, 'admin', exec(['wc', '-l'], ['stdin', 'stdout', 'stderr']));
    const pong = new Promise((resolve) => s.ws.once('pong', resolve));
    s.ws.ping();
    await pong;
    s.send(0, 'a\nb\nc\n');
    s.closeStdin();
    await s.closed;
    expect(s.stdout().toString().trim()).toBe('3');
    expect(s.status()).toEqual({ metadata: {}, status: 'Success' });
  });

  it('a process outlives its client: only its streams go (kubernetes#89031)', async () => {
    const s = await mustOpen(cluster, 'admin', exec(['sh', '-c', 'echo started; exec sleep 311']));
    await s.waitFor(() => s.stdout().toString().includes('started'));
    s.ws.terminate();
    await sleep(300);
    expect(cluster.processes('sleep 311')).toEqual(['sleep 311']);
  });

  it('is binary-safe and follows backpressure: 1 MiB of random bytes through cat, read slowly', async () => {
    const data = randomBytes(1 << 20);
    const s = await mustOpen(cluster, 'admin', exec(['cat'], ['stdin', 'stdout']));
    s.ws.pause();
    for (let i = 0; i < data.length; i += 64 << 10) s.send(0, data.subarray(i, i + (64 << 10)));
    s.closeStdin();
    await sleep(300);
    s.ws.resume();
    await s.closed;
    expect(s.stdout().length).toBe(data.length);
    expect(createHash('sha256').update(s.stdout()).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
    expect(s.status()).toEqual({ metadata: {}, status: 'Success' });
  });

  it('a client that does not read stops the process at its next write, and nothing is lost', async () => {
    const size = 24 << 20;
    const s = await mustOpen(cluster, 'admin', exec(['sh', '-c', `head -c ${size} /dev/zero; echo done >&2`]));
    s.ws.pause();
    await sleep(800);
    expect(cluster.processes(`head -c ${size}`)).toContain(`head -c ${size} /dev/zero`);
    s.ws.resume();
    await s.closed;
    expect(s.stdout().length).toBe(size);
    expect(s.stderr().toString()).toBe('done\n');
  });

  it('runs a tty under a pty that follows resize frames; stderr is not a stream then', async () => {
    const s = await mustOpen(cluster, 'admin', exec(['sh'], ['stdin', 'stdout', 'stderr', 'tty']));
    s.resize(101, 31);
    s.resize(100, 30);
    await sleep(100);
    s.send(0, 'stty size; tty; exit 4\n');
    await s.closed;
    expect(s.stdout().toString()).toMatch(/\r\n30 100\r\n\/dev\/pts\/\d+\r\n/);
    expect(s.stderr().length).toBe(0);
    expect(s.status()).toMatchObject({ reason: 'NonZeroExitCode', details: { causes: [{ message: '4' }] } });
  });

  it('negotiates from the server list: a v4-only server refuses a v5-only client, takes one offering v4', async () => {
    const old = await startFakeCluster({ startDelayMs: 10, statusLagMs: 30, websocketProtocols: ['v4.channel.k8s.io'] });
    try {
      await old.addPod('default', webPod('web-0'));
      // the kubelet's x/net/websocket handshake: a bare 403, no Status body (unlike an RBAC refusal)
      const refused = await openStream(old, 'admin', execPath('default', 'web-0', 'app', ['true']), ['v5.channel.k8s.io']);
      expect(refused.ok || [refused.status, refused.body]).toEqual([403, '']);
      const v4 = await mustOpen(old, 'admin', execPath('default', 'web-0', 'app', ['true']), ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
      expect(v4.protocol).toBe('v4.channel.k8s.io');
      await v4.closed;
    } finally {
      await old.close();
    }
  });

  it('dropStreamsAfterMs destroys the connection without a status', async () => {
    cluster.hooks.dropStreamsAfterMs = 200;
    try {
      const s = await mustOpen(cluster, 'admin', exec(['sleep', '312']));
      expect(await s.closed).toBe(1006);
      expect(s.status()).toBeUndefined();
    } finally {
      cluster.hooks.dropStreamsAfterMs = undefined;
    }
  });
});
