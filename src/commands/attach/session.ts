// One session in a running debug container: the command under kdbg's wrapper, a heartbeat while it runs,
// Ctrl-C/SIGTERM/SIGHUP and `~.` turned into a signal to the recorded process group, the terminal restored on
// every way out, and the pod watched so a vanished container ends the session with a reason.
import type { ReadStream, WriteStream } from 'node:tty';
import type { V1Pod } from '@kubernetes/client-node';
import { PassThrough } from 'node:stream';
import type { KubeClient } from '../../kube/types.ts';
import type { Runtime } from '../../runtime.ts';
import { openExec, type ExecResult, type ExecSession } from '../../session/remote-exec.ts';
import { HEARTBEAT_EVERY_MS, heartbeatCommand, interruptCommand, sessionCommand } from '../../session/in-container.ts';
import { EscapeFilter } from '../../session/escape.ts';
import { enterRawMode, type LocalTerminal } from '../../session/terminal.ts';
import { watch } from '../../kube/watch.ts';
import { podPath } from '../../kube/paths.ts';
import { getPod } from '../../kube/wait.ts';
import { ephemeralStatus } from '../../kube/container-states.ts';
import { ExitCode, KdbgError } from '../../errors.ts';

export interface SessionSpec {
  client: KubeClient;
  namespace: string;
  pod: V1Pod;
  container: string;
  command: string[];
  tty: boolean;
  forwardStdin: boolean;
  escapeChar: number | undefined;
}

/**
 * The node refused the exec (no exit code): the container is not running, or the command could not start. With
 * v5 the API server upgrades first and reports this on the status channel; older protocols refuse the upgrade.
 */
export class SessionRefused extends KdbgError {
  constructor(message: string) {
    super(message, ExitCode.unusable);
    this.name = 'SessionRefused';
  }
}

const SIGNAL_EXIT: Record<string, number> = {
  SIGINT: ExitCode.sigint,
  SIGTERM: ExitCode.sigterm,
  SIGHUP: ExitCode.sighup,
  SIGPIPE: ExitCode.stdoutClosed,
};

/** Runs the session and resolves with kdbg's exit code. Rejects only when the exec could not be opened. */
export async function runSession(spec: SessionSpec, rt: Runtime): Promise<number> {
  const { client, namespace, container } = spec;
  const podName = spec.pod.metadata!.name!;
  const id = rt.random(6).toString('hex');
  const execIn = (command: string[], stdout = new PassThrough().resume()) =>
    openExec({ client, namespace, pod: podName, container, command, tty: false, stdout, stderr: new PassThrough().resume() });

  let terminal: LocalTerminal | undefined;
  let stdin: NodeJS.ReadableStream | undefined;
  let escaped = false;
  let escapeFilter: EscapeFilter | undefined;
  let session: ExecSession | undefined;
  if (spec.tty) {
    if (spec.escapeChar !== undefined) {
      rt.stderr.write(`kdbg: ${String.fromCharCode(spec.escapeChar)}. at the start of a line ends the session\n`);
    }
    terminal = enterRawMode(rt.stdin as ReadStream, rt.stdout as WriteStream);
    if (spec.escapeChar !== undefined) {
      escapeFilter = new EscapeFilter(spec.escapeChar, () => {
        escaped = true;
        void interrupt('INT').finally(() => session?.close());
      });
      stdin = rt.stdin.pipe(escapeFilter);
    } else {
      stdin = rt.stdin;
    }
  } else if (spec.forwardStdin) {
    stdin = rt.stdin;
  }

  let interruptedBy: NodeJS.Signals | undefined;
  let interrupting: Promise<void> | undefined;
  // Resolves once the remote interrupt has signalled (or failed): it then KILLs on its own, even after kdbg left.
  // An open stream alone is not enough: the API server answers the upgrade before the node has started anything.
  // A second interrupt, or one that could not signal, ends the session from this side.
  const interrupt = (signal: 'INT' | 'HUP' | 'TERM' | 'PIPE'): Promise<void> => {
    if (interrupting) {
      session?.close();
      return interrupting;
    }
    return (interrupting = (async () => {
      try {
        const said = new PassThrough();
        const s = await execIn(interruptCommand(id, signal), said);
        const signalled = await Promise.race([new Promise<boolean>((r) => said.once('data', () => r(true))), s.done.then(() => false)]);
        said.resume();
        if (!signalled) throw new Error('the session was not found in the container');
      } catch (err) {
        rt.stderr.write(`kdbg: could not stop the remote command: ${(err as Error).message}\n`);
        session?.close();
      }
    })());
  };

  let goneReason: string | undefined;
  const podWatch = watch<V1Pod>(client, {
    path: podPath(namespace),
    query: { fieldSelector: `metadata.name=${podName}` },
    resourceVersion: spec.pod.metadata?.resourceVersion ?? '0',
    onEvent: (type, p) => {
      if (type === 'DELETED') goneReason = `pod ${podName} was deleted`;
      else if (ephemeralStatus(p, container)?.state?.terminated) goneReason = `debug container ${container} stopped`;
      else {
        // the kubelet is about to kill everything in the pod; the session ends when it does
        if (p.metadata?.deletionTimestamp) goneReason ??= `pod ${podName} is being deleted`;
        return;
      }
      session?.close();
    },
    relist: async () => (await getPod(client, namespace, podName)).metadata?.resourceVersion ?? '0',
    onError: () => undefined,
  });

  const offSignal = rt.onSignal((signal) => {
    interruptedBy ??= signal;
    void interrupt(signal === 'SIGHUP' ? 'HUP' : signal === 'SIGTERM' ? 'TERM' : 'INT');
  });

  // stdout's (or stderr's) reader went away: the remote command gets the SIGPIPE it would get locally
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') return;
    interruptedBy ??= 'SIGPIPE';
    void interrupt('PIPE').finally(() => session?.close());
  };
  rt.stdout.on('error', onStdoutError);
  rt.stderr.on('error', onStdoutError);

  const heartbeat = setInterval(() => {
    execIn(heartbeatCommand(id))
      .then((s) => s.done)
      .catch(() => undefined);
  }, HEARTBEAT_EVERY_MS);
  heartbeat.unref();

  let result: ExecResult;
  try {
    session = await openExec({
      client,
      namespace,
      pod: podName,
      container,
      command: sessionCommand(id, spec.command),
      tty: spec.tty,
      stdin,
      stdout: rt.stdout,
      stderr: rt.stderr,
      size: terminal?.size(),
    });
    const stopResize = terminal?.onResize((size) => session?.resize(size));
    result = await session.done;
    stopResize?.();
    if (interruptedBy) await interrupting;
  } finally {
    clearInterval(heartbeat);
    offSignal();
    rt.stdout.off('error', onStdoutError);
    rt.stderr.off('error', onStdoutError);
    podWatch.stop();
    if (escapeFilter) rt.stdin.unpipe(escapeFilter);
    terminal?.restore();
  }

  if (interruptedBy) return SIGNAL_EXIT[interruptedBy]!;
  if (escaped) {
    rt.stderr.write('\r\nkdbg: session ended with ~.\n');
    return ExitCode.sigint;
  }
  if (goneReason && result.kind === 'exited') rt.stderr.write(`kdbg: ${goneReason}\n`);
  return exitCodeOf(result, goneReason, session.exchangedData);
}

function exitCodeOf(result: ExecResult, goneReason: string | undefined, exchangedData: boolean): number {
  switch (result.kind) {
    case 'exited':
      return result.code;
    case 'failed':
      // refused before anything went either way: the caller may try another container
      if (!exchangedData) throw new SessionRefused(`the session failed: ${result.message}`);
      throw new KdbgError(`the session failed: ${result.message}`, ExitCode.unusable);
    case 'closed':
    case 'lost':
      throw new KdbgError(goneReason ? `session ended: ${goneReason}` : `session lost: ${result.kind === 'lost' ? result.message : 'closed'}`, ExitCode.sessionLost);
  }
}
