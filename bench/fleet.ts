// The pods of the `kdbg ls -A` benchmark: many pods on nodes other than the fake's own (its kubelet leaves them
// alone, so no host process starts), some with a kdbg debug container built by debugContainer() as attach builds
// it, stored straight into the fake API server's store with the status a kubelet would have written.
import { randomUUID } from 'node:crypto';
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { FakeCluster } from '../test/fake/cluster.ts';
import { defaultContainer, defaultPodSpec } from '../test/fake/api/defaults.ts';
import type { JsonObject } from '../test/fake/api/status.ts';
import { Store } from '../test/fake/api/store.ts';
import { builtinProfiles } from '../src/profiles/builtin.ts';
import { debugContainer, reusableName, specHash } from '../src/debug/spec.ts';
import { isKdbgContainer } from '../src/debug/reuse.ts';

export interface Fleet {
  namespaces: string[];
  pods: number;
  debugPods: number;
}

/**
 * FakeCluster has no call that stores a pod without running it (addPod waits for the fake node to run it as host
 * processes), so this takes the cluster's Store by watching which instance a createNamespace() call writes to.
 */
function createNamespaceAndTakeStore(cluster: FakeCluster, name: string): Store {
  const create = Store.prototype.create;
  let store: Store | undefined;
  Store.prototype.create = function (this: Store, ...args: Parameters<Store['create']>) {
    store = this;
    return create.apply(this, args);
  };
  try {
    cluster.createNamespace(name);
  } finally {
    Store.prototype.create = create;
  }
  if (!store) throw new Error('fleet: could not reach the fake API server\'s store');
  return store;
}

const timestamp = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const hex = (n: number): string => randomUUID().replace(/-/g, '').slice(0, n);

/**
 * `pods` pods over `namespaceCount` namespaces (PREFIX-00, PREFIX-01…); every (pods / debugPods)-th has a running kdbg
 * debug container.
 */
export function seedFleet(cluster: FakeCluster, pods = 2000, debugPods = 200, namespaceCount = 20, prefix = 'fleet'): Fleet {
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `${prefix}-${String(i).padStart(2, '0')}`);
  const store = createNamespaceAndTakeStore(cluster, namespaces[0]!);
  for (const ns of namespaces.slice(1)) cluster.createNamespace(ns);
  const busybox = builtinProfiles().find((p) => p.name === 'busybox')!;
  const every = Math.floor(pods / debugPods);
  const started = Date.now() - 3600_000;
  let debug = 0;
  for (let i = 0; i < pods; i++) {
    const namespace = namespaces[i % namespaceCount]!;
    const app = `svc-${Math.floor(i / namespaceCount) % 25}`;
    const hash = hex(10);
    const name = `${app}-${hash}-${hex(5)}`;
    const containers = [
      {
        name: 'app',
        image: `registry.example.com/team/${app}:1.${i % 7}.3`,
        ports: [{ name: 'http', containerPort: 8080 }],
        env: [
          { name: 'LOG_LEVEL', value: 'info' },
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        ],
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
        readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
        volumeMounts: [{ name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
      },
      { name: 'proxy', image: 'registry.example.com/mesh/proxy:1.22.0', args: ['proxy', '--port', '15001'], resources: { requests: { cpu: '10m', memory: '40Mi' } } },
    ];
    const pod: JsonObject = {
      metadata: {
        name,
        generateName: `${app}-${hash}-`,
        namespace,
        uid: randomUUID(),
        creationTimestamp: timestamp(started),
        generation: 1,
        labels: { app, 'pod-template-hash': hash },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${app}-${hash}`, uid: randomUUID(), controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        ...defaultPodSpec({
          containers,
          volumes: [{ name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } }],
        }),
        nodeName: `fleet-node-${i % 10}`,
      },
      status: {
        phase: 'Running',
        conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({
          type,
          status: 'True',
          lastProbeTime: null,
          lastTransitionTime: timestamp(started),
        })),
        hostIP: `10.0.0.${i % 10}`,
        hostIPs: [{ ip: `10.0.0.${i % 10}` }],
        podIP: `10.244.${i % 250}.${(i >> 8) % 250}`,
        podIPs: [{ ip: `10.244.${i % 250}.${(i >> 8) % 250}` }],
        startTime: timestamp(started),
        containerStatuses: containers.map((c) => running(c.name, c.image, started, true)),
        qosClass: 'Burstable',
      },
    };
    if (i % every === 0 && debug < debugPods) {
      debug++;
      const user = i % (2 * every) === 0 ? 'admin' : 'alice';
      const input = { profile: busybox, pod: pod as V1Pod, target: 'app', user, ttlSeconds: 900 };
      const fitted = debugContainer(input, 'placeholder');
      const c = debugContainer(input, reusableName('busybox', user, specHash(fitted), 0));
      if (!isKdbgContainer(c)) throw new Error('fleet: debugContainer() built a container kdbg would not take for its own');
      const stored = defaultContainer(c as JsonObject) as V1EphemeralContainer;
      pod.spec.ephemeralContainers = [stored];
      pod.status.ephemeralContainerStatuses = [running(stored.name, stored.image!, started + 1800_000, false)];
    }
    store.create('Pod', pod);
  }
  return { namespaces, pods, debugPods: debug };
}

function running(name: string, image: string, since: number, regular: boolean): JsonObject {
  return {
    name,
    state: { running: { startedAt: timestamp(since) } },
    lastState: {},
    ready: regular,
    restartCount: 0,
    image,
    imageID: `${image.replace(/:[^:/]+$/, '')}@sha256:${'0'.repeat(48)}${hex(16)}`,
    containerID: `containerd://${hex(32)}${hex(32)}`,
    started: true,
  };
}
