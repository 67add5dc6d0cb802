// Failure injection and node configuration that tests can set on a running fake cluster.
import type { FakeUser } from './api/auth.ts';

export interface FakeHooks {
  /** Denies `verb` on `resource` (e.g. 'pods/exec') to `user` from now on (in `namespace` only, if named), whatever the user's rules say. */
  deny(user: FakeUser, verb: string, resource: string, namespace?: string): void;
  /** Repositories (any spelling, tag ignored) whose pull fails with NotFound; `example/nosuchimage` always does. */
  unpullableImages: Set<string>;
  /** Repositories without any executable: every container command and exec fails like runc does. */
  shelllessImages: Set<string>;
  /** Repositories whose image USER is 1000 instead of root. */
  nonRootImages: Set<string>;
  /** Extra delay before the kubelet starts any container. */
  slowStartMs: number;
  /** Answer the next ephemeralcontainers PATCH/PUT with 409 Conflict, without applying it. */
  patchConflictOnce: boolean;
  /** Apply the next ephemeralcontainers PATCH/PUT, then destroy the connection without answering. */
  dropPatchResponseOnce: boolean;
  /** Destroy every exec/attach WebSocket this long after it opens (undefined: never). */
  dropStreamsAfterMs: number | undefined;
  /** Cut the next watch response abruptly (no terminating chunk) shortly after it starts. */
  dropWatchesOnce: boolean;
  /** Forget the retained watch events: a watch from any older resourceVersion then gets 410 Expired. */
  compact(): void;
  /** Texts sent as `Warning: 299 - "…"` headers on the next response (then cleared). */
  warnings: string[];
  /** How often a watch with allowWatchBookmarks=true gets a BOOKMARK event. */
  bookmarkIntervalMs: number;
}
