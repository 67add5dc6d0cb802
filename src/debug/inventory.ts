// Every ephemeral container of some pods, kdbg's and other tools', as one record each: what `kdbg ls` prints and
// what `kdbg stop` chooses from. Read from the pods alone (one LIST), no call per pod.
import type { V1ContainerState, V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import { ENV, envOf } from './spec.ts';
import { isKdbgContainer } from './reuse.ts';
import { ephemeralStatus } from './states.ts';
import type { LiveState } from './programs.ts';

export interface DebugContainerState {
  phase: 'running' | 'waiting' | 'terminated' | 'unknown';
  reason?: string | undefined;
  message?: string | undefined;
  exitCode?: number | undefined;
  startedAt?: string | undefined;
  finishedAt?: string | undefined;
}

/** One ephemeral container. Field names are stable: `kdbg ls -o json` prints them (README). */
export interface DebugContainerRecord {
  namespace: string;
  pod: string;
  name: string;
  /** kdbg's own (its spec label matches its spec) */
  kdbg: boolean;
  /** KDBG_USER for kdbg's; "kubectl" for kubectl debug's debugger-xxxxx; else "unknown" */
  createdBy: string;
  profile: string | undefined;
  image: string;
  /** the image the node ran, once it started */
  imageID: string | undefined;
  target: string | undefined;
  state: DebugContainerState;
  /** the TTL it started with (a later session may have set another: see live) */
  ttlSeconds: number | undefined;
  /** the reason recorded when it was added */
  reason: string | undefined;
  /** yours, kdbg's, and running: attach with the same profile and flags would use it */
  reusableByYou: boolean;
  /** with --live: read from the container itself */
  live?: (LiveState & { ttlLeftSeconds: number }) | undefined;
}

export function inventory(pods: V1Pod[], you: string): DebugContainerRecord[] {
  const records: DebugContainerRecord[] = [];
  for (const pod of pods) {
    for (const c of pod.spec?.ephemeralContainers ?? []) records.push(record(pod, c, you));
  }
  return records;
}

function record(pod: V1Pod, c: V1EphemeralContainer, you: string): DebugContainerRecord {
  const kdbg = isKdbgContainer(c);
  const status = ephemeralStatus(pod, c.name);
  const state = stateOf(status?.state);
  const createdBy = kdbg ? (envOf(c, ENV.user) ?? 'unknown') : /^debugger-[a-z0-9]{5}$/.test(c.name) ? 'kubectl' : 'unknown';
  const ttl = kdbg ? Number(envOf(c, ENV.ttl)) : NaN;
  return {
    namespace: pod.metadata?.namespace ?? '',
    pod: pod.metadata?.name ?? '',
    name: c.name,
    kdbg,
    createdBy,
    profile: kdbg ? (envOf(c, ENV.profile) ?? /^kdbg-(.+)-[a-z0-9]{5}$/.exec(c.name)?.[1]) : undefined,
    image: c.image ?? '',
    imageID: status?.imageID || undefined,
    target: c.targetContainerName,
    state,
    ttlSeconds: Number.isFinite(ttl) ? ttl : undefined,
    reason: kdbg ? envOf(c, ENV.reason) : undefined,
    reusableByYou: kdbg && createdBy === you && state.phase === 'running',
  };
}

function stateOf(s: V1ContainerState | undefined): DebugContainerState {
  if (s?.running) return { phase: 'running', startedAt: iso(s.running.startedAt) };
  if (s?.terminated) {
    const t = s.terminated;
    return { phase: 'terminated', reason: t.reason, message: t.message, exitCode: t.exitCode, startedAt: iso(t.startedAt), finishedAt: iso(t.finishedAt) };
  }
  if (s?.waiting) return { phase: 'waiting', reason: s.waiting.reason, message: s.waiting.message };
  return { phase: 'unknown' };
}

function iso(t: Date | string | undefined): string | undefined {
  return t === undefined ? undefined : new Date(t).toISOString().replace(/\.000Z$/, 'Z');
}
