// kdbg capture: tcpdump in a debug container beside the pod, pcap to a file, stdout or wireshark; every way of
// stopping is a clean stop (tcpdump flushes and reports), then one summary line.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { PassThrough, Transform } from 'node:stream';
import type { IO } from '../../io.ts';
import type { CapturePlan } from './options.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { runSession } from '../../session/runner.ts';
import { withClient } from '../cluster.ts';
import { inDebugContainer, sessionIn } from '../pipeline.ts';
import { chosenProfile, pipelineRequest } from '../debug-container-flags.ts';
import { onPath } from '../../ui/on-path.ts';
import { KdbgError, UsageError } from '../../errors.ts';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { KubeClient } from '../../kube/types.ts';
import type { Profile } from '../../profiles/profile.ts';
import { targetPods, type Target } from '../../debug/target.ts';
import { enforcedLevel } from '../../debug/pod-security.ts';
import { tcpdumpCounts } from '../../debug/tcpdump.ts';

export async function runCapture(plan: CapturePlan, io: IO): Promise<number> {
  const { flags } = plan;
  if (plan.sink.kind === 'wireshark' && !onPath('wireshark', io.env)) throw new UsageError('wireshark is not installed (not on PATH); pipe stdout to it, or write a file with -w');
  const catalog = await loadProfiles({ configPath: flags.config, env: io.env });
  const profile = chosenProfile(catalog, flags.profile, flags);
  return withClient(flags, io, async (client) => {
    const interrupts = io.interrupts();
    const timer = new AbortController();
    const run: Capturing = { client, plan, profile, io, interrupts: interrupts.signal, timer, stop: AbortSignal.any([interrupts.signal, timer.signal]) };
    try {
      // restricted allows no capability but NET_BIND_SERVICE: tcpdump could not open its socket, so add nothing
      if ((await enforcedLevel(client, client.context.namespace)) === 'restricted') {
        throw new KdbgError(
          'forbidden',
          `namespace ${client.context.namespace} enforces PodSecurity restricted, which allows no NET_RAW: tcpdump cannot capture in a debug container there (nothing was created); capture where the namespace enforces baseline or privileged`,
        );
      }
      if (plan.sink.kind !== 'dir') return await captureIn(run, plan.target, plan.sink, '');
      // one capture per pod, in parallel, each to DIR/POD.pcap; one stop ends them all
      const dir = plan.sink.path;
      const pods = await targetPods({ client, namespace: client.context.namespace }, plan.target);
      if (pods.length === 0) throw new KdbgError('not-found', `no pods for ${describeTarget(plan.target)} in namespace ${client.context.namespace}`);
      await mkdir(dir, { recursive: true });
      const results = await Promise.allSettled(
        pods.map((p) => {
          const name = p.metadata!.name!;
          return captureIn(run, { kind: 'pod', name }, { kind: 'file', path: path.join(dir, `${name}.pcap`) }, `pod/${name}: `).catch((err: unknown) => {
            // one pod that cannot be captured ends the others cleanly too, so every file is whole
            if (!timer.signal.aborted) timer.abort('INT');
            throw err;
          });
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      return results.map((r) => (r as PromiseFulfilledResult<number>).value).find((c) => c !== 0) ?? 0;
    } finally {
      interrupts.close();
    }
  });
}

interface Capturing {
  client: KubeClient;
  plan: CapturePlan;
  profile: Profile;
  io: IO;
  interrupts: AbortSignal;
  /** --duration and a sink that went away */
  timer: AbortController;
  /** either */
  stop: AbortSignal;
}

/** One pod's capture to one sink; its number is the exit code. */
async function captureIn(run: Capturing, target: Target, sinkSpec: SinkSpec, label: string): Promise<number> {
  const { client, plan, io, timer, stop } = run;
  return inDebugContainer(client, pipelineRequest(plan.flags, plan, target, run.profile, plan.command, run.interrupts), io, async (c) => {
    const sink = openSink(sinkSpec, io);
    const counted = countingStream();
    counted.pipe(sink.stream, { end: sinkSpec.kind !== 'stdout' });
    // a sink that went away (wireshark closed, a full disk) stops the capture like a closed pipe
    sink.stream.on('error', () => {
      if (!stop.aborted) timer.abort('PIPE');
    });
    const report = new PassThrough();
    let said = '';
    report.on('data', (c: Buffer) => (said += c.toString()));
    const started = Date.now();
    const duration = plan.durationMs === undefined ? undefined : setTimeout(() => timer.abort('INT'), plan.durationMs);
    try {
      const end = await runSession({
        ...sessionIn(client, c, io, plan, stop),
        command: plan.command,
        tty: false,
        stdin: undefined,
        stdout: counted,
        stderr: report,
        escapeChar: undefined,
      });
      counted.end();
      await sink.done;
      if (end.kind === 'exited' && end.code !== 0) {
        io.stderr.write(said.replace(/^/gm, label));
        return end.code;
      }
      io.note(`${label}${summary(said, counted.bytes, Date.now() - started, sinkSpec)}`);
      return 0;
    } finally {
      clearTimeout(duration);
    }
  });
}

type SinkSpec = Exclude<CapturePlan['sink'], { kind: 'dir' }>;

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
      const file = createWriteStream(spec.path);
      return { stream: file, done: new Promise((resolve) => file.once('close', resolve).once('error', () => resolve())) };
    }
    case 'wireshark': {
      const child = spawn('wireshark', ['-k', '-i', '-'], { stdio: ['pipe', 'ignore', 'ignore'], env: io.env });
      return { stream: child.stdin, done: new Promise((resolve) => child.stdin.once('close', () => resolve())) };
    }
  }
}

/** Passes bytes on (with backpressure) and counts them. */
function countingStream(): Transform & { bytes: number } {
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      t.bytes += chunk.length;
      done(null, chunk);
    },
  }) as Transform & { bytes: number };
  t.bytes = 0;
  return t;
}

/** tcpdump's own counts, as it reports them when it stops, with the bytes and the time. */
function summary(report: string, bytes: number, ms: number, sink: SinkSpec): string {
  const counts = tcpdumpCounts(report);
  const where = sink.kind === 'file' ? ` to ${sink.path}` : '';
  const took = `${bytes} bytes in ${(ms / 1000).toFixed(1)}s${where}`;
  // a reader that went away may end the session before tcpdump's report arrives
  return counts === undefined ? `${took} (tcpdump's counts did not arrive)` : `${counts.captured} packets captured, ${counts.dropped ?? '?'} dropped by the kernel, ${took}`;
}

function describeTarget(t: Target): string {
  return t.kind === 'workload' ? `${t.type}/${t.name}` : t.kind === 'selector' ? `-l ${t.selector}` : t.kind === 'pod' ? `pod/${t.name}` : 'the namespace';
}
