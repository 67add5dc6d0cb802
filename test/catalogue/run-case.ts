// Runs one catalogue case: its namespace, pods and faults on a fake API server, its kubeconfig, kdbg as a child
// process, and the signal it gets in the phase it names.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { startFakeCluster, type FakeCluster } from '../fake/cluster.ts';
import { eventually, runKdbg, type RunResult } from '../scenarios/harness.ts';
import type { Case, CaseEnv, Phase } from './case.ts';
import { writeKubeconfig } from './kubeconfigs.ts';
import type { Secrets } from './secrets.ts';
import type { TestServers } from './servers.ts';

/** What every case shares: one fake API server, the other servers, the secrets and a folder. */
export interface World {
  cluster: FakeCluster;
  servers: TestServers;
  secrets: Secrets;
  dir: string;
}

/** The fake's timings for the catalogue: fast starts, a short status lag. */
export const FAST = { startDelayMs: 20, statusLagMs: 50, scheduleDelayMs: 5 };

export async function startCluster(secrets: Secrets, options: Case['ownCluster'] = {}): Promise<FakeCluster> {
  const cluster = await startFakeCluster({ ...FAST, ...options });
  for (const user of ['debugger', 'viewer', 'noexec', 'admin'] as const) cluster.addToken(secrets.token[user], user);
  cluster.addToken(secrets.execToken, 'debugger');
  return cluster;
}

export interface CaseRun {
  env: CaseEnv;
  result: RunResult;
  /** the names of the pods the case made before kdbg ran */
  fixtures: string[];
  /** stops the case's own cluster, if it has one */
  close(): Promise<void>;
}

export async function runCase(world: World, c: Case, extraArgs: string[] = []): Promise<CaseRun> {
  const cluster = c.ownCluster ? await startCluster(world.secrets, c.ownCluster) : world.cluster;
  const namespace = `c-${c.id}${extraArgs.length ? '-v' : ''}`.slice(0, 63).replace(/-+$/, '');
  const dir = path.join(world.dir, namespace);
  mkdirSync(dir, { recursive: true });
  try {
    cluster.createNamespace(namespace, c.namespaceLabels);
    const kubeconfig = writeKubeconfig(c.kubeconfig ?? 'debugger', { cluster, servers: world.servers, secrets: world.secrets, namespace, dir });
    const env: CaseEnv = { cluster, namespace, kubeconfig, servers: world.servers, dir };
    await Promise.all((c.pods ?? []).map((p) => cluster.addPod(namespace, p)));
    await c.setup?.(env);
    const args = typeof c.args === 'function' ? c.args(env) : c.args;
    const result = await runKdbg([...extraArgs, ...args], {
      kubeconfig,
      env: c.env,
      stdoutFile: c.stdoutFile,
      timeoutMs: 45_000,
      onSpawn: c.signal && ((child) => void reach(env, c.signal!.phase).then(() => child.kill(c.signal!.name), () => child.kill('SIGKILL'))),
    });
    return { env, result, fixtures: (c.pods ?? []).map((p) => p.metadata!.name!), close: async () => c.ownCluster && cluster.close() };
  } catch (err) {
    if (c.ownCluster) await cluster.close();
    throw err;
  }
}

/**
 * Resolves once kdbg is in that phase: its read of the pod is held (resolving), the server dry run of its pod has
 * been sent (preflight), its debug container or pod is added and watched (waiting), or the remote command runs on
 * the node (attached).
 */
function reach(env: CaseEnv, phase: Phase): Promise<unknown> {
  const { cluster, namespace } = env;
  const pods = `/api/v1/namespaces/${namespace}/pods`;
  switch (phase) {
    case 'resolving':
      return eventually(() => cluster.requests.some((r) => r.method === 'GET' && r.path.startsWith(`${pods}/`)), 20_000, 20);
    case 'preflight':
      return eventually(() => cluster.requests.some((r) => r.method === 'POST' && r.path === pods && /(^|&)dryRun=/.test(r.query)), 20_000, 20);
    case 'waiting':
      return eventually(() => {
        const created = cluster.requests.findIndex(
          (r) => (r.method === 'PATCH' && r.path.endsWith('/ephemeralcontainers')) || (r.method === 'POST' && r.path === pods && !/(^|&)dryRun=/.test(r.query)),
        );
        return created >= 0 && cluster.requests.slice(created).some((r) => r.path === pods && /(^|&)watch=/.test(r.query));
      }, 20_000, 20);
    case 'attached':
      return eventually(() => cluster.processes(ATTACHED_COMMAND.join(' ')).length > 0, 20_000, 20);
  }
}

/** What a case that is signalled while attached runs: long enough never to end by itself. */
export const ATTACHED_COMMAND = ['sleep', '305'];
