// A resumable watch: streams events from a resourceVersion, reconnects from the last one it saw when the
// server ends or drops the stream, and on 410 Gone asks the caller to re-read the current state.
import { createInterface } from 'node:readline';
import type { KubeClient } from './types.ts';
import { ApiError } from './api-error.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchSpec<T> {
  path: string;
  query: Record<string, string>;
  /** start after this resourceVersion */
  resourceVersion: string;
  onEvent(type: WatchEventType, obj: T): void;
  /** re-reads the current state after 410 Gone and returns the resourceVersion to continue from */
  relist(): Promise<string>;
  onError(err: Error): void;
  /** wait before reconnecting after a dropped stream (default 200 ms) */
  retryDelayMs?: number;
}

interface RawEvent {
  type: string;
  object: { metadata?: { resourceVersion?: string }; code?: number; message?: string };
}

export interface Watcher {
  stop(): void;
}

export function watch<T extends { metadata?: { resourceVersion?: string } }>(client: KubeClient, spec: WatchSpec<T>): Watcher {
  const controller = new AbortController();
  let rv = spec.resourceVersion;

  const once = async (): Promise<void> => {
    const res = await client.stream({
      method: 'GET',
      path: spec.path,
      query: { ...spec.query, watch: 'true', allowWatchBookmarks: 'true', resourceVersion: rv, timeoutSeconds: '300' },
      signal: controller.signal,
    });
    res.on('error', () => {
      // a dropped connection ends the line reader below; the loop reconnects
    });
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line.trim()) continue;
      const event = JSON.parse(line) as RawEvent;
      if (event.type === 'ERROR') {
        if (event.object.code === 410) {
          rv = await spec.relist();
          continue;
        }
        throw new ApiError(event.object.code ?? 500, event.object as never, event.object.message ?? 'watch failed');
      }
      const objectRv = event.object.metadata?.resourceVersion;
      if (objectRv) rv = objectRv;
      if (event.type === 'BOOKMARK') continue;
      spec.onEvent(event.type as WatchEventType, event.object as T);
    }
  };

  void (async () => {
    while (!controller.signal.aborted) {
      try {
        await once();
      } catch (err) {
        if (controller.signal.aborted) return;
        if (err instanceof ApiError && err.statusCode === 410) {
          try {
            rv = await spec.relist();
            continue;
          } catch (relistErr) {
            spec.onError(relistErr as Error);
            return;
          }
        }
        if (err instanceof ApiError || err instanceof SyntaxError) {
          spec.onError(err);
          return;
        }
        // connection dropped: resume from the last resourceVersion after a pause
      }
      await new Promise((r) => setTimeout(r, spec.retryDelayMs ?? 200).unref());
    }
  })();

  return { stop: () => controller.abort() };
}
