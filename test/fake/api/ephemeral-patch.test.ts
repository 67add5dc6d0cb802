// PATCH/PUT of pods/NAME/ephemeralcontainers: patch types, defaulting, the apiserver's validation messages,
// immutability of existing ephemeral containers, the no-op of an identical patch, and the PATCH fault hooks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webPod } from '../../backends/backend.ts';
import { startFakeCluster, type FakeCluster } from '../cluster.ts';
import { call, sleep } from '../test-client.ts';

let cluster: FakeCluster;
let n = 0;
beforeAll(async () => {
  cluster = await startFakeCluster({ startDelayMs: 10, statusLagMs: 30 });
});
afterAll(() => cluster.close());

const smp = 'application/strategic-merge-patch+json';
const path = (pod: string): string => `/api/v1/namespaces/default/pods/${pod}/ephemeralcontainers`;
const patch = (pod: string, body: unknown, contentType = smp) => call(cluster, 'debugger', 'PATCH', path(pod), { body, contentType });
const ec = (extra: Record<string, unknown> = {}) => ({ name: 'dbg', image: 'busybox:1.36', command: ['sleep', '300'], resources: {}, terminationMessagePolicy: 'File', ...extra });

async function freshPod(): Promise<string> {
  const name = `p${++n}`;
  await cluster.addPod('default', webPod(name, { containers: [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }] }));
  return name;
}

describe('applying patches', () => {
  it("takes kubectl's strategic merge patch and answers 200 with the defaulted Pod", async () => {
    const pod = await freshPod();
    const r = await patch(pod, { spec: { ephemeralContainers: [ec()] } });
    expect(r.status).toBe(200);
    expect(r.json.kind).toBe('Pod');
    expect(r.json.spec.ephemeralContainers).toEqual([
      {
        name: 'dbg',
        image: 'busybox:1.36',
        command: ['sleep', '300'],
        resources: {},
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      },
    ]);
  });

  it('defaults imagePullPolicy from the tag: Always for latest or none, IfNotPresent otherwise', async () => {
    const pod = await freshPod();
    const r = await patch(pod, {
      spec: {
        ephemeralContainers: [
          { name: 'a', image: 'busybox' },
          { name: 'b', image: 'busybox:latest' },
          { name: 'c', image: 'registry.local:5000/tools/busybox' },
          { name: 'd', image: 'busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000' },
        ],
      },
    });
    expect(r.json.spec.ephemeralContainers.map((c: { imagePullPolicy: string }) => c.imagePullPolicy)).toEqual(['Always', 'Always', 'Always', 'IfNotPresent']);
  });

  it('honours $setElementOrder, and merge and JSON patches too', async () => {
    const pod = await freshPod();
    await patch(pod, { spec: { ephemeralContainers: [ec({ name: 'one' })] } });
    const second = await patch(pod, {
      spec: { '$setElementOrder/ephemeralContainers': [{ name: 'two' }, { name: 'one' }], ephemeralContainers: [ec({ name: 'two' })] },
    });
    expect(second.json.spec.ephemeralContainers.map((c: { name: string }) => c.name)).toEqual(['two', 'one']);
    const jp = await patch(pod, [{ op: 'add', path: '/spec/ephemeralContainers/-', value: ec({ name: 'three' }) }], 'application/json-patch+json');
    expect(jp.status).toBe(200);
    expect(jp.json.spec.ephemeralContainers.map((c: { name: string }) => c.name)).toEqual(['two', 'one', 'three']);
  });

  it('refuses other content types with 415', async () => {
    const pod = await freshPod();
    const r = await patch(pod, { spec: {} }, 'application/json');
    expect(r.status).toBe(415);
    expect(r.json).toMatchObject({ reason: 'UnsupportedMediaType', code: 415 });
  });

  it('warns about unknown fields and drops them (fieldValidation=Warn)', async () => {
    const pod = await freshPod();
    const r = await patch(pod, { spec: { ephemeralContainers: [ec({ bogus: 1 })] } });
    expect(r.status).toBe(200);
    expect(r.headers.warning).toBe('299 - "unknown field \\"spec.ephemeralContainers[0].bogus\\""');
    expect(r.json.spec.ephemeralContainers[0].bogus).toBeUndefined();
  });

  it('answers 404 with the name for a missing pod (kubectl tells it from "feature disabled" by details.name)', async () => {
    const r = await patch('nosuch', { spec: { ephemeralContainers: [ec()] } });
    expect(r.json).toMatchObject({ reason: 'NotFound', message: 'pods "nosuch" not found', details: { name: 'nosuch', kind: 'pods' } });
  });

  it('PUT replaces with a full Pod, checking its resourceVersion', async () => {
    const pod = await freshPod();
    const current = (await call(cluster, 'admin', 'GET', `/api/v1/namespaces/default/pods/${pod}`)).json;
    current.spec.ephemeralContainers = [ec()];
    const ok = await call(cluster, 'admin', 'PUT', path(pod), { body: current });
    expect(ok.status).toBe(200);
    const stale = await call(cluster, 'admin', 'PUT', path(pod), { body: current });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toBe(`Operation cannot be fulfilled on pods "${pod}": the object has been modified; please apply your changes to the latest version and try again`);
  });
});

describe('validation', () => {
  const invalid = async (container: Record<string, unknown>, extra: Record<string, unknown>[] = []) => {
    const pod = await freshPod();
    const r = await patch(pod, { spec: { ephemeralContainers: [...extra, container] } });
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    return { pod, r };
  };

  it('checks the name is an RFC 1123 label', async () => {
    const { pod, r } = await invalid(ec({ name: 'Bad_Name' }));
    expect(r.json.message).toBe(
      `Pod "${pod}" is invalid: spec.ephemeralContainers[0].name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
    expect(r.json.details).toEqual({
      name: pod,
      kind: 'Pod',
      causes: [{ reason: 'FieldValueInvalid', message: expect.stringMatching(/^Invalid value: "Bad_Name": a lowercase/), field: 'spec.ephemeralContainers[0].name' }],
    });
  });

  it('requires names unique across all containers, and an image', async () => {
    const dup = await invalid(ec({ name: 'app' }));
    expect(dup.r.json.message).toBe(`Pod "${dup.pod}" is invalid: spec.ephemeralContainers[0].name: Duplicate value: "app"`);
    const noImage = await invalid({ name: 'dbg' });
    expect(noImage.r.json.message).toBe(`Pod "${noImage.pod}" is invalid: spec.ephemeralContainers[0].image: Required value`);
  });

  it('forbids the fields an ephemeral container cannot have, aggregating the errors in struct order', async () => {
    const { pod, r } = await invalid(
      ec({
        ports: [{ containerPort: 80 }],
        resources: { limits: { cpu: '1' } },
        readinessProbe: { exec: { command: ['true'] } },
        lifecycle: { preStop: { exec: { command: ['true'] } } },
      }),
    );
    const forbidden = (f: string) => `spec.ephemeralContainers[0].${f}: Forbidden: cannot be set for an Ephemeral Container`;
    expect(r.json.message).toBe(`Pod "${pod}" is invalid: [${['ports', 'resources', 'readinessProbe', 'lifecycle'].map(forbidden).join(', ')}]`);
    const empty = await invalid(ec({ ports: [] }));
    expect(empty.r.json.message).toContain(forbidden('ports'));
  });

  it('requires targetContainerName to name a container of the pod', async () => {
    const { pod, r } = await invalid(ec({ targetContainerName: 'nope' }));
    expect(r.json.message).toBe(`Pod "${pod}" is invalid: spec.ephemeralContainers[0].targetContainerName: Not found: "nope"`);
  });

  it('never lets an existing ephemeral container change or go', async () => {
    const pod = await freshPod();
    expect((await patch(pod, { spec: { ephemeralContainers: [ec()] } })).status).toBe(200);
    const changed = await patch(pod, { spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox:1.35' }] } });
    expect(changed.status).toBe(422);
    expect(changed.json.message).toMatch(new RegExp(`^Pod "${pod}" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be changed\\n`));
    const removed = await patch(pod, { spec: { ephemeralContainers: null } }, 'application/merge-patch+json');
    expect(removed.json.message).toBe(`Pod "${pod}" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral containers "dbg" may not be removed\n`);
  });
});

describe('no-ops and faults', () => {
  it('an identical patch changes nothing: same resourceVersion, no new event, no new process', async () => {
    const pod = await freshPod();
    const first = await patch(pod, { spec: { ephemeralContainers: [ec({ command: ['sleep', '301'] })] } });
    await sleep(200);
    const events = (await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/events')).json.items.length;
    const rv = (await call(cluster, 'admin', 'GET', `/api/v1/namespaces/default/pods/${pod}`)).json.metadata.resourceVersion;
    const again = await patch(pod, { spec: { ephemeralContainers: [ec({ command: ['sleep', '301'] })] } });
    expect(again.status).toBe(200);
    expect(again.json.metadata.resourceVersion).toBe(rv);
    expect(Number(first.json.metadata.resourceVersion)).toBeLessThanOrEqual(Number(rv));
    await sleep(100);
    expect((await call(cluster, 'admin', 'GET', '/api/v1/namespaces/default/events')).json.items.length).toBe(events);
    expect(cluster.processes('sleep 301')).toEqual(['sleep 301']);
  });

  it('patchConflictOnce answers 409 without applying; the retry applies', async () => {
    const pod = await freshPod();
    cluster.hooks.patchConflictOnce = true;
    const first = await patch(pod, { spec: { ephemeralContainers: [ec()] } });
    expect(first.status).toBe(409);
    expect(first.json).toMatchObject({ reason: 'Conflict', details: { name: pod, kind: 'pods' } });
    expect(cluster.getPod('default', pod)?.spec?.ephemeralContainers).toBeUndefined();
    expect((await patch(pod, { spec: { ephemeralContainers: [ec()] } })).status).toBe(200);
  });

  it('dropPatchResponseOnce applies the patch and drops the connection', async () => {
    const pod = await freshPod();
    cluster.hooks.dropPatchResponseOnce = true;
    await expect(patch(pod, { spec: { ephemeralContainers: [ec()] } })).rejects.toThrow();
    expect(cluster.getPod('default', pod)?.spec?.ephemeralContainers?.map((c) => c.name)).toEqual(['dbg']);
  });
});
