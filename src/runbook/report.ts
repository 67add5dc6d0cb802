// The record of one run, in its folder: report.json (docs/runbook-report.schema.json, field names stable) and
// report.md (pod × step, for the incident), written whole at the end, however the run ended.
import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunbookPlan } from './plan.ts';
import { contextPrefix } from '../ui/where.ts';

export type StepStatus = 'passed' | 'failed' | 'timeout' | 'error' | 'skipped' | 'interrupted';
export type PodStatus = 'passed' | 'failed' | 'refused' | 'error' | 'interrupted';

/** Files a step left, relative to the run's folder. */
export interface Artifacts {
  stdout?: string;
  stderr?: string;
  pcap?: string;
  /** cp: the copy (a file or a directory) */
  copy?: string;
}

export interface StepResult {
  name: string;
  kind: 'run' | 'capture' | 'cp';
  status: StepStatus;
  /** the remote command's exit code, when it exited */
  exitCode?: number;
  startedAt?: string;
  durationMs?: number;
  /** why it did not pass, in one line */
  message?: string;
  /** capture: tcpdump's count */
  packets?: number;
  artifacts: Artifacts;
}

export interface PodResult {
  /** "" for the kubeconfig's current context when it has no name */
  context: string;
  namespace: string;
  pod: string;
  container?: string;
  debugContainer?: string;
  status: PodStatus;
  /** refused, error or interrupted: why */
  message?: string;
  steps: StepResult[];
}

/** A target that named no pod: not found, no pods, or the API server refused to list them. */
export interface TargetProblem {
  context: string;
  namespace: string;
  target: string;
  message: string;
}

export interface Report {
  apiVersion: 'kdbg.dev/v1';
  kind: 'RunbookReport';
  runbook: { name: string; description?: string; owner?: string; file: string; sha256: string };
  params: Record<string, string>;
  profile: string;
  /** who ran it, in each context */
  identities: Array<{ context: string; server: string; user: string }>;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  outcome: 'passed' | 'failed' | 'interrupted';
  exitCode: number;
  totals: Record<PodStatus, number> & { pods: number };
  steps: string[];
  problems: TargetProblem[];
  pods: PodResult[];
}

/** 0: every step of every pod passed; 1: a step failed, a pod was refused or failed, a target found nothing; 130: interrupted. */
export const RUNBOOK_EXIT = { passed: 0, failed: 1, interrupted: 130 } as const;

export function buildReport(
  plan: RunbookPlan,
  run: { startedAt: Date; finishedAt: Date; interrupted: boolean; identities: Report['identities']; problems: TargetProblem[]; pods: PodResult[] },
): Report {
  const totals = { pods: run.pods.length, passed: 0, failed: 0, refused: 0, error: 0, interrupted: 0 };
  for (const p of run.pods) totals[p.status]++;
  const allPassed = totals.pods > 0 && totals.passed === totals.pods && run.problems.length === 0;
  const outcome = run.interrupted ? 'interrupted' : allPassed ? 'passed' : 'failed';
  const rb = plan.runbook;
  return {
    apiVersion: 'kdbg.dev/v1',
    kind: 'RunbookReport',
    runbook: {
      name: rb.name,
      ...(rb.description === undefined ? {} : { description: rb.description }),
      ...(rb.owner === undefined ? {} : { owner: rb.owner }),
      file: rb.file,
      sha256: rb.sha256,
    },
    params: { ...plan.params },
    profile: plan.profile,
    identities: run.identities,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    durationMs: run.finishedAt.getTime() - run.startedAt.getTime(),
    outcome,
    exitCode: RUNBOOK_EXIT[outcome],
    totals,
    steps: plan.steps.map((s) => s.name),
    problems: run.problems,
    pods: run.pods,
  };
}

/** Writes report.json and report.md into `dir` (each to a temporary name first, so neither is ever half there). */
export async function writeReport(dir: string, report: Report): Promise<void> {
  await Promise.all([
    writeWhole(path.join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`),
    writeWhole(path.join(dir, 'report.md'), reportMarkdown(report)),
  ]);
}

async function writeWhole(file: string, text: string): Promise<void> {
  await writeFile(`${file}.new`, text);
  await rename(`${file}.new`, file);
}

const MARK: Record<StepStatus | PodStatus, string> = {
  passed: '✅ passed',
  failed: '❌ failed',
  timeout: '⏱ timed out',
  error: '⚠️ error',
  skipped: '⏭ skipped',
  interrupted: '⏹ interrupted',
  refused: '🚫 refused',
};

export function reportMarkdown(r: Report): string {
  const lines: string[] = [];
  lines.push(`# Runbook ${r.runbook.name}: ${r.outcome}`, '');
  if (r.runbook.description) lines.push(r.runbook.description, '');
  const facts: Array<[string, string]> = [
    ['file', `\`${r.runbook.file}\` (sha256 ${r.runbook.sha256.slice(0, 12)})`],
    ...(r.runbook.owner ? [['owner', r.runbook.owner] as [string, string]] : []),
    ['run by', r.identities.map((i) => `${i.user} in ${i.context || 'the current context'} (${i.server})`).join('; ') || '—'],
    ['started', r.startedAt],
    ['took', seconds(r.durationMs)],
    ['profile', r.profile],
    ['params', Object.entries(r.params).map(([k, v]) => `\`${k}=${v}\``).join(', ') || '—'],
    ['pods', `${r.totals.pods}: ${(['passed', 'failed', 'refused', 'error', 'interrupted'] as const).filter((k) => r.totals[k]).map((k) => `${r.totals[k]} ${k}`).join(', ') || 'none'}`],
    ['exit code', String(r.exitCode)],
  ];
  for (const [k, v] of facts) lines.push(`- **${k}**: ${cell(v)}`);
  lines.push('', `| pod | ${r.steps.map(cell).join(' | ')} |`, `|---|${r.steps.map(() => '---').join('|')}|`);
  for (const p of r.pods) {
    const where = `${contextPrefix(p.context)}${p.namespace}/${p.pod}`;
    const cells =
      p.status === 'refused' || (p.steps.length === 0 && p.message)
        ? r.steps.map((_, i) => (i === 0 ? `${MARK[p.status]}: ${p.message ?? ''}` : ''))
        : r.steps.map((name) => stepCell(p.steps.find((s) => s.name === name)));
    lines.push(`| ${cell(where)} | ${cells.map(cell).join(' | ')} |`);
  }
  if (r.problems.length) {
    lines.push('', '## Targets that found no pods', '');
    for (const t of r.problems) lines.push(`- ${t.target} in ${contextPrefix(t.context)}${t.namespace}: ${t.message}`);
  }
  const notes = r.pods.filter((p) => p.message && p.steps.length);
  if (notes.length) {
    lines.push('', '## Notes', '');
    for (const p of notes) lines.push(`- ${p.namespace}/${p.pod}: ${p.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function stepCell(s: StepResult | undefined): string {
  if (!s) return '';
  const parts = [MARK[s.status]];
  if (s.exitCode !== undefined && s.exitCode !== 0) parts.push(`exit ${s.exitCode}`);
  if (s.durationMs !== undefined) parts.push(seconds(s.durationMs));
  if (s.packets !== undefined) parts.push(`${s.packets} packets`);
  const links = Object.entries(s.artifacts).map(([kind, file]) => `[${kind}](${encodeURI(file)})`);
  const message = s.message && s.status !== 'passed' ? `: ${s.message}` : '';
  return `${parts.join(', ')}${message}${links.length ? ` ${links.join(' ')}` : ''}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** One table cell: no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
