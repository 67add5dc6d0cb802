// kdbg runbook run: the file checked, the targets resolved and every pod preflighted before anything is created,
// then each pod's steps in its debug container, --concurrency pods at a time under the rate limit, and the report
// written however the run ends (Ctrl-C included: every running step stops cleanly first).
import { setMaxListeners } from 'node:events';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { IO } from '../../io.ts';
import type { RunbookRunPlan } from './options.ts';
import type { Progress } from '../../ui/progress.ts';
import { KdbgError, UsageError } from '../../errors.ts';
import { mapLimit } from '../../concurrency.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { enforcedLevel } from '../../debug/pod-security.ts';
import { describePermission, missingPermissions } from '../../debug/preflight.ts';
import { canAnimate } from '../../ui/color.ts';
import { fleetProgress, type FleetProgress } from '../../ui/fleet-progress.ts';
import { loadRunbook } from '../../runbook/load.ts';
import { resolveParams } from '../../runbook/params.ts';
import { planRunbook, type RunbookPlan } from '../../runbook/plan.ts';
import { buildReport, writeReport, type PodResult } from '../../runbook/report.ts';
import { chosenProfile } from '../debug-container-flags.ts';
import { inDebugContainer, type PipelineRequest } from '../pipeline.ts';
import { findPods, openClients, type FoundPod } from './resolve.ts';
import { preflightPod, type Verdict } from './preflight.ts';
import { runSteps } from './steps.ts';
import { contextPrefix } from '../../ui/where.ts';

const SILENT: Progress = { shown: false, update: () => undefined, stop: () => undefined };

export async function runRunbook(plan: RunbookRunPlan, io: IO): Promise<number> {
  const runbook = await loadRunbook(plan.file);
  const rb = planRunbook(runbook, resolveParams(runbook.params, plan.sets), plan.contexts);
  const catalog = await loadProfiles({ configPath: plan.config, env: io.env });
  const { flags } = plan;
  const profile = chosenProfile(catalog, rb.profile, { ttl: flags.ttl, timeout: flags.timeout, priority: flags.priority, image: flags.image, allowPrivileged: flags.allowPrivileged });
  const spec = { profile, ttlSeconds: plan.ttlSeconds, reason: flags.reason ?? `runbook ${rb.runbook.name}`, image: flags.image, targetVolumes: undefined };
  const startedAt = io.now();
  const clients = await openClients(
    rb.targets.map((t) => t.context),
    { kubeconfig: flags.kubeconfig, as: flags.as, asGroups: flags.asGroup, rateLimit: plan.rateLimit },
    io,
  );
  const interrupts = io.interrupts();
  const stop = interrupts.signal;
  // every running step listens to it
  setMaxListeners(0, stop);
  try {
    const { pods, problems, identities } = await findPods(rb.targets, clients);
    const label = podLabel(new Set(pods.map((p) => p.place.context)).size > 1);
    for (const t of problems) io.note(`${t.target} in ${contextPrefix(t.context)}${t.namespace}: ${t.message}`);
    if (pods.length === 0) throw new KdbgError('not-found', 'the runbook\'s targets name no pods; nothing was run');
    if (pods.length > rb.maxPods) {
      throw new UsageError(`the targets name ${pods.length} pods, more than targets.maxPods (${rb.maxPods}); nothing was run: narrow the targets or raise maxPods`);
    }

    // every pod is judged before any is touched
    // what a namespace answers holds for all its pods: asked once per server, namespace and question
    const asked = new Map<string, unknown>();
    const once = <T>(p: FoundPod, question: string, ask: () => T): T => {
      const key = `${p.place.client.context.server}\n${p.place.namespace}\n${question}`;
      if (!asked.has(key)) asked.set(key, ask());
      return asked.get(key) as T;
    };
    const captures = rb.steps.some((s) => s.kind === 'capture');
    const verdicts = new Map<FoundPod, Verdict>();
    await mapLimit(pods, plan.concurrency, async (p) => {
      verdicts.set(p, await preflightPod(p.place, p.pod, {
        spec,
        container: p.container,
        captures,
        level: once(p, 'PodSecurity', () => enforcedLevel(p.place.client, p.place.namespace)),
        notNamespaceWide: (wanted) => once(p, wanted.map(describePermission).join(), () => missingPermissions(p.place.client, p.place.namespace, undefined, wanted)),
      }));
    });
    const allowed = pods.filter((p) => verdicts.get(p)!.ok);
    for (const p of pods) {
      const v = verdicts.get(p)!;
      if (!v.ok) io.note(`refused before anything was created: ${label(p)}: ${v.reason}`);
    }
    if (plan.dryRun) {
      for (const p of allowed) io.note(`would run ${rb.steps.length} ${rb.steps.length === 1 ? 'step' : 'steps'} in ${label(p)} (container ${(verdicts.get(p) as { container: string }).container}, profile ${profile.name})`);
      io.note(`dry run: ${allowed.length} of ${pods.length} pods would run; nothing was created`);
      return allowed.length === pods.length && problems.length === 0 ? 0 : 1;
    }

    const out = plan.out ?? `kdbg-runbook-${rb.runbook.name}-${stamp(startedAt)}`;
    await mkdir(out, { recursive: true });
    const progress = fleetProgress({
      stderr: io.stderr,
      live: canAnimate(io.env, Boolean(io.stderr.isTTY)),
      quiet: io.quiet,
      total: allowed.length,
      paint: io.paint.err,
    });
    const results = new Map<FoundPod, PodResult>();
    for (const p of pods) {
      const v = verdicts.get(p)!;
      if (!v.ok) results.set(p, { ...where(p), ...(v.container ? { container: v.container } : {}), status: 'refused', message: v.reason, steps: [] });
    }
    try {
      await mapLimit(alternating(allowed), plan.concurrency, async (p) => {
        results.set(p, await runPod(p, verdicts.get(p) as Extract<Verdict, { ok: true }>, { plan, rb, spec, out, stop, io, progress, label: label(p) }));
      });
    } finally {
      progress.close();
    }
    const report = buildReport(rb, {
      startedAt,
      finishedAt: io.now(),
      interrupted: stop.aborted,
      identities,
      problems,
      pods: pods.map((p) => results.get(p)!),
    });
    await writeReport(out, report);
    const t = report.totals;
    const counts = (['passed', 'failed', 'refused', 'error', 'interrupted'] as const).filter((k) => t[k]).map((k) => `${t[k]} ${k}`);
    io.note(`runbook ${rb.runbook.name}: ${counts.join(', ')} of ${t.pods} pods in ${(report.durationMs / 1000).toFixed(1)}s; report in ${path.join(out, 'report.md')}`);
    return report.exitCode;
  } finally {
    interrupts.close();
    clients.close();
  }
}

interface PodRun {
  plan: RunbookRunPlan;
  rb: RunbookPlan;
  spec: PipelineRequest['spec'];
  out: string;
  stop: AbortSignal;
  io: IO;
  progress: FleetProgress;
  label: string;
}

/** One pod: its debug container (reused or added), then its steps; never rejects. */
async function runPod(p: FoundPod, verdict: Extract<Verdict, { ok: true }>, r: PodRun): Promise<PodResult> {
  const base = { ...where(p), container: verdict.container };
  if (r.stop.aborted) return { ...base, status: 'interrupted', message: 'not started: the run was interrupted', steps: [] };
  const { progress, label } = r;
  progress.status(label, 'preparing the debug container');
  // the pipeline's notes (which container, reused or added) go to this pod's line; no spinner of its own
  const io: IO = { ...r.io, note: (text) => progress.event(label, text), progress: async () => SILENT };
  const started = Date.now();
  try {
    const outcome = await inDebugContainer(
      p.place.client,
      {
        target: { kind: 'pod', name: p.pod.metadata!.name! },
        targetContainer: verdict.container,
        spec: r.spec,
        fresh: false,
        timeoutMs: r.plan.timeoutMs,
        command: ['kdbg', 'runbook', 'run', r.rb.runbook.name],
        signal: r.stop,
        notRunning: { json: false, clusterArgs: [] },
        reviews: verdict.reviews,
        judged: verdict.judged,
        identity: p.place.identity,
      },
      io,
      async (c) => {
        const steps = await runSteps(
          {
            client: p.place.client,
            io,
            steps: r.rb.steps,
            session: { ttlSeconds: r.plan.ttlSeconds, priority: r.plan.priority },
            outDir: r.out,
            podDir: path.join('pods', safe(p.place.context || 'current'), safe(p.place.namespace), safe(p.pod.metadata!.name!)),
            stop: r.stop,
            onStep: (step, i) => progress.status(label, `step ${i + 1}/${r.rb.steps.length}: ${step.name}`),
            onStepEnd: (s) => progress.event(label, `step ${s.name}: ${s.status}${s.exitCode ? ` (exit ${s.exitCode})` : ''}${s.durationMs === undefined ? '' : ` in ${(s.durationMs / 1000).toFixed(1)}s`}${s.message && s.status !== 'passed' ? `: ${s.message}` : ''}`),
          },
          c,
        );
        return { steps, debugContainer: c.container.name };
      },
    );
    const status = outcome.steps.every((s) => s.status === 'passed') ? 'passed' : outcome.steps.some((s) => s.status === 'interrupted') ? 'interrupted' : 'failed';
    const passed = outcome.steps.filter((s) => s.status === 'passed').length;
    progress.done(label, `${status}: ${passed}/${outcome.steps.length} steps passed in ${((Date.now() - started) / 1000).toFixed(1)}s`, status !== 'passed');
    return { ...base, debugContainer: outcome.debugContainer, status, steps: outcome.steps };
  } catch (err) {
    if (!(err instanceof KdbgError)) throw err;
    const status = r.stop.aborted ? 'interrupted' : 'error';
    progress.done(label, `${status}: ${err.message}`, true);
    return { ...base, status, message: err.message, steps: [] };
  }
}

/** The pods, taking turns among the API servers, so that every one of them works (each under its own limit) at once. */
function alternating(pods: FoundPod[]): FoundPod[] {
  const byServer = new Map<string, FoundPod[]>();
  for (const p of pods) {
    const server = p.place.client.context.server;
    byServer.set(server, [...(byServer.get(server) ?? []), p]);
  }
  const queues = [...byServer.values()];
  const out: FoundPod[] = [];
  for (let i = 0; out.length < pods.length; i++) for (const q of queues) if (i < q.length) out.push(q[i]!);
  return out;
}

function where(p: FoundPod): Pick<PodResult, 'context' | 'namespace' | 'pod'> {
  return { context: p.place.context, namespace: p.place.namespace, pod: p.pod.metadata!.name! };
}

/** With pods of several contexts, the context leads. */
function podLabel(withContext: boolean): (p: FoundPod) => string {
  return (p) => `${withContext ? `${p.place.context}/` : ''}${p.place.namespace}/${p.pod.metadata!.name}`;
}

/** A name as one path component. */
function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
}

/** 20260314T030405Z */
function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}
