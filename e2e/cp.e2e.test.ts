// kdbg cp on a real node: the target has no shell, no tar and runs as a non-root user, so everything goes through
// the debug container's busybox tar and /proc/<target PID>/root. A target that lays traps (links out of the copy,
// a device) and a debug container whose tar sends crafted archives get nothing written outside the destination.
// Where the debug container's user may not read a file, or enter the target's root, kdbg says so, and what it
// names as the way out works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import { runKdbg } from '../test/scenarios/harness.ts';
import { ABSOLUTE_ESCAPE, archive, HOSTILE } from '../test/crafted-tar.ts';
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

  it('copies a single file into a non-root, shell-less target, under a new name and into a directory, and back out', async () => {
    const blob = randomBytes(256 << 10);
    const file = path.join(here, 'single.bin');
    writeFileSync(file, blob);
    const renamed = await runKdbg(['cp', file, 'distroless:/data/renamed.bin'], { kubeconfig: debuggerConfig });
    expect(renamed.stderr).toMatch(/kdbg: copied .*\/single\.bin to distroless:\/data\/renamed\.bin\n$/);
    expect(renamed.code).toBe(0);
    const into = await runKdbg(['cp', file, 'distroless:/data/'], { kubeconfig: debuggerConfig });
    expect(into.code).toBe(0);
    const owner = await inTools('stat -c "%u %s" /proc/1/root/data/renamed.bin /proc/1/root/data/single.bin');
    expect(owner.stdout).toBe(`1000 ${blob.length}\n1000 ${blob.length}\n`);
    for (const name of ['renamed.bin', 'single.bin']) {
      const back = path.join(here, `back-${name}`);
      const out = await runKdbg(['cp', `distroless:/data/${name}`, back], { kubeconfig: debuggerConfig });
      expect(out.code).toBe(0);
      expect(readFileSync(back).equals(blob)).toBe(true);
    }
  });

  it("a file of the target its user may not read is refused with that uid, and a root profile with CAP_SYS_PTRACE, as kdbg says, reads it", async () => {
    // root-owned files in the volume of a target whose pod keeps every container as 1000:1000 (the init container
    // that makes them runs as root)
    await backend.createPod(ns, {
      metadata: { name: 'secret' },
      spec: {
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 },
        initContainers: [{
          name: 'seed',
          image: 'busybox:1.36',
          securityContext: { runAsNonRoot: false, runAsUser: 0 },
          command: ['sh', '-c', 'echo pssst > /data/secret && chmod 600 /data/secret && mkdir -m 700 /data/closed && echo x > /data/closed/x'],
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        }],
        containers: [{ name: 'app', image: 'example/noshell:1', command: ['/app'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
        volumes: [{ name: 'data', emptyDir: {} }],
      },
    } as V1Pod);
    const dest = path.join(here, 'secret');
    const refused = await runKdbg(['cp', 'secret:/data/secret', dest], { kubeconfig: debuggerConfig });
    expect(refused.stderr).toMatch(
      /\nkdbg: \/data\/secret: permission denied \(uid 1000 may not read it\); root with CAP_SYS_PTRACE reads any file of the target: a profile \(--config\) whose securityContext sets runAsUser: 0, runAsNonRoot: false and adds SYS_PTRACE, where the namespace allows it\n$/,
    );
    expect(refused.code).toBe(125);
    expect(existsSync(dest)).toBe(false);
    const closed = await runKdbg(['cp', 'secret:/data/closed/x', dest], { kubeconfig: debuggerConfig });
    expect(closed.stderr).toMatch(/\nkdbg: \/data\/closed\/x: permission denied \(uid 1000 may not enter \/data\/closed\); root with CAP_SYS_PTRACE/);
    expect(closed.code).toBe(125);

    const config = path.join(here, 'config.yaml');
    writeFileSync(config, 'profiles:\n  rootptrace:\n    image: busybox:1.36.1\n    securityContext:\n      runAsUser: 0\n      runAsNonRoot: false\n      capabilities:\n        add: [SYS_PTRACE]\n');
    const read = await runKdbg(['cp', '-p', 'rootptrace', '--config', config, 'secret:/data/secret', dest], { kubeconfig: debuggerConfig });
    expect(read.code).toBe(0);
    expect(readFileSync(dest, 'utf8')).toBe('pssst\n');
  });

  it("a target that runs as another user than the debug container: kdbg names both, and --harden (its user and group) and -p ptrace, as it says, read its files", async () => {
    await backend.createPod(ns, {
      metadata: { name: 'other-user' },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 1; done'], securityContext: { runAsUser: 1000, runAsGroup: 1000 } }],
      },
    } as V1Pod);
    const dest = path.join(here, 'other-user-passwd');
    const refused = await runKdbg(['cp', 'other-user:/etc/passwd', dest], { kubeconfig: debuggerConfig });
    expect(refused.stderr).toMatch(
      /\nkdbg: cannot read the target container's files \(\/proc\/1\/root\) as uid 0: its main process runs as uid 1000, and reading another process's files takes its user and group, or CAP_SYS_PTRACE: with --harden the debug container runs as uid 1000, or -p ptrace runs the debug container as root with CAP_SYS_PTRACE\n$/,
    );
    expect(refused.code).toBe(125);
    for (const way of [['--harden'], ['-p', 'ptrace']]) {
      rmSync(dest, { force: true });
      const read = await runKdbg(['cp', ...way, 'other-user:/etc/passwd', dest], { kubeconfig: debuggerConfig });
      expect(read.code, read.stderr).toBe(0);
      expect(readFileSync(dest, 'utf8')).toMatch(/^root:x:0:0:/);
    }
  });

  it('a debug container whose tar sends crafted archives gets nothing written outside the destination', async () => {
    // netshoot's sh finds tar on PATH (busybox's sh would run its own applet): /usr/local/bin/tar comes first there
    await backend.createPod(ns, { metadata: { name: 'hostile' }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 1; done'] }] } } as V1Pod);
    const plant = await runKdbg(['attach', 'hostile', '-p', 'netshoot', '--', 'sh', '-c', 'mkdir -p /usr/local/bin /x && cat >/usr/local/bin/tar && chmod +x /usr/local/bin/tar'], {
      kubeconfig: debuggerConfig,
      stdin: '#!/bin/sh\nexec cat /tmp/evil.tar\n',
    });
    expect(plant.code).toBe(0);
    for (const [what, entries] of HOSTILE) {
      const upload = await runKdbg(['attach', 'hostile', '-p', 'netshoot', '--', 'sh', '-c', 'cat >/tmp/evil.tar'], { kubeconfig: debuggerConfig, stdin: archive(entries) });
      expect(upload.code, what).toBe(0);
      const around = mkdtempSync(path.join(here, 'hostile-'));
      const dest = path.join(around, 'dest');
      mkdirSync(dest);
      const r = await runKdbg(['cp', '-p', 'netshoot', '--debug-fs', 'hostile:/x', dest], { kubeconfig: debuggerConfig });
      expect(r.stderr, what).toMatch(/\nkdbg: refused what the pod sent: [^\n]+ \(the copy was discarded\)\n$/);
      expect(r.stderr.match(/kdbg: refused/g), what).toHaveLength(1);
      expect(r.code, what).toBe(126);
      expect(readdirSync(around), what).toEqual(['dest']);
      expect(readdirSync(dest), what).toEqual([]);
      expect(existsSync(ABSOLUTE_ESCAPE), what).toBe(false);
      expect(existsSync(path.join(here, 'escaped')), what).toBe(false);
    }
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
