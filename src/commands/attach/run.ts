// kdbg attach: the pipeline for one pod, then one session in the debug container, whose end is the exit code.
import type { IO } from '../../io.ts';
import type { AttachPlan } from './options.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { userSession, userSessionExitCode } from '../user-session.ts';
import { withClient } from '../cluster.ts';
import { inDebugContainer, type SessionPlace } from '../pipeline.ts';
import { inPodCopy } from './copy.ts';
import { NotRunningRefusal } from '../not-running.ts';
import { missingPermissions } from '../../debug/preflight.ts';
import { TO_CREATE_POD } from '../../debug/own-pod.ts';
import { chosenProfile, pipelineRequest, restrictedDefault } from '../debug-container-flags.ts';
import { createWriteStream } from 'node:fs';
import { Recording } from '../../session/recording.ts';

export async function runAttach(plan: AttachPlan, io: IO): Promise<number> {
  const { flags } = plan;
  const catalog = await loadProfiles({ configPath: flags.config, env: io.env });
  const profile = chosenProfile(catalog, flags.profile ?? catalog.defaultProfile, flags);
  const command = plan.command.length ? plan.command : profile.shell;
  return withClient(flags, io, async (client) => {
    const interrupts = io.interrupts();
    try {
      const session = async (c: SessionPlace) => {
        const recording = flags.record === undefined ? undefined : startRecording(flags.record, flags.recordInput === true, plan.tty, command, io);
        try {
          return await userSession(client, c, io, plan, command, interrupts.signal, recording);
        } finally {
          await recording?.close();
        }
      };
      const req = pipelineRequest(flags, plan, plan.target, profile, command, interrupts.signal);
      req.notRunning.json = plan.json;
      req.restricted = restrictedDefault(catalog, flags);
      const inCopy = (p: AttachPlan) => inPodCopy(client, { plan: p, profile, signal: interrupts.signal }, io, session);
      const end = flags.copy
        ? await inCopy(plan)
        : await inDebugContainer(client, req, io, session).catch(async (err: unknown) => {
            // on a terminal, the way in is offered rather than only named
            if (!(err instanceof NotRunningRefusal) || err.json || !plan.tty) throw err;
            // a copy the user may not make is not offered (if the cluster cannot say, the copy's own checks will)
            const denied = await missingPermissions(client, client.context.namespace, undefined, TO_CREATE_POD).catch(() => []);
            if (denied.length > 0) throw err;
            const yes = await io.choose(`Debug a copy of ${err.pod} instead? (deleted when you leave)`, [
              { name: 'yes: a copy with the failing container held', value: true },
              { name: 'no', value: false },
            ]);
            if (!yes) throw err;
            return inCopy({ ...plan, target: { kind: 'pod', name: err.pod }, flags: { ...flags, copy: true } });
          });
      return userSessionExitCode(end, io, interrupts);
    } finally {
      interrupts.close();
    }
  });
}

function startRecording(file: string, recordInput: boolean, tty: boolean, command: string[], io: IO): Recording {
  const width = tty ? io.stdout.columns || 80 : 80;
  const height = tty ? io.stdout.rows || 24 : 24;
  return new Recording(createWriteStream(file), { width, height, command: command.join(' '), recordInput, now: io.now });
}
