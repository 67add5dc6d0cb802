// Flags → a checked plan for kdbg stop. Pure.
import { UsageError } from '../../errors.ts';
import { parseDuration } from '../../duration.ts';
import { parseTarget, type Target } from '../../debug/target.ts';
import type { ClusterFlags } from '../cluster.ts';

export interface StopFlags extends ClusterFlags {
  selector?: string;
  allMine?: boolean;
  timeout: string;
}

export interface StopPlan {
  flags: StopFlags;
  target: Target;
  /** empty: every running container of yours */
  names: string[];
  timeoutMs: number;
}

export function planStop(flags: StopFlags, targetArg: string | undefined, names: string[]): StopPlan {
  const target = parseTarget(targetArg, flags.selector);
  if (target.kind === 'none' && !flags.allMine) throw new UsageError('name the pod (or deploy/NAME, -l SELECTOR) whose debug containers to stop, or pass --all-mine');
  if (target.kind !== 'none' && flags.allMine) throw new UsageError('--all-mine stops yours in the whole namespace; name no target with it');
  if (names.length > 0 && target.kind !== 'pod') throw new UsageError('debug container names go with one pod: kdbg stop POD NAME…');
  const timeoutMs = parseDuration('--timeout', flags.timeout);
  if (timeoutMs <= 0 || timeoutMs > 3_600_000) throw new UsageError('--timeout is more than 0 and at most 1h');
  return { flags, target, names, timeoutMs };
}
