// Flags → a checked plan for kdbg capture. Pure: no IO beyond what the caller says about stdout.
import { UsageError } from '../../errors.ts';
import { parseDuration } from '../../duration.ts';
import { parseTarget, type Target } from '../../debug/target.ts';
import { checkImageReference } from '../../debug/image-ref.ts';
import { MAX_TTL_SECONDS } from '../../debug/spec.ts';
import type { ClusterFlags } from '../cluster.ts';

export interface CaptureFlags extends ClusterFlags {
  target?: string;
  interface: string;
  filter?: string;
  write?: string;
  duration?: string;
  count?: string;
  snaplen?: string;
  wireshark?: boolean;
  profile: string;
  image?: string;
  config?: string;
  reason?: string;
  ttl: string;
  new?: boolean;
  timeout: string;
}

export interface CapturePlan {
  flags: CaptureFlags;
  target: Target;
  /** where the pcap goes: a file, stdout, or a local wireshark */
  sink: { kind: 'file'; path: string } | { kind: 'stdout' } | { kind: 'wireshark' };
  /** tcpdump's argv */
  command: string[];
  durationMs: number | undefined;
  ttlSeconds: number;
  timeoutMs: number;
}

const MAX_TIMEOUT_MS = 24 * 3_600_000;

export function planCapture(flags: CaptureFlags, targetArg: string, stdoutIsTTY: boolean): CapturePlan {
  const target = parseTarget(targetArg, undefined);
  if (target.kind !== 'pod' && target.kind !== 'workload') throw new UsageError('name the pod to capture in');
  if (flags.wireshark && flags.write !== undefined) throw new UsageError('--wireshark and -w go to different places; pick one');
  let sink: CapturePlan['sink'];
  if (flags.wireshark) sink = { kind: 'wireshark' };
  else if (flags.write !== undefined && flags.write !== '-') sink = { kind: 'file', path: flags.write };
  else if (stdoutIsTTY) throw new UsageError('pcap is binary and would garble the terminal: pass -w FILE, pipe stdout (… | wireshark -k -i -), or --wireshark');
  else sink = { kind: 'stdout' };
  if (!/^[\w.:@-]+$/.test(flags.interface)) throw new UsageError(`-i "${flags.interface}" is not an interface name`);

  const command = ['tcpdump', '-i', flags.interface, '-U', '-w', '-'];
  if (flags.count !== undefined) command.push('-c', String(positive('--count', flags.count)));
  if (flags.snaplen !== undefined) command.push('-s', String(positive('--snaplen', flags.snaplen)));
  if (flags.filter !== undefined) {
    const words = flags.filter.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) throw new UsageError('-f takes a tcpdump filter expression, e.g. "port 5432"');
    // after --, so a filter word can never be read as a tcpdump option
    command.push('--', ...words);
  }
  const durationMs = flags.duration === undefined ? undefined : parseDuration('--duration', flags.duration);
  if (durationMs !== undefined && (durationMs <= 0 || durationMs > MAX_TIMEOUT_MS)) throw new UsageError('--duration is more than 0 and at most 24h');
  const ttlMs = parseDuration('--ttl', flags.ttl);
  if (ttlMs > MAX_TTL_SECONDS * 1000) throw new UsageError('--ttl is at most 168h (7 days)');
  const timeoutMs = parseDuration('--timeout', flags.timeout);
  if (timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) throw new UsageError('--timeout is more than 0 and at most 24h');
  if (flags.image !== undefined) checkImageReference('--image', flags.image);
  return { flags, target, sink, command, durationMs, ttlSeconds: Math.round(ttlMs / 1000), timeoutMs };
}

function positive(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 2 ** 31 - 1) throw new UsageError(`${flag} takes a whole number of 1 or more (got "${value}")`);
  return n;
}
