// The last lines a container printed in the run that ended last: the previous run's log when it waits to run
// again, the current one when it has terminated for good. Never fails: a log that cannot be read says why.
import type { KubeClient } from '../kube/types.ts';
import { ApiError } from '../kube/api-error.ts';
import { podLog } from '../kube/pods.ts';
import type { ContainerReport, LogTail } from './post-mortem.ts';

export const TAIL_LINES = 10;
/** enough for ten long lines; the server stops there */
const LIMIT_BYTES = 16 * 1024;
const TIMEOUT_MS = 5000;

/** undefined when the container never ran, so there is no log to read. */
export async function lastLogLines(client: KubeClient, namespace: string, pod: string, c: ContainerReport, tailLines = TAIL_LINES): Promise<LogTail | undefined> {
  const terminatedNow = c.state.phase === 'terminated';
  if (!terminatedNow && c.lastTermination === undefined) return undefined;
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  const read = (previous: boolean) => podLog(client, namespace, pod, { container: c.name, previous, tailLines, limitBytes: LIMIT_BYTES, signal });
  let previous = !terminatedNow;
  try {
    let text: string;
    try {
      text = await read(previous);
    } catch (err) {
      // no previous instance (the kubelet's 400): the run that ended is the current one
      if (!previous || !isNoPrevious(err)) throw err;
      previous = false;
      text = await read(false);
    }
    return { container: c.name, previous, lines: splitLines(text) };
  } catch (err) {
    return { container: c.name, unavailable: signal.aborted ? `no answer in ${TIMEOUT_MS / 1000}s` : whyUnreadable(err) };
  }
}

function isNoPrevious(err: unknown): boolean {
  return err instanceof ApiError && err.statusCode === 400 && /^previous terminated container .* not found/.test(err.message);
}

function whyUnreadable(err: unknown): string {
  if (err instanceof ApiError && err.statusCode === 403) return 'you may not get pods/log';
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
