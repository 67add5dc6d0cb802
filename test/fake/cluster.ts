// An in-process fake Kubernetes API server on 127.0.0.1 with one node whose "kubelet" runs containers as real host
// processes. Strict like kube-apiserver 1.36 where it matters to kdbg and kubectl. It speaks HTTPS with a fixed
// self-signed certificate: kubectl and kdbg send no credentials to a plain http:// server.
//
// Layout of test/fake (each *.test.ts sits next to what it tests):
//   wire/   what goes over the connection and nothing else: the server's TLS identity (tls.ts) and the remotecommand
//           channel protocol over one WebSocket (streams.ts). Imports nothing from the fake.
//   api/    the API server: routes (authentication, RequestInfo, handlers), store (the "etcd" and its watch log),
//           watch serving, auth, rbac, status (metav1.Status), validation, patch and ephemeral-patch, defaults,
//           discovery, table, selectors, workloads, GET pods/NAME/log (logs.ts) and the exec/attach upgrades
//           (remote-command.ts: the apiserver's checks, then the node's answer over wire/streams.ts); context.ts is
//           what its HTTP and WebSocket handlers share.
//   node/   the kubelet: kubelet.ts (pods bound to the node, their containers as host processes, exec and attach
//           targets, the status lag), process.ts, images, container-config, pod-status, container-log and the
//           kubelet's event recorder (events.ts).
//   here    startFakeCluster (this file), scheduler.ts (binds new pods to the node), hooks.ts (the fault and node
//           knobs tests set), demo.ts and cli.ts (`npm run testserver`), test-client.ts (raw clients for the fake's
//           own tests), kubectl-faithful.test.ts.
// Dependencies point down: wire <- api, node <- this folder. api and node use each other as the real ones do: the
// API server proxies exec, attach and logs to the kubelet (api -> node/kubelet, node/process), and the kubelet
// reads and writes pods and events through the store in metav1 terms (node -> api/store, api/status,
// api/validation); api/defaults takes the default pull policy from node/images' reference parsing. Below this
// folder only types come from hooks.ts.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { RecordedRequest } from '../backends/backend.ts';
import { Authenticator, type FakeUser } from './api/auth.ts';
import type { ServerContext } from './api/context.ts';
import { defaultPodSpec } from './api/defaults.ts';
import { versionInfo } from './api/discovery.ts';
import { createPod } from './api/pod-create.ts';
import { EventRecorder } from './node/events.ts';
import type { FakeHooks } from './hooks.ts';
import { Kubelet } from './node/kubelet.ts';
import { Authorizer } from './api/rbac.ts';
import { handleUpgrade } from './api/remote-command.ts';
import { deletePodObject, handleRequest } from './api/routes.ts';
import type { JsonObject } from './api/status.ts';
import { Store, type StoreEvent } from './api/store.ts';
import { Scheduler } from './scheduler.ts';
import { certificate, privateKey } from './wire/tls.ts';
import { addWorkload } from './api/workloads.ts';

export type { FakeHooks } from './hooks.ts';
export type { FakeUser } from './api/auth.ts';

export interface FakeClusterOptions {
  /** how long the kubelet takes to start a container (default 100) */
  startDelayMs?: number;
  /** how long a status change takes to reach the API (default 300) */
  statusLagMs?: number;
  /** serve SelfSubjectReview (default true; an older server answers 404) */
  selfSubjectReview?: boolean;
  /** WebSocket subprotocols for exec/attach, in the server's order of preference */
  websocketProtocols?: string[];
  /** listen port (default: any free one) */
  port?: number;
  /** how long the scheduler takes to bind a new pod (default 20) */
  scheduleDelayMs?: number;
  /**
   * The release this server is (default v1.36.3): GET /version says so, and before v1.23 there is no
   * pods/ephemeralcontainers (its alpha feature gate is off by default).
   */
  serverVersion?: string;
}

export interface FakeCluster {
  /** https://127.0.0.1:PORT */
  url: string;
  /** PEM of the self-signed server certificate, to trust as the certificate authority */
  ca: string;
  tokens: Record<FakeUser, string>;
  /** Accepts `token` for `user` from now on, besides the user's own. */
  addToken(token: string, user: FakeUser): void;
  /** Writes a kubeconfig (context and cluster `fake`, user named after `user`) and returns its path. */
  writeKubeconfig(user: FakeUser, namespace: string, dir?: string): string;
  createNamespace(name: string, labels?: Record<string, string>): void;
  /** Marks the namespace Terminating, as deleting it does while its content goes: no pod may be created in it. */
  terminateNamespace(name: string): void;
  /** Creates the pod on the node; resolves once its status shows it Running with every container running. */
  addPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  /** Creates the pod on the node and returns it at once, whatever becomes of it (a crash loop, an init failure). */
  submitPod(namespace: string, pod: V1Pod): V1Pod;
  /**
   * Creates the pod as a POST by admin would (validation, defaults, PodSecurity; the scheduler binds it) and resolves
   * once it is Running with every container running.
   */
  createPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  getPod(namespace: string, name: string): V1Pod | undefined;
  /** The namespace's pods, as stored. */
  listPods(namespace: string): V1Pod[];
  /**
   * Stores an apps/v1 Deployment, StatefulSet, DaemonSet, ReplicaSet or batch/v1 Job (metadata.uid,
   * creationTimestamp and generation default) and returns it. No controller acts on it: add its pods yourself.
   */
  addWorkload(namespace: string, obj: object): JsonObject;
  /** Deletes the pod at once (grace period 0): it leaves the API, the kubelet kills its processes. */
  deletePod(namespace: string, name: string): void;
  /** Every request so far, in order (never credentials). */
  requests: RecordedRequest[];
  clearRequests(): void;
  hooks: FakeHooks;
  /** Command lines of live processes the node started (containers, execs, their descendants) containing `match`. */
  processes(match: string): string[];
  /** Stops the server and kills every process it started. */
  close(): Promise<void>;
}

const nodeName = 'fake-node';
/** the labels the kubelet registers its Node with */
const nodeLabels = {
  'beta.kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
  'beta.kubernetes.io/os': 'linux',
  'kubernetes.io/arch': process.arch === 'x64' ? 'amd64' : process.arch,
  'kubernetes.io/hostname': nodeName,
  'kubernetes.io/os': 'linux',
};
/** container waiting reasons after which a pod will not become Running by itself */
const stuck = new Set([
  'ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CrashLoopBackOff', 'RunContainerError',
]);

export async function startFakeCluster(opts: FakeClusterOptions = {}): Promise<FakeCluster> {
  const store = new Store();
  const authn = new Authenticator();
  const authz = new Authorizer();
  const hooks: FakeHooks = {
    deny: (user, verb, resource, namespace) => authz.deny(user, verb, resource, namespace),
    unpullableImages: new Set(),
    shelllessImages: new Set(['gcr.io/distroless/static', 'example/noshell']),
    nonRootImages: new Set(['example/nonroot']),
    exitAtStartImages: new Set(),
    slowStartMs: 0,
    patchConflictOnce: false,
    dropPatchResponseOnce: false,
    dropStreamsAfterMs: undefined,
    dropWatchesOnce: false,
    compact: () => store.compact(),
    warnings: [],
    hold: undefined,
    denyingWebhook: undefined,
    bookmarkIntervalMs: 60_000,
    webhooks: [],
    podSecurityExemptions: { namespaces: new Set(), usernames: new Set() },
  };
  const kubelet = new Kubelet(store, hooks, new EventRecorder(store, nodeName), {
    nodeName,
    startDelayMs: opts.startDelayMs ?? 100,
    statusLagMs: opts.statusLagMs ?? 300,
  });
  const scheduler = new Scheduler(store, { name: nodeName, labels: nodeLabels }, opts.scheduleDelayMs ?? 20);
  const requests: RecordedRequest[] = [];
  const ctx: ServerContext = {
    store,
    authn,
    authz,
    kubelet,
    hooks,
    requests,
    websocketProtocols: opts.websocketProtocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'],
    served: { selfSubjectReview: opts.selfSubjectReview ?? true, ephemeralContainers: !olderThan(opts.serverVersion, 23) },
    version: versionInfo(opts.serverVersion),
    nodeName,
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer({ cert: certificate, key: privateKey }, (req, res) => void handleRequest(ctx, req, res));
  server.on('connection', (s: Socket) => {
    s.setNoDelay(true);
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => handleUpgrade(ctx, req, socket, head));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const url = `https://127.0.0.1:${port}`;
  const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-fake-'));

  const createNamespace = (name: string, labels: Record<string, string> = {}): void => {
    store.create('Namespace', {
      metadata: { name, uid: randomUUID(), creationTimestamp: timestamp(), labels: { 'kubernetes.io/metadata.name': name, ...labels } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  };
  createNamespace('default');
  createNamespace('kube-system');

  return {
    url,
    ca: certificate,
    tokens: authn.tokens,
    addToken: (token, user) => authn.addToken(token, user),
    requests,
    hooks,
    createNamespace,
    terminateNamespace(name) {
      const ns = store.get('Namespace', '', name);
      if (!ns) throw new Error(`namespaces "${name}" not found`);
      ns.metadata.deletionTimestamp = timestamp();
      ns.status = { phase: 'Terminating' };
      store.update('Namespace', ns);
    },
    writeKubeconfig(user, namespace, into = dir) {
      const file = path.join(into, namespace === 'default' ? `${user}.kubeconfig` : `${user}-${namespace}.kubeconfig`);
      const config = {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'fake', cluster: { server: url, 'certificate-authority-data': Buffer.from(certificate).toString('base64') } }],
        users: [{ name: user, user: { token: authn.tokens[user] } }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user, namespace } }],
        'current-context': 'fake',
      };
      writeFileSync(file, stringify(config), { mode: 0o600 });
      return file;
    },
    addPod: (namespace, pod) => addPod(store, namespace, pod),
    submitPod: (namespace, pod) => ({ apiVersion: 'v1', kind: 'Pod', ...store.create('Pod', podObject(store, namespace, pod)) }) as V1Pod,
    createPod: (namespace, pod) =>
      untilRunning(store, namespace, pod.metadata?.name ?? '', pod.spec?.containers.length ?? 0, () => {
        createPod(store, namespace, JSON.stringify(pod), { dryRun: false, fieldValidation: '' }, { user: 'admin', exemptions: hooks.podSecurityExemptions });
      }),
    listPods: (namespace) => store.list('Pod', namespace).map((p) => ({ apiVersion: 'v1', kind: 'Pod', ...p }) as V1Pod),
    getPod(namespace, name) {
      const pod = store.get('Pod', namespace, name);
      return pod && ({ apiVersion: 'v1', kind: 'Pod', ...pod } as V1Pod);
    },
    addWorkload: (namespace, obj) => addWorkload(store, namespace, obj),
    deletePod(namespace, name) {
      const pod = store.get('Pod', namespace, name);
      if (pod) deletePodObject(ctx, pod, 0);
    },
    clearRequests() {
      requests.length = 0;
    },
    processes: (match) => kubelet.processes(match),
    async close() {
      scheduler.close();
      await kubelet.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `gitVersion` (v1.MINOR.PATCH) is a release before 1.`minor`; the default (current) one never is. */
function olderThan(gitVersion: string | undefined, minor: number): boolean {
  return gitVersion !== undefined && Number(gitVersion.replace(/^v/, '').split('.')[1]) < minor;
}

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** The Pod as the API server stores it on create, bound to the node. */
function podObject(store: Store, namespace: string, pod: V1Pod): JsonObject {
  if (!store.get('Namespace', '', namespace)) throw new Error(`namespaces "${namespace}" not found`);
  const obj: JsonObject = JSON.parse(JSON.stringify(pod));
  const name: string | undefined = obj.metadata?.name;
  if (!name) throw new Error('addPod: metadata.name is required');
  if (obj.spec?.ephemeralContainers?.length) throw new Error(`Pod "${name}" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create`);
  if (obj.spec?.initContainers?.some((c: JsonObject) => c.restartPolicy)) throw new Error('addPod: the fake kubelet does not run sidecar (restartable) init containers');
  delete obj.apiVersion;
  delete obj.kind;
  const now = timestamp();
  obj.metadata = { ...obj.metadata, namespace, uid: randomUUID(), creationTimestamp: now, generation: 1 };
  delete obj.metadata.resourceVersion;
  obj.spec = { ...defaultPodSpec(obj.spec ?? {}), nodeName };
  obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
  return obj;
}

async function addPod(store: Store, namespace: string, pod: V1Pod): Promise<V1Pod> {
  const obj = podObject(store, namespace, pod);
  const name: string = obj.metadata.name;
  return untilRunning(store, namespace, name, obj.spec.containers.length, () => store.create('Pod', obj));
}

/** Runs `create`, then resolves with the pod once it is Running with `containers` running containers. */
function untilRunning(store: Store, namespace: string, name: string, containers: number, create: () => void): Promise<V1Pod> {
  return new Promise<V1Pod>((resolve, reject) => {
    const done = (err?: Error, result?: JsonObject): void => {
      unsubscribe();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve({ apiVersion: 'v1', kind: 'Pod', ...result } as V1Pod);
    };
    const check = (e: StoreEvent): void => {
      if (e.kind !== 'Pod' || e.object.metadata.name !== name || e.object.metadata.namespace !== namespace) return;
      if (e.type === 'DELETED') return done(new Error(`pod ${namespace}/${name} was deleted before it was Running`));
      const statuses: JsonObject[] = e.object.status?.containerStatuses ?? [];
      if (e.object.status?.phase === 'Running' && statuses.length === containers && statuses.every((s) => s.state?.running)) {
        return done(undefined, e.object);
      }
      const inits: JsonObject[] = e.object.status?.initContainerStatuses ?? [];
      const failing =
        inits.find((s) => stuck.has(s.state?.waiting?.reason) || (s.state?.terminated && s.state.terminated.exitCode !== 0)) ??
        statuses.find((s) => stuck.has(s.state?.waiting?.reason) || s.state?.terminated);
      if (failing) {
        const state = failing.state.waiting ?? failing.state.terminated;
        done(new Error(`pod ${namespace}/${name}: container ${failing.name} is ${state.reason}: ${state.message ?? ''}`));
      }
    };
    const unsubscribe = store.subscribe(check);
    const timer = setTimeout(() => done(new Error(`pod ${namespace}/${name} not Running after 30 s`)), 30_000);
    try {
      create();
    } catch (e) {
      done(e as Error);
    }
  });
}
