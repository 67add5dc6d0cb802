// kdbg cp: into the target's filesystem and back out, with tar only in the debug container. Runs on every backend.
// The in-process fake's containers are host processes without PID namespaces, so there is no target root at
// /proc/1/root: there the copies go to the debug container's own filesystem (--debug-fs), the same tar both ways.
// Nor are they in cgroups of their own: in a pod that shares a PID namespace, the fake's target cannot be found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, runKdbg } from './harness.ts';
import { runKdbgInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const side = backend.name === 'fake' ? ['--debug-fs'] : [];

describe(`kdbg cp (${backend.name})`, () => {
  let kubeconfig: string;
  let ns: string;
  const here = mkdtempSync(path.join(tmpdir(), 'kdbg-cp-test-'));
  const remote = `/tmp/kdbg-cp-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    ns = await backend.newNamespace('cp');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.createPod(ns, webPod('web-0'));
  });

  it('copies a directory in and back out: bytes, a symlink as a link, modes and mtimes', async () => {
    const src = path.join(here, 'bundle');
    mkdirSync(src);
    const blob = randomBytes(3 << 20);
    writeFileSync(path.join(src, 'blob.bin'), blob);
    writeFileSync(path.join(src, 'run.sh'), '#!/bin/sh\necho hi\n');
    chmodSync(path.join(src, 'run.sh'), 0o750);
    utimesSync(path.join(src, 'run.sh'), new Date(1_600_000_000_000), new Date(1_600_000_000_000));
    symlinkSync('run.sh', path.join(src, 'current'));

    const into = await runKdbg(['cp', ...side, src, `web-0:${remote}`], { kubeconfig });
    expect(into.stderr).toMatch(new RegExp(`kdbg: copied ${src} to web-0:${remote}\\n$`));
    expect(into.code).toBe(0);

    const back = path.join(here, 'back');
    const out = await runKdbg(['cp', ...side, `web-0:${remote}`, back], { kubeconfig });
    expect(out.stderr).toMatch(new RegExp(`kdbg: copied web-0:${remote} to ${back}\\n$`));
    expect(out.code).toBe(0);
    expect(readFileSync(path.join(back, 'blob.bin')).equals(blob)).toBe(true);
    expect(lstatSync(path.join(back, 'run.sh')).mode & 0o777).toBe(0o750);
    expect(lstatSync(path.join(back, 'run.sh')).mtimeMs).toBe(1_600_000_000_000);
    expect(readlinkSync(path.join(back, 'current'))).toBe('run.sh');
  });

  it('copies one file into an existing local directory under its own name', async () => {
    const dir = path.join(here, 'files');
    mkdirSync(dir);
    const r = await runKdbg(['cp', ...side, `web-0:${remote}/run.sh`, dir], { kubeconfig });
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'run.sh'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
  });

  it('a missing path is one line and exit 125; a pod-to-pod copy is a usage error', async () => {
    const r = await runKdbg(['cp', ...side, `web-0:${remote}/nope`, path.join(here, 'nope')], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(new RegExp(`kdbg: ${remote}/nope: no such file or directory\\n$`));
    const both = await runKdbg(['cp', 'web-0:/a', 'web-0:/b'], { kubeconfig });
    expect(both.code).toBe(125);
    expect(both.stderr).toBe('kdbg: one side of kdbg cp is this machine: POD:PATH LOCAL, or LOCAL POD:PATH\n');
  });

  it.each([
    ['shared-pid', 'whose containers share one PID namespace', { shareProcessNamespace: true }],
    ['host-pid', "that shares the node's PID namespace", { hostPID: true }],
  ] as [string, string, Partial<V1Pod['spec']>][])("in a pod %s %s (PID 1 is not the target's), reads the target container's files or none", async (name, _, shared) => {
    const marking = (who: string): V1Container => ({ name: who, image: 'busybox:1.36', command: ['sh', '-c', `echo ${who} > "\${TMPDIR:-/tmp}/marker"; while true; do sleep 1; done`] });
    await backend.createPod(ns, { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...shared, terminationGracePeriodSeconds: 1, containers: [marking('app'), marking('sidecar')] } } as V1Pod);
    const to = path.join(here, `${name}-marker`);
    const r = await runKdbg(['cp', '-c', 'sidecar', `${name}:/tmp/marker`, to], { kubeconfig });
    if (backend.name === 'fake') {
      expect(r.stderr).toMatch(/\nkdbg: no process of the target container \([0-9a-f]{12}\) among the pod's processes: the target's files cannot be told from another container's; nothing was copied\n$/);
      expect(r.code).toBe(125);
      expect(existsSync(to)).toBe(false);
    } else {
      expect(r.stderr).toMatch(new RegExp(`kdbg: copied ${name}:/tmp/marker to ${to}\\n$`));
      expect(r.code).toBe(0);
      expect(readFileSync(to, 'utf8')).toBe('sidecar\n');
    }
  });

  it('on a terminal, shows a progress bar with the bytes of what goes in', async () => {
    const big = path.join(here, 'big.bin');
    writeFileSync(big, randomBytes(32 << 20));
    const s = runKdbgInPty(['cp', ...side, big, `web-0:${remote}-big.bin`], kubeconfig, { cols: 160, rows: 30 });
    expect(await s.exitCode()).toBe(0);
    expect(s.output()).toMatch(new RegExp(`Copying ${big} into web-0 \\[[#-]{20}\\] \\d+%: [\\d.]+ [KM]iB of 32 MiB`));
    expect(s.output()).toContain(`kdbg: copied ${big} to web-0:${remote}-big.bin`);
  });
});
