// What a new user tripped over, each fixed and kept fixed. Runs on every backend, except the README tour, which
// runs on the fake's demo (npm run testserver / npm run try).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, runKdbg } from './harness.ts';
import { runKdbgInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

describe(`what a new user trips over (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('usability');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.createPod(ns, webPod('web-0'));
  });

  it.runIf(backend.features.hooks)("the README tour's workload line works on the demo pods", async () => {
    const line = 'kdbg attach deploy/api -c app -- ss -tlnp';
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain(line);
    const { addDemo } = await import('../fake/demo.ts');
    const demoNs = await backend.newNamespace('demo');
    await addDemo((backend as Backend & { cluster: Parameters<typeof addDemo>[0] }).cluster, demoNs);
    const r = await runKdbg([...line.split(' ').slice(1)], { kubeconfig: await backend.kubeconfig('debugger', demoNs) });
    expect(r.stderr).toMatch(/pod\/api-7d9f → app, debug container/);
    expect(r.code).toBe(0);
  });

  it('a KUBECONFIG that names a missing file says so', async () => {
    const r = await runKdbg(['attach', 'web-0', '--', 'true'], { kubeconfig: '/nonexistent/kubeconfig' });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(
      'kdbg: no current context (no kubeconfig was read: /nonexistent/kubeconfig does not exist): pass --kubeconfig or --context, or choose one with kubectl config use-context\n',
    );
  });

  it('flags are checked before the kubeconfig and the network', async () => {
    const kind = await runKdbg(['attach', 'svc/web', '--', 'true'], { kubeconfig: '/nonexistent/kubeconfig' });
    expect(kind.stderr).toBe('kdbg: "svc" is not a kind kdbg can debug; use pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME\n');
    const profile = await runKdbg(['attach', 'web-0', '-p', 'nosuch', '--', 'true'], { kubeconfig: '/nonexistent/kubeconfig' });
    expect(profile.stderr).toMatch(/^kdbg: unknown profile "nosuch" \(known: busybox, netshoot, netadmin, ptrace, restricted\)\n$/);
    expect([kind.code, profile.code]).toEqual([125, 125]);
  });

  it('a command the image lacks is named plainly, with exit 127', async () => {
    const r = await runKdbg(['attach', 'web-0', '--', 'tcpdump-not-here', '-i', 'any'], { kubeconfig });
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('tcpdump-not-here: command not found in the debug container (image busybox:1.36.1@sha256:73aaf090f3d8…)\n');
    expect(r.stderr).not.toMatch(/kdbg: \d+: exec/);
  });

  it("commander's suggestions are one kdbg: line; a command without -- is told about --", async () => {
    const typo = await runKdbg(['atach', 'web-0'], { kubeconfig });
    expect(typo.stderr).toBe("kdbg: unknown command 'atach'; did you mean attach?\n");
    expect(typo.code).toBe(125);
    const noDashes = await runKdbg(['attach', 'web-0', 'ls'], { kubeconfig });
    expect(noDashes.stderr).toBe('kdbg: too many arguments: put the command after --, as in kdbg attach POD -- CMD ARGS\n');
    expect(noDashes.code).toBe(125);
    const notAttach = await runKdbg(['profiles', '--', 'ls'], { kubeconfig });
    expect(notAttach.stderr).toBe('kdbg: only kdbg attach and kdbg node take a command after --\n');
    expect(notAttach.code).toBe(125);
  });

  it('-q leaves only the command on stdout and nothing of kdbg on stderr', async () => {
    const r = await runKdbg(['-q', 'attach', 'web-0', '--', 'sh', '-c', 'echo out; echo err >&2'], { kubeconfig });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('out\n');
    expect(r.stderr).toBe('err\n');
  });

  it('kdbg profiles fits an 80-column terminal; -o wide prints everything', async () => {
    const s = runKdbgInPty(['profiles'], kubeconfig, { cols: 80, rows: 30 });
    expect(await s.exitCode()).toBe(0);
    // the header is bold on a terminal: the width is what shows, without the colour codes
    const shown = s.output().replace(/\x1b\[\d+m/g, '');
    const lines = shown.split(/\r?\n/).filter((l) => /^(NAME|busybox|netshoot|netadmin|ptrace|restricted)/.test(l));
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    const wide = await runKdbg(['profiles', '-o', 'wide'], { kubeconfig });
    expect(wide.stdout.toString().split('\n')[0]).toMatch(/^NAME\s+IMAGE\s+ADDS\s+LEVEL\s+SHELL\s+ENV\s+SOURCE\s+DESCRIPTION$/);
    expect(wide.stdout.toString()).toContain('tcpdump needs the runtime to grant NET_RAW (containerd does)');
  });

  it('Ctrl-C in the picker clears its list and exits 130', async () => {
    const s = runKdbgInPty(['attach', '--', 'true'], kubeconfig, { cols: 100, rows: 30 });
    await s.waitFor('web-0');
    const before = s.output().length;
    s.write('\x03');
    expect(await s.exitCode()).toBe(130);
    // the prompt erased its lines (ESC [ 2K) before kdbg said it was cancelled
    expect(s.output().slice(before)).toMatch(/\x1b\[2K[\s\S]*kdbg: cancelled/);
  });
});
