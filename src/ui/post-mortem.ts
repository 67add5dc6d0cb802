// A post-mortem as text: one headline that says why the target is not running, a few indented lines of detail
// (how the last run ended, the last lines of its log), and the way in that still works.
import type { ContainerReport, PostMortem, StateReport, Termination } from '../debug/post-mortem.ts';
import { formatAge } from './age.ts';
import { printable } from './untrusted.ts';

/** One line, without `kdbg: `: container app of pod crashy is CrashLoopBackOff (restarted 4 times) */
export function headline(pm: PostMortem): string {
  const who = `container ${pm.container} of pod ${pm.pod}`;
  const init = pm.failedInit;
  if (init) {
    const how = init.state.phase === 'terminated' ? 'failed' : `is ${describeState(init.state)}${restarts(init.restartCount)}`;
    return `${who} has not started: init container ${init.name} ${how}${pm.phase === 'Failed' ? '; the pod has Failed' : ''}`;
  }
  if (pm.phase === 'Succeeded' || pm.phase === 'Failed') return `pod ${pm.pod} has ${pm.phase}; its container ${pm.container} is ${describeState(pm.state)}`;
  if (pm.state.phase === 'unknown') return `${who} has no status yet; the pod is ${pm.phase}${pm.reason ? ` (${printable(pm.reason, 60)})` : ''}`;
  return `${who} is ${describeState(pm.state)}${restarts(pm.restartCount)}`;
}

/** The block on stderr: `kdbg: ` headline, then details indented by two spaces. Ends with a newline. */
export function postMortemBlock(pm: PostMortem): string {
  const lines = [`kdbg: ${headline(pm)}`];
  if (pm.reason && pm.message) lines.push(`  pod ${pm.phase}: ${printable(pm.reason, 60)}: ${printable(pm.message)}`);
  const waiting = pm.failedInit?.state ?? pm.state;
  if (waiting.phase === 'waiting' && waiting.message && waiting.reason !== 'CrashLoopBackOff') lines.push(`  ${printable(waiting.reason ?? 'waiting', 60)}: ${printable(waiting.message)}`);
  const explaining = pm.failedInit ?? pm;
  if (explaining.lastTermination) lines.push(...runLines('last run', explaining.lastTermination));
  for (const c of pm.containers ?? []) lines.push(`  container ${c.name}: ${other(c)}`);
  const log = pm.log;
  if (log && 'unavailable' in log) lines.push(`  its log cannot be read: ${printable(log.unavailable)}`);
  else if (log && log.lines.length === 0) lines.push('  its log is empty');
  else if (log) lines.push('  last lines of its log:', ...log.lines.map((l) => `    | ${printable(l, 160)}`));
  return `${lines.join('\n')}\n`;
}

/** What to do instead, with the command: a debug container needs a running target; debug a copy instead: … */
export function wayIn(command: string): string {
  return `a debug container needs a running target; debug a copy instead: ${command}`;
}

/** exited 3 (Error) at 2026-11-29T22:31:02Z, after 1s — and the termination message, if any, on a line of its own */
function runLines(label: string, t: Termination): string[] {
  const lines = [`  ${label}: ${ended(t)}`];
  if (t.message) lines.push(`  message: ${printable(t.message.trim())}`);
  return lines;
}

function ended(t: Termination): string {
  let text = `exited ${t.exitCode}`;
  if (t.signal) text += `, signal ${t.signal}${t.signalName ? ` (${t.signalName})` : ''}`;
  if (t.reason) text += ` (${printable(t.reason, 60)})`;
  if (t.finishedAt) text += ` at ${t.finishedAt}`;
  const ms = t.startedAt && t.finishedAt ? Date.parse(t.finishedAt) - Date.parse(t.startedAt) : NaN;
  // a run that never started reports the epoch as its start
  if (ms >= 0 && Date.parse(t.startedAt!) > 0) text += `, after ${formatAge(ms)}`;
  return text;
}

function other(c: ContainerReport): string {
  if (c.state.phase === 'terminated' && c.lastTermination) return ended(c.lastTermination);
  return `${describeState(c.state)}${restarts(c.restartCount)}`;
}

function describeState(s: StateReport): string {
  if (s.phase === 'terminated') return `terminated${s.reason ? ` (${printable(s.reason, 60)})` : ''}`;
  if (s.phase === 'waiting') return s.reason ? printable(s.reason, 60) : 'waiting';
  return s.phase === 'unknown' ? 'without a status' : s.phase;
}

function restarts(n: number): string {
  if (n <= 0) return '';
  return n === 1 ? ' (restarted once)' : ` (restarted ${n} times)`;
}
