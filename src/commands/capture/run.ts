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
import { inDebugContainer } from '../pipeline.ts';
import { pipelineRequest } from '../debug-container-flags.ts';
import { onPath } from '../../ui/on-path.ts';
import { UsageError } from '../../errors.ts';

export async function runCapture(plan: CapturePlan, io: IO): Promise<number> {
  const { flags } = plan;
  if (plan.sink.kind === 'wireshark' && !onPath('wireshark', io.env)) throw new UsageError('wireshark is not installed (not on PATH); pipe stdout to it, or write a file with -w');
  const catalog = await loadProfiles({ configPath: flags.config, env: io.env });
  const profile = catalog.get(flags.profile);
  return withClient(flags, io, async (client) => {
    const interrupts = io.interrupts();
    const timer = new AbortController();
    const stop = AbortSignal.any([interrupts.signal, timer.signal]);
    try {
      return await inDebugContainer(client, pipelineRequest(flags, plan, plan.target, profile, plan.command, interrupts.signal), io, async ({ pod, container }) => {
        const sink = openSink(plan, io);
        const counted = countingStream();
        counted.pipe(sink.stream, { end: plan.sink.kind !== 'stdout' });
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
            client,
            namespace: client.context.namespace,
            pod,
            container: container.name,
            image: container.image!,
            command: plan.command,
            ttlSeconds: plan.ttlSeconds,
            tty: false,
            stdin: undefined,
            stdout: counted,
            stderr: report,
            escapeChar: undefined,
            stop,
            note: io.note,
            random: io.random,
          });
          counted.end();
          await sink.done;
          if (end.kind === 'exited' && end.code !== 0) {
            io.stderr.write(said);
            return end.code;
          }
          io.note(summary(said, counted.bytes, Date.now() - started, plan));
          return 0;
        } finally {
          clearTimeout(duration);
        }
      });
    } finally {
      interrupts.close();
    }
  });
}

interface Sink {
  stream: NodeJS.WritableStream;
  /** settles once every byte is written (or the sink failed) */
  done: Promise<void>;
}

function openSink(plan: CapturePlan, io: IO): Sink {
  switch (plan.sink.kind) {
    case 'stdout':
      return { stream: io.stdout, done: Promise.resolve() };
    case 'file': {
      const file = createWriteStream(plan.sink.path);
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
function summary(report: string, bytes: number, ms: number, plan: CapturePlan): string {
  const count = (what: RegExp) => what.exec(report)?.[1] ?? '?';
  const where = plan.sink.kind === 'file' ? ` to ${plan.sink.path}` : '';
  return `${count(/(\d+) packets? captured/)} packets captured, ${count(/(\d+) packets? dropped by kernel/)} dropped by the kernel, ${bytes} bytes in ${(ms / 1000).toFixed(1)}s${where}`;
}
