// ssh-style escapes for TTY sessions: at the start of a line, `~.` ends the session and `~~` sends one `~`.
import { Transform, type TransformCallback } from 'node:stream';

export class EscapeFilter extends Transform {
  private atLineStart = true;
  private pending = false;
  private ended = false;

  constructor(
    private readonly escapeChar: number,
    private readonly onEscape: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.ended) return done();
    const out: number[] = [];
    for (const byte of chunk) {
      if (this.pending) {
        this.pending = false;
        if (byte === 0x2e /* . */) {
          this.ended = true;
          if (out.length) this.push(Buffer.from(out));
          this.onEscape();
          return done();
        }
        out.push(this.escapeChar);
        if (byte === this.escapeChar) {
          this.atLineStart = false;
          continue;
        }
      } else if (this.atLineStart && byte === this.escapeChar) {
        this.pending = true;
        continue;
      }
      out.push(byte);
      this.atLineStart = byte === 0x0d || byte === 0x0a;
    }
    if (out.length) this.push(Buffer.from(out));
    done();
  }
}

/** `--escape-char`: one character, or "none". */
export function parseEscapeChar(value: string): number | undefined {
  if (value === 'none') return undefined;
  if (Buffer.byteLength(value) !== 1) throw new Error('--escape-char takes one character or "none"');
  return value.charCodeAt(0);
}
