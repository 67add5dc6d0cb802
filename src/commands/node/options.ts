// Flags → a checked plan for kdbg node. Pure.
import type { ClusterFlags } from '../cluster.ts';
import { checkObjectName } from '../../debug/object-name.ts';
import { checkDebugContainerFlags, type CheckedDebugContainerFlags } from '../debug-container-flags.ts';
import { sessionMode, type SessionModeFlags } from '../attach/options.ts';

export interface NodeFlags extends ClusterFlags, SessionModeFlags {
  chroot: boolean;
  image?: string;
  config?: string;
  reason?: string;
  ttl: string;
  timeout: string;
  keep?: boolean;
}

export interface NodePlan extends CheckedDebugContainerFlags {
  flags: NodeFlags;
  node: string;
  command: string[];
  tty: boolean;
  forwardStdin: boolean;
  escapeChar: number | undefined;
}

export function planNode(flags: NodeFlags, node: string, command: string[], stdinIsTTY: boolean): NodePlan {
  checkObjectName('node', node);
  // the node's own work is not the app's: its sessions keep their normal priority
  const checked = checkDebugContainerFlags({ ttl: flags.ttl, timeout: flags.timeout, image: flags.image, priority: 'normal' });
  return { flags, node, command, ...sessionMode(flags, command, stdinIsTTY), ...checked };
}
