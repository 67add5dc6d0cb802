// One session in a running debug container: the command under kdbg's wrapper, a heartbeat while it runs, a stop
// (Ctrl-C, SIGTERM, a closed pipe: whatever the caller's AbortSignal says) or `~.` turned into a signal to the
// recorded process group, the terminal restored on every way out, and the pod watched so a vanished container
// ends the session with a reason. Streams come from the caller; nothing here listens process-wide.
import type { ReadStream, WriteStream } from 'node:tty';
import type { V1Pod } from '@kubernetes/client-node';
import { PassThrough, Transform } from 'node:stream';
import type { KubeClient } from '../kube/types.ts';
import { watchPod } from '../kube/pods.ts';
import type { Watcher } from '../kube/watch.ts';
import { openExec, type ExecResult, type ExecSession } from './remote-exec.ts';
import { EscapeFilter } from './escape.ts';
import { enterRawMode, type LocalTerminal } from './terminal.ts';
import type { Recording } from './recording.ts';
import { HEARTBEAT_EVERY_MS, heartbeatCommand, interruptCommand, sessionCommand, type SessionPriority } from '../debug/programs.ts';
import { NotRunning, ephemeralStatus, saysNotRunning } from '../debug/states.ts';
import { KdbgError } from '../errors.ts';
import { shortImage } from '../debug/image-ref.ts';
import { ApiError } from '../kube/api-error.ts';

/** Why the caller stops a session: the signal the remote command gets. */
export type StopReason = 'INT' | 'TERM' | 'HUP' | 'PIPE';

export interface SessionSpec {
  client: KubeClient;
  namespace: string;
  pod: V1Pod;
  container: string;
  /** the debug container's image, named when the command is not in it */
  image: string;
  command: string[];
  /** the container's TTL from this session on */
  ttlSeconds: number;
  /** low: the command yields the CPU and the disk to the pod's app */
  priority: SessionPriority;
  tty: boolean;
  /** with a TTY, the local terminal: stdin is put in raw mode and its size follows */
  stdin: NodeJS.ReadableStream | undefined;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  escapeChar: number | undefined;
  /** aborted with a StopReason: the remote command is signalled, and the session ends when it does */
  stop: AbortSignal;
  /** called once the exec is open */
  onOpen?: (() => void) | undefined;
  note(text: string): void;
  random(bytes: number): Buffer;
  /** records the session's output (and input, if it says so) and the terminal's sizes */
  recording?: Recording | undefined;
}

export type SessionEnd = { kind: 'exited'; code: number } | { kind: 'stopped'; by: StopReason | 'escape' };

/**
 * Runs the session. Rejects with NotRunning when the container refused the exec before anything ran (the caller
 * may use another container), with an `unusable` error when the exec failed otherwise, and with a `lost` error
 * when the session ended without an exit status.
 */
export async function runSession(spec: SessionSpec): Promise<SessionEnd> {
  const { client, namespace, container } = spec;
  const podName = spec.pod.metadata!.name!;
  const id = spec.random(6).toString('hex');
  const execIn = (command: string[], stdout = new PassThrough().resume()) =>
    openExec({ client, namespace, pod: podName, container, command, tty: false, stdout, stderr: new PassThrough().resume() });

  let terminal: LocalTerminal | undefined;
  let stdin = spec.stdin;
  const recording = spec.recording;
  const stdout = recording ? tee(recording, spec.stdout) : spec.stdout;
  const stderr = recording ? tee(recording, spec.stderr) : spec.stderr;
  let escaped = false;
  let escapeFilter: EscapeFilter | undefined;
  let session: ExecSession | undefined;
  if (spec.tty) {
    const input = spec.stdin as ReadStream;
    if (spec.escapeChar !== undefined) spec.note(`${String.fromCharCode(spec.escapeChar)}. at the start of a line ends the session`);
    terminal = enterRawMode(input, spec.stdout as WriteStream);
    if (spec.escapeChar !== undefined) {
      escapeFilter = new EscapeFilter(spec.escapeChar, () => {
        escaped = true;
        void interrupt('INT').finally(() => session?.close());
      });
      stdin = input.pipe(escapeFilter);
    }
  }
  // what is typed is recorded as it passes on to the session: from the first key, even before the exec is open
  if (recording && stdin) stdin = stdin.pipe(typedInto(recording));

  let interrupting: Promise<void> | undefined;
  /** why the remote command could not be stopped */
  let unstopped: string | undefined;
  // Resolves once the remote interrupt has signalled (or failed): it then KILLs on its own, even after kdbg left.
  // An open stream alone is not enough: the API server answers the upgrade before the node has started anything.
  // A second interrupt, or one that could not signal, ends the session from this side.
  const interrupt = (signal: StopReason): Promise<void> => {
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
        // said once the session is over, unless the command had ended by itself: then there was nothing to stop
        unstopped = (err as Error).message;
        session?.close();
      }
    })());
  };

  let goneReason: string | undefined;
  const onPod = (type: string, p: V1Pod) => {
    if (type === 'DELETED') goneReason = `pod ${podName} was deleted`;
    else if (ephemeralStatus(p, container)?.state?.terminated) goneReason = `debug container ${container} stopped`;
    else {
      // the kubelet is about to kill everything in the pod; the session ends when it does
      if (p.metadata?.deletionTimestamp) goneReason ??= `pod ${podName} is being deleted`;
      return;
    }
    session?.close();
  };
  let podWatch: Watcher | undefined;

  const onStop = () => {
    const reason = spec.stop.reason as StopReason;
    // nobody reads the output any more: end the session once the remote command has been told
    if (reason === 'PIPE') void interrupt('PIPE').finally(() => session?.close());
    else void interrupt(reason);
  };
  spec.stop.addEventListener('abort', onStop);

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
      command: sessionCommand(id, spec.ttlSeconds, shortImage(spec.image), spec.priority, spec.command),
      tty: spec.tty,
      stdin,
      stdout,
      stderr,
      size: terminal?.size(),
    }).catch((err: unknown) => {
      // older protocols refuse the upgrade itself
      throw err instanceof ApiError && saysNotRunning(err.message) ? new NotRunning(err.message) : err;
    });
    spec.onOpen?.();
    // from the version the session began with, so nothing is missed; opened once the exec is, so the exec's upgrade
    // does not wait behind it
    podWatch = watchPod(client, {
      namespace,
      name: podName,
      resourceVersion: spec.pod.metadata?.resourceVersion ?? '0',
      onEvent: onPod,
      onRelist: (p) => onPod('MODIFIED', p),
      onError: () => undefined,
    });
    if (spec.stop.aborted) onStop();
    const stopResize = terminal?.onResize((size) => {
      session?.resize(size);
      recording?.resized(size.columns, size.rows);
    });
    result = await session.done;
    stopResize?.();
    if (spec.stop.aborted) await interrupting;
  } finally {
    clearInterval(heartbeat);
    spec.stop.removeEventListener('abort', onStop);
    podWatch?.stop();
    if (escapeFilter) spec.stdin?.unpipe(escapeFilter);
    terminal?.restore();
  }

  if (unstopped !== undefined && result.kind !== 'exited') spec.note(`could not stop the remote command: ${unstopped}`);
  if (spec.stop.aborted) return { kind: 'stopped', by: spec.stop.reason as StopReason };
  if (escaped) return { kind: 'stopped', by: 'escape' };
  if (goneReason && result.kind === 'exited') spec.note(goneReason);
  switch (result.kind) {
    case 'exited':
      return { kind: 'exited', code: result.code };
    case 'failed':
      // Another container may run the command only if this one refused it for not running, and no input was
      // consumed: a command that may have started is never run again.
      if (saysNotRunning(result.message) && !session.exchangedData) throw new NotRunning(`the session failed: ${result.message}`);
      throw new KdbgError('unusable', `the session failed: ${result.message}`);
    case 'closed':
    case 'lost':
      throw new KdbgError('lost', goneReason ? `session ended: ${goneReason}` : `session lost: ${result.kind === 'lost' ? result.message : 'closed'}`);
  }
}

/** A stage that records what passes through it as typed input. */
function typedInto(recording: Recording): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      recording.typed(chunk);
      done(null, chunk);
    },
  });
}

/** The stream a recorded session writes to: recorded, then passed on (with the destination's backpressure). */
function tee(recording: Recording, to: NodeJS.WritableStream): NodeJS.WritableStream {
  const tap = recording.tap();
  tap.pipe(to, { end: false });
  return tap;
}
