// kdbg capture: tcpdump in a debug container beside the pod, pcap to a file, stdout or wireshark; every way of
// stopping is a clean stop (tcpdump gets SIGINT, flushes and reports), then one summary line.
import { spawn } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import type { IO } from '../../io.ts';
import type { CapturePlan } from './options.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { isBuiltinBusybox } from '../../profiles/builtin.ts';
import { shortImage } from '../../debug/image-ref.ts';
import { runSession } from '../../session/runner.ts';
import { withClient } from '../cluster.ts';
import { inDebugContainer, sessionIn } from '../pipeline.ts';
import { chosenProfile, pipelineRequest } from '../debug-container-flags.ts';
import { onPath } from '../../ui/on-path.ts';
import { cannotWrite, KdbgError, UsageError } from '../../errors.ts';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { KubeClient } from '../../kube/types.ts';
import type { Profile } from '../../profiles/profile.ts';
import { targetPods, type Target } from '../../debug/target.ts';
import { enforcedLevel } from '../../debug/pod-security.ts';
import { durationClock, tcpdumpCounts } from '../../debug/tcpdump.ts';

export async function runCapture(plan: CapturePlan, io: IO): Promise<number> {
  const { flags } = plan;
  if (plan.sink.kind === 'wireshark' && !onPath('wireshark', io.env)) throw new UsageError('wireshark is not installed (not on PATH); pipe stdout to it, or write a file with -w');
  const catalog = await loadProfiles({ configPath: flags.config, env: io.env });
  const profile = chosenProfile(catalog, flags.profile, flags);
  const image = flags.image ?? profile.image;
  if (isBuiltinBusybox(image)) {
    const whose = flags.image === undefined ? `profile ${profile.name}'s image` : '--image';
    throw new UsageError(`${whose} ${shortImage(image)} has no tcpdump (nothing was created); capture with -p netshoot, or a profile whose image has tcpdump`);
  }
  // a file that cannot be written is found before anything is asked of the cluster
  const opened: OpenedFile[] = [];
  const file = plan.sink.kind === 'file' ? await openFile(plan.sink.path, opened) : undefined;
  let code: number | undefined;
  try {
    return (code = await captureWith(plan, profile, file, opened, io));
  } finally {
    // a capture that wrote nothing (the cluster refused, tcpdump failed) leaves no empty file of kdbg's making
    if (code !== 0) await Promise.all(opened.map(removeIfUnwritten));
  }
}

async function captureWith(plan: CapturePlan, profile: Profile, file: WriteStream | undefined, opened: OpenedFile[], io: IO): Promise<number> {
  return withClient(plan.flags, io, async (client) => {
    const interrupts = io.interrupts();
    // Ctrl-C, SIGTERM, SIGHUP, a reader gone and --duration all stop tcpdump with SIGINT: it flushes and reports;
    // all but --duration stop every pod's capture
    const stop = new AbortController();
    const stopNow = () => {
      if (!stop.signal.aborted) stop.abort('INT');
    };
    interrupts.signal.addEventListener('abort', stopNow);
    const run: Capturing = { client, plan, profile, io, interrupts: interrupts.signal, stop: stopNow, stopped: stop.signal, opened };
    try {
      // restricted allows no capability but NET_BIND_SERVICE: tcpdump could not open its socket, so add nothing
      if ((await enforcedLevel(client, client.context.namespace)) === 'restricted') {
        throw new KdbgError(
          'forbidden',
          `namespace ${client.context.namespace} enforces PodSecurity restricted, which allows no NET_RAW: tcpdump cannot capture in a debug container there (nothing was created); capture where the namespace enforces baseline or privileged`,
        );
      }
      if (plan.sink.kind !== 'dir') return await captureIn(run, plan.target, plan.sink.kind === 'file' ? { ...plan.sink, stream: file! } : plan.sink, '');
      return await captureEachPod(run, plan.sink.path);
    } finally {
      interrupts.signal.removeEventListener('abort', stopNow);
      interrupts.close();
    }
  });
}

/** One capture per pod of the target, in parallel, each to DIR/POD.pcap; one stop ends them all. */
async function captureEachPod(run: Capturing, dir: string): Promise<number> {
  const { client, plan } = run;
  const pods = await targetPods({ client, namespace: client.context.namespace }, plan.target);
  if (pods.length === 0) throw new KdbgError('not-found', `no pods for ${describeTarget(plan.target)} in namespace ${client.context.namespace}`);
  await mkdir(dir, { recursive: true }).catch((err: NodeJS.ErrnoException) => {
    throw cannotWrite(dir, err);
  });
  const names = pods.map((p) => p.metadata!.name!);
  const files = await Promise.all(names.map((name) => openFile(path.join(dir, `${name}.pcap`), run.opened)));
  const results = await Promise.allSettled(
    names.map((name, i) =>
      captureIn(run, { kind: 'pod', name }, { kind: 'file', path: path.join(dir, `${name}.pcap`), stream: files[i]! }, `pod/${name}: `).catch((err: unknown) => {
        // one pod that cannot be captured ends the others cleanly too, so every file is whole
        run.stop();
        throw err;
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<number>).value).find((c) => c !== 0) ?? 0;
}

interface Capturing {
  client: KubeClient;
  plan: CapturePlan;
  profile: Profile;
  io: IO;
  /** signals before a session runs end the wait for the debug container */
  interrupts: AbortSignal;
  /** stops every capture: tcpdump gets SIGINT */
  stop: () => void;
  /** aborted (with 'INT') once stop was called */
  stopped: AbortSignal;
  /** the files opened for the pcap */
  opened: OpenedFile[];
}

/** One pod's capture to one sink; its number is the exit code. */
async function captureIn(run: Capturing, target: Target, sinkSpec: SinkSpec, label: string): Promise<number> {
  const { client, plan, io, stop, stopped } = run;
  return inDebugContainer(client, pipelineRequest(plan.flags, plan, target, run.profile, plan.command, run.interrupts), io, async (c) => {
    const sink = openSink(sinkSpec, io);
    const counted = countingStream();
    counted.pipe(sink.stream, { end: sinkSpec.kind !== 'stdout' });
    // A reader that went away (EPIPE: `| head`, wireshark closed) stops the capture cleanly; any other error of the
    // sink (a full disk) stops it too, and is kdbg's error. Either way tcpdump's output is drained from then on, so
    // its report still arrives.
    let failed: NodeJS.ErrnoException | undefined;
    sink.stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') failed ??= err;
      counted.unpipe(sink.stream);
      counted.discard();
      stop();
    });
    const started = Date.now();
    // --duration counts in each pod from its own tcpdump's start: a pod whose container came later, or whose exec was
    // slow to start, still gets it whole
    const done = new AbortController();
    const clock = plan.durationMs === undefined ? undefined : durationClock(plan.durationMs, () => done.abort('INT'));
    const report = new PassThrough();
    let said = '';
    report.on('data', (c: Buffer) => {
      const text = c.toString();
      said += text;
      clock?.heard(text);
    });
    try {
      const end = await runSession({
        ...sessionIn(client, c, io, plan, AbortSignal.any([stopped, done.signal])),
        command: plan.command,
        tty: false,
        stdin: undefined,
        stdout: counted,
        stderr: report,
        escapeChar: undefined,
      });
      counted.end();
      await sink.done;
      if (failed) throw cannotWrite(sinkSpec.kind === 'file' ? sinkSpec.path : sinkSpec.kind, failed, '; tcpdump was stopped');
      if (end.kind === 'exited' && end.code !== 0) {
        if (end.code === 127 && /^tcpdump: command not found in the debug container/m.test(said)) {
          io.stderr.write(`kdbg: ${label}image ${shortImage(c.container.image ?? "")} has no tcpdump; kdbg capture needs a profile whose image has it, such as -p netshoot\n`);
        } else io.stderr.write(said.replace(/^/gm, label));
        return end.code;
      }
      io.note(`${label}${summary(said, counted.bytes, Date.now() - started, sinkSpec)}`);
      return 0;
    } finally {
      clock?.clear();
    }
  });
}

type SinkSpec = { kind: 'file'; path: string; stream: WriteStream } | { kind: 'stdout' } | { kind: 'wireshark' };

interface Sink {
  stream: NodeJS.WritableStream;
  /** settles once every byte is written (or the sink failed) */
  done: Promise<void>;
}

function openSink(spec: SinkSpec, io: IO): Sink {
  switch (spec.kind) {
    case 'stdout':
      return { stream: io.stdout, done: Promise.resolve() };
    case 'file': {
      const file = spec.stream;
      return { stream: file, done: new Promise((resolve) => file.once('close', resolve).once('error', () => resolve())) };
    }
    case 'wireshark': {
      const child = spawn('wireshark', ['-k', '-i', '-'], { stdio: ['pipe', 'ignore', 'ignore'], env: io.env });
      return { stream: child.stdin, done: new Promise((resolve) => child.stdin.once('close', () => resolve())) };
    }
  }
}

interface OpenedFile {
  path: string;
  stream: WriteStream;
  /** it did not exist before */
  created: boolean;
}

/** The file, created (or truncated) and open for writing, noted in `opened`; a KdbgError if it cannot be. */
async function openFile(file: string, opened: OpenedFile[]): Promise<WriteStream> {
  let created = true;
  const handle = await open(file, 'wx')
    .catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
      created = false;
      return open(file, 'w');
    })
    .catch((err: NodeJS.ErrnoException) => {
      throw cannotWrite(file, err);
    });
  const stream = handle.createWriteStream();
  opened.push({ path: file, stream, created });
  return stream;
}

/** Removes a file kdbg created and wrote nothing to. */
async function removeIfUnwritten(f: OpenedFile): Promise<void> {
  if (!f.created || f.stream.bytesWritten > 0) return;
  await new Promise<void>((resolve) => f.stream.close(() => resolve()));
  await rm(f.path, { force: true });
}

/** Passes bytes on (with backpressure) and counts them; once told to discard, drops them uncounted. */
function countingStream(): Transform & { bytes: number; discard(): void } {
  let discarding = false;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      if (discarding) return done();
      t.bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { bytes: number; discard(): void };
  t.bytes = 0;
  t.discard = () => {
    discarding = true;
    // what was already waiting for the sink goes too
    t.resume();
  };
  return t;
}

/** tcpdump's own counts, as it reports them when it stops, with the bytes and the time. */
function summary(report: string, bytes: number, ms: number, sink: SinkSpec): string {
  const counts = tcpdumpCounts(report);
  const where = sink.kind === 'file' ? ` to ${sink.path}` : '';
  const took = `${bytes} bytes in ${(ms / 1000).toFixed(1)}s${where}`;
  // a tcpdump that did not end within 2 s of SIGINT is KILLed, and reports nothing
  return counts === undefined ? `${took} (tcpdump's counts did not arrive)` : `${counts.captured} packets captured, ${counts.dropped ?? '?'} dropped by the kernel, ${took}`;
}

function describeTarget(t: Target): string {
  return t.kind === 'workload' ? `${t.type}/${t.name}` : t.kind === 'selector' ? `-l ${t.selector}` : t.kind === 'pod' ? `pod/${t.name}` : 'the namespace';
}
