// Flags → a checked plan for kdbg ls. Pure.
import { UsageError } from '../../errors.ts';
import { parseTarget, type Target } from '../../debug/target.ts';
import type { ClusterFlags } from '../cluster.ts';

export interface LsFlags extends ClusterFlags {
  selector?: string;
  allNamespaces?: boolean;
  output: 'table' | 'wide' | 'json' | 'yaml';
  headers: boolean;
  live?: boolean;
}

export interface LsPlan {
  flags: LsFlags;
  target: Target;
  allNamespaces: boolean;
}

export function planLs(flags: LsFlags, targetArg: string | undefined): LsPlan {
  const target = parseTarget(targetArg, flags.selector);
  const allNamespaces = flags.allNamespaces === true;
  if (allNamespaces && flags.namespace) throw new UsageError('-A/--all-namespaces and -n/--namespace do not go together');
  if (allNamespaces && (target.kind === 'pod' || target.kind === 'workload')) throw new UsageError('name a pod or workload in one namespace (-n), not with -A');
  return { flags, target, allNamespaces };
}
