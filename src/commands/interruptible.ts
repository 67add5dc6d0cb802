import { KdbgError } from '../errors.ts';

/**
 * `work`, unless the signal aborts first: then an `interrupted` error saying what was under way, so a signal while
 * a request hangs ends kdbg at once (the request is left to the process's exit).
 */
export function interruptible<T>(signal: AbortSignal, doing: string, work: Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new KdbgError('interrupted', `interrupted (SIG${String(signal.reason)}) while ${doing}`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
