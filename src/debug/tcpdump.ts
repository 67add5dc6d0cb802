// tcpdump in a debug container: its argv (pcap on stdout, packet by packet) and what it says when it stops.

export interface TcpdumpOptions {
  interface: string;
  count?: number | undefined;
  snaplen?: number | undefined;
  /** the filter's words, each one argument */
  filter: string[];
}

export function tcpdumpCommand(o: TcpdumpOptions): string[] {
  const command = ['tcpdump', '-i', o.interface, '-U', '-w', '-'];
  if (o.count !== undefined) command.push('-c', String(o.count));
  if (o.snaplen !== undefined) command.push('-s', String(o.snaplen));
  // after --, so a filter word can never be read as a tcpdump option
  if (o.filter.length) command.push('--', ...o.filter);
  return command;
}

/** tcpdump's own counts, from what it printed on stderr when it stopped (undefined: its report did not arrive). */
export function tcpdumpCounts(report: string): { captured: number; dropped: number | undefined } | undefined {
  const captured = /(\d+) packets? captured/.exec(report)?.[1];
  const dropped = /(\d+) packets? dropped by kernel/.exec(report)?.[1];
  return captured === undefined ? undefined : { captured: Number(captured), dropped: dropped === undefined ? undefined : Number(dropped) };
}

/** How long tcpdump may take to say it is listening before a duration starts counting without it. */
export const LISTENING_WAIT_MS = 15_000;

export interface DurationClock {
  /** what tcpdump printed on stderr, chunk by chunk */
  heard(text: string): void;
  /** no more: the capture ended */
  clear(): void;
}

/**
 * A capture's duration, counted from the moment tcpdump says it is listening, so an exec that was slow to start does
 * not eat into it. A tcpdump that never says so gets the clock after LISTENING_WAIT_MS anyway: the duration always
 * ends the capture. `expire` is called once, when the duration is over.
 */
export function durationClock(durationMs: number, expire: () => void): DurationClock {
  let running: NodeJS.Timeout | undefined;
  let tail = '';
  const start = () => {
    if (running === undefined) running = setTimeout(expire, durationMs);
  };
  const unheard = setTimeout(start, LISTENING_WAIT_MS);
  return {
    heard(text) {
      if (running !== undefined) return;
      // `tcpdump: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes`; a chunk may end mid-line
      tail = (tail + text).slice(-200);
      if (/(^|\n)(tcpdump: )?listening on /.test(tail)) {
        clearTimeout(unheard);
        start();
      }
    },
    clear() {
      clearTimeout(unheard);
      clearTimeout(running);
    },
  };
}
