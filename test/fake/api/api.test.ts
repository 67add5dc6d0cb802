// The REST surface of the fake: authentication, RBAC 403 texts, discovery, lists with selectors, self reviews,
// Warning headers and the Status shape of every error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { call } from '../test-client.ts';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 10, statusLagMs: 30 });
  await cluster.addPod('default', webPod('web-0'));
  await cluster.addPod('default', { ...webPod('api-1'), metadata: { name: 'api-1', labels: { app: 'api', tier: 'back' } } });
});
afterAll(() => cluster.close());

describe('authentication', () => {
  it('answers a missing or unknown token with the 401 Status, and records the request without credentials', async () => {
    for (const token of [null, 'nope']) {
      const r = await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/pods', { token });
      expect(r.status).toBe(401);
      expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
    const last = cluster.requests.at(-1)!;
    expect(last).toMatchObject({ method: 'GET', path: '/api/v1/namespaces/default/pods', user: '' });
    expect(JSON.stringify(cluster.requests)).not.toContain(cluster.tokens.admin);
  });

  it('SelfSubjectReview tells who the token belongs to', async () => {
    const r = await call(cluster, 'debugger', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    expect(r.status).toBe(201);
    expect(r.json.status.userInfo).toEqual({ username: 'debugger', uid: 'uid-debugger', groups: ['system:authenticated'] });
  });

  it('an older server without SelfSubjectReview answers 404 and does not advertise it', async () => {
    const old = await startFakeCluster({ selfSubjectReview: false });
    try {
      const r = await call(old, 'debugger', 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: {} });
      expect(r.status).toBe(404);
      expect(r.json).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'the server could not find the requested resource', code: 404 });
      const d = await call(old, 'debugger', 'GET', '/apis/authentication.k8s.io/v1');
      expect(d.json.resources).toEqual([]);
    } finally {
      await old.close();
    }
  });
});

describe('authorization', () => {
  it('refuses with the apiserver text, reason and details', async () => {
    const r = await call(cluster, 'viewer', 'PATCH', '/api/v1/namespaces/default/pods/web-0/ephemeralcontainers', {
      body: { spec: { ephemeralContainers: [{ name: 'x', image: 'busybox' }] } },
      contentType: 'application/strategic-merge-patch+json',
    });
    expect(r.status).toBe(403);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "web-0" is forbidden: User "viewer" cannot patch resource "pods/ephemeralcontainers" in API group "" in the namespace "default"',
      reason: 'Forbidden',
      details: { name: 'web-0', kind: 'pods' },
      code: 403,
    });
  });

  it('checks collections at their scope and namespaces by their own name', async () => {
    const list = await call(cluster, 'viewer', 'GET', '/api/v1/namespaces');
    expect(list.json.message).toBe('namespaces is forbidden: User "viewer" cannot list resource "namespaces" in API group "" at the cluster scope');
    const get = await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default');
    expect(get.json.message).toBe('namespaces "default" is forbidden: User "viewer" cannot get resource "namespaces" in API group "" in the namespace "default"');
    const watch = await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default/pods/web-0/log');
    expect(watch.json.message).toContain('cannot get resource "pods/log"');
  });

  it('hooks.deny takes a permission away', async () => {
    cluster.hooks.deny('debugger', 'list', 'events');
    const r = await call(cluster, 'debugger', 'GET', '/api/v1/namespaces/default/events');
    expect(r.status).toBe(403);
    expect((await call(cluster, 'debugger', 'GET', '/api/v1/namespaces/default/pods')).status).toBe(200);
  });

  it('SelfSubjectAccessReview answers from the same rules', async () => {
    const review = (user: 'debugger' | 'noexec', verb: string, subresource: string) =>
      call(cluster, user, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        body: { spec: { resourceAttributes: { namespace: 'default', verb, resource: 'pods', subresource } } },
      });
    expect((await review('debugger', 'create', 'exec')).json.status.allowed).toBe(true);
    const denied = await review('noexec', 'create', 'exec');
    expect(denied.status).toBe(201);
    expect(denied.json.status).toEqual({ allowed: false });
    expect((await review('noexec', 'patch', 'ephemeralcontainers')).json.status.allowed).toBe(true);
  });
});

describe('discovery and errors', () => {
  it('serves aggregated discovery when asked, legacy otherwise, and the version', async () => {
    const agg = await call(cluster, 'viewer', 'GET', '/api', {
      accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json',
    });
    expect(agg.headers['content-type']).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const pods = agg.json.items[0].versions[0].resources.find((r: { resource: string }) => r.resource === 'pods');
    expect(pods.subresources.map((s: { subresource: string }) => s.subresource)).toEqual(['attach', 'ephemeralcontainers', 'exec', 'log']);
    const legacy = await call(cluster, 'viewer', 'GET', '/api/v1');
    expect(legacy.json.resources.map((r: { name: string }) => r.name)).toContain('pods/ephemeralcontainers');
    expect((await call(cluster, 'viewer', 'GET', '/version')).json.gitVersion).toBe('v1.36.3');
  });

  it('answers unknown paths, unsupported methods and unacceptable media types with a Status', async () => {
    expect((await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/secrets')).json).toMatchObject({ reason: 'NotFound', code: 404 });
    expect((await call(cluster, 'admin', 'PUT', '/api/v1/namespaces/default/pods/web-0', { body: {} })).json).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
    const pb = await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/pods', { accept: 'application/vnd.kubernetes.protobuf' });
    expect(pb.status).toBe(406);
    const kubectlAccept = await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/pods/web-0', { accept: 'application/vnd.kubernetes.protobuf,application/json' });
    expect(kubectlAccept.json).toMatchObject({ kind: 'Pod', apiVersion: 'v1', metadata: { name: 'web-0' } });
    const missing = await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/pods/nope');
    expect(missing.json).toMatchObject({ message: 'pods "nope" not found', reason: 'NotFound', details: { name: 'nope', kind: 'pods' }, code: 404 });
  });

  it('sends queued warnings as Warning headers on the next response only', async () => {
    cluster.hooks.warnings.push('first "quoted"', 'second');
    const r = await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/pods/web-0');
    expect(r.headers.warning).toBe('299 - "first \\"quoted\\"", 299 - "second"');
    expect((await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/pods/web-0')).headers.warning).toBeUndefined();
  });
});

describe('lists', () => {
  const names = async (query: string): Promise<string[]> => {
    const r = await call(cluster, 'viewer', 'GET', `/api/v1/namespaces/default/pods?${query}`);
    expect(r.status).toBe(200);
    return r.json.items.map((p: { metadata: { name: string } }) => p.metadata.name);
  };

  it('filters by label and field selectors', async () => {
    expect(await names('labelSelector=app%3Dapi')).toEqual(['api-1']);
    expect(await names('labelSelector=app%20in%20(web,api),tier!%3Dback')).toEqual(['web-0']);
    expect(await names('labelSelector=tier')).toEqual(['api-1']);
    expect(await names('labelSelector=!tier')).toEqual(['web-0']);
    expect(await names('fieldSelector=metadata.name%3Dweb-0&limit=500&resourceVersion=0')).toEqual(['web-0']);
    expect(await names('fieldSelector=status.phase%3DRunning,spec.nodeName%3Dfake-node&continue=')).toEqual(['api-1', 'web-0']);
  });

  it('pages with limit and continue as the apiserver does, and refuses a token that is not one', async () => {
    const first = await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default/pods?limit=1');
    expect(first.json.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['api-1']);
    expect(first.json.metadata.remainingItemCount).toBe(1);
    const token = encodeURIComponent(first.json.metadata.continue);
    const second = await call(cluster, 'viewer', 'GET', `/api/v1/namespaces/default/pods?limit=1&continue=${token}`);
    expect(second.json.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual(['web-0']);
    expect(second.json.metadata.continue).toBeUndefined();
    expect(second.json.metadata.resourceVersion).toBe(first.json.metadata.resourceVersion);
    const withRv = await call(cluster, 'viewer', 'GET', `/api/v1/namespaces/default/pods?limit=1&resourceVersion=0&continue=${token}`);
    expect(withRv.status).toBe(400);
    const bad = await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default/pods?limit=1&continue=garbage');
    expect([bad.status, bad.json.message]).toEqual([400, 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)']);
  });

  it('refuses an unknown field label', async () => {
    const r = await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default/pods?fieldSelector=spec.foo%3Dx');
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('field label not supported: spec.foo');
  });

  it('lists without kind on items, with the current resourceVersion, and as a Table for kubectl', async () => {
    const r = await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default/pods');
    expect(r.json.kind).toBe('PodList');
    expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(r.json.items[0].metadata.resourceVersion));
    expect(r.json.items[0].kind).toBeUndefined();
    const table = await call(cluster, 'viewer', 'GET', '/api/v1/namespaces/default/pods', {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    expect(table.json.kind).toBe('Table');
    expect(table.json.rows.find((row: { cells: string[] }) => row.cells[0] === 'web-0').cells.slice(1, 3)).toEqual(['1/1', 'Running']);
  });
});
