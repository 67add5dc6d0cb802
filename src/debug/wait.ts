// Waits for a new debug container to run, by watching the pod and its events from the PATCH's
// resourceVersion. Fails fast on the states a container does not recover from by waiting.
//
// The kubelet records the `Started` event as soon as the runtime has started the container, while the status
// reaches the API only after its next relist (up to a second later on a real node). With `earlyStart`, that
// event ends the wait; a container that died straight after starting is then explained by `waitForRunning`
// again without it.
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';
import type { KubeClient } from '../kube/types.ts';
import { watch, type Watcher } from '../kube/watch.ts';
import { getPod, watchPod } from '../kube/pods.ts';
import { podPath } from '../kube/paths.ts';
import { KdbgError } from '../errors.ts';
import { containerStatus, ephemeralStatus, judgeEvent, judgeStatus, type ContainerKind } from './states.ts';

export interface WaitOptions {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: string;
  image: string;
  /** the pod as last read: the watch starts after its resourceVersion */
  from: V1Pod;
  timeoutMs: number;
  /** the container's state and the pod's events as they come */
  onProgress(text: string): void;
  /** resolve on the container's Started event, ahead of its status */
  earlyStart: boolean;
  /** gives up (rejecting with an `interrupted` error) when aborted */
  signal?: AbortSignal | undefined;
  /**
   * The container's events since its start, not only from `from` on: for a container that was added before (a
   * reused one that still starts), whose failure may already have been reported.
   */
  pastEvents?: boolean;
  /** the container's place in the pod (default: a debug container, ephemeralContainers) */
  kind?: ContainerKind;
}

export async function waitForRunning(opts: WaitOptions): Promise<V1Pod> {
  const { client, namespace, pod, container } = opts;
  const kind = opts.kind ?? 'ephemeralContainers';
  const resourceVersion = opts.from.metadata?.resourceVersion ?? '0';
  const watchers: Watcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  let last = 'waiting for the kubelet';
  let lastStatus: string | undefined;
  let latest: V1Pod = opts.from;
  try {
    return await new Promise<V1Pod>((resolve, reject) => {
      const judge = (p: V1Pod) => {
        latest = p;
        const verdict = judgeStatus(containerStatus(p, kind, container), opts.image, container);
        if (verdict.kind === 'running') resolve(p);
        else if (verdict.kind === 'failed') reject(verdict.error);
        // a status repeated by a later pod update must not hide a newer event
        else if (verdict.text && verdict.text !== lastStatus) opts.onProgress((last = lastStatus = verdict.text));
      };
      timer = setTimeout(() => {
        reject(new KdbgError('timeout', `debug container ${container} did not start within ${opts.timeoutMs / 1000}s (${last})`));
      }, opts.timeoutMs);
      onAbort = () => reject(new KdbgError('interrupted', `interrupted (SIG${String(opts.signal?.reason)}) while ${container} was starting`));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      watchers.push(
        watchPod(client, {
          namespace,
          name: pod,
          resourceVersion,
          onEvent: (type, p) => {
            if (type === 'DELETED') reject(new KdbgError('not-found', `pod ${pod} was deleted while its debug container was starting`));
            else judge(p);
          },
          onRelist: judge,
          onError: reject,
        }),
        watch<CoreV1Event>(client, {
          path: podPath(namespace, undefined, 'events'),
          query: { fieldSelector: `involvedObject.name=${pod}` },
          // from "0": the events that exist first, as ADDED, then what comes
          resourceVersion: opts.pastEvents ? '0' : resourceVersion,
          onEvent: (type, e) => {
            if (type === 'DELETED' || e.involvedObject?.fieldPath !== `spec.${kind}{${container}}`) return;
            const failure = judgeEvent(e, opts.image, container);
            if (failure) reject(failure);
            if (opts.earlyStart && e.reason === 'Started') resolve(latest);
            opts.onProgress((last = `${e.reason}: ${e.message ?? ''}`.trim()));
          },
          relist: async () =>
            (
              await client.request<{ metadata?: { resourceVersion?: string } }>({
                method: 'GET',
                path: podPath(namespace, undefined, 'events'),
                query: { fieldSelector: `involvedObject.name=${pod}`, limit: '1' },
              })
            ).metadata?.resourceVersion ?? '0',
          // events only decorate the spinner: losing their watch must not fail the wait
          onError: () => undefined,
        }),
      );
      if (opts.signal?.aborted) onAbort();
      // The pod as read may already show the container running (a reused name, a fast node).
      getPod(client, namespace, pod).then(judge, () => undefined);
    });
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    for (const w of watchers) w.stop();
  }
}

export interface EndOptions {
  client: KubeClient;
  namespace: string;
  pod: string;
  container: string;
  /** the pod as last read: the watch starts after its resourceVersion */
  from: V1Pod;
  timeoutMs: number;
}

/** Resolves once the debug container's status says terminated (or the pod is gone). */
export async function waitForTerminated(opts: EndOptions): Promise<void> {
  const { client, namespace, pod, container } = opts;
  let watcher: Watcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      const judge = (p: V1Pod) => {
        if (ephemeralStatus(p, container)?.state?.terminated) resolve();
      };
      timer = setTimeout(() => reject(new KdbgError('timeout', `debug container ${container} was told to stop but still runs after ${opts.timeoutMs / 1000}s`)), opts.timeoutMs);
      watcher = watchPod(client, {
        namespace,
        name: pod,
        resourceVersion: opts.from.metadata?.resourceVersion ?? '0',
        onEvent: (type, p) => (type === 'DELETED' ? resolve() : judge(p)),
        onRelist: judge,
        onError: reject,
      });
      getPod(client, namespace, pod).then(judge, () => undefined);
    });
  } finally {
    clearTimeout(timer);
    watcher?.stop();
  }
}
