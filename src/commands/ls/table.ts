// The rows of kdbg ls.
import type { DebugContainerRecord, DebugContainerState } from '../../debug/inventory.ts';
import { ageOf, formatAge } from '../../ui/age.ts';
import { formatTable, type TableOptions } from '../../ui/table.ts';
import type { Paint, Style } from '../../ui/paint.ts';
import { shortImage } from '../../debug/image-ref.ts';

export interface LsTableOptions extends TableOptions {
  wide: boolean;
  allNamespaces: boolean;
  live: boolean;
  now: Date;
  paint: Paint;
}

type Column = [header: string, cell: (r: DebugContainerRecord) => string];

export function lsTable(records: DebugContainerRecord[], o: LsTableOptions): string {
  const columns: Column[] = [];
  if (o.allNamespaces) columns.push(['NAMESPACE', (r) => r.namespace]);
  columns.push(
    ['POD', (r) => r.pod],
    ['NAME', (r) => r.name],
    ['BY', (r) => r.createdBy],
    ['PROFILE', (r) => r.profile ?? '-'],
    ['TARGET', (r) => r.target ?? '-'],
    ['STATE', (r) => stateText(r.state)],
    ['AGE', (r) => (r.state.startedAt ? ageOf(r.state.startedAt, o.now) : '-')],
    ['TTL', ttlText],
  );
  if (o.live) columns.push(['SESSIONS', (r) => (r.live ? String(r.live.sessions) : '-')]);
  columns.push(['REUSABLE', (r) => (r.reusableByYou ? 'yes' : 'no')], ['IMAGE', (r) => (o.wide ? r.image : shortImage(r.image))]);
  if (o.wide) columns.push(['IMAGE ID', (r) => r.imageID ?? '-'], ['REASON', (r) => r.reason ?? '-']);
  const rows = [columns.map(([h]) => h), ...records.map((r) => columns.map(([, cell]) => cell(r)))];
  const state = columns.findIndex(([h]) => h === 'STATE');
  const style = (text: string, row: number, col: number) =>
    row === 0 ? o.paint('bold', text) : col === state ? o.paint(STATE_STYLE[records[row - 1]!.state.phase], text) : text;
  return formatTable(rows, { width: o.width, headers: o.headers, style: o.paint.enabled ? style : undefined });
}

const STATE_STYLE: Record<DebugContainerState['phase'], Style> = { running: 'green', waiting: 'yellow', terminated: 'dim', unknown: 'red' };

function stateText(s: DebugContainerState): string {
  switch (s.phase) {
    case 'running':
      return 'Running';
    case 'waiting':
      return s.reason ?? 'Waiting';
    case 'terminated':
      return `Terminated (${s.reason ?? 'exit'} ${s.exitCode ?? '?'})`;
    case 'unknown':
      return 'Unknown';
  }
}

/** The TTL left when read live, else the TTL it started with; `-` where it has none or has ended. */
function ttlText(r: DebugContainerRecord): string {
  if (r.state.phase === 'terminated' || !r.kdbg) return '-';
  if (r.live) return r.live.sessions > 0 ? `${formatAge(r.live.ttlSeconds * 1000)} after` : `${formatAge(r.live.ttlLeftSeconds * 1000)} left`;
  return r.ttlSeconds === undefined ? '-' : r.ttlSeconds === 0 ? 'after 1 session' : formatAge(r.ttlSeconds * 1000);
}
