// Words → a checked plan for kdbg cp. Pure.
import path from 'node:path';
import { UsageError } from '../../errors.ts';
import { parseTarget, type Target } from '../../debug/target.ts';
import { checkDebugContainerFlags, type CheckedDebugContainerFlags, type DebugContainerFlags } from '../debug-container-flags.ts';

export interface CpFlags extends DebugContainerFlags {
  profile: string;
  debugFs?: boolean;
}

export interface CpPlan extends CheckedDebugContainerFlags {
  flags: CpFlags;
  direction: 'out' | 'in';
  target: Target;
  /** the path in the pod */
  remote: string;
  /** the path here */
  local: string;
}

/** `POD:PATH` (a local path with a colon is written ./like:this). */
const REMOTE = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?):(.+)$/;

export function planCp(flags: CpFlags, src: string, dst: string): CpPlan {
  const from = REMOTE.exec(src);
  const to = REMOTE.exec(dst);
  if (from && to) throw new UsageError('one side of kdbg cp is this machine: POD:PATH LOCAL, or LOCAL POD:PATH');
  if (!from && !to) throw new UsageError('one side of kdbg cp is a pod: POD:PATH LOCAL, or LOCAL POD:PATH (a local path with a colon is written ./like:this)');
  const [pod, remote, local] = from ? [from[1]!, from[3]!, dst] : [to![1]!, to![3]!, src];
  if (!local) throw new UsageError('name the local path');
  if (from && path.basename(remote.replace(/\/+$/, '')) === '') throw new UsageError('name a file or a directory in the pod, not /');
  return {
    flags,
    direction: from ? 'out' : 'in',
    target: parseTarget(pod, undefined),
    remote,
    local,
    ...checkDebugContainerFlags(flags),
  };
}
