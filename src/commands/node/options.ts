// Flags → a checked plan for kdbg node. Pure.
import type { ClusterFlags } from '../cluster.ts';
import { UsageError } from '../../errors.ts';
import { checkDebugContainerFlags, type CheckedDebugContainerFlags } from '../debug-container-flags.ts';
import { sessionMode, type SessionModeFlags } from '../attach/options.ts';

export interface NodeFlags extends ClusterFlags, SessionModeFlags {
  chroot: boolean;
  image: string;
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

/** a node's name: a DNS subdomain */
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function planNode(flags: NodeFlags, node: string, command: string[], stdinIsTTY: boolean): NodePlan {
  if (node.length > 253 || !NODE_NAME.test(node)) throw new UsageError(`"${node}" is not a node name (lowercase letters, digits, - and ., at most 253)`);
  // the node's own work is not the app's: its sessions keep their normal priority
  const checked = checkDebugContainerFlags({ ttl: flags.ttl, timeout: flags.timeout, image: flags.image, priority: 'normal' });
  return { flags, node, command, ...sessionMode(flags, command, stdinIsTTY), ...checked };
}
