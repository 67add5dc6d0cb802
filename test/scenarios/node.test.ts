// kdbg node on every backend: what is refused before anything exists, asserted on the server's state. The real
// node's own cases (host processes, the host's root, PodSecurity's refusal) are in e2e/node.e2e.test.ts.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod, type Backend } from '../backends/backend.ts';
import type { FakeCluster } from '../fake/cluster.ts';
import { backendFromEnv, noOwnPodsLeft, ownPods, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

describe(`kdbg node (${backend.name})`, () => {
  let ns: string;
  let node: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('node', { 'pod-security.kubernetes.io/enforce': 'privileged' });
    node = (await backend.createPod(ns, webPod())).spec!.nodeName!;
  });

  it('a user who may not create pods is refused before anything is created', async () => {
    const r = await runKdbg(['node', node, '--', 'true'], { kubeconfig: await backend.kubeconfig('debugger', ns) });
    expect(r.stderr).toBe(`kdbg: debugger may not create pods, delete pods in namespace ${ns}; kdbg needs it for a shell on node ${node} (nothing was created)\n`);
    expect(r.code).toBe(125);
    expect(await ownPods(backend, ns, 'node')).toEqual([]);
  });

  it("runs the busybox profile's image, as the config has it: requireDigest refuses a tag before anything is created, and the pinned built-in passes", async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'kdbg-node-config-')), 'config.yaml');
    writeFileSync(config, 'requireDigest: true\n');
    const kubeconfig = await backend.kubeconfig('admin', ns);
    const tag = await runKdbg(['node', node, '--config', config, '--image', 'busybox:1.36', '--', 'true'], { kubeconfig });
    expect(tag.stderr).toBe(`kdbg: --image busybox:1.36 is not pinned by digest, and ${config} sets requireDigest: true; use name@sha256:… (--image, or a profile's image)\n`);
    expect(tag.code).toBe(125);
    expect(await ownPods(backend, ns, 'node')).toEqual([]);
    const pinned = await runKdbg(['node', node, '--config', config, '--keep', '--no-chroot', '--', 'echo', 'pinned'], { kubeconfig });
    expect(pinned.stdout.toString()).toBe('pinned\n');
    expect(pinned.code).toBe(0);
    const [kept] = await ownPods(backend, ns, 'node');
    expect((await backend.getPod(ns, kept!)).spec?.containers[0]?.image).toBe('busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662');
    await backend.deletePod(ns, kept!);
    await noOwnPodsLeft(backend, ns, 'node');
  });

  it.runIf(backend.features.hooks)("PodSecurity's exemptions are the API server's: a namespace labelled baseline but exempt gets its shell", async () => {
    const exempt = await backend.newNamespace('node-exempt', { 'pod-security.kubernetes.io/enforce': 'baseline' });
    (backend as Backend & { cluster: FakeCluster }).cluster.hooks.podSecurityExemptions.namespaces.add(exempt);
    const r = await runKdbg(['node', node, '-n', exempt, '--no-chroot', '--', 'echo', 'on the node'], { kubeconfig: await backend.kubeconfig('admin', exempt) });
    expect(r.stdout.toString()).toBe('on the node\n');
    expect(r.code).toBe(0);
    await noOwnPodsLeft(backend, exempt, 'node');
  });
});
