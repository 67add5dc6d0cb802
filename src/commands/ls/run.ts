// kdbg ls: the debug containers of the target's pods (one paginated LIST), as a table or as JSON/YAML records.
import { stringify } from 'yaml';
import type { V1Pod } from '@kubernetes/client-node';
import type { IO } from '../../io.ts';
import type { KubeClient } from '../../kube/types.ts';
import type { LsPlan } from './options.ts';
import { listPods } from '../../kube/pods.ts';
import { targetPods } from '../../debug/target.ts';
import { whoAmI } from '../../debug/preflight.ts';
import { inventory, type DebugContainerRecord } from '../../debug/inventory.ts';
import { ownPodRecords, type OwnPodRecord } from '../../debug/own-pod.ts';
import { readLive } from './live.ts';
import { withClient } from '../cluster.ts';
import { lsTable } from './table.ts';

export async function runLs(plan: LsPlan, io: IO): Promise<number> {
  return withClient(plan.flags, io, async (client) => {
    const [pods, identity] = await Promise.all([podsOf(client, plan), whoAmI(client)]);
    const records = inventory(pods, identity.user);
    if (plan.flags.live) await readLive(client, records);
    print(records, ownPodRecords(pods), plan, io, client.context.namespace);
    return 0;
  });
}

function podsOf(client: KubeClient, plan: LsPlan): Promise<V1Pod[]> {
  if (plan.allNamespaces) return listPods(client, { namespace: undefined, labelSelector: plan.flags.selector });
  return targetPods({ client, namespace: client.context.namespace }, plan.target);
}

function print(records: DebugContainerRecord[], own: OwnPodRecord[], plan: LsPlan, io: IO, namespace: string): void {
  const { output } = plan.flags;
  if (output === 'json' || output === 'yaml') {
    const list = { apiVersion: 'kdbg.dev/v1', kind: 'DebugContainerList', items: records, pods: own };
    io.stdout.write(output === 'json' ? `${JSON.stringify(list, null, 2)}\n` : stringify(list));
    return;
  }
  // kdbg's own pods (copies, node shells) on stderr below the table: the table stays one kind of row
  const ownPods = () => {
    for (const p of own) io.note(`pod ${plan.allNamespaces ? `${p.namespace}/` : ''}${p.name}: ${p.kind === 'copy' ? `copy of ${p.copyOf}` : p.kind}, by ${p.createdBy ?? 'unknown'}, ${p.phase} (kdbg stop ${p.name} deletes it)`);
  };
  if (records.length === 0) {
    io.note(plan.allNamespaces ? 'no debug containers in any namespace' : `no debug containers in namespace ${namespace}`);
    ownPods();
    return;
  }
  const width = output === 'table' && io.stdout.isTTY ? io.stdout.columns : undefined;
  io.stdout.write(lsTable(records, { wide: output === 'wide', allNamespaces: plan.allNamespaces, live: plan.flags.live === true, now: io.now(), width, headers: plan.flags.headers, paint: io.paint.out }));
  ownPods();
}
