// A session as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/): a header line, then one
// JSON array per event: [seconds since the start, "o" output | "i" input | "r" resize, text]. Output is decoded as
// UTF-8 across chunk boundaries; input is written only when asked for (a password typed at a prompt is input).
import { StringDecoder } from 'node:string_decoder';
import { Transform } from 'node:stream';

export interface RecordingOptions {
  width: number;
  height: number;
  /** the command line, for players that show it */
  command: string;
  recordInput: boolean;
  now(): Date;
}

export class Recording {
  private readonly started: number;
  private readonly output = new StringDecoder('utf8');
  private readonly input = new StringDecoder('utf8');

  constructor(
    private readonly file: NodeJS.WritableStream,
    private readonly opts: RecordingOptions,
  ) {
    this.started = opts.now().getTime();
    const header = { version: 2, width: opts.width, height: opts.height, timestamp: Math.floor(this.started / 1000), command: opts.command, env: { TERM: 'xterm-256color' } };
    file.write(`${JSON.stringify(header)}\n`);
  }

  /** Passes bytes on unchanged and records them as output. */
  tap(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, done) => {
        this.event('o', this.output.write(chunk));
        done(null, chunk);
      },
    });
  }

  typed(chunk: Buffer | string): void {
    if (this.opts.recordInput) this.event('i', typeof chunk === 'string' ? chunk : this.input.write(chunk));
  }

  resized(columns: number, rows: number): void {
    this.event('r', `${columns}x${rows}`);
  }

  close(): Promise<void> {
    this.event('o', this.output.end());
    return new Promise((resolve) => this.file.end(resolve));
  }

  private event(kind: 'o' | 'i' | 'r', text: string): void {
    if (!text) return;
    const t = (this.opts.now().getTime() - this.started) / 1000;
    this.file.write(`${JSON.stringify([Number(t.toFixed(6)), kind, text])}\n`);
  }
}
