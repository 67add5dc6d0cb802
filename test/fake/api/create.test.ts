// POST of pods over real sockets: what the apiserver stores and answers (defaults, status dropped, generateName,
// AlreadyExists, name validation, RBAC, the namespace's lifecycle), dryRun=All, and the scheduler's binding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { call, until, watch } from '../test-client.ts';

let cluster: FakeCluster;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 10, statusLagMs: 30 });
  cluster.createNamespace('create');
});
afterAll(() => cluster.close());

const base = '/api/v1/namespaces/create/pods';
const post = (body: unknown, query = '', user: 'admin' | 'debugger' = 'admin', path = base) => call(cluster, user, 'POST', `${path}${query}`, { body });
const pod = (name: string, spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, ...meta },
  spec: { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }], ...spec },
});

describe('POST pods', () => {
  it('answers 201 with the stored, defaulted Pod; status is ignored; the scheduler binds it and it runs', async () => {
    const r = await post({ ...pod('one'), status: { phase: 'Running', podIP: '1.2.3.4' } });
    expect(r.status).toBe(201);
    const meta = r.json.metadata;
    expect(r.json).toMatchObject({ kind: 'Pod', apiVersion: 'v1', status: { phase: 'Pending', qosClass: 'BestEffort' } });
    expect(r.json.status.podIP).toBeUndefined();
    expect(meta).toMatchObject({ name: 'one', namespace: 'create', generation: 1 });
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(meta.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(meta.resourceVersion)).toBeGreaterThan(0);
    expect(r.json.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler', terminationGracePeriodSeconds: 30 });
    expect(r.json.spec.nodeName).toBeUndefined();
    expect(r.json.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', resources: {} });

    const running = await until(() => cluster.getPod('create', 'one')?.status?.phase === 'Running' && cluster.getPod('create', 'one'), 5000, 'Running');
    expect(running.spec?.nodeName).toBe('fake-node');
    expect(running.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
  });

  it('binds with a MODIFIED event that sets nodeName and PodScheduled', async () => {
    const list = await call(cluster, 'admin', 'GET', base);
    const w = await watch(cluster, 'admin', `${base}?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`);
    try {
      await post(pod('bound'));
      const added = await w.next((e) => e.type === 'ADDED' && e.object.metadata.name === 'bound');
      expect(added.object.spec.nodeName).toBeUndefined();
      const bound = await w.next((e) => e.type === 'MODIFIED' && e.object.metadata.name === 'bound');
      expect(bound.object.spec.nodeName).toBe('fake-node');
      expect(bound.object.status.conditions).toEqual([{ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: expect.any(String) }]);
    } finally {
      w.stop();
    }
  });

  it('generates a name from generateName: the prefix and 5 characters of the apiserver alphabet', async () => {
    const r = await post({ ...pod(''), metadata: { generateName: 'gen-' } });
    expect(r.status).toBe(201);
    expect(r.json.metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(cluster.getPod('create', r.json.metadata.name)).toBeDefined();
  });

  it('answers 409 AlreadyExists with the Status of the apiserver', async () => {
    await post(pod('twice'));
    const r = await post(pod('twice'));
    expect(r.status).toBe(409);
    expect(r.json).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "twice" already exists',
      reason: 'AlreadyExists',
      details: { name: 'twice', kind: 'pods' },
      code: 409,
    });
  });

  it('refuses invalid names with 422 and the validation messages', async () => {
    const bad = await post(pod('Bad_Name'));
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBe(
      `Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
    expect(bad.json.details).toMatchObject({ name: 'Bad_Name', kind: 'Pod', causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }] });
    const long = 'a'.repeat(254);
    expect((await post(pod(long))).json.message).toBe(`Pod "${long}" is invalid: metadata.name: Invalid value: "${long}": must be no more than 253 characters`);
    const none = await post({ ...pod(''), metadata: {} });
    expect(none.json.message).toBe('Pod "" is invalid: metadata.name: Required value: name or generateName is required');
  });

  it('validates the whole pod: container names unique across initContainers, image required, no ephemeral containers', async () => {
    const r = await post(
      pod('invalid', {
        containers: [{ name: 'app', image: 'busybox:1.36' }, { name: 'app' }],
        initContainers: [{ name: 'app', image: 'busybox:1.36' }],
        ephemeralContainers: [{ name: 'dbg', image: 'busybox:1.36' }],
      }),
    );
    expect(r.status).toBe(422);
    expect(r.json.message).toBe(
      'Pod "invalid" is invalid: [spec.containers[1].image: Required value, spec.containers[1].name: Duplicate value: "app", ' +
        'spec.initContainers[0].name: Duplicate value: "app", spec.ephemeralContainers: Forbidden: cannot be set on create]',
    );
    expect((await post(pod('nocontainers', { containers: [] }))).json.message).toBe('Pod "nocontainers" is invalid: spec.containers: Required value');
    expect(cluster.getPod('create', 'invalid')).toBeUndefined();
  });

  it('needs create on pods: the debugger is refused with the RBAC message', async () => {
    const r = await post(pod('nope'), '', 'debugger');
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('pods is forbidden: User "debugger" cannot create resource "pods" in API group "" in the namespace "create"');
  });

  it('answers 404 for a missing namespace and 403 for a terminating one', async () => {
    const missing = await post(pod('x'), '', 'admin', '/api/v1/namespaces/nosuch/pods');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ message: 'namespaces "nosuch" not found', reason: 'NotFound', details: { name: 'nosuch', kind: 'namespaces' } });
    cluster.createNamespace('going');
    cluster.terminateNamespace('going');
    const going = await post(pod('x'), '', 'admin', '/api/v1/namespaces/going/pods');
    expect(going.status).toBe(403);
    expect(going.json).toMatchObject({
      message: 'pods "x" is forbidden: unable to create new content in namespace going because it is being terminated',
      reason: 'Forbidden',
      details: { name: 'x', kind: 'pods', causes: [{ reason: 'NamespaceTerminating', message: 'namespace going is being terminated', field: 'metadata.namespace' }] },
    });
  });

  it('refuses an object of another namespace and an object with a resourceVersion', async () => {
    const other = await post(pod('x', {}, { namespace: 'default' }));
    expect(other.json).toMatchObject({ code: 400, message: 'the namespace of the provided object does not match the namespace sent on the request' });
    const rv = await post(pod('x', {}, { resourceVersion: '12' }));
    expect(rv.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'resourceVersion should not be set on objects to be created', code: 500 });
  });

  it('runs a pod with an init container, and refuses sidecar init containers, which the fake kubelet cannot run (a test-only refusal)', async () => {
    const r = await post(pod('init', { initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['true'] }] }));
    expect(r.status).toBe(201);
    const running = await until(() => cluster.getPod('create', 'init')?.status?.phase === 'Running' && cluster.getPod('create', 'init'), 10_000, 'Running');
    expect(running.status?.initContainerStatuses?.[0]?.state?.terminated?.exitCode).toBe(0);
    const sidecar = await post(pod('sidecar', { initContainers: [{ name: 'proxy', image: 'busybox:1.36', command: ['sleep', '60'], restartPolicy: 'Always' }] }));
    expect(sidecar.status).toBe(500);
    expect(sidecar.json.message).toBe('the fake cluster cannot run pods with sidecar (restartable) init containers');
  });
});

describe('scheduling', () => {
  it('leaves a pod whose nodeSelector does not match Pending with the Unschedulable condition', async () => {
    await post(pod('picky', { nodeSelector: { 'kubernetes.io/os': 'windows' } }));
    const p = await until(() => cluster.getPod('create', 'picky')?.status?.conditions?.length && cluster.getPod('create', 'picky'), 3000, 'condition');
    expect(p.spec?.nodeName).toBeUndefined();
    expect(p.status?.phase).toBe('Pending');
    expect(p.status?.conditions).toEqual([
      {
        type: 'PodScheduled',
        status: 'False',
        lastProbeTime: null,
        lastTransitionTime: expect.any(String),
        reason: 'Unschedulable',
        message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.",
      },
    ]);
  });

  it('binds a pod whose required node affinity matches the node labels', async () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['fake-node'] }] }] } } };
    await post(pod('affine', { affinity }));
    await until(() => cluster.getPod('create', 'affine')?.spec?.nodeName === 'fake-node', 3000, 'bound');
  });

  it('never runs a pod bound to another node', async () => {
    await post(pod('elsewhere', { nodeName: 'other-node' }));
    // a pod created after it, for this node, runs: by then the kubelet has seen the first one and left it
    await post(pod('after-elsewhere'));
    await until(() => cluster.getPod('create', 'after-elsewhere')?.status?.phase === 'Running', 5000, 'Running');
    const p = cluster.getPod('create', 'elsewhere');
    expect(p?.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });
});

describe('dryRun=All', () => {
  it('answers what would be stored (name generated, uid, no resourceVersion), stores nothing, sends no watch event', async () => {
    const list = await call(cluster, 'admin', 'GET', base);
    const w = await watch(cluster, 'admin', `${base}?watch=true&resourceVersion=${list.json.metadata.resourceVersion}`);
    try {
      const r = await post({ ...pod(''), metadata: { generateName: 'dry-' } }, '?dryRun=All');
      expect(r.status).toBe(201);
      expect(r.json.metadata.name).toMatch(/^dry-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
      expect(r.json.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
      expect(r.json.metadata.resourceVersion).toBeUndefined();
      expect(r.json.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
      expect((await call(cluster, 'admin', 'GET', `${base}/${r.json.metadata.name}`)).status).toBe(404);
      // the next real write is the first event the watch sees
      await post(pod('after-dry'));
      await until(() => w.events.length > 0, 3000, 'an event');
      expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'after-dry' } } });
    } finally {
      w.stop();
    }
  });

  it('still runs every check: invalid, AlreadyExists and RBAC answer as without dryRun', async () => {
    expect((await post(pod('Bad_Name'), '?dryRun=All')).status).toBe(422);
    await post(pod('exists'));
    expect((await post(pod('exists'), '?dryRun=All')).json.reason).toBe('AlreadyExists');
    expect((await post(pod('x'), '?dryRun=All', 'debugger')).status).toBe(403);
  });

  it('refuses any other dryRun value with the 422 of the options', async () => {
    const r = await post(pod('x'), '?dryRun=true');
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({
      message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: ["true"]: supported values: "All"',
      reason: 'Invalid',
      details: { group: 'meta.k8s.io', kind: 'CreateOptions', causes: [{ reason: 'FieldValueNotSupported', field: 'dryRun' }] },
    });
    expect(r.json.details.name).toBeUndefined();
  });
});
