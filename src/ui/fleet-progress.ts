// Progress of work over many pods, on stderr. On a terminal: a line per running pod, redrawn in place under the
// lines of the pods that are done, and a count of all of them; elsewhere (a pipe, a file, a dumb terminal): a
// plain log, one line per event, that a script or a CI log can read.
import type { Paint } from './paint.ts';

export interface FleetProgress {
  /** what the pod is doing now (on a terminal: its live line) */
  status(pod: string, text: string): void;
  /** an event worth a line of its own in the plain log (on a terminal: the pod's live line) */
  event(pod: string, text: string): void;
  /** the pod is done: one line that stays */
  done(pod: string, text: string, failed: boolean): void;
  /** stops redrawing; the live lines go, the lines of the pods that are done stay */
  close(): void;
}

export interface FleetProgressOptions {
  stderr: NodeJS.WriteStream;
  /** draw in place (a terminal that is not dumb, not --quiet) */
  live: boolean;
  /** nothing but… nothing: --quiet */
  quiet: boolean;
  total: number;
  paint: Paint;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const REDRAW_MS = 100;

export function fleetProgress(o: FleetProgressOptions): FleetProgress {
  if (o.quiet) return { status: () => undefined, event: () => undefined, done: () => undefined, close: () => undefined };
  if (!o.live) {
    const say = (pod: string, text: string) => o.stderr.write(`kdbg: ${pod}: ${text}\n`);
    return { status: () => undefined, event: say, done: say, close: () => undefined };
  }
  return new LiveProgress(o);
}

class LiveProgress implements FleetProgress {
  private readonly running = new Map<string, string>();
  private pending: string[] = [];
  private drawn = 0;
  private finished = 0;
  private failed = 0;
  private frame = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly o: FleetProgressOptions) {
    o.stderr.write('\x1b[?25l');
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  status(pod: string, text: string): void {
    this.running.set(pod, text);
  }

  event(pod: string, text: string): void {
    this.running.set(pod, text);
  }

  done(pod: string, text: string, failed: boolean): void {
    this.running.delete(pod);
    this.finished++;
    if (failed) this.failed++;
    const mark = failed ? this.o.paint('red', '✗') : this.o.paint('green', '✓');
    this.pending.push(`${mark} ${pod}: ${text}`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.running.clear();
    this.draw(true);
    this.o.stderr.write('\x1b[?25h');
  }

  private draw(last = false): void {
    const width = Math.max(20, (this.o.stderr.columns || 80) - 1);
    const room = Math.max(1, (this.o.stderr.rows || 24) - 3);
    const fit = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s);
    const out: string[] = [];
    if (this.drawn) out.push(`\x1b[${this.drawn}F\x1b[J`);
    for (const line of this.pending) out.push(`${fit(line)}\n`);
    this.pending = [];
    let live: string[] = [];
    if (!last) {
      const spin = FRAMES[this.frame++ % FRAMES.length]!;
      const pods = [...this.running].slice(0, room - 1).map(([pod, text]) => fit(`  ${spin} ${pod}: ${text}`));
      const more = this.running.size - pods.length;
      if (more > 0) pods.push(`  … and ${more} more running`);
      const failed = this.failed ? `, ${this.o.paint('red', `${this.failed} not passed`)}` : '';
      live = [...pods, `${this.finished}/${this.o.total} pods done, ${this.running.size} running${failed}`];
    }
    for (const line of live) out.push(`${line}\n`);
    this.drawn = live.length;
    this.o.stderr.write(out.join(''));
  }
}
