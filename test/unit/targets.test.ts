import { describe, expect, it } from 'vitest';
import { parseTarget, selectorString } from '../../src/debug/target.ts';
import { formatAge } from '../../src/ui/age.ts';
import { planAttach, type AttachFlags } from '../../src/commands/attach/options.ts';

const flags: AttachFlags = { ttl: '15m', timeout: '2m', stdin: true, escapeChar: '~', priority: 'low' };

describe('naming what to debug', () => {
  it('reads pods and workloads the way kubectl writes them', () => {
    expect(parseTarget('web-0', undefined)).toEqual({ kind: 'pod', name: 'web-0' });
    expect(parseTarget('pod/web-0', undefined)).toEqual({ kind: 'pod', name: 'web-0' });
    expect(parseTarget('deploy/api', undefined)).toEqual({ kind: 'workload', type: 'deploy', name: 'api' });
    expect(parseTarget('StatefulSet/db', undefined)).toEqual({ kind: 'workload', type: 'statefulset', name: 'db' });
    expect(parseTarget(undefined, 'app=web')).toEqual({ kind: 'selector', selector: 'app=web' });
    expect(parseTarget(undefined, undefined)).toEqual({ kind: 'none' });
  });

  it('refuses what it cannot debug', () => {
    expect(() => parseTarget('svc/web', undefined)).toThrow('"svc" is not a kind kdbg can debug');
    expect(() => parseTarget('web', 'app=web')).toThrow('name a pod or pass -l/--selector, not both');
    expect(() => parseTarget('deploy/', undefined)).toThrow('names no object');
  });

  it('turns a workload selector into a label selector', () => {
    expect(
      selectorString({ matchLabels: { app: 'api' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] }),
    ).toBe('app=api,tier in (a,b),!canary');
  });

  it('prints ages like kubectl', () => {
    expect(formatAge(5_000)).toBe('5s');
    expect(formatAge(300_000)).toBe('5m');
    expect(formatAge(3 * 3_600_000)).toBe('3h');
    expect(formatAge(72 * 3_600_000)).toBe('3d');
  });
});

describe('planning a session', () => {
  it('gives a shell a TTY only on a terminal', () => {
    expect(planAttach(flags, 'web', [], true)).toMatchObject({ tty: true, forwardStdin: true });
    expect(planAttach(flags, 'web', [], false)).toMatchObject({ tty: false, forwardStdin: true });
  });

  it('runs a command without a TTY unless -t, forwarding stdin only when it is not a terminal', () => {
    expect(planAttach(flags, 'web', ['ls'], true)).toMatchObject({ tty: false, forwardStdin: false });
    expect(planAttach(flags, 'web', ['ls'], false)).toMatchObject({ tty: false, forwardStdin: true });
    expect(planAttach({ ...flags, stdin: false }, 'web', ['ls'], false)).toMatchObject({ forwardStdin: false });
    expect(planAttach({ ...flags, tty: true }, 'web', ['top'], true)).toMatchObject({ tty: true, forwardStdin: true });
  });

  it('refuses combinations that cannot work', () => {
    expect(() => planAttach({ ...flags, tty: true }, 'web', ['top'], false)).toThrow('-t/--tty needs a terminal on stdin');
    expect(() => planAttach({ ...flags, stdin: false }, 'web', [], false)).toThrow('--no-stdin leaves nothing to run');
    expect(() => planAttach({ ...flags, ttl: 'soon' }, 'web', [], false)).toThrow('--ttl takes a duration');
    expect(() => planAttach({ ...flags, escapeChar: 'ab' }, 'web', [], false)).toThrow('--escape-char');
  });

  it('keeps --ttl in seconds and --timeout in milliseconds', () => {
    expect(planAttach({ ...flags, ttl: '0' }, 'web', ['ls'], false)).toMatchObject({ ttlSeconds: 0, timeoutMs: 120_000 });
  });
});
