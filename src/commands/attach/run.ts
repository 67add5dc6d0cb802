// kdbg attach: the pipeline for one pod: profile, target, identity, then a debug container (reused or added)
// and one session in it, whose end is the exit code.
import type { IO } from '../../io.ts';
import type { KubeClient } from '../../kube/types.ts';
import type { AttachPlan } from './options.ts';
import type { Profile } from '../../profiles/profile.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { pickPod } from '../../debug/target.ts';
import { assertDebuggable, impliedContainer, resolveContainer } from '../../debug/target-container.ts';
import { whoAmI } from '../../debug/preflight.ts';
import { withDebugContainer } from '../../debug/acquire.ts';
import { findReusable } from '../../debug/reuse.ts';
import { debugContainer, ENV, envOf } from '../../debug/spec.ts';
import { recordSession } from '../../debug/audit.ts';
import { runSession, type SessionEnd } from '../../session/runner.ts';
import { whereLine } from '../../ui/where.ts';
import { withClient } from '../cluster.ts';
import { ExitCode } from '../../errors.ts';

export async function runAttach(plan: AttachPlan, io: IO): Promise<number> {
  const catalog = await loadProfiles({ configPath: plan.flags.config, env: io.env });
  const profile = catalog.get(plan.flags.profile ?? catalog.defaultProfile);
  return withClient(plan.flags, io, (client) => attach(client, profile, plan, io));
}

async function attach(client: KubeClient, profile: Profile, plan: AttachPlan, io: IO): Promise<number> {
  const { flags } = plan;
  const namespace = client.context.namespace;
  const spec = { profile, ttlSeconds: plan.ttlSeconds, reason: flags.reason, image: flags.image };
  const identityP = whoAmI(client);
  identityP.catch(() => undefined);

  // among a workload's pods, one that holds a container this call would reuse
  const reuser = plan.target.kind === 'workload' && !flags.new ? await identityP : undefined;
  const hasReusable = reuser
    ? (p: Parameters<typeof findReusable>[0]) => {
        const t = impliedContainer(p, flags.target);
        return t !== undefined && findReusable(p, reuser.user, envOf(debugContainer({ ...spec, pod: p, target: t.name, user: reuser.user }, 'x'), ENV.spec)!) !== undefined;
      }
    : undefined;
  const pod = await pickPod({ client, namespace, target: plan.target, choose: io.choose, now: io.now(), hasReusable });
  const target = await resolveContainer(pod, flags.target, io.choose);
  assertDebuggable(pod, target.name);
  const identity = await identityP;

  const interrupts = io.interrupts();
  const audits: Promise<void>[] = [];
  try {
    const end = await withDebugContainer(
      {
        client,
        namespace,
        pod,
        target: target.name,
        identity,
        spec,
        fresh: flags.new === true,
        timeoutMs: plan.timeoutMs,
        io,
        signal: interrupts.signal,
        onContainer: (c) =>
          io.note(whereLine({ context: client.context.contextName, namespace, pod: pod.metadata!.name!, target: target.name, debugContainer: c.name, reused: c.reused, reusedSince: c.startedAt, now: io.now() })),
      },
      ({ pod: running, container }) => {
        const command = plan.command.length ? plan.command : profile.shell;
        if (audits.length === 0) audits.push(recordSession(client, running, { user: identity.user, container: container.name, reason: flags.reason, command, now: io.now() }));
        return runSession({
          client,
          namespace,
          pod: running,
          container: container.name,
          image: container.image!,
          command,
          ttlSeconds: plan.ttlSeconds,
          tty: plan.tty,
          stdin: plan.tty || plan.forwardStdin ? io.stdin : undefined,
          stdout: io.stdout,
          stderr: io.stderr,
          escapeChar: plan.escapeChar,
          stop: interrupts.signal,
          note: io.note,
          random: io.random,
        });
      },
    );
    await Promise.all(audits);
    if (end.kind === 'stopped' && end.by === 'escape') {
      io.stderr.write('\r\n');
      io.note('session ended with ~.');
    }
    return exitCode(end);
  } finally {
    interrupts.close();
  }
}

/** attach's meaning of a stop: the exit status of a program that got that signal. */
function exitCode(end: SessionEnd): number {
  if (end.kind === 'exited') return end.code;
  switch (end.by) {
    case 'INT':
    case 'escape':
      return ExitCode.sigint;
    case 'TERM':
      return ExitCode.sigterm;
    case 'HUP':
      return ExitCode.sighup;
    case 'PIPE':
      return ExitCode.stdoutClosed;
  }
}
