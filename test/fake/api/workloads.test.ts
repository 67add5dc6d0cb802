// Workloads on the fake: stored with addWorkload, served read-only at their apps/v1 and batch/v1 paths with the
// apiserver's 404 and 403 Status, label-selected lists, watches and discovery. No controller makes their pods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import type { JsonObject } from './status.ts';
import { call, watch } from '../test-client.ts';
import { controllerRef } from './workloads.ts';

const apps = '/apis/apps/v1/namespaces/default';
let cluster: FakeCluster;
let deployment: JsonObject;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 10, statusLagMs: 30 });
  const template = { metadata: { labels: { app: 'api' } }, spec: webPod().spec };
  deployment = cluster.addWorkload('default', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template },
  });
  const hash = { app: 'api', 'pod-template-hash': '5d8f7' };
  const replicaSet = cluster.addWorkload('default', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'api-5d8f7', labels: hash, ownerReferences: [controllerRef(deployment)] },
    spec: { replicas: 1, selector: { matchLabels: hash }, template: { ...template, metadata: { labels: hash } } },
  });
  cluster.addWorkload('default', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: { serviceName: 'web', selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: webPod().spec } },
  });
  await cluster.addPod('default', { ...webPod('api-5d8f7-x2k9q'), metadata: { name: 'api-5d8f7-x2k9q', labels: hash, ownerReferences: [controllerRef(replicaSet)] } });
});
afterAll(() => cluster.close());

describe('workloads', () => {
  it('creates nothing: the pods are the test’s own', async () => {
    const pods = await call(cluster, 'debugger', 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dapi');
    expect(pods.json.items.map((p: JsonObject) => p.metadata.name)).toEqual(['api-5d8f7-x2k9q']);
    expect(pods.json.items[0].metadata.ownerReferences[0]).toMatchObject({ kind: 'ReplicaSet', name: 'api-5d8f7', controller: true });
  });

  it('GET answers the object with its kind, apiVersion and defaulted metadata, to every test user', async () => {
    for (const user of ['admin', 'debugger', 'viewer', 'noexec'] as const) {
      const r = await call(cluster, user, 'GET', `${apps}/deployments/api`);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'api', namespace: 'default', uid: deployment.metadata.uid, generation: 1 } });
      expect(r.json.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Number(r.json.metadata.resourceVersion)).toBeGreaterThan(0);
      expect(r.json.spec.selector).toEqual({ matchLabels: { app: 'api' } });
    }
  });

  it('answers a missing object with the group-qualified 404 Status', async () => {
    const r = await call(cluster, 'debugger', 'GET', `${apps}/statefulsets/nosuch`);
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'statefulsets.apps "nosuch" not found',
      reason: 'NotFound',
      details: { name: 'nosuch', group: 'apps', kind: 'statefulsets' },
      code: 404,
    });
    const job = await call(cluster, 'debugger', 'GET', '/apis/batch/v1/namespaces/default/jobs/x');
    expect(job.json).toMatchObject({ message: 'jobs.batch "x" not found', details: { name: 'x', group: 'batch', kind: 'jobs' }, code: 404 });
    // not served: other apps resources, subresources, cluster-scoped paths of namespaced objects, writes
    for (const path of [`${apps}/controllerrevisions`, `${apps}/deployments/api/scale`, '/apis/apps/v1/deployments/api', `${apps}/pods`]) {
      expect((await call(cluster, 'admin', 'GET', path)).json).toMatchObject({ message: 'the server could not find the requested resource', code: 404 });
    }
    expect((await call(cluster, 'admin', 'DELETE', `${apps}/deployments/api`)).json).toMatchObject({ reason: 'MethodNotAllowed', code: 405 });
  });

  it('refuses with the apiserver’s 403 text, group included', async () => {
    cluster.hooks.deny('viewer', 'get', 'deployments');
    const r = await call(cluster, 'viewer', 'GET', `${apps}/deployments/x`);
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({
      message: 'deployments.apps "x" is forbidden: User "viewer" cannot get resource "deployments" in API group "apps" in the namespace "default"',
      reason: 'Forbidden',
      details: { name: 'x', group: 'apps', kind: 'deployments' },
    });
    cluster.hooks.deny('viewer', 'list', 'jobs');
    const list = await call(cluster, 'viewer', 'GET', '/apis/batch/v1/jobs');
    expect(list.json.message).toBe('jobs.batch is forbidden: User "viewer" cannot list resource "jobs" in API group "batch" at the cluster scope');
  });

  it('lists by label selector, in the namespace or across all', async () => {
    const names = async (path: string): Promise<string[]> => {
      const r = await call(cluster, 'noexec', 'GET', path);
      expect(r.status).toBe(200);
      return r.json.items.map((o: JsonObject) => o.metadata.name);
    };
    expect(await names(`${apps}/replicasets?labelSelector=app%3Dapi,pod-template-hash%3D5d8f7`)).toEqual(['api-5d8f7']);
    expect(await names(`${apps}/replicasets?labelSelector=app%3Dweb`)).toEqual([]);
    expect(await names(`${apps}/statefulsets?labelSelector=app%20in%20(web,db)`)).toEqual(['web']);
    expect(await names('/apis/apps/v1/deployments?fieldSelector=metadata.namespace%3Ddefault')).toEqual(['api']);
    const r = await call(cluster, 'debugger', 'GET', `${apps}/deployments`);
    expect(r.json).toMatchObject({ kind: 'DeploymentList', apiVersion: 'apps/v1' });
    expect(r.json.items[0].kind).toBeUndefined();
  });

  it('watches with the group’s apiVersion', async () => {
    const w = await watch(cluster, 'viewer', `${apps}/deployments?watch=true`);
    try {
      const e = await w.next((ev) => ev.type === 'ADDED');
      expect(e.object).toMatchObject({ kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'api' } });
    } finally {
      w.stop();
    }
  });

  it('advertises apps/v1 and batch/v1 in discovery', async () => {
    const agg = await call(cluster, 'viewer', 'GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
    const group = (name: string) => agg.json.items.find((g: JsonObject) => g.metadata.name === name).versions[0].resources;
    expect(group('apps').map((r: JsonObject) => r.resource)).toEqual(['daemonsets', 'deployments', 'replicasets', 'statefulsets']);
    expect(group('apps')[1]).toMatchObject({ shortNames: ['deploy'], verbs: ['get', 'list', 'watch'], responseKind: { group: 'apps', version: 'v1', kind: 'Deployment' } });
    const batch = await call(cluster, 'viewer', 'GET', '/apis/batch/v1');
    expect(batch.json.resources).toEqual([{ name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs: ['get', 'list', 'watch'], categories: ['all'] }]);
  });

  it('addWorkload refuses what the fake does not serve and objects without a selector', () => {
    expect(() => cluster.addWorkload('default', { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'x' } })).toThrow(/not a workload/);
    expect(() => cluster.addWorkload('default', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: {} })).toThrow(
      'Job.batch "x" is invalid: spec.selector: Required value',
    );
  });
});
