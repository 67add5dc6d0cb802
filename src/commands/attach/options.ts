// Flags → a checked plan for one attach. Pure: no IO beyond what the caller says about the terminal.
import { UsageError } from '../../errors.ts';
import { parseDuration } from '../../duration.ts';
import { parseEscapeChar } from '../../session/escape.ts';
import { parseTarget, type Target } from '../../debug/target.ts';
import { checkImageReference } from '../../debug/image-ref.ts';
import { MAX_TTL_SECONDS } from '../../debug/spec.ts';
import type { ClusterFlags } from '../cluster.ts';

export interface AttachFlags extends ClusterFlags {
  target?: string;
  selector?: string;
  profile?: string;
  image?: string;
  config?: string;
  reason?: string;
  ttl: string;
  new?: boolean;
  timeout: string;
  tty?: boolean;
  stdin: boolean;
  escapeChar: string;
}

export interface AttachPlan {
  flags: AttachFlags;
  target: Target;
  /** empty: the profile's shell */
  command: string[];
  tty: boolean;
  forwardStdin: boolean;
  ttlSeconds: number;
  timeoutMs: number;
  escapeChar: number | undefined;
}

/** How long kdbg waits for a container at most: a day, far below where Node's timers overflow (24.8 days). */
const MAX_TIMEOUT_MS = 24 * 3_600_000;

export function planAttach(flags: AttachFlags, podArg: string | undefined, command: string[], stdinIsTTY: boolean): AttachPlan {
  const target = parseTarget(podArg, flags.selector);
  const ttlMs = parseDuration('--ttl', flags.ttl);
  const timeoutMs = parseDuration('--timeout', flags.timeout);
  if (timeoutMs <= 0) throw new UsageError('--timeout must be more than 0');
  if (timeoutMs > MAX_TIMEOUT_MS) throw new UsageError('--timeout is at most 24h');
  if (ttlMs > 0 && ttlMs < 1000) throw new UsageError('--ttl is counted in whole seconds: 0, or 1s and more');
  if (ttlMs > MAX_TTL_SECONDS * 1000) throw new UsageError('--ttl is at most 168h (7 days): a debug container cannot be removed, only left to end');
  if (flags.image !== undefined) checkImageReference('--image', flags.image);
  let escapeChar: number | undefined;
  try {
    escapeChar = parseEscapeChar(flags.escapeChar);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  let tty: boolean;
  if (command.length === 0) tty = stdinIsTTY && flags.tty !== false;
  else tty = flags.tty === true;
  if (tty && !stdinIsTTY) throw new UsageError('-t/--tty needs a terminal on stdin');
  if (tty && !flags.stdin) throw new UsageError('--no-stdin cannot be combined with a TTY session');
  if (command.length === 0 && !tty && !flags.stdin) throw new UsageError('without a command kdbg reads a script from stdin; --no-stdin leaves nothing to run');
  const forwardStdin = flags.stdin && (tty || !stdinIsTTY);
  return {
    flags,
    target,
    command,
    tty,
    forwardStdin,
    ttlSeconds: Math.round(ttlMs / 1000),
    timeoutMs,
    escapeChar,
  };
}
