// kdbg ls and kdbg stop, on the same pipeline as attach. Runs on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, kubectlPath, runKdbg } from './harness.ts';
import { spawn } from 'node:child_process';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

/** kubectl debug as admin, detached: the container kubectl adds (debugger-xxxxx). */
async function kubectlDebug(kubeconfig: string, ns: string, pod: string): Promise<void> {
  const child = spawn(kubectlPath()!, ['--kubeconfig', kubeconfig, '-n', ns, 'debug', pod, '--image', 'busybox:1.36', '--attach=false', '--', 'sleep', '600'], { stdio: 'ignore' });
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0) throw new Error(`kubectl debug exited ${code}`);
}

describe.runIf(kubectlPath())(`kdbg ls and kdbg stop (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  let admin: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('lsstop');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    admin = await backend.kubeconfig('admin', ns);
    await backend.createPod(ns, webPod('web-0'));
    await backend.createPod(ns, webPod('web-1'));
  });

  it('with no debug containers, ls says so on stderr and prints nothing', async () => {
    const r = await runKdbg(['ls'], { kubeconfig });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('');
    expect(r.stderr).toBe(`kdbg: no debug containers in namespace ${ns}\n`);
  });

  it("lists kdbg's containers and other tools', with who added them and whether you can reuse them", async () => {
    expect((await runKdbg(['attach', 'web-0', '--reason', 'INC-5', '--', 'true'], { kubeconfig })).code).toBe(0);
    await kubectlDebug(admin, ns, 'web-1');
    const kubectlName = (await backend.ephemeralContainers(ns, 'web-1'))[0]!.name;
    const kdbgName = (await backend.ephemeralContainers(ns, 'web-0'))[0]!.name;
    await eventually(async () => (await backend.getPod(ns, 'web-0')).status?.ephemeralContainerStatuses?.[0]?.state?.running);

    const table = await runKdbg(['ls'], { kubeconfig });
    expect(table.code).toBe(0);
    const lines = table.stdout.toString().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^POD\s+NAME\s+BY\s+PROFILE\s+TARGET\s+STATE\s+AGE\s+TTL\s+REUSABLE\s+IMAGE$/);
    expect(lines[1]).toMatch(new RegExp(`^web-0\\s+${kdbgName}\\s+debugger\\s+busybox\\s+app\\s+Running\\s+\\S+\\s+15m\\s+yes\\s+busybox:1\\.36\\.1@sha256:73aaf090f3d8…$`));
    expect(lines[2]).toMatch(new RegExp(`^web-1\\s+${kubectlName}\\s+kubectl\\s+-\\s+-\\s+\\S+.*\\s+-\\s+no\\s+busybox:1.36$`));
    expect(lines).toHaveLength(3);

    const json = await runKdbg(['ls', '-o', 'json'], { kubeconfig });
    const list = JSON.parse(json.stdout.toString());
    expect(list).toMatchObject({ apiVersion: 'kdbg.dev/v1', kind: 'DebugContainerList' });
    expect(list.items[0]).toMatchObject({
      namespace: ns,
      pod: 'web-0',
      name: kdbgName,
      kdbg: true,
      createdBy: 'debugger',
      profile: 'busybox',
      image: 'busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662',
      target: 'app',
      state: { phase: 'running' },
      ttlSeconds: 900,
      reason: 'INC-5',
      reusableByYou: true,
    });
    expect(list.items[0].imageID).toBeTruthy();
    expect(list.items[1]).toMatchObject({ pod: 'web-1', name: kubectlName, kdbg: false, createdBy: 'kubectl', reusableByYou: false });

    const plain = await runKdbg(['ls', 'web-0', '--no-headers'], { kubeconfig });
    expect(plain.stdout.toString().trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^web-0\\s+${kdbgName}\\s`))]);
  });

  it('ls --live reads the sessions and the TTL left from the container', async () => {
    let done: Promise<unknown> | undefined;
    const session = new Promise<void>((started) => {
      done = runKdbg(['attach', 'web-0', '--', 'sh', '-c', 'echo started; sleep 313'], {
        kubeconfig,
        onSpawn: (_child, out) => {
          void eventually(() => out.stdout().includes('started'), 20_000).then(() => started());
        },
      });
    });
    await session;
    const live = await runKdbg(['ls', 'web-0', '--live', '-o', 'json'], { kubeconfig });
    expect(JSON.parse(live.stdout.toString()).items[0].live).toMatchObject({ sessions: 1, idleSeconds: 0, ttlSeconds: 900, ttlLeftSeconds: 900 });

    // kdbg stop ends that session and the container
    const stop = await runKdbg(['stop', 'web-0'], { kubeconfig });
    expect(stop.code).toBe(0);
    expect(stop.stdout.toString()).toMatch(/^stopped kdbg-busybox-\w{5} in pod web-0 \(1 session ended\)\n$/);
    expect(((await done) as { code: number }).code).not.toBe(0);
    expect(await eventually(async () => (await backend.nodeProcesses('sleep 313')).length === 0, 10_000)).toBe(true);
    const after = JSON.parse((await runKdbg(['ls', 'web-0', '-o', 'json'], { kubeconfig })).stdout.toString());
    expect(after.items[0].state.phase).toBe('terminated');

    // the next attach moves on to a new container rather than the stopped one
    const next = await runKdbg(['attach', 'web-0', '--', 'true'], { kubeconfig });
    expect(next.stderr).toMatch(/\(new\)/);
    expect(await backend.ephemeralContainers(ns, 'web-0')).toHaveLength(2);
  });

  it("stop refuses other tools' containers by name, and says when there is nothing of yours to stop", async () => {
    const kubectlName = (await backend.ephemeralContainers(ns, 'web-1'))[0]!.name;
    const refused = await runKdbg(['stop', 'web-1', kubectlName], { kubeconfig });
    expect(refused.code).toBe(125);
    expect(refused.stderr).toBe(`kdbg: ${kubectlName} was not added by kdbg (created by kubectl); kdbg stops only its own\n`);
    expect((await backend.getPod(ns, 'web-1')).status?.ephemeralContainerStatuses?.[0]?.state?.terminated).toBeUndefined();
    const none = await runKdbg(['stop', 'web-1'], { kubeconfig });
    expect(none.code).toBe(0);
    expect(none.stderr).toBe('kdbg: no running debug containers of debugger in pod web-1\n');
  });

  it('stop --all-mine ends every running container of yours in the namespace', async () => {
    expect((await runKdbg(['attach', 'web-1', '--', 'true'], { kubeconfig })).code).toBe(0);
    const r = await runKdbg(['stop', '--all-mine'], { kubeconfig });
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines).toEqual(
      expect.arrayContaining([expect.stringMatching(/^stopped kdbg-busybox-\w{5} in pod web-0$/), expect.stringMatching(/^stopped kdbg-busybox-\w{5} in pod web-1$/)]),
    );
    const items = JSON.parse((await runKdbg(['ls', '-o', 'json'], { kubeconfig })).stdout.toString()).items;
    expect(items.filter((i: { kdbg: boolean; state: { phase: string } }) => i.kdbg && i.state.phase !== 'terminated')).toEqual([]);
  });
});
