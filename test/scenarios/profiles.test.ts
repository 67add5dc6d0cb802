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
    expect(lines[0]).toMatch(/^NAME\s+IMAGE\s+ADDS\s+SOURCE\s+DESCRIPTION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['busybox*', 'netshoot', 'netadmin', 'ptrace', 'restricted']);
  });

  it('adds custom profiles from the config file and reports a bad one with file, line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kdbg-config-'));
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'profiles:\n  tools:\n    extends: netshoot\n    env: {FOO: bar}\n');
    const listed = await runKdbg(['profiles', '--config', good, '-o', 'json'], { kubeconfig });
    expect((JSON.parse(listed.stdout.toString()) as { name: string; image: string }[]).find((p) => p.name === 'tools')?.image).toBe('nicolaka/netshoot:v0.13');
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
