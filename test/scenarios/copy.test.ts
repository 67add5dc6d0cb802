// kdbg attach --copy on every backend: a crash-looping pod is debugged in a copy that holds its container, and the
// copy is gone after the session; a user who may not create pods is refused with nothing created. The real node's
// own cases (init containers and their volumes, images without a shell, the terminal's offer, Ctrl-C, PodSecurity's
// dry run) are in e2e/copy.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1Pod } from '@kubernetes/client-node';
import { crashLoopPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

describe(`kdbg attach --copy (${backend.name})`, () => {
  let ns: string;
  let admin: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('copy');
    admin = await backend.kubeconfig('admin', ns);
    const pod = crashLoopPod('crashy', 3);
    pod.spec!.containers[0]!.env = [{ name: 'APP_MODE', value: 'strict' }];
    await backend.submitPod(ns, pod);
  });

  /** kdbg's copies in the namespace that are not being deleted */
  const liveCopies = async () =>
    (await backend.listPods(ns)).filter((p: V1Pod) => p.metadata?.labels?.['kdbg.dev/pod'] === 'copy' && !p.metadata.deletionTimestamp).map((p) => p.metadata!.name!);

  it('holds the crash-looping container in a copy: its image and env are there; leaving deletes the copy', async () => {
    const r = await runKdbg(['attach', 'crashy', '--copy', '--', 'sh', '-c', 'echo "mode=$APP_MODE"; exit 4'], { kubeconfig: admin });
    const name = /pod\/(crashy-kdbg-[a-z0-9]{5}), a copy of crashy with its container app held\n/.exec(r.stderr)?.[1];
    expect(name).toBeDefined();
    expect(r.stdout.toString()).toBe('mode=strict\n');
    expect(r.code).toBe(4);
    await eventually(async () => (await liveCopies()).length === 0, 10_000);
  });

  it('holds a container whose root filesystem is read-only: kdbg\'s state goes to an emptyDir of the copy\'s own', async () => {
    const pod = crashLoopPod('crashy-ro', 3);
    pod.spec!.containers[0]!.securityContext = { readOnlyRootFilesystem: true };
    await backend.submitPod(ns, pod);
    // the fake's processes share the host's root: only a real node shows it read-only
    const probe = backend.name === 'fake' ? '' : '; touch /probe 2>/dev/null || echo read-only';
    const r = await runKdbg(['attach', 'crashy-ro', '--copy', '--', 'sh', '-c', `echo started${probe}`], { kubeconfig: admin });
    expect(r.stderr).toMatch(/a copy of crashy-ro with its container app held \(its root filesystem is read-only: TMPDIR=\/kdbg, an emptyDir for kdbg's state\)\n/);
    expect(r.stdout.toString()).toBe(backend.name === 'fake' ? 'started\n' : 'started\nread-only\n');
    expect(r.code).toBe(0);
  });

  it('a user who may not create pods is refused before anything is created', async () => {
    const debuggerConfig = await backend.kubeconfig('debugger', ns);
    const r = await runKdbg(['attach', 'crashy', '--copy', '--', 'true'], { kubeconfig: debuggerConfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^kdbg: debugger may not create pods, delete pods in namespace copy-\w+; kdbg needs it for a copy of pod crashy \(nothing was created\)\n$/);
    expect(await liveCopies()).toEqual([]);
  });
});
