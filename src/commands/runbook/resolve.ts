// The runbook's targets → its pods: one client per context (each under the rate limit), who kdbg is in each, and
// every target listed in each of its namespaces; a pod that two targets name runs once.
import type { V1Pod } from '@kubernetes/client-node';
import type { IO } from '../../io.ts';
import type { KubeClient } from '../../kube/types.ts';
import type { RateLimit } from '../../kube/rate-limit.ts';
import type { PlannedTarget } from '../../runbook/plan.ts';
import type { Report, TargetProblem } from '../../runbook/report.ts';
import { KdbgError } from '../../errors.ts';
import { whoAmI } from '../../debug/preflight.ts';
import { targetPods } from '../../debug/target.ts';
import { inNamespace } from '../../kube/in-namespace.ts';
import type { Place } from './preflight.ts';

export interface Clients {
  /** by --context (undefined: the current one) */
  of(context: string | undefined): KubeClient;
  all(): KubeClient[];
  close(): void;
}

export interface Connection {
  kubeconfig?: string | undefined;
  as?: string | undefined;
  asGroups?: string[] | undefined;
  rateLimit: RateLimit;
}

export async function openClients(contexts: Array<string | undefined>, conn: Connection, io: IO): Promise<Clients> {
  const { loadKubeClient } = await import('../../kube/client.ts');
  const byContext = new Map<string | undefined, KubeClient>();
  try {
    for (const context of new Set(contexts)) {
      byContext.set(
        context,
        await loadKubeClient({
          kubeconfig: conn.kubeconfig,
          context,
          as: conn.as,
          asGroups: conn.asGroups,
          env: io.env,
          stderr: io.stderr,
          stdinIsTTY: Boolean(io.stdin.isTTY),
          onWarning: (text) => io.stderr.write(`Warning: ${text}\n`),
          rateLimit: conn.rateLimit,
        }),
      );
    }
  } catch (err) {
    for (const c of byContext.values()) c.close();
    throw err;
  }
  return {
    of: (context) => byContext.get(context)!,
    all: () => [...byContext.values()],
    close: () => {
      for (const c of byContext.values()) c.close();
    },
  };
}

export interface FoundPod {
  place: Place;
  pod: V1Pod;
  /** the container targets name, if any */
  container: string | undefined;
}

/** Every pod of every target, in the order the targets list them; targets that fail or find none are problems. */
export async function findPods(targets: PlannedTarget[], clients: Clients): Promise<{ pods: FoundPod[]; problems: TargetProblem[]; identities: Report['identities'] }> {
  const identities = new Map(await Promise.all(clients.all().map(async (c) => [c, await whoAmI(c)] as const)));
  const answers = await Promise.all(
    targets.map(async (t) => {
      const own = clients.of(t.context);
      const namespace = t.namespace ?? own.context.namespace;
      // the pipeline works in its client's namespace
      const client = inNamespace(own, namespace);
      const place: Place = { client, context: own.context.contextName, namespace, identity: identities.get(own)! };
      try {
        const found = await targetPods({ client, namespace }, t.target);
        return { t, place, found, message: found.length ? undefined : 'no pods' };
      } catch (err) {
        if (!(err instanceof KdbgError)) throw err;
        return { t, place, found: [], message: err.message };
      }
    }),
  );
  const seen = new Set<string>();
  const pods: FoundPod[] = [];
  const problems: TargetProblem[] = [];
  for (const { t, place, found, message } of answers) {
    if (message) problems.push({ context: place.context, namespace: place.namespace, target: t.label, message });
    for (const pod of found) {
      const key = `${place.client.context.server}\n${place.namespace}\n${pod.metadata!.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pods.push({ place, pod, container: t.container });
    }
  }
  const who = [...identities].map(([c, i]) => ({ context: c.context.contextName, server: c.context.server, user: i.user }));
  return { pods, problems, identities: who };
}
