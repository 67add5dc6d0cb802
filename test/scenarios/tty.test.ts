// Interactive sessions in a real pseudo-terminal: shell, resize, Ctrl-C, ~., exit codes, terminal restored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually } from './harness.ts';
import { runKdbgInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

describe(`interactive sessions (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('tty');
    await backend.createPod(ns, webPod('web-0', {
      containers: [
        { name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 1; done'] },
        { name: 'sidecar', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 1; done'] },
      ],
    }));
    await backend.createPod(ns, webPod('web-1'));
    kubeconfig = await backend.kubeconfig('debugger', ns);
  });

  it('opens a shell with the terminal size, follows resizes, passes exit codes and restores the terminal', async () => {
    const s = runKdbgInPty(['attach', 'web-0', '-c', 'app'], kubeconfig, { cols: 100, rows: 30 });
    await s.waitFor('~. at the start of a line ends the session');
    s.write('echo READY-$((6*7))\r');
    await s.waitFor('READY-42');
    s.write('stty size\r');
    await s.waitFor(/\n30 100\r\n/);
    await s.resizeTo(120, 40);
    s.write('exit 7\r');
    expect(await s.exitCode()).toBe(7);
    const { before, after } = s.sttyBeforeAfter();
    expect(after).toBe(before);
  });

  it('sends Ctrl-C to the remote program, not to kdbg', async () => {
    const s = runKdbgInPty(['attach', 'web-0', '-c', 'app'], kubeconfig);
    await s.waitFor('~. at the start');
    s.write('sleep 303\r');
    await eventually(async () => (await backend.nodeProcesses('sleep 303')).length > 0, 10_000);
    s.write('\x03');
    await eventually(async () => (await backend.nodeProcesses('sleep 303')).length === 0, 10_000);
    s.write('echo AFTER-SLEEP-$?\r');
    await s.waitFor(/AFTER-SLEEP-130/);
    expect(await backend.nodeProcesses('sleep 303')).toEqual([]);
    s.write('exit 0\r');
    expect(await s.exitCode()).toBe(0);
  });

  it('~. ends the session, stops what runs in it, exits 130 and restores the terminal', async () => {
    const s = runKdbgInPty(['attach', 'web-0', '-c', 'app'], kubeconfig);
    await s.waitFor('~. at the start');
    s.write('sleep 304\r');
    await eventually(async () => (await backend.nodeProcesses('sleep 304')).length > 0, 10_000);
    s.write('\r~.');
    expect(await s.exitCode()).toBe(130);
    expect(s.output()).toContain('session ended with ~.');
    const { before, after } = s.sttyBeforeAfter();
    expect(after).toBe(before);
    expect(await eventually(async () => (await backend.nodeProcesses('sleep 304')).length === 0, 5000)).toBe(true);
  });

  it('--escape-char none passes ~. through to the remote shell', async () => {
    const s = runKdbgInPty(['attach', 'web-0', '-c', 'app', '--escape-char', 'none'], kubeconfig);
    await s.waitFor(/kdbg: .*debug container/);
    s.write('echo ~.X-$((1+1))\r');
    await s.waitFor('~.X-2');
    s.write('exit 5\r');
    expect(await s.exitCode()).toBe(5);
    expect(s.output()).not.toContain('~. at the start');
  });

  it('asks for the container on a terminal when the pod has several', async () => {
    const s = runKdbgInPty(['attach', 'web-0', '--', 'sh', '-c', 'echo picked'], kubeconfig);
    await s.waitFor('Container of web-0 to debug');
    await s.waitFor('sidecar');
    const typed = s.output().length;
    s.write('side');
    await s.waitFor(/side[\s\S]*❯ sidecar/, 5000, typed); // the filtered list, with the cursor on it
    s.write('\r');
    await s.waitFor(/pod\/web-0 → sidecar/);
    expect(await s.exitCode()).toBe(0);
  });

  it('offers a fuzzy pod picker when no pod is named', async () => {
    const s = runKdbgInPty(['attach', '--', 'sh', '-c', 'echo picked-$((1+1))'], kubeconfig);
    await s.waitFor(/Pod in \S+/);
    await s.waitFor('web-1');
    const typed = s.output().length;
    s.write('wb1');
    await s.waitFor(/wb1[\s\S]*❯ web-1/, 5000, typed);
    s.write('\r');
    await s.waitFor(/pod\/web-1 → app/);
    await s.waitFor('picked-2');
    expect(await s.exitCode()).toBe(0);
  });

  it('-t gives a command after -- a terminal of its own', async () => {
    const s = runKdbgInPty(['attach', 'web-0', '-c', 'app', '-t', '--', 'sh', '-c', 'tty; exit 2'], kubeconfig);
    await s.waitFor(/\/dev\/pts\/\d+/);
    expect(await s.exitCode()).toBe(2);
  });
});
