// The remotecommand channel protocol over one WebSocket (k8s.io/apimachinery wsstream): binary frames
// `[channel][payload]`, 0 stdin, 1 stdout, 2 stderr, 3 status, 4 resize, and in v5.channel.k8s.io the CLOSE
// frame `[255, channel]`. Output respects the socket's backpressure.
import type { WebSocket } from 'ws';

export const streamProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const highWater = 1 << 20;
const lowWater = 256 << 10;

export class ChannelSession {
  onStdin: (data: Buffer) => void = () => {};
  /** the client closed stdin (v5 CLOSE) or went away */
  onStdinEnd: () => void = () => {};
  onResize: (cols: number, rows: number) => void = () => {};
  /** the connection ended without the server closing it */
  onGone: () => void = () => {};
  /** output below the low-water mark again after congestion */
  onDrain: () => void = () => {};

  private pending = 0;
  private congestedNow = false;
  private stdinEnded = false;
  private resizeText = '';
  private resizeBroken = false;
  private finished = false;

  constructor(
    private readonly ws: WebSocket,
    readonly v5: boolean,
    readonly opts: StreamOptions,
  ) {
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => this.onFrame(Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)));
    ws.on('close', () => {
      if (this.finished) return;
      this.finished = true;
      this.endStdin();
      this.onGone();
    });
    ws.on('error', () => {});
    // "Send an empty message to the lowest writable channel to notify the client the connection is established"
    this.frame(opts.stdout ? 1 : opts.stderr ? 2 : 3, Buffer.alloc(0));
  }

  get congested(): boolean {
    return this.congestedNow;
  }

  get open(): boolean {
    return !this.finished;
  }

  /** Output on stdout (1) or stderr (2); dropped when the client did not ask for that stream. */
  output(channel: 1 | 2, data: Buffer): void {
    if ((channel === 1 && !this.opts.stdout) || (channel === 2 && !this.opts.stderr)) return;
    this.frame(channel, data);
  }

  /** Writes the status on channel 3 and closes the connection normally. */
  finish(status: Record<string, unknown>): void {
    if (this.finished) return;
    this.frame(3, Buffer.from(JSON.stringify(status)));
    this.finished = true;
    this.ws.close(1000);
  }

  /** Drops the connection without a status or close frame. */
  destroy(): void {
    this.ws.terminate();
  }

  private frame(channel: number, data: Buffer): void {
    if (this.finished || this.ws.readyState !== this.ws.OPEN) return;
    const frame = Buffer.concat([Buffer.from([channel]), data]);
    this.pending += frame.length;
    if (this.pending > highWater) this.congestedNow = true;
    this.ws.send(frame, { binary: true }, () => {
      this.pending -= frame.length;
      if (this.congestedNow && this.pending < lowWater) {
        this.congestedNow = false;
        this.onDrain();
      }
    });
  }

  private onFrame(data: Buffer): void {
    if (data.length === 0) return;
    if (this.v5 && data[0] === 255) {
      if (data.length !== 2) {
        this.ws.terminate();
        return;
      }
      if (data[1] === 0) this.endStdin();
      if (data[1] === 4) this.resizeBroken = true;
      return;
    }
    const payload = data.subarray(1);
    if (data[0] === 0) {
      if (this.opts.stdin && !this.stdinEnded) this.onStdin(payload);
    } else if (data[0] === 4) {
      this.resize(payload);
    }
  }

  private endStdin(): void {
    if (this.stdinEnded) return;
    this.stdinEnded = true;
    if (this.opts.stdin) this.onStdinEnd();
  }

  /** The resize channel carries a stream of JSON TerminalSize values (Go's json.Decoder: keys case-insensitive). */
  private resize(payload: Buffer): void {
    if (this.resizeBroken) return;
    this.resizeText += payload.toString('utf8');
    for (;;) {
      const text = this.resizeText.trimStart();
      if (!text) return;
      const end = jsonValueEnd(text);
      if (end < 0) {
        this.resizeText = text;
        return;
      }
      this.resizeText = text.slice(end);
      try {
        const size = JSON.parse(text.slice(0, end)) as Record<string, unknown>;
        const get = (name: string): number => Number(Object.entries(size).find(([k]) => k.toLowerCase() === name)?.[1] ?? 0);
        this.onResize(get('width'), get('height'));
      } catch {
        this.resizeBroken = true;
        return;
      }
    }
  }
}

/** Index just past the first complete JSON object in `text`, or -1. */
function jsonValueEnd(text: string): number {
  if (text[0] !== '{') return text.length;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) return i + 1;
  }
  return -1;
}
