// kdbg cp on a real node: the target has no shell, no tar and runs as a non-root user, so everything goes through
// the debug container's busybox tar and /proc/<target PID>/root. A target that lays traps (links out of the copy,
// a device) gets nothing written outside the destination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { runKdbg } from '../test/scenarios/harness.ts';
import { kubectl, realNode, waitContainer } from './helpers.ts';

let backend: RealBackend;
let ns: string;
let debuggerConfig: string;
let admin: string;
const here = mkdtempSync(path.join(tmpdir(), 'kdbg-cp-e2e-'));

/** A pod of example/noshell:1 (only a static /app) as UID 1000, with an emptyDir at /data. */
function shellLessNonRoot(name: string): V1Pod {
  return {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
      containers: [{ name: 'app', image: 'example/noshell:1', command: ['/app'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
      volumes: [{ name: 'data', emptyDir: {} }],
    },
  } as V1Pod;
}

beforeAll(async () => {
  backend = await realBackendImpl();
  ns = await backend.newNamespace('cp');
  debuggerConfig = await backend.kubeconfig('debugger', ns);
  admin = await backend.kubeconfig('admin', ns);
  await backend.createPod(ns, shellLessNonRoot('distroless'));
  // a shell beside the target for the test's own checks (it runs as the pod's UID 1000, like the target)
  const tools = await kubectl('1.33', admin, ['debug', 'distroless', '--image=busybox:1.36', '--target=app', '--profile=general', '-c', 'tools', '--', 'sleep', '3600']);
  expect(tools.code).toBe(0);
  await waitContainer(backend, ns, 'distroless', 'tools', (s) => !!s.state?.running);
});

/** Runs a shell line in the test's own container beside the target; its /proc/1/root is the target's root. */
function inTools(line: string) {
  return kubectl('1.33', admin, ['exec', 'distroless', '-c', 'tools', '--', 'sh', '-c', line]);
}
afterAll(async () => {
  await backend?.close();
});

describe.runIf(realNode())('kdbg cp on a real node', () => {
  it('copies a file and a directory out of a non-root, shell-less target and back in', async () => {
    const app = await runKdbg(['cp', 'distroless:/app', path.join(here, 'app')], { kubeconfig: debuggerConfig });
    expect(app.stderr).toMatch(/kdbg: copied distroless:\/app to .*\/app\n$/);
    expect(app.code).toBe(0);
    expect(lstatSync(path.join(here, 'app')).size).toBeGreaterThan(1000);
    expect(lstatSync(path.join(here, 'app')).mode & 0o111).not.toBe(0);

    const src = path.join(here, 'conf');
    mkdirSync(path.join(src, 'nested'), { recursive: true });
    const blob = randomBytes(1 << 20);
    writeFileSync(path.join(src, 'nested', 'blob.bin'), blob);
    writeFileSync(path.join(src, 'app.yaml'), 'a: 1\n');
    const into = await runKdbg(['cp', path.join(here, 'conf'), 'distroless:/data/conf'], { kubeconfig: debuggerConfig });
    expect(into.stderr).toMatch(/kdbg: copied .*\/conf to distroless:\/data\/conf\n$/);
    expect(into.code).toBe(0);

    const back = path.join(here, 'conf-back');
    const out = await runKdbg(['cp', 'distroless:/data/conf', back], { kubeconfig: debuggerConfig });
    expect(out.code).toBe(0);
    expect(readFileSync(path.join(back, 'nested', 'blob.bin')).equals(blob)).toBe(true);
    expect(readFileSync(path.join(back, 'app.yaml'), 'utf8')).toBe('a: 1\n');

    // written as the target's user, into the target's own volume: the target container sees the same bytes
    const owner = await inTools('stat -c "%u %s" /proc/1/root/data/conf/nested/blob.bin');
    expect(owner.stdout.trim()).toBe(`1000 ${1 << 20}`);
  });

  it('a target that lays traps gets nothing written outside the destination', async () => {
    const outside = `/tmp/kdbg-cp-escaped-${randomBytes(3).toString('hex')}`;
    // the target's volume: a link up and out of the copy, and an absolute link
    const setup = await inTools(`cd /proc/1/root/data && mkdir -p trap/dir && ln -s ../../../../../../../..${outside} trap/up && ln -s ${outside} trap/abs && echo ok`);
    expect(setup.stdout).toBe('ok\n');
    const dest = path.join(here, 'trap-dest');
    mkdirSync(dest);
    const links = await runKdbg(['cp', 'distroless:/data/trap', dest], { kubeconfig: debuggerConfig });
    expect(links.code).toBe(0);
    expect(readdirSync(path.join(dest, 'trap'))).toEqual(['dir']);
    expect(links.stderr).toMatch(/kdbg: copied distroless:\/data\/trap to .* \(left out: 2 symlinks pointing outside the copy\)\n$/);
    expect(existsSync(outside)).toBe(false);

    // devices: a non-root target cannot make one, but the debug container's own /dev has them
    const devDest = path.join(here, 'dev-dest');
    mkdirSync(devDest);
    const dev = await runKdbg(['cp', '--debug-fs', 'distroless:/dev', devDest], { kubeconfig: debuggerConfig });
    expect(dev.stderr).toMatch(/kdbg: copied distroless:\/dev to .*\(left out: \d+ symlinks pointing outside the copy, \d+ devices or FIFOs\)\n$/);
    expect(dev.code).toBe(0);
    const kinds = execFileSync('find', [devDest, '!', '-type', 'd', '!', '-type', 'f', '!', '-type', 'l'], { encoding: 'utf8' });
    expect(kinds).toBe('');
  });
});
