// A pod's steps, one after the other, as sessions in its debug container: what each wrote goes to files in the
// pod's folder, and each ends as passed, failed, timed out, errored, skipped or interrupted. A capture's duration
// and a step's timeout stop the session the way Ctrl-C does (tcpdump flushes: the pcap ends whole).
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { IO } from '../../io.ts';
import type { KubeClient } from '../../kube/types.ts';
import type { SessionPriority } from '../../debug/programs.ts';
import type { PlannedStep } from '../../runbook/plan.ts';
import type { Artifacts, StepResult } from '../../runbook/report.ts';
import { runSession, type SessionEnd } from '../../session/runner.ts';
import { NotRunning } from '../../debug/states.ts';
import { durationClock, tcpdumpCounts } from '../../debug/tcpdump.ts';
import { sessionIn, type InContainer } from '../pipeline.ts';
import { unpackTo, type Unpacking } from '../cp/local-tar.ts';
import { copyOutCommand } from '../../debug/copy-programs.ts';
import { targetRoot } from '../../debug/target-root.ts';

export interface PodSteps {
  client: KubeClient;
  io: IO;
  steps: PlannedStep[];
  session: { ttlSeconds: number; priority: SessionPriority };
  /** the run's folder, and the pod's folder in it (relative) */
  outDir: string;
  podDir: string;
  /** Ctrl-C and friends: every step stops */
  stop: AbortSignal;
  onStep(step: PlannedStep, index: number): void;
  onStepEnd(result: StepResult): void;
}

/** Runs every step; rejects with NotRunning only when the container refused the first one before it ran. */
export async function runSteps(p: PodSteps, c: InContainer): Promise<StepResult[]> {
  await mkdir(path.join(p.outDir, p.podDir), { recursive: true });
  const results: StepResult[] = [];
  let blocked: string | undefined;
  for (const [i, step] of p.steps.entries()) {
    let result: StepResult;
    if (p.stop.aborted) result = { name: step.name, kind: step.kind, status: 'interrupted', message: 'not started: the run was interrupted', artifacts: {} };
    else if (blocked) result = { name: step.name, kind: step.kind, status: 'skipped', message: `step ${blocked} did not pass`, artifacts: {} };
    else {
      p.onStep(step, i);
      try {
        result = await runStep(p, c, step);
      } catch (err) {
        if (err instanceof NotRunning && results.length === 0) throw err;
        result = { name: step.name, kind: step.kind, status: 'error', message: (err as Error).message, artifacts: {} };
      }
      if (result.status !== 'passed' && !step.continueOnError) blocked = step.name;
    }
    results.push(result);
    p.onStepEnd(result);
  }
  return results;
}

async function runStep(p: PodSteps, c: InContainer, step: PlannedStep): Promise<StepResult> {
  const rel = (suffix: string) => path.join(p.podDir, `${step.save}${suffix}`);
  const at = (file: string) => path.join(p.outDir, file);
  const artifacts: Artifacts = { stderr: rel('.stderr') };
  const stderr = createWriteStream(at(artifacts.stderr!));
  let stdout: NodeJS.WritableStream;
  let file: WriteStream | undefined;
  let unpacking: Unpacking | undefined;
  let said = '';
  if (step.kind === 'cp') {
    const into = at(rel(''));
    await mkdir(into, { recursive: true });
    unpacking = await unpackTo(into);
    stdout = unpacking.sink;
  } else {
    artifacts[step.kind === 'capture' ? 'pcap' : 'stdout'] = rel(step.kind === 'capture' ? '.pcap' : '.stdout');
    file = createWriteStream(at((artifacts.pcap ?? artifacts.stdout)!));
    stdout = file;
  }
  const own = new AbortController();
  let ended: 'duration' | 'timeout' | undefined;
  const endAs = (why: 'duration' | 'timeout') => () => {
    ended ??= why;
    if (!own.signal.aborted) own.abort('INT');
  };
  const timeout = setTimeout(endAs('timeout'), step.timeoutMs);
  // a capture's duration counts from its tcpdump's start
  const clock = step.durationMs === undefined ? undefined : durationClock(step.durationMs, endAs('duration'));
  // what the command says on stderr goes to its file, and the last of it makes the message
  const err = new PassThrough();
  err.pipe(stderr);
  err.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    said = (said + text).slice(-4096);
    clock?.heard(text);
  });
  const startedAt = p.io.now();
  let end: SessionEnd;
  try {
    end = await runSession({
      ...sessionIn(p.client, c, p.io, p.session, AbortSignal.any([p.stop, own.signal])),
      command: step.command ?? copyOutCommand(step.from === 'target' ? targetRoot(c.pod, c.container.targetContainerName ?? '') : '', step.path!),
      tty: false,
      stdin: undefined,
      stdout,
      stderr: err,
      escapeChar: undefined,
    });
  } finally {
    clearTimeout(timeout);
    clock?.clear();
    err.end();
    file?.end();
    await Promise.all([closed(stderr), file && closed(file)]);
  }
  const base = { name: step.name, kind: step.kind, startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), artifacts };
  const lastLine = said.trim().split('\n').filter(Boolean).pop();
  const packets = step.kind === 'capture' ? tcpdumpCounts(said)?.captured : undefined;
  const withPackets = packets === undefined ? {} : { packets };
  try {
    if (end.kind === 'stopped') {
      if (ended === 'duration' && !p.stop.aborted) return { ...base, ...withPackets, status: 'passed' };
      if (ended === 'timeout' && !p.stop.aborted) return { ...base, ...withPackets, status: 'timeout', message: `still running after ${step.timeoutMs / 1000}s` };
      return { ...base, ...withPackets, status: 'interrupted', message: 'interrupted' };
    }
    if (end.code !== 0) return { ...base, ...withPackets, status: 'failed', exitCode: end.code, ...(lastLine ? { message: lastLine } : {}) };
    if (unpacking) {
      stdout.end();
      const { dest } = await unpacking.finish(path.basename(step.path!.replace(/\/+$/, '')));
      artifacts.copy = path.relative(p.outDir, dest);
    }
    return { ...base, ...withPackets, status: 'passed', exitCode: 0 };
  } finally {
    await unpacking?.discard();
  }
}

function closed(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed) return resolve();
    stream.once('close', () => resolve()).once('error', () => resolve());
  });
}
