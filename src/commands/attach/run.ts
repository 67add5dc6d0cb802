// kdbg attach: the pipeline for one pod, then one session in the debug container, whose end is the exit code.
import type { IO } from '../../io.ts';
import type { AttachPlan } from './options.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { runSession, type SessionEnd } from '../../session/runner.ts';
import { withClient } from '../cluster.ts';
import { inDebugContainer, sessionIn, type SessionPlace } from '../pipeline.ts';
import { inPodCopy } from './copy.ts';
import { chosenProfile, pipelineRequest } from '../debug-container-flags.ts';
import { ExitCode } from '../../errors.ts';
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
          return await runSession({
            ...sessionIn(client, c, io, plan, interrupts.signal),
            command,
            tty: plan.tty,
            stdin: plan.tty || plan.forwardStdin ? io.stdin : undefined,
            stdout: io.stdout,
            stderr: io.stderr,
            escapeChar: plan.escapeChar,
            recording,
          });
        } finally {
          await recording?.close();
        }
      };
      const req = pipelineRequest(flags, plan, plan.target, profile, command, interrupts.signal);
      req.notRunning.json = plan.json;
      const end = flags.copy ? await inPodCopy(client, { plan, profile, signal: interrupts.signal }, io, session) : await inDebugContainer(client, req, io, session);
      if (end.kind === 'stopped' && end.by === 'escape') {
        io.stderr.write('\r\n');
        io.note('session ended with ~.');
      }
      return exitCode(end);
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
