// Sessions yield to the pod's app: nice 10 unless --priority normal, in the same reused container (the priority is
// the session's, not the container's). Runs on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

/** the niceness of the command itself (field 19 of its /proc/self/stat) */
const NICENESS = ['cut', '-d', ' ', '-f', '19', '/proc/self/stat'];

describe(`session priority (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('priority');
    await backend.createPod(ns, webPod());
    kubeconfig = await backend.kubeconfig('debugger', ns);
  });

  it('runs the command at nice 10 by default and as the container runs with --priority normal, in one container', async () => {
    const normal = await runKdbg(['attach', 'web-0', '-c', 'app', '--priority', 'normal', '--', ...NICENESS], { kubeconfig });
    expect(normal.code).toBe(0);
    const low = await runKdbg(['attach', 'web-0', '-c', 'app', '--', ...NICENESS], { kubeconfig });
    expect(low.code).toBe(0);
    expect(low.stderr).toMatch(/\(reused/);
    expect(Number(low.stdout.toString())).toBe(Math.min(Number(normal.stdout.toString()) + 10, 19));
    expect((await backend.ephemeralContainers(ns, 'web-0')).length).toBe(1);
  });

  it('refuses an unknown priority before anything is created', async () => {
    const before = (await backend.ephemeralContainers(ns, 'web-0')).length;
    for (const command of [['attach', 'web-0'], ['cp', 'web-0:/etc/hostname', '/tmp/x'], ['capture', 'web-0', '-w', '/tmp/x.pcap']]) {
      const r = await runKdbg([...command, '--priority', 'high'], { kubeconfig });
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/^kdbg: .*--priority.*high.*\n$/);
    }
    expect((await backend.ephemeralContainers(ns, 'web-0')).length).toBe(before);
  });
});
