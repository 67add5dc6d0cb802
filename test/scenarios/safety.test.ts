// Safety before anything exists: the API server's dry run of the exact PATCH judges every new debug container, and
// without -p kdbg picks a profile the namespace's PodSecurity admits. Runs on every backend; the webhook and the
// recorded requests are the fake's (e2e/webhook.e2e.test.ts registers a real webhook).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { webPod, type Backend } from '../backends/backend.ts';
import type { FakeCluster } from '../fake/cluster.ts';
import type { FakeWebhook } from '../fake/api/webhooks.ts';
import { backendFromEnv, runKdbg } from './harness.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());
// the in-process fake's own handle (hooks, recorded requests); the real backend has none
const cluster = backend.features.hooks ? (backend as Backend & { cluster: FakeCluster }).cluster : undefined;

/** A pod that PodSecurity "restricted" admits: its user 1000, the app's container locked down. */
function restrictedPod(name: string): V1Pod {
  const pod = webPod(name, { securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } } });
  pod.spec!.containers[0]!.securityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  return pod;
}

const profileOf = (c: V1EphemeralContainer) => c.env?.find((e) => e.name === 'KDBG_PROFILE')?.value;

describe(`dry run and a default that passes (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  beforeAll(async () => {
    ns = await backend.newNamespace('safety', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await Promise.all(['web-0', 'web-1', 'web-2', 'web-3'].map((name) => backend.createPod(ns, restrictedPod(name))));
  });

  it('without -p, picks restricted where the namespace enforces it, says so, and works', async () => {
    cluster?.clearRequests();
    const r = await runKdbg(['attach', 'web-0', '--', 'id', '-u'], { kubeconfig });
    expect(r.stderr).toContain(`kdbg: profile restricted: namespace ${ns} enforces restricted\n`);
    expect(r.stdout.toString()).toBe('65534\n');
    expect(r.code).toBe(0);
    expect((await backend.ephemeralContainers(ns, 'web-0')).map(profileOf)).toEqual(['restricted']);
    if (cluster) {
      // the exact PATCH was judged first
      const patches = cluster.requests.filter((q) => q.method === 'PATCH' && q.path.endsWith('/ephemeralcontainers'));
      expect(patches.map((q) => q.query)).toEqual(['dryRun=All', '']);
      expect(patches[0]!.body).toBe(patches[1]!.body);
    }
  });

  it('a reused container sends no dry run', async () => {
    cluster?.clearRequests();
    const r = await runKdbg(['attach', 'web-0', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/\(reused/);
    expect(await backend.ephemeralContainers(ns, 'web-0')).toHaveLength(1);
    if (cluster) expect(cluster.requests.filter((q) => q.method === 'PATCH')).toEqual([]);
  });

  it('a named profile the namespace refuses creates nothing, and the refusal names the fields and --harden', async () => {
    const r = await runKdbg(['attach', 'web-1', '-p', 'netshoot', '--', 'true'], { kubeconfig });
    expect(r.code).toBe(125);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^kdbg: PodSecurity refuses debug container kdbg-netshoot-\w{5}: pods "web-1" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false \(container "kdbg-netshoot-\w{5}" must set securityContext\.allowPrivilegeEscalation=false\), unrestricted capabilities \(container "kdbg-netshoot-\w{5}" must set securityContext\.capabilities\.drop=\["ALL"\]\)/,
    );
    expect(r.stderr).toContain("(nothing was created); --harden runs profile netshoot's image with the restricted securityContext (non-root, no capabilities), or use -p restricted\n");
    expect(await backend.ephemeralContainers(ns, 'web-1')).toEqual([]);
  });

  it('-p netshoot --harden runs netshoot as the pod\'s user, without capabilities', async () => {
    const r = await runKdbg(['attach', 'web-1', '-p', 'netshoot', '--harden', '--', 'id', '-u'], { kubeconfig, timeoutMs: 90_000 });
    expect(r.stderr).not.toContain('refuses');
    expect(r.stdout.toString()).toBe('1000\n');
    expect(r.code).toBe(0);
    const [added] = await backend.ephemeralContainers(ns, 'web-1');
    expect(added!.image).toContain('netshoot');
    expect(added!.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } });
  });

  it('profiles show explains the choice for a pod: the level needed against the namespace\'s, and the profile without -p', async () => {
    const refused = await runKdbg(['profiles', 'show', 'netshoot', 'web-1'], { kubeconfig });
    expect(refused.code).toBe(0);
    expect(refused.stderr).toBe(
      'kdbg: PodSecurity level this container needs in pod web-1: baseline\n' +
        `kdbg: attach would refuse it: namespace ${ns} enforces PodSecurity restricted, and debug container kdbg-netshoot-xxxxx needs baseline: allowPrivilegeEscalation != false, unrestricted capabilities; ` +
        "--harden runs profile netshoot's image with the restricted securityContext (non-root, no capabilities), or use -p restricted\n" +
        `kdbg: without -p, attach uses restricted here: namespace ${ns} enforces restricted\n`,
    );
    const hardened = await runKdbg(['profiles', 'show', 'netshoot', 'web-1', '--harden'], { kubeconfig });
    expect(hardened.stderr).toBe(`kdbg: PodSecurity level this container needs in pod web-1: restricted\nkdbg: namespace ${ns} enforces PodSecurity restricted, which admits this container\n`);
  });

  it.runIf(backend.features.hooks)('a refusal only the dry run can see (an admission webhook) creates nothing', async () => {
    const webhook: FakeWebhook = {
      name: 'deny.example.com',
      sideEffects: 'None',
      review: (req) => {
        const reasons = (req.object.spec.ephemeralContainers ?? []).flatMap((c: V1EphemeralContainer) => c.env ?? []).filter((e: { name: string; value?: string }) => e.name === 'KDBG_REASON' && e.value === 'change-freeze');
        return req.namespace !== ns || reasons.length === 0
          ? { allowed: true }
          : { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'no debug containers during a change freeze (KDBG_REASON=change-freeze)' } };
      },
    };
    cluster!.hooks.webhooks.push(webhook);
    cluster!.clearRequests();
    try {
      const r = await runKdbg(['attach', 'web-2', '--reason', 'change-freeze', '--', 'true'], { kubeconfig });
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(
        /^kdbg: profile restricted: namespace \S+ enforces restricted\nkdbg: an admission webhook refuses debug container kdbg-restricted-\w{5}: admission webhook "deny\.example\.com" denied the request: no debug containers during a change freeze \(KDBG_REASON=change-freeze\) \(nothing was created\)\n$/,
      );
      expect(await backend.ephemeralContainers(ns, 'web-2')).toEqual([]);
      expect(cluster!.requests.filter((q) => q.method === 'PATCH').map((q) => q.query)).toEqual(['dryRun=All']);
    } finally {
      cluster!.hooks.webhooks.length = 0;
    }
  });

  it.runIf(backend.features.hooks)('where a webhook cannot take a dry run (side effects), the PATCH is the judge, and its refusal reads the same', async () => {
    cluster!.hooks.webhooks.push({
      name: 'audit.example.com',
      sideEffects: 'Some',
      review: (req) => (req.namespace === ns ? { allowed: false, status: { message: 'every debug container is reviewed first' } } : { allowed: true }),
    });
    cluster!.clearRequests();
    try {
      const r = await runKdbg(['attach', 'web-2', '--', 'true'], { kubeconfig });
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(
        /\nkdbg: an admission webhook refuses debug container kdbg-restricted-\w{5}: admission webhook "audit\.example\.com" denied the request: every debug container is reviewed first \(nothing was created\)\n$/,
      );
      expect(cluster!.requests.filter((q) => q.method === 'PATCH').map((q) => q.query)).toEqual(['dryRun=All', '']);
      expect(await backend.ephemeralContainers(ns, 'web-2')).toEqual([]);
    } finally {
      cluster!.hooks.webhooks.length = 0;
    }
  });

  it.runIf(backend.features.hooks)("where the namespace's labels cannot be read, the dry run decides: PodSecurity refuses busybox, restricted is used", async () => {
    // last: the denial holds for the rest of this cluster's life
    cluster!.hooks.deny('debugger', 'get', 'namespaces');
    const r = await runKdbg(['attach', 'web-3', '--', 'id', '-u'], { kubeconfig });
    expect(r.stderr).toContain(`kdbg: profile restricted: PodSecurity in namespace ${ns} refuses profile busybox\n`);
    expect(r.stdout.toString()).toBe('65534\n');
    expect(r.code).toBe(0);
    expect((await backend.ephemeralContainers(ns, 'web-3')).map(profileOf)).toEqual(['restricted']);
  });
});
