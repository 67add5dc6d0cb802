// Flags → a checked plan for one attach. Pure: no IO beyond what the caller says about the terminal.
import { UsageError } from '../../errors.ts';
import { parseEscapeChar } from '../../session/escape.ts';
import { parseTarget, type Target } from '../../debug/target.ts';
import { checkDebugContainerFlags, type CheckedDebugContainerFlags, type DebugContainerFlags } from '../debug-container-flags.ts';

export interface AttachFlags extends DebugContainerFlags, SessionModeFlags {
  selector?: string;
  record?: string;
  recordInput?: boolean;
  copy?: boolean;
  hold?: string;
  sameNode?: boolean;
  keep?: boolean;
  output?: 'json';
}

export interface AttachPlan extends CheckedDebugContainerFlags {
  flags: AttachFlags;
  target: Target;
  /** empty: the profile's shell */
  command: string[];
  tty: boolean;
  forwardStdin: boolean;
  escapeChar: number | undefined;
  /** -o json: a target that is not running is explained as JSON on stdout */
  json: boolean;
}

export function planAttach(flags: AttachFlags, podArg: string | undefined, command: string[], stdinIsTTY: boolean): AttachPlan {
  const target = parseTarget(podArg, flags.selector);
  const checked = checkDebugContainerFlags(flags);
  const { tty, forwardStdin, escapeChar } = sessionMode(flags, command, stdinIsTTY);
  if (flags.recordInput && flags.record === undefined) throw new UsageError('--record-input goes with --record FILE');
  if (!flags.copy) {
    const needsCopy = [flags.hold !== undefined && '--hold', flags.sameNode && '--same-node', flags.keep && '--keep'].find(Boolean);
    if (needsCopy) throw new UsageError(`${needsCopy} goes with --copy`);
  } else if (flags.new) {
    throw new UsageError('--new has no meaning with --copy: a copy is always new');
  } else if (flags.harden) {
    throw new UsageError('--harden goes with a debug container, not with --copy');
  }
  return {
    flags,
    target,
    command,
    tty,
    forwardStdin,
    ...checked,
    escapeChar,
    json: flags.output === 'json',
  };
}

/** The terminal flags of a session (attach, node): a TTY for a shell from a terminal, stdin, the escape. */
export interface SessionModeFlags {
  tty?: boolean;
  stdin: boolean;
  escapeChar: string;
}

export function sessionMode(flags: SessionModeFlags, command: string[], stdinIsTTY: boolean): { tty: boolean; forwardStdin: boolean; escapeChar: number | undefined } {
  let escapeChar: number | undefined;
  try {
    escapeChar = parseEscapeChar(flags.escapeChar);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const tty = command.length === 0 ? stdinIsTTY && flags.tty !== false : flags.tty === true;
  if (tty && !stdinIsTTY) throw new UsageError('-t/--tty needs a terminal on stdin');
  if (tty && !flags.stdin) throw new UsageError('--no-stdin cannot be combined with a TTY session');
  if (command.length === 0 && !tty && !flags.stdin) throw new UsageError('without a command kdbg reads a script from stdin; --no-stdin leaves nothing to run');
  return { tty, forwardStdin: flags.stdin && (tty || !stdinIsTTY), escapeChar };
}
