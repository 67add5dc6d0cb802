// kdbg ls --live: each running kdbg container says how many sessions it has and how long it has idled.
import type { KubeClient } from '../../kube/types.ts';
import type { DebugContainerRecord } from '../../debug/inventory.ts';
import { parseState, stateCommand } from '../../debug/programs.ts';
import { runProgram } from '../../session/run-program.ts';
import { mapLimit } from '../../concurrency.ts';

/** Fills `live` of every running kdbg record it can read; a container that does not answer keeps none. */
export async function readLive(client: KubeClient, records: DebugContainerRecord[], concurrency = 8): Promise<void> {
  const running = records.filter((r) => r.kdbg && r.state.phase === 'running');
  await mapLimit(running, concurrency, async (r) => {
    const run = await runProgram(client, r.namespace, r.pod, r.name, stateCommand()).catch(() => undefined);
    const state = run && run.result.kind === 'exited' && run.result.code === 0 ? parseState(run.stdout) : undefined;
    if (state) r.live = { ...state, ttlLeftSeconds: Math.max(0, state.ttlSeconds - state.idleSeconds) };
  });
}
