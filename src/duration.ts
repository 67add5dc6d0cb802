import { UsageError } from './errors.ts';

/** Go-style durations as kubectl takes them: 90s, 15m, 1h30m, 0. Returns milliseconds. */
export function parseDuration(flag: string, value: string): number {
  if (value === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(value); m; m = re.exec(value)) {
    const n = Number(m[1]);
    total += n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    matched = re.lastIndex;
  }
  if (!value || matched !== value.length) throw new UsageError(`${flag} takes a duration such as 90s, 15m or 1h (got "${value}")`);
  return total;
}
