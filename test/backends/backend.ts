// The small interface the CLI scenarios are written against, so the same scenario runs on the in-process fake
// API server (npm test) and on a real kube-apiserver with the kubelet stand-in (npm run e2e).
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';

/**
 * Test users. Every backend grants:
 * - admin:    everything
 * - debugger: get/list/watch pods, events, namespaces and workloads (deployments, statefulsets, daemonsets,
 *             replicasets, jobs); patch pods/ephemeralcontainers; get+create pods/exec, pods/attach; get pods/log
 * - viewer:   get/list/watch pods, events and workloads only
 * - noexec:   like debugger, without pods/exec (neither get nor create)
 */
export type TestUser = 'admin' | 'debugger' | 'viewer' | 'noexec';

export interface BackendFeatures {
  /** the backend records every API request (fake only) */
  recordsRequests: boolean;
  /** PodSecurity admission is enforced */
  podSecurity: boolean;
  /** failure-injection hooks are available (fake only) */
  hooks: boolean;
  /** SelfSubjectReview is served (both, unless a scenario turns it off on the fake) */
  selfSubjectReview: boolean;
  /** workload controllers run, so a Deployment makes pods of its own (only a cluster of your own) */
  controllers: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  user: string;
  contentType?: string;
  body?: string;
  upgrade?: string;
}

export interface Backend {
  readonly name: string;
  readonly features: BackendFeatures;
  /** Creates a namespace of its own for one scenario (optionally with PodSecurity labels on a real backend). */
  newNamespace(prefix: string, labels?: Record<string, string>): Promise<string>;
  /** Path of a kubeconfig for that user, whose current context uses `namespace`. */
  kubeconfig(user: TestUser, namespace: string): Promise<string>;
  /** Creates the pod and resolves once it is Running with all its containers running. */
  createPod(namespace: string, pod: V1Pod): Promise<V1Pod>;
  /** Creates the pod and returns at once, whatever becomes of it: for pods meant never to run (a crash loop). */
  submitPod(namespace: string, pod: V1Pod): Promise<void>;
  getPod(namespace: string, name: string): Promise<V1Pod>;
  /** The namespace's pods, as the server has them. */
  listPods(namespace: string): Promise<V1Pod[]>;
  /**
   * Creates an apps/v1 Deployment, StatefulSet, DaemonSet, ReplicaSet or batch/v1 Job as admin. Unless
   * `features.controllers`, nothing acts on it: the scenario creates the pods its selector should find.
   */
  createWorkload(namespace: string, obj: object): Promise<void>;
  ephemeralContainers(namespace: string, pod: string): Promise<V1EphemeralContainer[]>;
  /**
   * Takes from the test user, in that namespace only, the right to add ephemeral containers (patch
   * pods/ephemeralcontainers); the rest of their role stays. Resolves once the API server's authorizer says no.
   */
  denyEphemeralContainers(namespace: string, user: TestUser): Promise<void>;
  deletePod(namespace: string, name: string): Promise<void>;
  /** Command lines of processes on the node (host) that contain `match`. */
  nodeProcesses(match: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The standard fixture: a Running pod `web-0` with one long-running container `app` (image busybox). */
export function webPod(name = 'web-0', extra: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'web' } },
    spec: {
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 1; done'] }],
      ...extra,
    },
  } as V1Pod;
}

/**
 * The sandbox's `crashloop` (e2e/fixtures/sandbox.yaml): prints `starting`, a second later `giving up` on stderr,
 * and exits, over and over: CrashLoopBackOff. Create it with submitPod.
 */
export function crashLoopPod(name = 'crashloop', exitCode = 1): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'crashloop' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', `echo "starting"; sleep 1; echo "giving up" >&2; exit ${exitCode}`] }],
    },
  } as V1Pod;
}

/**
 * The sandbox's `init-fails`: its init container `migrate` prints `migration failed` on stderr and exits 2, so
 * `app` never starts: Init:CrashLoopBackOff, or with restartPolicy Never a Failed pod. Create it with submitPod.
 */
export function initFailsPod(name = 'init-fails', restartPolicy: 'Always' | 'Never' = 'Always'): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'init-fails' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      restartPolicy,
      initContainers: [{ name: 'migrate', image: 'busybox:1.36', command: ['sh', '-c', 'echo "migration failed" >&2; exit 2'] }],
      containers: [{ name: 'app', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 1; done'] }],
    },
  } as V1Pod;
}
