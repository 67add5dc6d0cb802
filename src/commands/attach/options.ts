// Flags → a checked plan for one attach. Pure: no IO beyond what the runtime says about the terminal.
import { UsageError } from '../../errors.ts';
import { parseDuration } from '../../duration.ts';
import { parseEscapeChar } from '../../session/escape.ts';

export interface AttachFlags {
  namespace?: string;
  context?: string;
  kubeconfig?: string;
  as?: string;
  asGroup?: string[];
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
  podArg: string | undefined;
  /** empty: the profile's shell */
  command: string[];
  tty: boolean;
  forwardStdin: boolean;
  ttlSeconds: number;
  timeoutMs: number;
  escapeChar: number | undefined;
}

export function planAttach(flags: AttachFlags, podArg: string | undefined, command: string[], stdinIsTTY: boolean): AttachPlan {
  const ttlMs = parseDuration('--ttl', flags.ttl);
  const timeoutMs = parseDuration('--timeout', flags.timeout);
  if (timeoutMs <= 0) throw new UsageError('--timeout must be more than 0');
  if (ttlMs > 0 && ttlMs < 1000) throw new UsageError('--ttl is counted in whole seconds: 0, or 1s and more');
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
    podArg,
    command,
    tty,
    forwardStdin,
    ttlSeconds: Math.round(ttlMs / 1000),
    timeoutMs,
    escapeChar,
  };
}
