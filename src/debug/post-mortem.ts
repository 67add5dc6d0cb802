// Why a target container is not running, read from the pod's status alone: its state, how its last run ended,
// the init container that holds it back, and the pod's own phase and reason. Pure. The field names are stable:
// `kdbg attach -o json` prints them (README).
import type { V1ContainerState, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

export interface Termination {
  exitCode: number;
  /** the signal that ended the run: the status's own, or exitCode - 128 */
  signal?: number;
  /** SIGKILL, SIGSEGV, … (Linux numbering, which is the node's) */
  signalName?: string;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface StateReport {
  phase: 'waiting' | 'running' | 'terminated' | 'unknown';
  reason?: string;
  message?: string;
}

/** One container: what it is doing now and how its last run ended (its current state when that is terminated). */
export interface ContainerReport {
  name: string;
  state: StateReport;
  restartCount: number;
  lastTermination?: Termination;
}

/** The last lines of the log of the run that explains, or why they could not be read. */
export type LogTail =
  | { container: string; previous: boolean; lines: string[] }
  | { container: string; unavailable: string };

export interface PostMortem {
  apiVersion: 'kdbg.dev/v1';
  kind: 'PostMortem';
  namespace: string;
  pod: string;
  /** the pod's phase, and its reason and message (status.reason, else the PodScheduled condition's) */
  phase: string;
  reason?: string;
  message?: string;
  /** the target container */
  container: string;
  state: StateReport;
  restartCount: number;
  lastTermination?: Termination;
  /** the init container that failed, or keeps failing, so the target never started */
  failedInit?: ContainerReport;
  /** a pod that has Succeeded or Failed: its other containers */
  containers?: ContainerReport[];
  log?: LogTail;
}

/** Linux signal numbers (the node's numbering, whatever the machine kdbg runs on). */
const SIGNALS = [
  'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV',
  'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN',
  'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

/** Waiting reasons of an init container that will not go away by waiting. */
const FAILING_WAIT = new Set([
  'CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull',
  'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError',
]);

export function postMortem(pod: V1Pod, container: string): PostMortem {
  const status = pod.status;
  const phase = status?.phase ?? 'Unknown';
  const target = report(container, status?.containerStatuses?.find((s) => s.name === container));
  const scheduled = status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const out: PostMortem = {
    apiVersion: 'kdbg.dev/v1',
    kind: 'PostMortem',
    namespace: pod.metadata?.namespace ?? '',
    pod: pod.metadata?.name ?? '',
    phase,
    reason: status?.reason || scheduled?.reason || undefined,
    message: status?.message || scheduled?.message || undefined,
    container,
    state: target.state,
    restartCount: target.restartCount,
    lastTermination: target.lastTermination,
  };
  if (neverRan(target)) out.failedInit = failedInit(pod);
  if (phase === 'Succeeded' || phase === 'Failed') {
    const others = (pod.spec?.containers ?? []).filter((c) => c.name !== container);
    if (others.length) out.containers = others.map((c) => report(c.name, status?.containerStatuses?.find((s) => s.name === c.name)));
  }
  return out;
}

/** How the run ended: `signal` from the status, else from an exit code above 128 that names a signal. */
export function termination(t: NonNullable<V1ContainerState['terminated']>): Termination {
  const out: Termination = { exitCode: t.exitCode };
  const signal = t.signal || (t.exitCode > 128 && t.exitCode - 128 <= SIGNALS.length ? t.exitCode - 128 : undefined);
  if (signal) {
    out.signal = signal;
    out.signalName = SIGNALS[signal - 1];
  }
  if (t.reason) out.reason = t.reason;
  if (t.message) out.message = t.message;
  if (t.startedAt) out.startedAt = timestamp(t.startedAt);
  if (t.finishedAt) out.finishedAt = timestamp(t.finishedAt);
  return out;
}

/** The container whose log tells why: the failed init container, else the target. */
export function explainingContainer(pm: PostMortem): ContainerReport {
  return pm.failedInit ?? { name: pm.container, state: pm.state, restartCount: pm.restartCount, lastTermination: pm.lastTermination };
}

function report(name: string, s: V1ContainerStatus | undefined): ContainerReport {
  const state = stateOf(s?.state);
  const ended = s?.state?.terminated ?? s?.lastState?.terminated;
  const out: ContainerReport = { name, state, restartCount: s?.restartCount ?? 0 };
  if (ended) out.lastTermination = termination(ended);
  return out;
}

function stateOf(state: V1ContainerState | undefined): StateReport {
  const detail = (phase: StateReport['phase'], d: { reason?: string; message?: string }): StateReport => {
    const out: StateReport = { phase };
    if (d.reason) out.reason = d.reason;
    if (d.message) out.message = d.message;
    return out;
  };
  if (state?.running) return { phase: 'running' };
  if (state?.terminated) return detail('terminated', state.terminated);
  if (state?.waiting) return detail('waiting', state.waiting);
  return { phase: 'unknown' };
}

function neverRan(c: ContainerReport): boolean {
  return c.state.phase !== 'running' && c.lastTermination === undefined;
}

/** The first init container, in spec order, that failed or is failing. */
function failedInit(pod: V1Pod): ContainerReport | undefined {
  const statuses = pod.status?.initContainerStatuses ?? [];
  for (const c of pod.spec?.initContainers ?? []) {
    const s = statuses.find((x) => x.name === c.name);
    if (s && hasFailed(s)) return report(c.name, s);
  }
  return undefined;
}

/** Its last run (the current one, if it has ended) exited non-zero, or it waits for a reason waiting does not mend. */
export function hasFailed(s: V1ContainerStatus): boolean {
  const run = s.state?.terminated ?? s.lastState?.terminated;
  const waiting = s.state?.waiting?.reason;
  return (run !== undefined && run.exitCode !== 0) || (waiting !== undefined && FAILING_WAIT.has(waiting));
}

/** The API's RFC 3339 text (client-node types it as Date; kdbg's client leaves it a string). */
function timestamp(v: Date | string): string {
  return typeof v === 'string' ? v : v.toISOString().replace(/\.000Z$/, 'Z');
}
