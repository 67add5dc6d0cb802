// kdbg attach --copy on every backend: a crash-looping pod is debugged in a copy that holds its container (or the
// one --hold names), and the copy is gone after the session, however it ends; --keep keeps it for kdbg ls and kdbg
// stop; a user who may not create pods is refused with nothing created. The real node's own cases (init containers
// and their volumes, images without a shell, the terminal's offer, Ctrl-C, PodSecurity's dry run) are in
// e2e/copy.e2e.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crashLoopPod, initFailsPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, noOwnPodsLeft, ownPods, runKdbg } from './harness.ts';
import { runKdbgInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

describe(`kdbg attach --copy (${backend.name})`, { timeout: 60_000 }, () => {
  let ns: string;
  let admin: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('copy');
    admin = await backend.kubeconfig('admin', ns);
    const pod = crashLoopPod('crashy', 3);
    pod.spec!.containers[0]!.env = [{ name: 'APP_MODE', value: 'strict' }];
    await backend.submitPod(ns, pod);
  });

  /** kdbg's copies in the namespace, those being deleted too */
  const copies = () => ownPods(backend, ns, 'copy');
  const noCopiesLeft = () => noOwnPodsLeft(backend, ns, 'copy');

  it('holds the crash-looping container in a copy: its image and env are there; leaving deletes the copy', async () => {
    const r = await runKdbg(['attach', 'crashy', '--copy', '--', 'sh', '-c', 'echo "mode=$APP_MODE"; exit 4'], { kubeconfig: admin });
    const name = /pod\/(crashy-kdbg-[a-z0-9]{5}), a copy of crashy with its container app held\n/.exec(r.stderr)?.[1];
    expect(name).toBeDefined();
    expect(r.stdout.toString()).toBe('mode=strict\n');
    expect(r.code).toBe(4);
    await noCopiesLeft();
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
    await noCopiesLeft();
  });

  it('--hold picks another container than the default one: its env is there', async () => {
    const pod = crashLoopPod('pair', 3);
    pod.spec!.containers.push({ name: 'relay', image: 'busybox:1.36', env: [{ name: 'RELAY_MODE', value: 'fast' }], command: ['sh', '-c', 'while true; do sleep 1; done'] });
    await backend.submitPod(ns, pod);
    const r = await runKdbg(['attach', 'pair', '--copy', '--hold', 'relay', '--', 'sh', '-c', 'echo "relay=$RELAY_MODE"'], { kubeconfig: admin });
    expect(r.stderr).toMatch(/pod\/pair-kdbg-[a-z0-9]{5}, a copy of pair with its container relay held\n/);
    expect(r.stdout.toString()).toBe('relay=fast\n');
    expect(r.code).toBe(0);
    await noCopiesLeft();
  });

  it('--keep keeps the copy; kdbg ls lists it and kdbg stop deletes it', async () => {
    const r = await runKdbg(['attach', 'crashy', '--copy', '--keep', '--', 'true'], { kubeconfig: admin });
    expect(r.code).toBe(0);
    const name = /kdbg: kept pod (crashy-kdbg-\w{5}); kdbg stop \1 deletes it\n/.exec(r.stderr)?.[1];
    expect(name).toBeDefined();
    expect(await copies()).toEqual([name]);
    const ls = await runKdbg(['ls'], { kubeconfig: admin });
    expect(ls.stderr).toMatch(new RegExp(`kdbg: pod ${name}: copy of crashy, by \\S+, (Pending|Running) \\(kdbg stop ${name} deletes it\\)\\n`));
    const json = JSON.parse((await runKdbg(['ls', '-o', 'json'], { kubeconfig: admin })).stdout.toString()) as { pods: { name: string; kind: string; copyOf: string }[] };
    expect(json.pods).toEqual([expect.objectContaining({ name, kind: 'copy', copyOf: 'crashy' })]);
    const stop = await runKdbg(['stop', name!], { kubeconfig: admin });
    expect(stop.stdout.toString()).toBe(`deleted pod ${name} (copy of crashy)\n`);
    expect(stop.code).toBe(0);
    await noCopiesLeft();
  });

  it('~. ends a session in a copy, stops what runs in it and deletes the copy', async () => {
    const s = runKdbgInPty(['attach', 'crashy', '--copy'], admin);
    await s.waitFor('~. at the start of a line ends the session', 30_000);
    s.write('sleep 306\r');
    await eventually(async () => (await backend.nodeProcesses('sleep 306')).length > 0, 10_000);
    s.write('\r~.');
    expect(await s.exitCode()).toBe(130);
    expect(s.output()).toContain('session ended with ~.');
    await noCopiesLeft();
    expect(await backend.nodeProcesses('sleep 306')).toEqual([]);
  });

  it('a user who may not create pods is refused before anything is created', async () => {
    const debuggerConfig = await backend.kubeconfig('debugger', ns);
    const r = await runKdbg(['attach', 'crashy', '--copy', '--', 'true'], { kubeconfig: debuggerConfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^kdbg: debugger may not create pods, delete pods in namespace copy-\w+; kdbg needs it for a copy of pod crashy \(nothing was created\)\n$/);
    expect(await copies()).toEqual([]);
  });

  it('on a terminal, a user who may not create pods is told why the target does not run, and offered no copy', async () => {
    // a target that never runs (a crash loop runs between its restarts, and a debug container may then be added)
    await backend.submitPod(ns, initFailsPod('never-runs', 'Never'));
    await eventually(async () => (await backend.getPod(ns, 'never-runs')).status?.phase === 'Failed', 30_000);
    const s = runKdbgInPty(['attach', 'never-runs'], await backend.kubeconfig('debugger', ns));
    expect(await s.exitCode()).toBe(125);
    expect(s.output()).toContain('migration failed');
    expect(s.output()).toContain('kdbg attach never-runs --copy');
    expect(s.output()).not.toContain('instead?');
    expect(await copies()).toEqual([]);
  });
});
