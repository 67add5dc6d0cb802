// kdbg profiles and profiles show: the catalog, and the exact container attach sends. Runs on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { V1EphemeralContainer } from '@kubernetes/client-node';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'kdbg-config-')), 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe(`profiles (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('profiles');
    await backend.createPod(ns, webPod('hardened', { securityContext: { runAsNonRoot: true, runAsUser: 1000 } }));
    kubeconfig = await backend.kubeconfig('debugger', ns);
  });

  it('lists the built-in profiles with the default marked', async () => {
    const r = await runKdbg(['profiles'], { kubeconfig });
    expect(r.code).toBe(0);
    const lines = r.stdout.toString().trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+IMAGE\s+ADDS\s+LEVEL\s+SOURCE\s+DESCRIPTION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['busybox*', 'netshoot', 'netadmin', 'ptrace', 'restricted']);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[3])).toEqual(['baseline', 'baseline', 'privileged', 'privileged', 'restricted']);
  });

  it("shows each profile's PodSecurity level, computed from its securityContext, and in a pod with the pod's own", async () => {
    const config = writeConfig(
      'profiles:\n' +
        '  locked:\n    extends: busybox\n    securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}, seccompProfile: {type: RuntimeDefault}}\n' +
        '  chown:\n    extends: busybox\n    securityContext: {capabilities: {add: [CHOWN]}}\n' +
        '  unconfined:\n    extends: busybox\n    securityContext: {seccompProfile: {type: Unconfined}}\n',
    );
    const listed = JSON.parse((await runKdbg(['profiles', '--config', config, '-o', 'json'], { kubeconfig })).stdout.toString()) as { name: string; podSecurityLevel: string }[];
    expect(Object.fromEntries(listed.map((p) => [p.name, p.podSecurityLevel]))).toMatchObject({ locked: 'baseline', chown: 'baseline', unconfined: 'privileged' });
    // the pod sets runAsNonRoot: locked passes restricted there
    const shown = await runKdbg(['profiles', 'show', 'locked', 'hardened', '--config', config], { kubeconfig });
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('kdbg: PodSecurity level this container needs in pod hardened: restricted\n');
    const alone = await runKdbg(['profiles', 'show', 'locked', '--config', config], { kubeconfig });
    expect(alone.stderr).toContain('kdbg: PodSecurity level this container needs: baseline\n');
  });

  it('uses a profile that adds capabilities only when named or made the default, and a privileged one only with --allow-privileged', async () => {
    const plain = await runKdbg(['attach', 'hardened', '--new', '--', 'true'], { kubeconfig });
    expect(plain.code).toBe(0);
    const byDefault = writeConfig('defaultProfile: netadmin\n');
    const named = await runKdbg(['attach', 'hardened', '--new', '--config', byDefault, '--', 'sh', '-c', 'echo $KDBG_PROFILE'], { kubeconfig });
    expect(named.stdout.toString()).toBe('netadmin\n');
    const sent = await backend.ephemeralContainers(ns, 'hardened');
    expect(sent.filter((c) => c.securityContext?.capabilities?.add?.length).map((c) => c.env?.find((e) => e.name === 'KDBG_PROFILE')?.value)).toEqual(['netadmin']);

    const privileged = writeConfig('profiles:\n  root:\n    extends: busybox\n    securityContext: {privileged: true}\n');
    for (const command of [['attach', 'hardened'], ['cp', 'hardened:/etc/hostname', join(tmpdir(), 'kdbg-priv-x')], ['capture', 'hardened', '-w', join(tmpdir(), 'kdbg-priv.pcap')]]) {
      const r = await runKdbg([...command, '--config', privileged, '-p', 'root'], { kubeconfig });
      expect(r.code).toBe(125);
      expect(r.stderr).toBe('kdbg: profile "root" sets privileged: true, which opens the whole node to the debug container; pass --allow-privileged to use it\n');
    }
    expect((await backend.ephemeralContainers(ns, 'hardened')).length).toBe(sent.length);
    const allowed = await runKdbg(['attach', 'hardened', '--config', privileged, '-p', 'root', '--allow-privileged', '--', 'true'], { kubeconfig });
    expect(allowed.code).toBe(0);
    expect((await backend.ephemeralContainers(ns, 'hardened')).some((c) => c.securityContext?.privileged === true)).toBe(true);
  });

  it('with requireDigest: true, runs the built-ins (pinned by digest, also through a mirror) and refuses an image pinned only by tag before asking the cluster anything', async () => {
    const config = writeConfig('requireDigest: true\n');
    const builtin = await runKdbg(['attach', 'hardened', '--config', config, '-q', '--', 'echo', 'pinned'], { kubeconfig });
    expect(builtin.stderr).toBe('');
    expect(builtin.stdout.toString()).toBe('pinned\n');
    const mirrored = await runKdbg(['profiles', '-o', 'json', '--config', writeConfig('requireDigest: true\nregistry: mirror.example.com/hub\n')], { kubeconfig });
    expect((JSON.parse(mirrored.stdout.toString()) as { name: string; image: string }[]).find((p) => p.name === 'busybox')?.image).toBe(
      'mirror.example.com/hub/library/busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662',
    );
    const before = (await backend.ephemeralContainers(ns, 'hardened')).length;
    const flag = await runKdbg(['cp', 'hardened:/etc/hostname', join(tmpdir(), 'kdbg-digest-x'), '--config', config, '--image', 'busybox:1.36.1'], { kubeconfig });
    expect(flag.code).toBe(125);
    expect(flag.stderr).toBe(`kdbg: --image busybox:1.36.1 is not pinned by digest, and ${config} sets requireDigest: true; use name@sha256:… (--image, or a profile's image)\n`);
    expect((await backend.ephemeralContainers(ns, 'hardened')).length).toBe(before);
    const custom = writeConfig('requireDigest: true\nprofiles:\n  tools:\n    image: example/tools:1.2\n');
    const listed = await runKdbg(['profiles', '--config', custom], { kubeconfig });
    expect(listed.code).toBe(125);
    expect(listed.stderr).toBe(`kdbg: ${custom}:4:12: profiles.tools.image: "example/tools:1.2" is not pinned by digest, which requireDigest: true demands (name@sha256:…)\n`);
  });

  it('adds custom profiles from the config file and reports a bad one with file, line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdbg-config-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'profiles:\n  tools:\n    extends: netshoot\n    env: {FOO: bar}\n');
    const listed = await runKdbg(['profiles', '--config', good, '-o', 'json'], { kubeconfig });
    expect((JSON.parse(listed.stdout.toString()) as { name: string; image: string }[]).find((p) => p.name === 'tools')?.image).toBe(
      'nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b',
    );
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'profiles:\n  tools:\n    image: example/tools:latest\n');
    const r = await runKdbg(['attach', 'hardened', '--config', bad, '-p', 'tools', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(new RegExp(`^kdbg: ${bad}:3:12: profiles\\.tools\\.image: .*latest`));
  });

  it('profiles show prints exactly the container attach then adds', async () => {
    const shown = await runKdbg(['profiles', 'show', 'busybox', 'hardened', '--reason', 'INC-7', '-o', 'json'], { kubeconfig });
    expect(shown.code).toBe(0);
    const spec = JSON.parse(shown.stdout.toString()) as V1EphemeralContainer;
    expect(spec.securityContext).toEqual({ runAsUser: 1000 });
    const r = await runKdbg(['attach', 'hardened', '--new', '--reason', 'INC-7', '--', 'sh', '-c', 'echo $KDBG_NAME'], { kubeconfig });
    expect(r.code).toBe(0);
    const name = r.stdout.toString().trim();
    const sent = (await backend.ephemeralContainers(ns, 'hardened')).find((c) => c.name === name)!;
    const env = (c: V1EphemeralContainer) => Object.fromEntries((c.env ?? []).filter((e) => e.name !== 'KDBG_NAME').map((e) => [e.name, e.value]));
    expect(env(sent)).toEqual(env(spec));
    expect({ image: sent.image, command: sent.command, securityContext: sent.securityContext, targetContainerName: sent.targetContainerName }).toEqual({
      image: spec.image,
      command: spec.command,
      securityContext: spec.securityContext,
      targetContainerName: spec.targetContainerName,
    });
  });

  it('profiles show without a pod shows placeholders in YAML', async () => {
    const r = await runKdbg(['profiles', 'show', 'restricted'], { kubeconfig });
    const spec = parse(r.stdout.toString()) as V1EphemeralContainer;
    expect(spec.name).toBe('kdbg-restricted-xxxxx');
    expect(spec.targetContainerName).toBe('<target>');
    expect(spec.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65534,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });
});
