import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { durationClock, LISTENING_WAIT_MS, tcpdumpCounts } from '../../src/debug/tcpdump.ts';

// what tcpdump 4.99 prints on stderr with -w -: this line once it captures, the counts when it stops
const LISTENING = 'tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n';
const REPORT = '12 packets captured\n24 packets received by filter\n3 packets dropped by kernel\n';

describe('a capture duration', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts from the moment tcpdump says it is listening, not from when the exec began', () => {
    const expire = vi.fn();
    const clock = durationClock(1500, expire);
    // a slow exec: tcpdump starts 4 s in
    vi.advanceTimersByTime(4000);
    expect(expire).not.toHaveBeenCalled();
    clock.heard(LISTENING);
    vi.advanceTimersByTime(1499);
    expect(expire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
    clock.clear();
  });

  it('hears the line when it comes in pieces, and starts only once', () => {
    const expire = vi.fn();
    const clock = durationClock(1000, expire);
    clock.heard('tcpdump: liste');
    vi.advanceTimersByTime(500);
    clock.heard('ning on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n');
    vi.advanceTimersByTime(600);
    // said again later: the clock that runs is not restarted
    clock.heard(LISTENING);
    vi.advanceTimersByTime(400);
    expect(expire).toHaveBeenCalledTimes(1);
    clock.clear();
  });

  it('starts anyway if tcpdump never says it is listening, so the duration still ends the capture', () => {
    const expire = vi.fn();
    const clock = durationClock(1000, expire);
    clock.heard('tcpdump: WARNING: any: That device doesn\'t support promiscuous mode\n');
    vi.advanceTimersByTime(LISTENING_WAIT_MS + 999);
    expect(expire).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expire).toHaveBeenCalledTimes(1);
    clock.clear();
  });

  it('once cleared, never expires', () => {
    const expire = vi.fn();
    const clock = durationClock(1000, expire);
    clock.heard(LISTENING);
    clock.clear();
    vi.advanceTimersByTime(LISTENING_WAIT_MS * 2);
    expect(expire).not.toHaveBeenCalled();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe("tcpdump's report", () => {
  it('gives the packets captured and dropped', () => {
    expect(tcpdumpCounts(LISTENING + REPORT)).toEqual({ captured: 12, dropped: 3 });
    expect(tcpdumpCounts(LISTENING + '1 packet captured\n')).toEqual({ captured: 1, dropped: undefined });
  });

  it('is nothing when tcpdump was killed before it reported', () => {
    expect(tcpdumpCounts(LISTENING)).toBeUndefined();
  });
});
