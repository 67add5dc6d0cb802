// Flags → a checked plan for kdbg capture. Pure: no IO beyond what the caller says about stdout.
import { UsageError } from '../../errors.ts';
import { parseDuration } from '../../duration.ts';
import { parseTarget, type Target } from '../../debug/target.ts';
import { tcpdumpCommand } from '../../debug/tcpdump.ts';
import { checkDebugContainerFlags, MAX_WAIT_MS, type CheckedDebugContainerFlags, type DebugContainerFlags } from '../debug-container-flags.ts';

export interface CaptureFlags extends DebugContainerFlags {
  interface: string;
  filter?: string;
  write?: string;
  duration?: string;
  count?: string;
  snaplen?: string;
  wireshark?: boolean;
  selector?: string;
  profile: string;
}

export interface CapturePlan extends CheckedDebugContainerFlags {
  flags: CaptureFlags;
  target: Target;
  /** where the pcap goes: a file, stdout, or a local wireshark */
  sink: { kind: 'file'; path: string } | { kind: 'dir'; path: string } | { kind: 'stdout' } | { kind: 'wireshark' };
  /** tcpdump's argv */
  command: string[];
  durationMs: number | undefined;
}

export function planCapture(flags: CaptureFlags, targetArg: string | undefined, stdoutIsTTY: boolean): CapturePlan {
  const target = parseTarget(targetArg, flags.selector);
  if (target.kind === 'none') throw new UsageError('name the pod to capture in (or deploy/NAME, -l SELECTOR with -w DIR/)');
  if (flags.wireshark && flags.write !== undefined) throw new UsageError('--wireshark and -w go to different places; pick one');
  let sink: CapturePlan['sink'];
  if (flags.wireshark) sink = { kind: 'wireshark' };
  else if (flags.write?.endsWith('/')) sink = { kind: 'dir', path: flags.write };
  else if (flags.write !== undefined && flags.write !== '-') sink = { kind: 'file', path: flags.write };
  else if (stdoutIsTTY) throw new UsageError('pcap is binary and would garble the terminal: pass -w FILE, pipe stdout (… | wireshark -k -i -), or --wireshark');
  else sink = { kind: 'stdout' };
  if (!/^[\w.:@-]+$/.test(flags.interface)) throw new UsageError(`-i "${flags.interface}" is not an interface name`);

  const words = flags.filter?.trim().split(/\s+/).filter(Boolean);
  if (words?.length === 0) throw new UsageError('-f takes a tcpdump filter expression, e.g. "port 5432"');
  const command = tcpdumpCommand({
    interface: flags.interface,
    count: flags.count === undefined ? undefined : positive('--count', flags.count),
    snaplen: flags.snaplen === undefined ? undefined : positive('--snaplen', flags.snaplen),
    filter: words ?? [],
  });
  const durationMs = flags.duration === undefined ? undefined : parseDuration('--duration', flags.duration);
  if (durationMs !== undefined && (durationMs <= 0 || durationMs > MAX_WAIT_MS)) throw new UsageError('--duration is more than 0 and at most 24h');
  return { flags, target, sink, command, durationMs, ...checkDebugContainerFlags(flags) };
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 2 ** 31 - 1) throw new UsageError(`${flag} takes a whole number of 1 or more (got "${value}")`);
  return n;
}
