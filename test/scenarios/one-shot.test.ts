// One-shot commands: exact output, real exit codes, stdin with EOF, reuse, interrupts. Runs on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

describe(`one-shot commands (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('oneshot');
    await backend.createPod(ns, webPod());
    kubeconfig = await backend.kubeconfig('debugger', ns);
  });

  it('prints everything the command prints, from the first byte, and exits with its code', async () => {
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo early; sleep 1; echo late; echo oops >&2; exit 3'], { kubeconfig });
    expect(r.stdout.toString()).toBe('early\nlate\n');
    expect(r.stderr).toContain('oops');
    expect(r.stderr).toMatch(/kdbg: .*pod\/web-0 → app, debug container kdbg-busybox-\w{5} \((new|reused.*)\)/);
    expect(r.code).toBe(3);
  });

  it('forwards piped stdin and passes its EOF on', async () => {
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '--', 'wc', '-l'], { kubeconfig, stdin: 'a\nb\n' });
    expect(r.stdout.toString().trim()).toBe('2');
    expect(r.code).toBe(0);
  });

  it('reuses the debug container on the next call instead of adding one', async () => {
    const first = await runKdbg(['attach', 'web-0', '-c', 'app', '--', 'true'], { kubeconfig });
    expect(first.code).toBe(0);
    const before = await backend.ephemeralContainers(ns, 'web-0');
    const second = await runKdbg(['attach', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo $KDBG_NAME'], { kubeconfig });
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/\(reused/);
    const after = await backend.ephemeralContainers(ns, 'web-0');
    expect(after.map((c) => c.name)).toEqual(before.map((c) => c.name));
    expect(before.map((c) => c.name)).toContain(second.stdout.toString().trim());
  });

  it('--new adds a container even when one could be reused', async () => {
    const before = await backend.ephemeralContainers(ns, 'web-0');
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '--new', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\(new\)/);
    expect((await backend.ephemeralContainers(ns, 'web-0')).length).toBe(before.length + 1);
  });

  it('is binary-safe both ways', async () => {
    const data = randomBytes(3 << 20);
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '--', 'cat'], { kubeconfig, stdin: data });
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBe(data.length);
    expect(createHash('sha256').update(r.stdout).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('reads stdin as a script when no command is given and stdin is not a terminal', async () => {
    const r = await runKdbg(['attach', 'web-0', '-c', 'app'], { kubeconfig, stdin: 'echo from-script\nexit 4\n' });
    expect(r.stdout.toString()).toBe('from-script\n');
    expect(r.code).toBe(4);
  });

  it('on SIGINT stops the remote command, exits 130 and leaves no process behind', async () => {
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo started; sleep 301'], {
      kubeconfig,
      onSpawn: (child, out) => {
        void eventually(() => out.stdout().includes('started'), 20_000).then(() => child.kill('SIGINT'));
      },
    });
    expect(r.code).toBe(130);
    expect(r.stdout.toString()).toBe('started\n');
    expect(await eventually(async () => (await backend.nodeProcesses('sleep 301')).length === 0, 5000)).toBe(true);
  });

  it('on SIGTERM exits 143', async () => {
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo started; sleep 302'], {
      kubeconfig,
      onSpawn: (child, out) => {
        void eventually(() => out.stdout().includes('started'), 20_000).then(() => child.kill('SIGTERM'));
      },
    });
    expect(r.code).toBe(143);
    expect(await eventually(async () => (await backend.nodeProcesses('sleep 302')).length === 0, 5000)).toBe(true);
  });

  it('--ttl 0 ends the debug container after its session', async () => {
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '--new', '--ttl', '0', '--', 'sh', '-c', 'echo $KDBG_NAME'], { kubeconfig });
    expect(r.code).toBe(0);
    const name = r.stdout.toString().trim();
    const terminated = await eventually(async () => {
      const pod = await backend.getPod(ns, 'web-0');
      return pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name)?.state?.terminated;
    }, 10_000);
    expect(terminated?.exitCode).toBe(0);
  });
  it('deleting the pod during a session ends it with the reason', async () => {
    await backend.createPod(ns, webPod('doomed'));
    const r = await runKdbg(['attach', 'doomed', '--', 'sh', '-c', 'echo started; sleep 306'], {
      kubeconfig,
      onSpawn: (_child, out) => {
        void eventually(() => out.stdout().includes('started'), 20_000).then(() => backend.deletePod(ns, 'doomed'));
      },
    });
    // the node kills the session's command (a real kubelet reports its exit status, 137), the idle program hangs it
    // up as it stops (129), or the stream ends (255)
    expect([129, 137, 255]).toContain(r.code);
    expect(r.stderr).toMatch(/kdbg: (session ended: )?(pod doomed (was|is being) deleted|debug container \S+ stopped)/);
  });


  it('when the reader of stdout goes away, stops the remote command and exits 141', async () => {
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '--', 'sh', '-c', 'echo kdbg-pipe; while :; do echo y; done'], {
      kubeconfig,
      onSpawn: (child, out) => {
        void eventually(() => out.stdout().includes('kdbg-pipe'), 20_000).then(() => child.stdout?.destroy());
      },
    });
    expect(r.code).toBe(141);
    expect(await eventually(async () => (await backend.nodeProcesses('kdbg-pipe')).length === 0, 5000)).toBe(true);
  });

  it('a stdout that cannot be written (a full disk) stops the remote command: one line, exit 125', async () => {
    const r = await runKdbg(['attach', 'web-0', '-c', 'app', '-q', '--', 'sh', '-c', 'echo kdbg-full; while :; do echo y; done'], { kubeconfig, stdoutFile: '/dev/full' });
    expect(r.stderr).toBe('kdbg: cannot write stdout: no space left on device (ENOSPC); the session was ended\n');
    expect(r.code).toBe(125);
    expect(await eventually(async () => (await backend.nodeProcesses('kdbg-full')).length === 0, 5000)).toBe(true);
  });

  it('so does a command that prints and exits: what it printed was lost', async () => {
    for (const args of [['attach', 'web-0', '-c', 'app', '-q', '--', 'echo', 'hello'], ['ls', 'web-0'], ['profiles']]) {
      const r = await runKdbg(args, { kubeconfig, stdoutFile: '/dev/full' });
      expect(r.stderr, args.join(' ')).toMatch(/^kdbg: cannot write stdout: no space left on device \(ENOSPC\)(; the session was ended)?\n$/);
      expect(r.code, args.join(' ')).toBe(125);
    }
  });
});
