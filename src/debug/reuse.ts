// Which debug container a call uses: one of the user's that runs (or starts) with the same spec, else a new one
// under a name every concurrent caller agrees on. Never one more beside a container whose image already failed.
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { ENV, envOf, randomName, reusableName, specHash } from './spec.ts';
import { FATAL_WAITING, IMAGE_FAILURES, ImageFailed, ephemeralStatus } from './states.ts';

export interface Reusable {
  container: V1EphemeralContainer;
  startedAt: Date | undefined;
  /** its status does not show it running yet: a kubelet reports a start up to a relist (about 1 s) late */
  starting: boolean;
}

/** A kdbg container: its KDBG_SPEC label matches its own spec, so a forged label does not make one. */
export function isKdbgContainer(c: V1EphemeralContainer): boolean {
  const label = envOf(c, ENV.spec);
  return label !== undefined && specHash(c) === label;
}

/**
 * The newest kdbg container of this user with the same spec hash that runs, or else one that is still starting
 * (no status yet, or waiting for a reason that is not fatal).
 */
export function findReusable(pod: V1Pod, user: string, hash: string): Reusable | undefined {
  let best: Reusable | undefined;
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    if (envOf(c, ENV.user) !== user || envOf(c, ENV.spec) !== hash || !isKdbgContainer(c)) continue;
    const state = ephemeralStatus(pod, c.name)?.state;
    if (state?.terminated || (state?.waiting?.reason && FATAL_WAITING.has(state.waiting.reason))) continue;
    const running = state?.running;
    const candidate = { container: c, startedAt: running?.startedAt ? new Date(running.startedAt) : undefined, starting: !running };
    if (!best || better(candidate, best)) best = candidate;
  }
  return best;
}

function better(a: Reusable, b: Reusable): boolean {
  if (a.starting !== b.starting) return !a.starting;
  return (a.startedAt?.getTime() ?? 0) > (b.startedAt?.getTime() ?? 0);
}

function takenNames(pod: V1Pod): Set<string> {
  return new Set([...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name));
}

/** The first generation of the deterministic name that no container of the pod holds yet. */
export function freshReusableName(pod: V1Pod, profile: string, user: string, hash: string): string {
  const taken = takenNames(pod);
  for (let generation = 0; ; generation++) {
    const name = reusableName(profile, user, hash, generation);
    if (!taken.has(name)) return name;
  }
}

/** A random name no container of the pod holds (--new). */
export function unusedRandomName(pod: V1Pod, profile: string, random: (n: number) => Buffer): string {
  const taken = takenNames(pod);
  for (;;) {
    const name = randomName(profile, random);
    if (!taken.has(name)) return name;
  }
}

/**
 * Refuses an image that a kdbg container of this pod already failed to pull, with that container's message,
 * rather than adding another container that can never start nor be removed.
 */
export function assertImageNotFailed(pod: V1Pod, image: string): void {
  for (const c of pod.spec?.ephemeralContainers ?? []) {
    if (c.image !== image || !isKdbgContainer(c)) continue;
    const waiting = ephemeralStatus(pod, c.name)?.state?.waiting;
    const terminated = ephemeralStatus(pod, c.name)?.state?.terminated;
    const reason = waiting?.reason ?? terminated?.reason;
    if (reason && IMAGE_FAILURES.has(reason)) {
      throw new ImageFailed(c.name, image, reason, waiting?.message ?? terminated?.message ?? 'no message from the kubelet').again();
    }
  }
}
