// A runbook with its params' values → what runs: the profile, each step's exact argv and limits, and the targets
// as (context, namespace, target) triples. Pure: the cluster is asked nothing here.
import { UsageError } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import { parseTarget, type Target } from '../debug/target.ts';
import { tcpdumpCommand } from '../debug/tcpdump.ts';
import type { Runbook, Step } from './format.ts';
import { substitute } from './params.ts';

/** A step without a timeout of its own ends after this. */
export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;
/** A capture's timeout beyond its duration, for the debug container to come and tcpdump to flush. */
const CAPTURE_GRACE_MS = 60_000;

/** A filter's words: runs of non-space, where a reference (spaces inside its braces) counts as non-space. */
const WORD = /(?:\$\{\{.*?\}\}|\S)+/g;

export interface PlannedStep {
  name: string;
  kind: Step['kind'];
  /** the artifacts' base name */
  save: string;
  continueOnError: boolean;
  timeoutMs: number;
  /** run and capture: what runs in the debug container (a cp step's program is made once its pod is known) */
  command?: string[] | undefined;
  /** capture: stopped cleanly after this long */
  durationMs?: number | undefined;
  /** cp: the path, in the target container or the debug container's own filesystem */
  path?: string | undefined;
  from?: 'target' | 'debug' | undefined;
}

/** One entry of targets.select in one namespace of one context (undefined: the context's own). */
export interface PlannedTarget {
  /** undefined: the kubeconfig's current context */
  context: string | undefined;
  namespace: string | undefined;
  target: Target;
  /** as written, for messages */
  label: string;
  container: string | undefined;
}

export interface RunbookPlan {
  runbook: Runbook;
  params: Record<string, string>;
  profile: string;
  steps: PlannedStep[];
  targets: PlannedTarget[];
  maxPods: number;
}

/** `contexts` (--context) replaces the contexts the runbook names. */
export function planRunbook(runbook: Runbook, params: Record<string, string>, contexts: string[] | undefined): RunbookPlan {
  const sub = (text: string) => substitute(text, params);
  const steps = runbook.steps.map((s) => planStep(s, params));
  const profile = runbook.profile ?? (runbook.steps.some((s) => s.kind === 'capture') ? 'netshoot' : 'busybox');
  const targets: PlannedTarget[] = [];
  for (const sel of runbook.targets.select) {
    const label = sel.target ? sub(sel.target) : `-l ${sub(sel.selector!)}`;
    const target = sel.target ? parseTarget(sub(sel.target), undefined) : parseTarget(undefined, sub(sel.selector!));
    const inContexts = contexts ?? (sel.contexts ?? runbook.targets.contexts)?.map(sub) ?? [undefined];
    const inNamespaces = (sel.namespaces ?? runbook.targets.namespaces)?.map(sub) ?? [undefined];
    for (const context of unique(inContexts)) {
      for (const namespace of unique(inNamespaces)) {
        targets.push({ context, namespace, target, label, container: sel.container ?? runbook.targets.container });
      }
    }
  }
  return { runbook, params, profile, steps, targets, maxPods: runbook.targets.maxPods };
}

function planStep(step: Step, params: Record<string, string>): PlannedStep {
  const base = { name: step.name, kind: step.kind, save: step.save, continueOnError: step.continueOnError };
  const timeoutMs = step.timeout === undefined ? undefined : parseDuration('timeout', step.timeout);
  switch (step.kind) {
    case 'run': {
      // a script gets the params as environment variables (lower-case names, so they meet no conventional one)
      const command =
        typeof step.run === 'string'
          ? Object.keys(params).length
            ? ['env', ...Object.entries(params).map(([k, v]) => `${k}=${v}`), 'sh', '-c', step.run]
            : ['sh', '-c', step.run]
          : step.run.map((word) => substitute(word, params));
      return { ...base, timeoutMs: timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, command };
    }
    case 'capture': {
      const c = step.capture;
      const iface = substitute(c.interface ?? 'any', params);
      if (!/^[\w.:@-]+$/.test(iface)) throw new UsageError(`step ${step.name}: "${iface}" is not an interface name`);
      // split first: a param's value stays one word of the filter
      const filter = (c.filter ?? '').match(WORD)?.map((w) => substitute(w, params)) ?? [];
      const durationMs = c.duration === undefined ? undefined : parseDuration('duration', c.duration);
      const command = tcpdumpCommand({ interface: iface, count: c.count, snaplen: c.snaplen, filter });
      return { ...base, timeoutMs: timeoutMs ?? (durationMs === undefined ? DEFAULT_STEP_TIMEOUT_MS : durationMs + CAPTURE_GRACE_MS), command, durationMs };
    }
    case 'cp': {
      const path = substitute(step.cp.path, params);
      if (!path.startsWith('/') || path.replace(/\/+$/, '') === '') throw new UsageError(`step ${step.name}: cp takes an absolute path of a file or directory, not "${path}"`);
      return { ...base, timeoutMs: timeoutMs ?? DEFAULT_STEP_TIMEOUT_MS, path, from: step.cp.from };
    }
  }
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
