// `kdbg __complete WORDS…`, which the shell scripts of `kdbg completion` call on every Tab. It answers in cobra's
// protocol, exits 0 and says nothing on stderr, whatever happens: a cluster that cannot be reached, a kubeconfig
// that cannot be read or an answer that takes too long all mean no candidates, within COMPLETION_DEADLINE_MS.
import type { IO } from '../io.ts';
import { completeWords } from './candidates.ts';
import { formatCompletion, NOTHING, type Completion } from './protocol.ts';
import type { CommandNode } from './tree.ts';

/** the whole completion, cluster requests included, ends by then */
export const COMPLETION_DEADLINE_MS = 2000;

export async function runCompletion(root: CommandNode, words: string[], io: Pick<IO, 'stdout' | 'env'>): Promise<number> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Completion>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve(NOTHING);
    }, COMPLETION_DEADLINE_MS);
  });
  const work = completeWords(root, words, { env: io.env, signal: controller.signal, timeoutMs: COMPLETION_DEADLINE_MS }).catch(() => NOTHING);
  const answer = await Promise.race([work, deadline]);
  clearTimeout(timer);
  io.stdout.write(formatCompletion(answer));
  return 0;
}
