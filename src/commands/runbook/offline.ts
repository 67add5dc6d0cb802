// kdbg runbook lint and explain: the file and the profiles only, no cluster.
import type { IO } from '../../io.ts';
import type { RunbookInput } from './options.ts';
import { KdbgError } from '../../errors.ts';
import { loadProfiles, type Catalog } from '../../profiles/catalog.ts';
import { debugContainer } from '../../debug/spec.ts';
import { podSecurityLevel } from '../../debug/pod-security-level.ts';
import { loadRunbook } from '../../runbook/load.ts';
import { resolveParams } from '../../runbook/params.ts';
import { planRunbook, type PlannedStep, type PlannedTarget } from '../../runbook/plan.ts';
import type { Runbook } from '../../runbook/format.ts';

/** Every file, every problem; 0 when all are valid, 1 when one is not. */
export async function lintRunbooks(files: string[], config: string | undefined, io: IO): Promise<number> {
  const catalog = await loadProfiles({ configPath: config, env: io.env });
  let failed = 0;
  for (const file of files) {
    try {
      const rb = await loadRunbook(file);
      if (rb.profile !== undefined) catalog.get(rb.profile);
      // with every param at its default (where each has one), the plan must hold too
      if (Object.values(rb.params).every((p) => p.default !== undefined)) planRunbook(rb, resolveParams(rb.params, {}), undefined);
      io.stdout.write(`${file}: ok (${rb.steps.length} ${rb.steps.length === 1 ? 'step' : 'steps'}, ${rb.targets.select.length} ${rb.targets.select.length === 1 ? 'target' : 'targets'})\n`);
    } catch (err) {
      if (!(err instanceof KdbgError)) throw err;
      failed++;
      io.stderr.write(err.message.startsWith(`${file}:`) ? `${err.message}\n` : `${file}: ${err.message}\n`);
    }
  }
  return failed ? 1 : 0;
}

/** What would run where: the targets, the profile's container and its PodSecurity level, each step's argv. */
export async function explainRunbook(input: RunbookInput, io: IO): Promise<number> {
  const rb = await loadRunbook(input.file);
  const params = resolveParams(rb.params, input.sets);
  const plan = planRunbook(rb, params, input.contexts);
  const catalog = await loadProfiles({ configPath: input.config, env: io.env });
  io.stdout.write(explanation(rb, plan.profile, params, input.sets, plan.targets, plan.steps, plan.maxPods, catalog));
  return 0;
}

function explanation(
  rb: Runbook,
  profileName: string,
  params: Record<string, string>,
  sets: Record<string, string>,
  targets: PlannedTarget[],
  steps: PlannedStep[],
  maxPods: number,
  catalog: Catalog,
): string {
  const out: string[] = [];
  out.push(`runbook ${rb.name} (${rb.file})${rb.owner ? `, owner ${rb.owner}` : ''}`);
  if (rb.description) out.push(`  ${rb.description}`);
  const names = Object.keys(params);
  if (names.length) {
    out.push('', 'params:');
    for (const n of names) out.push(`  ${n} = ${JSON.stringify(params[n])}${n in sets ? ' (--set)' : ' (default)'}${rb.params[n]?.description ? `  # ${rb.params[n]!.description}` : ''}`);
  }
  const profile = catalog.get(profileName);
  const container = debugContainer({ profile, pod: { spec: { containers: [] } }, target: '<target>', user: '<you>', ttlSeconds: 900 }, 'kdbg-x');
  out.push('', `debug container: profile ${profile.name}${rb.profile === undefined ? ' (the default for these steps)' : ''}, image ${profile.image}`);
  out.push(`  PodSecurity level it needs (before the pod's own settings count): ${podSecurityLevel(container.securityContext)}`);
  if (container.securityContext) out.push(`  securityContext: ${JSON.stringify(container.securityContext)}`);
  out.push('  reused where one of yours with the same spec runs; else added, one per pod', '', `targets (at most ${maxPods} pods in all, else nothing runs):`);
  for (const t of targets) {
    const where = `${t.context === undefined ? 'the current context' : `context ${t.context}`}, ${t.namespace === undefined ? "the context's namespace" : `namespace ${t.namespace}`}`;
    out.push(`  ${t.label}${t.container ? `, container ${t.container}` : ''}: ${where}`);
  }
  out.push('', 'steps, in order, in every pod (each pod at once with others, up to --concurrency):');
  steps.forEach((s, i) => {
    const limits = [`timeout ${s.timeoutMs / 1000}s`, s.continueOnError ? 'on failure: the next step runs' : "on failure: the pod's next steps are skipped"];
    out.push(`  ${i + 1}. ${s.name} (${limits.join('; ')})`);
    switch (s.kind) {
      case 'run':
        out.push(`     run: ${s.command!.map(quote).join(' ')}`, `     → ${s.save}.stdout, ${s.save}.stderr`);
        break;
      case 'capture':
        out.push(`     capture: ${s.command!.map(quote).join(' ')}${s.durationMs === undefined ? '' : `, stopped cleanly after ${s.durationMs / 1000}s`}`, `     → ${s.save}.pcap`);
        break;
      case 'cp':
        out.push(`     cp: ${s.path} of the ${s.from === 'debug' ? "debug container's own filesystem" : `target container (tar in the debug container, under its main process's root: /proc/1/root, or where the pod shares a PID namespace the process with its container ID)`}`, `     → ${s.save}/${s.path!.replace(/\/+$/, '').split('/').pop()}`);
    }
  });
  return `${out.join('\n')}\n`;
}

/** A word as a shell would need it, to read (nothing here goes through a shell). */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
