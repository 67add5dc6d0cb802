// The Backend on a real kube-apiserver: by default the e2e cluster that e2e/run.sh starts (kube-apiserver 1.36 +
// etcd + a real node: kubelet 1.36 on containerd, or the kubelet stand-in with KDBG_E2E_NODE_KIND=standin; found
// through KDBG_E2E_* variables), or, when KDBG_E2E_KUBECONFIG names the admin kubeconfig of a cluster of your own,
// that cluster, with the test users played by impersonation. Pods are bound to the node by the cluster's binder
// (or scheduler); container processes are host processes either way, so nodeProcesses reads /proc.
// Plain node:https with the admin's credentials: no client library, nothing from src/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments, parse as parseYaml, stringify } from 'yaml';
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { Backend, BackendFeatures, TestUser } from './backend.ts';

const USERS: TestUser[] = ['admin', 'debugger', 'viewer', 'noexec'];
const RBAC_FILE = new URL('../../e2e/fixtures/rbac.yaml', import.meta.url);
/** container waiting reasons after which a pod will not become Running by itself */
const STUCK = new Set([
  'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError',
  'CreateContainerError', 'CrashLoopBackOff', 'RunContainerError',
]);

type Json = any;

interface Cluster {
  server: string;
  ca?: Buffer;
  caFile?: string;
  insecure: boolean;
}
interface Credentials {
  token?: string;
  cert?: Buffer;
  key?: Buffer;
}

export class ApiStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: Json,
    what: string,
  ) {
    super(`${what}: HTTP ${status}: ${typeof body === 'object' && body?.message ? body.message : JSON.stringify(body)}`);
  }
}

function fileOrData(dir: string, file: unknown, data: unknown): Buffer | undefined {
  if (typeof data === 'string' && data) return Buffer.from(data, 'base64');
  if (typeof file === 'string' && file) return readFileSync(path.resolve(dir, file));
  return undefined;
}

/** The current context's cluster and credentials of a kubeconfig file. */
function loadKubeconfig(file: string): { cluster: Cluster; creds: Credentials; namespace?: string } {
  const dir = path.dirname(file);
  const cfg = parseYaml(readFileSync(file, 'utf8')) as Json;
  const ctx = (cfg.contexts ?? []).find((c: Json) => c.name === cfg['current-context'])?.context;
  if (!ctx) throw new Error(`${file}: no current context`);
  const c = (cfg.clusters ?? []).find((x: Json) => x.name === ctx.cluster)?.cluster;
  const u = (cfg.users ?? []).find((x: Json) => x.name === ctx.user)?.user ?? {};
  if (!c?.server) throw new Error(`${file}: cluster ${ctx.cluster} has no server`);
  if (u.exec || u['auth-provider']) {
    throw new Error(`${file}: exec/auth-provider credentials are not supported here; use a token or client certificate`);
  }
  const token = u.token ?? (u.tokenFile ? readFileSync(path.resolve(dir, u.tokenFile), 'utf8').trim() : undefined);
  return {
    cluster: {
      server: String(c.server).replace(/\/+$/, ''),
      ca: fileOrData(dir, c['certificate-authority'], c['certificate-authority-data']),
      caFile: c['certificate-authority'] ? path.resolve(dir, c['certificate-authority']) : undefined,
      insecure: c['insecure-skip-tls-verify'] === true,
    },
    creds: {
      token,
      cert: fileOrData(dir, u['client-certificate'], u['client-certificate-data']),
      key: fileOrData(dir, u['client-key'], u['client-key-data']),
    },
    namespace: ctx.namespace,
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RealBackend implements Backend {
  readonly name: string;
  readonly features: BackendFeatures;
  /** true: the local control plane of e2e/run.sh; false: a cluster of your own (KDBG_E2E_KUBECONFIG) */
  readonly local: boolean;
  private readonly cluster: Cluster;
  private readonly creds: Credentials;
  private readonly agent: https.Agent;
  private readonly dir: string;
  private readonly namespaces = new Set<string>();
  private rbacReady?: Promise<void>;

  constructor(opts: { adminKubeconfig: string; local: boolean; dir?: string }) {
    const { cluster, creds } = loadKubeconfig(opts.adminKubeconfig);
    this.cluster = cluster;
    this.creds = creds;
    this.local = opts.local;
    // the local control plane has no controller-manager
    this.features = { recordsRequests: false, podSecurity: true, hooks: false, selfSubjectReview: true, controllers: !opts.local };
    this.name = opts.local ? 'real' : `real (${cluster.server})`;
    this.agent = new https.Agent({
      keepAlive: true,
      ca: cluster.ca,
      cert: creds.cert,
      key: creds.key,
      rejectUnauthorized: !cluster.insecure,
    });
    const base = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'kdbg-real-'));
    this.dir = mkdtempSync(path.join(base, 'scenario-'));
  }

  /** The user name the API sees for a test user (impersonated names on a cluster of your own). */
  userName(user: TestUser): string {
    if (user === 'admin') return this.local ? 'admin' : '(admin kubeconfig)';
    return this.local ? user : `kdbg-e2e-${user}`;
  }

  /** One API request as admin. Resolves for 2xx (and the statuses in `allow`), else throws ApiStatusError. */
  async api(method: string, urlPath: string, body?: Json, opts: { contentType?: string; allow?: number[] } = {}): Promise<{ status: number; body: Json }> {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.creds.token) headers.Authorization = `Bearer ${this.creds.token}`;
    if (payload !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = https.request(new URL(this.cluster.server + urlPath), { method, headers, agent: this.agent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
    let parsed: Json = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON
    }
    if ((status >= 200 && status < 300) || opts.allow?.includes(status)) return { status, body: parsed };
    throw new ApiStatusError(status, parsed, `${method} ${urlPath}`);
  }

  /** ClusterRoles from e2e/fixtures/rbac.yaml and the cluster-wide namespace-reader binding, created or updated. */
  private ensureRbac(): Promise<void> {
    this.rbacReady ??= (async () => {
      const docs = parseAllDocuments(readFileSync(RBAC_FILE, 'utf8')).map((d) => d.toJSON() as Json).filter(Boolean);
      for (const doc of docs) {
        if (doc.kind === 'ClusterRoleBinding') {
          doc.subjects = (doc.subjects as Json[]).map((s) => ({ ...s, name: this.userName(s.name as TestUser) }));
        }
        const plural = doc.kind === 'ClusterRole' ? 'clusterroles' : 'clusterrolebindings';
        const base = `/apis/rbac.authorization.k8s.io/v1/${plural}`;
        const same = (o: Json) => ['rules', 'subjects', 'roleRef'].every((f) => JSON.stringify(o[f]) === JSON.stringify(doc[f]));
        // other test files do the same at the same time: tolerate their writes
        for (let attempt = 0; ; attempt++) {
          const got = await this.api('GET', `${base}/${doc.metadata.name}`, undefined, { allow: [404] });
          if (got.status !== 404 && same(got.body)) break;
          const res = got.status === 404
            ? await this.api('POST', base, doc, { allow: [409] })
            : await this.api('PUT', `${base}/${doc.metadata.name}`, { ...doc, metadata: { ...doc.metadata, resourceVersion: got.body.metadata.resourceVersion } }, { allow: [409] });
          if (res.status !== 409) break;
          if (attempt >= 5) throw new ApiStatusError(409, res.body, `${base}/${doc.metadata.name}`);
        }
      }
    })();
    return this.rbacReady;
  }

  async newNamespace(prefix: string, labels: Record<string, string> = {}): Promise<string> {
    await this.ensureRbac();
    const clean = prefix.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'kdbg';
    const name = `${clean}-${randomBytes(3).toString('hex')}`;
    await this.api('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kdbg-e2e': 'true', ...labels } },
    });
    this.namespaces.add(name);
    for (const user of ['debugger', 'noexec', 'viewer'] as const) {
      await this.api('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${name}/rolebindings`, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `kdbg-e2e-${user}`, namespace: name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `kdbg-e2e-${user}` },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: this.userName(user) }],
      });
    }
    return name;
  }

  /** Credentials of a test user: the per-user kubeconfig locally; the admin's plus `as:` on your own cluster. */
  private userEntry(user: TestUser): Json {
    if (!this.local) {
      const u: Json = {};
      if (this.creds.token) u.token = this.creds.token;
      if (this.creds.cert) u['client-certificate-data'] = this.creds.cert.toString('base64');
      if (this.creds.key) u['client-key-data'] = this.creds.key.toString('base64');
      if (user !== 'admin') u.as = this.userName(user);
      return u;
    }
    const file = user === 'admin'
      ? process.env.KDBG_E2E_ADMIN_KUBECONFIG!
      : process.env[`KDBG_E2E_KUBECONFIG_${user.toUpperCase()}`] ?? path.join(process.env.KDBG_E2E_DIR ?? '', 'kubeconfig', user);
    const { creds } = loadKubeconfig(file);
    const u: Json = {};
    if (creds.token) u.token = creds.token;
    if (creds.cert) u['client-certificate-data'] = creds.cert.toString('base64');
    if (creds.key) u['client-key-data'] = creds.key.toString('base64');
    return u;
  }

  async kubeconfig(user: TestUser, namespace: string): Promise<string> {
    if (!USERS.includes(user)) throw new Error(`unknown test user ${user}`);
    const cluster: Json = { server: this.cluster.server };
    if (this.cluster.caFile) cluster['certificate-authority'] = this.cluster.caFile;
    else if (this.cluster.ca) cluster['certificate-authority-data'] = this.cluster.ca.toString('base64');
    if (this.cluster.insecure) cluster['insecure-skip-tls-verify'] = true;
    const ctx = `${user}@kdbg-e2e`;
    const file = path.join(this.dir, `${user}-${namespace}.kubeconfig`);
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'kdbg-e2e', cluster }],
        users: [{ name: user, user: this.userEntry(user) }],
        contexts: [{ name: ctx, context: { cluster: 'kdbg-e2e', user, namespace } }],
        'current-context': ctx,
      }),
      { mode: 0o600 },
    );
    return file;
  }

  async createPod(namespace: string, pod: V1Pod): Promise<V1Pod> {
    const body = { apiVersion: 'v1', kind: 'Pod', ...pod, metadata: { ...pod.metadata, namespace } };
    const created = (await this.api('POST', `/api/v1/namespaces/${namespace}/pods`, body)).body as V1Pod;
    return this.waitRunning(namespace, created.metadata!.name!);
  }

  async submitPod(namespace: string, pod: V1Pod): Promise<void> {
    await this.api('POST', `/api/v1/namespaces/${namespace}/pods`, { apiVersion: 'v1', kind: 'Pod', ...pod, metadata: { ...pod.metadata, namespace } });
  }

  /** Polls until the pod is Running with every container running; fails fast on pull/config errors. */
  async waitRunning(namespace: string, name: string, timeoutMs = 60_000): Promise<V1Pod> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pod = await this.getPod(namespace, name);
      const statuses = pod.status?.containerStatuses ?? [];
      const want = pod.spec?.containers.length ?? 0;
      if (pod.status?.phase === 'Running' && statuses.length === want && statuses.every((s) => s.state?.running)) return pod;
      for (const s of [...(pod.status?.initContainerStatuses ?? []), ...statuses]) {
        const w = s.state?.waiting;
        if (w?.reason && STUCK.has(w.reason)) {
          throw new Error(`pod ${namespace}/${name}: container ${s.name} is ${w.reason}: ${w.message ?? ''}`);
        }
      }
      if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') {
        throw new Error(`pod ${namespace}/${name} ended (${pod.status.phase}) before it was Running`);
      }
      if (Date.now() > deadline) {
        throw new Error(`pod ${namespace}/${name} not Running after ${timeoutMs} ms: ${JSON.stringify(pod.status)}`);
      }
      await sleep(100);
    }
  }

  async listPods(namespace: string): Promise<V1Pod[]> {
    return ((await this.api('GET', `/api/v1/namespaces/${namespace}/pods`)).body as { items: V1Pod[] }).items;
  }

  async getPod(namespace: string, name: string): Promise<V1Pod> {
    return (await this.api('GET', `/api/v1/namespaces/${namespace}/pods/${name}`)).body as V1Pod;
  }

  async createWorkload(namespace: string, obj: object): Promise<void> {
    const o = obj as Json;
    // deployments, statefulsets, daemonsets, replicasets, jobs
    const plural = `${String(o.kind).toLowerCase()}s`;
    await this.api('POST', `/apis/${o.apiVersion}/namespaces/${namespace}/${plural}`, { ...o, metadata: { ...o.metadata, namespace } });
  }

  async ephemeralContainers(namespace: string, pod: string): Promise<V1EphemeralContainer[]> {
    return (await this.getPod(namespace, pod)).spec?.ephemeralContainers ?? [];
  }

  async denyEphemeralContainers(namespace: string, user: TestUser): Promise<void> {
    const rbac = `/apis/rbac.authorization.k8s.io/v1`;
    const role = (await this.api('GET', `${rbac}/clusterroles/kdbg-e2e-${user}`)).body as { rules: Array<{ resources?: string[] }> };
    const name = `kdbg-e2e-${user}-no-ephemeral-containers`;
    const rules = role.rules.filter((r) => !r.resources?.includes('pods/ephemeralcontainers'));
    await this.api('POST', `${rbac}/namespaces/${namespace}/roles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules });
    // a binding's roleRef cannot change: the user's binding is replaced
    await this.api('DELETE', `${rbac}/namespaces/${namespace}/rolebindings/kdbg-e2e-${user}`);
    await this.api('POST', `${rbac}/namespaces/${namespace}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: this.userName(user) }],
    });
    // the authorizer reads bindings from its informers' caches: ask it until it has caught up
    const review = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: this.userName(user), resourceAttributes: { namespace, verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' } },
    };
    const deadline = Date.now() + 10_000;
    while ((await this.api('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', review)).body.status.allowed) {
      if (Date.now() > deadline) throw new Error(`${user} may still patch pods/ephemeralcontainers in ${namespace} after 10 s`);
      await sleep(50);
    }
  }

  /** Deletes at once (grace period 0) and resolves when the pod is gone from the API. */
  async deletePod(namespace: string, name: string): Promise<void> {
    await this.api('DELETE', `/api/v1/namespaces/${namespace}/pods/${name}?gracePeriodSeconds=0`, undefined, { allow: [404] });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const got = await this.api('GET', `/api/v1/namespaces/${namespace}/pods/${name}`, undefined, { allow: [404] });
      if (got.status === 404) return;
      await sleep(100);
    }
    throw new Error(`pod ${namespace}/${name} still exists 60 s after its deletion`);
  }

  async nodeProcesses(match: string): Promise<string[]> {
    if (!this.local) throw new Error('nodeProcesses: only the local control plane runs its pods on this host');
    const out: string[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      } catch {
        continue; // gone
      }
      const line = cmdline.replace(/\0+$/, '').split('\0').join(' ');
      if (line && line.includes(match)) out.push(line);
    }
    return out;
  }

  async close(): Promise<void> {
    for (const ns of this.namespaces) {
      try {
        const pods = (await this.api('GET', `/api/v1/namespaces/${ns}/pods`)).body.items as V1Pod[];
        await Promise.all(pods.map((p) =>
          this.api('DELETE', `/api/v1/namespaces/${ns}/pods/${p.metadata!.name}?gracePeriodSeconds=0`, undefined, { allow: [404] })));
        // without a namespace controller (local control plane) the namespace stays Terminating; harmless
        await this.api('DELETE', `/api/v1/namespaces/${ns}`, undefined, { allow: [404, 409] });
      } catch {
        // best effort
      }
    }
    this.namespaces.clear();
    this.agent.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The real backend. KDBG_E2E_KUBECONFIG=<admin kubeconfig of your own cluster> selects that cluster (test users by
 * impersonation: kdbg-e2e-debugger, kdbg-e2e-viewer, kdbg-e2e-noexec); otherwise the control plane of
 * e2e/run.sh via KDBG_E2E_ADMIN_KUBECONFIG and KDBG_E2E_DIR.
 */
export async function realBackend(): Promise<Backend> {
  return realBackendImpl();
}

/** Like realBackend(), typed as the class for tests that need its extra helpers (api, waitRunning, userName). */
export async function realBackendImpl(): Promise<RealBackend> {
  const own = process.env.KDBG_E2E_KUBECONFIG;
  if (own) return new RealBackend({ adminKubeconfig: own, local: false });
  const admin = process.env.KDBG_E2E_ADMIN_KUBECONFIG;
  if (!admin) {
    throw new Error('real backend: set KDBG_E2E_ADMIN_KUBECONFIG (npm run e2e does) or KDBG_E2E_KUBECONFIG (a cluster of your own)');
  }
  const dir = process.env.KDBG_E2E_DIR ? path.join(process.env.KDBG_E2E_DIR, 'scenarios') : undefined;
  if (dir) mkdirSync(dir, { recursive: true });
  return new RealBackend({ adminKubeconfig: admin, local: true, dir });
}
