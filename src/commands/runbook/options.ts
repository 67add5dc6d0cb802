// Flags → a checked plan for kdbg runbook run, lint and explain. Pure: the file is read later.
import { UsageError } from '../../errors.ts';
import { parseDuration } from '../../duration.ts';
import { MAX_TTL_SECONDS } from '../../debug/spec.ts';
import { checkImageReference } from '../../debug/image-ref.ts';
import type { SessionPriority } from '../../debug/programs.ts';
import type { RateLimit } from '../../kube/rate-limit.ts';
import { parseSets } from '../../runbook/params.ts';
import { MAX_WAIT_MS } from '../debug-container-flags.ts';

const MAX_CONCURRENCY = 500;

/** What run and explain share: the params and the contexts. */
export interface RunbookInputFlags {
  set?: string[];
  context?: string[];
  config?: string;
}

export interface RunbookRunFlags extends RunbookInputFlags {
  concurrency: string;
  out?: string;
  dryRun?: boolean;
  qps: string;
  burst: string;
  kubeconfig?: string;
  as?: string;
  asGroup?: string[];
  reason?: string;
  ttl: string;
  timeout: string;
  priority: SessionPriority;
  image?: string;
  allowPrivileged?: boolean;
}

export interface RunbookInput {
  file: string;
  sets: Record<string, string>;
  /** --context: replaces the runbook's contexts */
  contexts: string[] | undefined;
  config: string | undefined;
}

export interface RunbookRunPlan extends RunbookInput {
  flags: RunbookRunFlags;
  concurrency: number;
  rateLimit: RateLimit;
  dryRun: boolean;
  out: string | undefined;
  ttlSeconds: number;
  timeoutMs: number;
  priority: SessionPriority;
}

export function planRunbookInput(flags: RunbookInputFlags, file: string): RunbookInput {
  return { file, sets: parseSets(flags.set ?? []), contexts: flags.context?.length ? flags.context : undefined, config: flags.config };
}

export function planRunbookRun(flags: RunbookRunFlags, file: string): RunbookRunPlan {
  const concurrency = whole('--concurrency', flags.concurrency, 1, MAX_CONCURRENCY);
  const qps = Number(flags.qps);
  if (!/^\d+(\.\d+)?$/.test(flags.qps) || !(qps > 0) || qps > 10_000) throw new UsageError(`--qps takes requests per second, more than 0 (got "${flags.qps}")`);
  const burst = whole('--burst', flags.burst, 1, 10_000);
  const ttlMs = parseDuration('--ttl', flags.ttl);
  if (ttlMs > 0 && ttlMs < 1000) throw new UsageError('--ttl is counted in whole seconds: 0, or 1s and more');
  if (ttlMs > MAX_TTL_SECONDS * 1000) throw new UsageError('--ttl is at most 168h (7 days): a debug container cannot be removed, only left to end');
  const timeoutMs = parseDuration('--timeout', flags.timeout);
  if (timeoutMs <= 0 || timeoutMs > MAX_WAIT_MS) throw new UsageError('--timeout is more than 0 and at most 24h');
  if (flags.image !== undefined) checkImageReference('--image', flags.image);
  return {
    ...planRunbookInput(flags, file),
    flags,
    concurrency,
    rateLimit: { qps, burst },
    dryRun: flags.dryRun === true,
    out: flags.out,
    ttlSeconds: Math.round(ttlMs / 1000),
    timeoutMs,
    priority: flags.priority,
  };
}

function whole(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new UsageError(`${flag} takes a whole number from ${min} to ${max} (got "${value}")`);
  return n;
}
