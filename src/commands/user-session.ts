// A session on the user's own streams (attach, node): the terminal or the pipe, the escape character, and what its
// end means as kdbg's exit code.
import type { Interrupts, IO } from '../io.ts';
import type { KubeClient } from '../kube/types.ts';
import type { SessionPriority } from '../debug/programs.ts';
import type { Recording } from '../session/recording.ts';
import { runSession, type SessionEnd } from '../session/runner.ts';
import { cannotWrite, ExitCode } from '../errors.ts';
import { sessionIn, type SessionPlace } from './pipeline.ts';

export interface UserSessionPlan {
  tty: boolean;
  forwardStdin: boolean;
  escapeChar: number | undefined;
  ttlSeconds: number;
  priority: SessionPriority;
}

export function userSession(client: KubeClient, c: SessionPlace, io: IO, plan: UserSessionPlan, command: string[], stop: AbortSignal, recording?: Recording): Promise<SessionEnd> {
  return runSession({
    ...sessionIn(client, c, io, plan, stop),
    command,
    tty: plan.tty,
    stdin: plan.tty || plan.forwardStdin ? io.stdin : undefined,
    stdout: io.stdout,
    stderr: io.stderr,
    escapeChar: plan.escapeChar,
    recording,
  });
}

/**
 * The exit status of a program that ended so (a stop: as if it got that signal); `~.` is said on stderr. A stdout
 * that failed otherwise than by its reader going (a full disk) is kdbg's error.
 */
export function userSessionExitCode(end: SessionEnd, io: IO, interrupts: Interrupts): number {
  if (end.kind === 'exited') return end.code;
  switch (end.by) {
    case 'escape':
      io.stderr.write('\r\n');
      io.note('session ended with ~.');
      return ExitCode.sigint;
    case 'INT':
      return ExitCode.sigint;
    case 'TERM':
      return ExitCode.sigterm;
    case 'HUP':
      return ExitCode.sighup;
    case 'PIPE':
      if (interrupts.writeError) throw cannotWrite('stdout', interrupts.writeError, '; the session was ended');
      return ExitCode.stdoutClosed;
  }
}
