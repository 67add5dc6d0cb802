// Pods over the API: get one, list many (paginated), watch one.
import type { V1Pod, V1PodList } from '@kubernetes/client-node';
import type { KubeClient } from './types.ts';
import { podPath } from './paths.ts';
import { watch, type Watcher, type WatchEventType } from './watch.ts';

export function getPod(client: KubeClient, namespace: string, name: string): Promise<V1Pod> {
  return client.request<V1Pod>({ method: 'GET', path: podPath(namespace, name) });
}

export interface ListPodsOptions {
  /** undefined: every namespace */
  namespace: string | undefined;
  labelSelector?: string | undefined;
  /** items per page; the API server's continue token fetches the rest */
  pageSize?: number;
}

/** A PodList as JSON has it (client-node's type names the token `_continue`). */
type PodPage = Pick<V1PodList, 'items'> & { metadata?: { continue?: string; resourceVersion?: string } };

/** Every matching pod, page by page, as one list. */
export async function listPods(client: KubeClient, opts: ListPodsOptions): Promise<V1Pod[]> {
  const path = opts.namespace === undefined ? '/api/v1/pods' : podPath(opts.namespace);
  const items: V1Pod[] = [];
  let cont: string | undefined;
  do {
    const page = await client.request<PodPage>({
      method: 'GET',
      path,
      query: { labelSelector: opts.labelSelector, limit: String(opts.pageSize ?? 500), continue: cont },
    });
    items.push(...page.items);
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return items;
}

export interface PodWatch {
  namespace: string;
  name: string;
  /** start after this resourceVersion */
  resourceVersion: string;
  onEvent(type: WatchEventType, pod: V1Pod): void;
  onError(err: Error): void;
  /** the pod as re-read after the watch's history expired (410), before events go on */
  onRelist?(pod: V1Pod): void;
}

/** Watches one pod; after 410 Gone it re-reads the pod and goes on from there. */
export function watchPod(client: KubeClient, w: PodWatch): Watcher {
  return watch<V1Pod>(client, {
    path: podPath(w.namespace),
    query: { fieldSelector: `metadata.name=${w.name}` },
    resourceVersion: w.resourceVersion,
    onEvent: w.onEvent,
    relist: async () => {
      const pod = await getPod(client, w.namespace, w.name);
      w.onRelist?.(pod);
      return pod.metadata?.resourceVersion ?? '0';
    },
    onError: w.onError,
  });
}

export interface PodLogOptions {
  container: string;
  /** the run before the current one */
  previous?: boolean;
  tailLines?: number;
  /** the server stops after this many bytes */
  limitBytes?: number;
  /** aborts the request, the body's reading included */
  signal?: AbortSignal;
}

/** GET pods/NAME/log: the text of one container's log (plain text, not JSON), read whole. */
export async function podLog(client: KubeClient, namespace: string, name: string, opts: PodLogOptions): Promise<string> {
  const res = await client.stream({
    method: 'GET',
    path: `${podPath(namespace, name)}/log`,
    query: {
      container: opts.container,
      previous: opts.previous ? 'true' : undefined,
      tailLines: opts.tailLines === undefined ? undefined : String(opts.tailLines),
      limitBytes: opts.limitBytes === undefined ? undefined : String(opts.limitBytes),
    },
    signal: opts.signal,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
