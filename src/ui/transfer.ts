// A copy's progress on stderr: bytes so far and the rate, and a bar when the total is known; redrawn at most ten
// times a second. Only built when the progress is shown (a terminal), so a pipe's copy has no extra stage.
import { Transform } from 'node:stream';
import type { Progress } from './progress.ts';

const REDRAW_MS = 100;
const BAR_WIDTH = 20;

/** A pass-through stage that counts the bytes and shows them on `progress`. */
export function countingStage(progress: Progress, label: string, total?: number): Transform {
  const started = Date.now();
  let bytes = 0;
  let drawn = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      const now = Date.now();
      if (now - drawn >= REDRAW_MS) {
        drawn = now;
        progress.update(describeTransfer(label, bytes, (now - started) / 1000, total));
      }
      done(null, chunk);
    },
  });
}

export function describeTransfer(label: string, bytes: number, seconds: number, total?: number): string {
  const rate = seconds > 0 ? `, ${formatBytes(bytes / seconds)}/s` : '';
  if (!total) return `${label}: ${formatBytes(bytes)}${rate}`;
  const share = Math.min(1, bytes / total);
  const filled = Math.round(share * BAR_WIDTH);
  return `${label} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${Math.floor(share * 100)}%: ${formatBytes(bytes)} of ${formatBytes(total)}${rate}`;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}
