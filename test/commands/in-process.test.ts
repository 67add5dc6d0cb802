// A command runs in-process against streams of the test's own, because every edge comes through IO: here kdbg ls
// and kdbg stop over the fake API server, with stdout and stderr captured in memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { fakeBackend } from '../backends/fake.ts';
import { webPod } from '../backends/backend.ts';
import { streamsIO, type IO } from '../../src/io.ts';
import { planLs, type LsFlags } from '../../src/commands/ls/options.ts';
import { runLs } from '../../src/commands/ls/run.ts';
import { planStop } from '../../src/commands/stop/options.ts';
import { runStop } from '../../src/commands/stop/run.ts';
import { runKdbg } from '../scenarios/harness.ts';

const backend = await fakeBackend();
afterAll(() => backend.close());

function memoryIO(kubeconfig: string): { io: IO; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const io = streamsIO({
    stdin: new PassThrough() as unknown as NodeJS.ReadStream,
    stdout: stdout as unknown as NodeJS.WriteStream,
    stderr: stderr as unknown as NodeJS.WriteStream,
    env: { KUBECONFIG: kubeconfig, HOME: '/nonexistent' },
    verbose: false,
    quiet: false,
  });
  return { io, out: () => out, err: () => err };
}

describe('commands in-process', () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('inproc');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.createPod(ns, webPod('web-0'));
    expect((await runKdbg(['attach', 'web-0', '--', 'true'], { kubeconfig })).code).toBe(0);
  });

  it('kdbg ls writes its JSON to the stdout it is given', async () => {
    const m = memoryIO(kubeconfig);
    const flags: LsFlags = { output: 'json', headers: true };
    expect(await runLs(planLs(flags, undefined), m.io)).toBe(0);
    const items = JSON.parse(m.out()).items;
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ pod: 'web-0', kdbg: true, createdBy: 'debugger' });
    expect(m.err()).toBe('');
  });

  it('kdbg stop says what it stopped on that stdout, and the container ends', async () => {
    const m = memoryIO(kubeconfig);
    expect(await runStop(planStop({ timeout: '30s' }, 'web-0', []), m.io)).toBe(0);
    expect(m.out()).toMatch(/^stopped kdbg-busybox-\w{5} in pod web-0\n$/);
    const pod = await backend.getPod(ns, 'web-0');
    expect(pod.status?.ephemeralContainerStatuses?.[0]?.state?.terminated).toBeTruthy();
  });
});
