import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/duration.ts';

describe('durations', () => {
  it('reads Go-style durations', () => {
    expect(parseDuration('--ttl', '0')).toBe(0);
    expect(parseDuration('--ttl', '90s')).toBe(90_000);
    expect(parseDuration('--ttl', '15m')).toBe(900_000);
    expect(parseDuration('--ttl', '1h30m')).toBe(5_400_000);
    expect(parseDuration('--timeout', '500ms')).toBe(500);
  });

  it('names the flag when the value is wrong', () => {
    expect(() => parseDuration('--ttl', '15')).toThrow('--ttl takes a duration such as 90s, 15m or 1h (got "15")');
    expect(() => parseDuration('--ttl', '')).toThrow('--ttl takes a duration');
    expect(() => parseDuration('--ttl', '5mx')).toThrow('(got "5mx")');
  });
});
