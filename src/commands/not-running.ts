// The refusal of a target that is not running, said with its post-mortem first: why it died (a block on stderr,
// or the PostMortem as JSON on stdout with -o json), then the way in that still works. Only this path reads the
// log; a running target costs nothing extra.
import type { V1Pod } from '@kubernetes/client-node';
import type { IO } from '../io.ts';
import type { KubeClient } from '../kube/types.ts';
import { KdbgError } from '../errors.ts';
import { explainingContainer, postMortem } from '../debug/post-mortem.ts';
import { lastLogLines } from '../debug/last-log.ts';
import { headline, postMortemBlock, wayIn } from '../ui/post-mortem.ts';

export interface NotRunningOutput {
  /** -o json: the PostMortem on stdout */
  json: boolean;
  /** the cluster flags the way-in command repeats (-n, --context) */
  clusterArgs: string[];
}

/** The refusal of a target that is not running, once its post-mortem has been said; a terminal may offer --copy. */
export class NotRunningRefusal extends KdbgError {
  constructor(
    message: string,
    readonly pod: string,
    /** the post-mortem went to stdout as JSON: nothing is to be asked */
    readonly json: boolean,
  ) {
    super('not-debuggable', message);
    this.name = 'NotRunningRefusal';
  }
}

/** Says why, and returns the one-line refusal (exit 125) for main() to print. */
export async function explainNotRunning(client: KubeClient, pod: V1Pod, container: string, io: IO, out: NotRunningOutput): Promise<KdbgError> {
  const pm = postMortem(pod, container);
  const refusal = wayIn(copyCommand(pod, container, out.clusterArgs));
  const refuse = (message: string) => new NotRunningRefusal(message, pm.pod, out.json);
  if (!out.json && io.quiet) return refuse(`${headline(pm)}; ${refusal}`);
  pm.log = await lastLogLines(client, pm.namespace, pm.pod, explainingContainer(pm));
  if (out.json) {
    io.stdout.write(`${JSON.stringify(pm, null, 2)}\n`);
    return refuse(`${headline(pm)}; ${refusal}`);
  }
  io.stderr.write(postMortemBlock(pm));
  return refuse(refusal);
}

/** kdbg attach POD [-c CONTAINER] [-n NS] [--context CTX] --copy */
function copyCommand(pod: V1Pod, container: string, clusterArgs: string[]): string {
  const words = ['kdbg', 'attach', pod.metadata?.name ?? ''];
  if ((pod.spec?.containers.length ?? 0) > 1) words.push('-c', container);
  words.push(...clusterArgs, '--copy');
  return words.map(shellWord).join(' ');
}

function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}
