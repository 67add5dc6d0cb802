// kdbg stop: the idle program of each chosen kdbg container ends its sessions and exits; we wait for the
// container's terminated state and say what was stopped.
import type { V1Pod } from '@kubernetes/client-node';
import type { IO } from '../../io.ts';
import type { KubeClient } from '../../kube/types.ts';
import type { StopPlan } from './options.ts';
import { targetPods } from '../../debug/target.ts';
import { whoAmI } from '../../debug/preflight.ts';
import { inventory, type DebugContainerRecord } from '../../debug/inventory.ts';
import { deleteOwnPod, ownPodRecords } from '../../debug/own-pod.ts';
import { stopCommand } from '../../debug/programs.ts';
import { waitForRunning, waitForTerminated } from '../../debug/wait.ts';
import { FATAL_WAITING } from '../../debug/states.ts';
import { runProgram } from '../../session/run-program.ts';
import { withClient } from '../cluster.ts';
import { KdbgError } from '../../errors.ts';
import { mapLimit } from '../../concurrency.ts';

export async function runStop(plan: StopPlan, io: IO): Promise<number> {
  return withClient(plan.flags, io, async (client) => {
    const namespace = client.context.namespace;
    const [pods, identity] = await Promise.all([targetPods({ client, namespace }, plan.target), whoAmI(client)]);
    // kdbg's own pods (copies, node shells) are deleted: a named one, or with --all-mine those you made
    const own = plan.names.length > 0 ? [] : ownPodRecords(pods).filter((p) => plan.target.kind === 'pod' || p.createdBy === identity.user);
    for (const p of own) {
      await deleteOwnPod(client, namespace, p.name);
      io.stdout.write(`deleted pod ${p.name}${p.copyOf ? ` (copy of ${p.copyOf})` : ''}\n`);
    }
    const chosen = choose(inventory(pods, identity.user), plan, identity.user);
    if (chosen.length === 0) {
      if (own.length > 0) return 0;
      io.note(`no running debug containers of ${identity.user} in ${plan.target.kind === 'pod' ? `pod ${plan.target.name}` : `namespace ${namespace}`}`);
      return 0;
    }
    const byPod = new Map(pods.map((p) => [p.metadata!.name!, p]));
    await mapLimit(chosen, 8, async (r) => {
      const sessions = await stopOne(client, byPod.get(r.pod)!, r, plan.timeoutMs);
      io.stdout.write(`stopped ${r.name} in pod ${r.pod}${sessions > 0 ? ` (${sessions} session${sessions === 1 ? '' : 's'} ended)` : ''}\n`);
    });
    return 0;
  });
}

/** Still to end: running, or starting (no status yet, or waiting for a reason that is not fatal). */
function live(r: DebugContainerRecord): boolean {
  return r.state.phase === 'running' || r.state.phase === 'unknown' || (r.state.phase === 'waiting' && !FATAL_WAITING.has(r.state.reason ?? ''));
}

/** Named containers must be kdbg's; without names, the user's own that run or start. */
function choose(records: DebugContainerRecord[], plan: StopPlan, you: string): DebugContainerRecord[] {
  if (plan.names.length === 0) return records.filter((r) => r.kdbg && r.createdBy === you && live(r));
  return plan.names.flatMap((name) => {
    const r = records.find((x) => x.name === name);
    if (!r) throw new KdbgError('not-found', `pod ${records[0]?.pod ?? (plan.target as { name: string }).name} has no debug container ${name}`);
    if (!r.kdbg) throw new KdbgError('forbidden', `${name} was not added by kdbg (created by ${r.createdBy}); kdbg stops only its own`);
    if (r.state.phase === 'terminated') return [];
    if (!live(r)) throw new KdbgError('unusable', `${name} is ${r.state.reason ?? r.state.phase}; only a running debug container can be stopped`);
    return [r];
  });
}

async function stopOne(client: KubeClient, pod: V1Pod, r: DebugContainerRecord, timeoutMs: number): Promise<number> {
  // one that is starting is stopped once it runs: its idle program is what ends it
  if (r.state.phase !== 'running') {
    pod = await waitForRunning({ client, namespace: r.namespace, pod: r.pod, container: r.name, image: r.image, from: pod, timeoutMs, earlyStart: false, onProgress: () => undefined });
  }
  const run = await runProgram(client, r.namespace, r.pod, r.name, stopCommand());
  const said = /^sessions (\d+)$/m.exec(run.stdout);
  // The exec may end with the container (lost, or killed with it) once the idle program has been told.
  if (!said) throw new KdbgError('unusable', `could not stop ${r.name}: ${run.stderr.trim() || describe(run.result)}`);
  await waitForTerminated({ client, namespace: r.namespace, pod: r.pod, container: r.name, from: pod, timeoutMs });
  return Number(said[1]);
}

function describe(result: Awaited<ReturnType<typeof runProgram>>['result']): string {
  return result.kind === 'exited' ? `exit code ${result.code}` : result.kind === 'failed' ? result.message : 'the session was lost';
}
