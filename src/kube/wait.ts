// Waits for a new debug container to run, by watching the pod and its events from the PATCH's
// resourceVersion. Fails fast on the states a container does not recover from by waiting.
//
// The kubelet records the `Started` event as soon as the runtime has started the container, while the status
// reaches the API only after its next relist (up to a second later on a real node). With `earlyStart`, that
// event ends the wait; a container that died straight after starting is then explained by `waitForRunning`
// again without it.
import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from './types.ts';
import { watch, type Watcher } from './watch.ts';
import { ExitCode, KdbgError } from '../errors.ts';
import { podPath } from './paths.ts';
import { FATAL_WAITING, ephemeralStatus } from './container-states.ts';


export interface WaitOptions {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: string;
  image: string;
  resourceVersion: string;
  /** the pod as the PATCH returned it */
  patched?: V1Pod;
  timeoutMs: number;
  /** the container's state and the pod's events as they come */
  onProgress(text: string): void;
  /** resolve on the container's Started event, ahead of its status */
  earlyStart?: boolean;
}


export function getPod(client: KubeClient, namespace: string, name: string): Promise<V1Pod> {
  return client.request<V1Pod>({ method: 'GET', path: podPath(namespace, name) });
}

export async function waitForRunning(opts: WaitOptions): Promise<V1Pod> {
  const { client, namespace, pod, container } = opts;
  const watchers: Watcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let last = 'waiting for the kubelet';
  let lastStatus: string | undefined;
  let latest: V1Pod | undefined = opts.patched;
  try {
    return await new Promise<V1Pod>((resolve, reject) => {
      const judge = (p: V1Pod) => {
        latest = p;
        const verdict = judgeStatus(ephemeralStatus(p, container), opts.image, container);
        if (verdict.kind === 'running') resolve(p);
        else if (verdict.kind === 'failed') reject(verdict.error);
        // a status repeated by a later pod update must not hide a newer event
        else if (verdict.text && verdict.text !== lastStatus) opts.onProgress((last = lastStatus = verdict.text));
      };
      timer = setTimeout(() => {
        reject(new KdbgError(`debug container ${container} did not start within ${opts.timeoutMs / 1000}s (${last})`, ExitCode.waitTimeout));
      }, opts.timeoutMs);
      const relistPod = async () => {
        const p = await getPod(client, namespace, pod);
        judge(p);
        return p.metadata?.resourceVersion ?? '0';
      };
      watchers.push(
        watch<V1Pod>(client, {
          path: podPath(namespace),
          query: { fieldSelector: `metadata.name=${pod}` },
          resourceVersion: opts.resourceVersion,
          onEvent: (type, p) => {
            if (type === 'DELETED') reject(new KdbgError(`pod ${pod} was deleted while its debug container was starting`));
            else judge(p);
          },
          relist: relistPod,
          onError: reject,
        }),
        watch<CoreV1Event>(client, {
          path: podPath(namespace, undefined, 'events'),
          query: { fieldSelector: `involvedObject.name=${pod}` },
          resourceVersion: opts.resourceVersion,
          onEvent: (type, e) => {
            if (type === 'DELETED' || !concerns(e, container)) return;
            if (opts.earlyStart && e.reason === 'Started' && latest) resolve(latest);
            opts.onProgress((last = `${e.reason}: ${e.message ?? ''}`.trim()));
          },
          relist: async () => (await client.request<{ metadata?: { resourceVersion?: string } }>({ method: 'GET', path: podPath(namespace, undefined, 'events'), query: { fieldSelector: `involvedObject.name=${pod}`, limit: '1' } })).metadata?.resourceVersion ?? '0',
          // events only decorate the spinner: losing their watch must not fail the wait
          onError: () => undefined,
        }),
      );
      // The PATCH answer may already show the container running (a reused name, a fast node).
      relistPod().catch(() => undefined);
    });
  } finally {
    clearTimeout(timer);
    for (const w of watchers) w.stop();
  }
}

function concerns(e: CoreV1Event, container: string): boolean {
  return e.involvedObject?.fieldPath === `spec.ephemeralContainers{${container}}`;
}

type Verdict = { kind: 'running' } | { kind: 'failed'; error: KdbgError } | { kind: 'waiting'; text?: string };

export function judgeStatus(status: V1ContainerStatus | undefined, image: string, name: string): Verdict {
  const state = status?.state;
  if (!state) return { kind: 'waiting' };
  if (state.running) return { kind: 'running' };
  if (state.terminated) {
    const t = state.terminated;
    if (noShell(t.message, t.exitCode)) return { kind: 'failed', error: noShellError(image) };
    const why = [t.reason, t.message].filter(Boolean).join(': ');
    return {
      kind: 'failed',
      error: new KdbgError(`debug container ${name} exited with code ${t.exitCode} before a session could start${why ? ` (${why})` : ''}`, ExitCode.unusable),
    };
  }
  const w = state.waiting;
  if (w?.reason && FATAL_WAITING.has(w.reason)) {
    if (noShell(w.message, undefined)) return { kind: 'failed', error: noShellError(image) };
    return { kind: 'failed', error: new KdbgError(`debug container ${name}: ${w.reason}: ${w.message ?? 'no message from the kubelet'}`, ExitCode.unusable) };
  }
  return { kind: 'waiting', text: w?.reason ? `${w.reason}${w.message ? `: ${w.message}` : ''}` : undefined };
}

/** The runtime could not find `sh` (containerd: StartError, `exec: "sh": executable file not found in $PATH`). */
function noShell(message: string | undefined, exitCode: number | undefined): boolean {
  if (message && /"sh": (executable file not found|no such file or directory)/i.test(message)) return true;
  return exitCode === 127 && !message;
}

function noShellError(image: string): KdbgError {
  return new KdbgError(`image ${image} has no shell; kdbg needs one (pick a profile or --image with sh)`, ExitCode.unusable);
}
