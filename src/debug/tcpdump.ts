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
