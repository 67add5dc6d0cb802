// Failure injection and node configuration that tests can set on a running fake cluster.
import type { FakeUser } from './api/auth.ts';
import type { PodSecurityExemptions } from './api/pod-security.ts';
import type { FakeWebhook } from './api/webhooks.ts';

export interface FakeHooks {
  /** Denies `verb` on `resource` (e.g. 'pods/exec') to `user` from now on (in `namespace` only, if named), whatever the user's rules say. */
  deny(user: FakeUser, verb: string, resource: string, namespace?: string): void;
  /** Repositories (any spelling, tag ignored) whose pull fails with NotFound; `example/nosuchimage` always does. */
  unpullableImages: Set<string>;
  /** Repositories without any executable: every container command and exec fails like runc does. */
  shelllessImages: Set<string>;
  /** Repositories whose image USER is 1000 instead of root. */
  nonRootImages: Set<string>;
  /** Repositories whose entrypoint exits 1 at once, whatever the command: a container that dies at start. */
  exitAtStartImages: Set<string>;
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
  /**
   * Requests for which this says true are recorded and never answered (the connection stays open): a server that
   * hangs on them.
   */
  hold: ((method: string, path: string) => boolean) | undefined;
  /** A validating admission webhook that denies creating pods ('pods') or adding debug containers to them. */
  denyingWebhook: { resource: 'pods' | 'pods/ephemeralcontainers'; name: string; message: string } | undefined;
  /** How often a watch with allowWatchBookmarks=true gets a BOOKMARK event. */
  bookmarkIntervalMs: number;
  /** Validating admission webhooks on pods/ephemeralcontainers, in order (api/webhooks.ts). */
  webhooks: FakeWebhook[];
  /** PodSecurity's exemptions: namespaces and requesting users it does not judge (none by default). */
  podSecurityExemptions: PodSecurityExemptions;
}
