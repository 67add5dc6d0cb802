// PodSecurity admission over real sockets: enforce refuses pod creation and the ephemeralcontainers PATCH with the
// plugin's exact 403, in upstream check order; warn answers a Warning header; dry runs are admitted the same way;
// the configuration's exemptions skip it.
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { call, watch } from '../test-client.ts';

let cluster: FakeCluster;
const label = (level: string, mode = 'enforce') => ({ [`pod-security.kubernetes.io/${mode}`]: level });
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 10, statusLagMs: 30 });
  cluster.createNamespace('restricted', label('restricted'));
  cluster.createNamespace('baseline', label('baseline'));
  cluster.createNamespace('pinned', { ...label('baseline'), 'pod-security.kubernetes.io/enforce-version': 'v1.30' });
  cluster.createNamespace('warned', label('restricted', 'warn'));
});
afterAll(() => cluster.close());

const post = (ns: string, body: unknown, query = '') => call(cluster, 'admin', 'POST', `/api/v1/namespaces/${ns}/pods${query}`, { body });
const plain = (name: string) => ({ metadata: { name }, spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] } });
/** what `kdbg node` creates: host namespaces, a privileged container, the node's / mounted */
const nodeDebugger = {
  metadata: { name: 'node-debugger' },
  spec: {
    hostPID: true,
    hostNetwork: true,
    hostIPC: true,
    restartPolicy: 'Never',
    containers: [{ name: 'debugger', image: 'busybox:1.36', securityContext: { privileged: true }, volumeMounts: [{ name: 'host-root', mountPath: '/host' }] }],
    volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
  },
};
/** a pod restricted admits */
const hardened = (name: string) => ({
  metadata: { name },
  spec: {
    securityContext: { runAsNonRoot: true, runAsUser: 65534, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'], securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  },
});

const restrictedPlain =
  'violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe('enforce on create', () => {
  it('restricted refuses a plain pod with the 403 of the PodSecurity plugin', async () => {
    const r = await post('restricted', plain('plain'));
    expect(r.status).toBe(403);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `pods "plain" is forbidden: ${restrictedPlain}`,
      reason: 'Forbidden',
      details: { name: 'plain', kind: 'pods' },
      code: 403,
    });
  });

  it('names a generated pod by its generated name', async () => {
    const r = await post('restricted', { ...plain(''), metadata: { generateName: 'gen-' } });
    expect(r.json.message).toMatch(/^pods "gen-[bcdfghjklmnpqrstvwxz2456789]{5}" is forbidden: violates PodSecurity "restricted:latest": /);
  });

  it('restricted admits a hardened pod, which then runs', async () => {
    expect((await post('restricted', hardened('hard'))).status).toBe(201);
  });

  it('restricted lists every offence in check order: baseline checks first, then the restricted ones', async () => {
    const r = await post('restricted', {
      metadata: { name: 'worst' },
      spec: {
        hostNetwork: true,
        securityContext: { runAsUser: 0, sysctls: [{ name: 'kernel.msgmax', value: '1' }] },
        containers: [
          { name: 'a', image: 'busybox:1.36', ports: [{ containerPort: 80, hostPort: 8080 }], securityContext: { capabilities: { add: ['NET_RAW', 'NET_BIND_SERVICE'] }, seccompProfile: { type: 'Unconfined' } } },
        ],
        volumes: [{ name: 'data', nfs: { server: 'nfs', path: '/' } }],
      },
    });
    expect(r.json.message).toBe(
      'pods "worst" is forbidden: violates PodSecurity "restricted:latest": host namespaces (hostNetwork=true), hostPort (container "a" uses hostPort 8080), ' +
        'forbidden sysctls (kernel.msgmax), allowPrivilegeEscalation != false (container "a" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (container "a" must set securityContext.capabilities.drop=["ALL"]; container "a" must not include "NET_RAW" in securityContext.capabilities.add), ' +
        'restricted volume types (volume "data" uses restricted volume type "nfs"), runAsNonRoot != true (pod or container "a" must set securityContext.runAsNonRoot=true), ' +
        'runAsUser=0 (pod must not set runAsUser=0), seccompProfile (container "a" must not set securityContext.seccompProfile.type to "Unconfined")',
    );
  });

  it('baseline refuses what `kdbg node` creates: host namespaces, hostPath, privileged', async () => {
    const r = await post('baseline', nodeDebugger);
    expect(r.status).toBe(403);
    expect(r.json.message).toBe(
      'pods "node-debugger" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true, hostIPC=true), ' +
        'hostPath volumes (volume "host-root"), privileged (container "debugger" must not set securityContext.privileged=true)',
    );
  });

  it('baseline refuses added capabilities beyond its set, Unconfined seccomp, procMount and SELinux options', async () => {
    const r = await post('baseline', {
      metadata: { name: 'caps' },
      spec: {
        securityContext: { seLinuxOptions: { type: 'spc_t' } },
        containers: [{ name: 'a', image: 'busybox:1.36', securityContext: { capabilities: { add: ['SYS_ADMIN', 'NET_RAW', 'CHOWN'] }, procMount: 'Unmasked', seccompProfile: { type: 'Unconfined' } } }],
      },
    });
    expect(r.json.message).toBe(
      'pods "caps" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "a" must not include "NET_RAW", "SYS_ADMIN" in securityContext.capabilities.add), ' +
        'procMount (container "a" must not set securityContext.procMount to "Unmasked"), seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t"), ' +
        'seccompProfile (container "a" must not set securityContext.seccompProfile.type to "Unconfined")',
    );
    expect((await post('baseline', plain('fine'))).status).toBe(201);
  });

  it("the configuration's exemptions admit what the label refuses: a namespace, the requesting user", async () => {
    const { podSecurityExemptions: exempt } = cluster.hooks;
    cluster.createNamespace('exempt', label('baseline'));
    exempt.namespaces.add('exempt');
    try {
      expect((await post('exempt', nodeDebugger)).status).toBe(201);
      expect((await post('baseline', nodeDebugger, '?dryRun=All')).status).toBe(403);
      exempt.usernames.add('admin');
      expect((await post('baseline', nodeDebugger, '?dryRun=All')).status).toBe(201);
    } finally {
      exempt.namespaces.clear();
      exempt.usernames.clear();
    }
  });

  it('prints the enforce-version of the label', async () => {
    expect((await post('pinned', nodeDebugger)).json.message).toMatch(/^pods "node-debugger" is forbidden: violates PodSecurity "baseline:v1\.30": host namespaces/);
  });

  it('a dry run is refused the same way, and a passing one stores nothing', async () => {
    const r = await post('restricted', plain('dry'), '?dryRun=All');
    expect(r.status).toBe(403);
    expect(r.json.message).toBe(`pods "dry" is forbidden: ${restrictedPlain}`);
    expect((await post('restricted', hardened('dry'), '?dryRun=All')).status).toBe(201);
    expect(cluster.getPod('restricted', 'dry')).toBeUndefined();
  });
});

describe('warn', () => {
  it('admits the pod and answers the violations as a Warning header', async () => {
    const r = await post('warned', plain('plain'));
    expect(r.status).toBe(201);
    const violations = restrictedPlain.replace(/^violates /, '').replace(/"/g, '\\"');
    expect(r.headers.warning).toBe(`299 - "would violate ${violations}"`);
    expect((await post('warned', hardened('hard'))).headers.warning).toBeUndefined();
  });
});

describe('the ephemeralcontainers PATCH', () => {
  const smp = 'application/strategic-merge-patch+json';
  const patch = (ns: string, pod: string, ec: object, query = '') =>
    call(cluster, 'debugger', 'PATCH', `/api/v1/namespaces/${ns}/pods/${pod}/ephemeralcontainers${query}`, { body: { spec: { ephemeralContainers: [ec] } }, contentType: smp });
  const dbg = { name: 'dbg', image: 'busybox:1.36', command: ['sleep', '300'] };
  const hardenedDbg = { ...dbg, name: 'dbg2', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } };

  beforeAll(async () => {
    await cluster.createPod('restricted', hardened('target') as V1Pod);
  });

  it('is refused in a restricted namespace for the whole pod with the new container', async () => {
    const message =
      'pods "target" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "dbg" must set securityContext.allowPrivilegeEscalation=false), ' +
      'unrestricted capabilities (container "dbg" must set securityContext.capabilities.drop=["ALL"])';
    const r = await patch('restricted', 'target', dbg);
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ message, reason: 'Forbidden', details: { name: 'target', kind: 'pods' } });
    const dry = await patch('restricted', 'target', dbg, '?dryRun=All');
    expect(dry.status).toBe(403);
    expect(dry.json.message).toBe(message);
    expect(cluster.getPod('restricted', 'target')?.spec?.ephemeralContainers).toBeUndefined();
  });

  it('a dry run of an admitted container answers the pod it would write and changes nothing', async () => {
    const before = cluster.getPod('restricted', 'target')!;
    const w = await watch(cluster, 'admin', `/api/v1/namespaces/restricted/pods?watch=true&resourceVersion=${before.metadata!.resourceVersion}`);
    try {
      const r = await patch('restricted', 'target', hardenedDbg, '?dryRun=All');
      expect(r.status).toBe(200);
      expect(r.json.spec.ephemeralContainers.map((c: { name: string }) => c.name)).toEqual(['dbg2']);
      expect(r.json.metadata.resourceVersion).toBe(before.metadata!.resourceVersion);
      expect(cluster.getPod('restricted', 'target')).toEqual(before);
      const real = await patch('restricted', 'target', hardenedDbg);
      expect(real.status).toBe(200);
      expect(Number(real.json.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata!.resourceVersion));
      // the real PATCH is the first event the watch sees: the dry run sent none
      await w.next((e) => e.type === 'MODIFIED');
      expect(w.events[0]!.object.metadata.resourceVersion).toBe(real.json.metadata.resourceVersion);
    } finally {
      w.stop();
    }
  });

  it('refuses a dryRun other than All with the 422 of PatchOptions', async () => {
    const r = await patch('restricted', 'target', hardenedDbg, '?dryRun=yes');
    expect(r.json.message).toBe('PatchOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["yes"]: supported values: "All"');
  });
});
