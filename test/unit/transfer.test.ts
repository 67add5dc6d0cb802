// The copy progress line: bytes, rate, and a bar when the total is known.
import { describe, expect, it } from 'vitest';
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import { countingStage, describeTransfer, formatBytes } from '../../src/ui/transfer.ts';

describe('copy progress', () => {
  it('formats sizes in binary units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(180 * 1024 * 1024)).toBe('180 MiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.0 GiB');
  });

  it('shows bytes and rate without a total, and a bar with one (never past 100%)', () => {
    expect(describeTransfer('Copying /var/log out of web-0', 50 * 1024 * 1024, 2)).toBe('Copying /var/log out of web-0: 50 MiB, 25 MiB/s');
    expect(describeTransfer('Copying big into web-0', 512, 1, 2048)).toBe('Copying big into web-0 [#####---------------] 25%: 512 B of 2.0 KiB, 512 B/s');
    // tar's headers make the stream a little longer than the files
    expect(describeTransfer('x', 2100, 1, 2048)).toMatch(/^x \[#{20}\] 100%: /);
  });

  it('passes every byte through and reports what it counted', async () => {
    const updates: string[] = [];
    const stage = countingStage({ shown: true, update: (t) => updates.push(t), stop: () => undefined }, 'Copying', 4096);
    const got: Buffer[] = [];
    await pipeline(
      Readable.from([Buffer.alloc(1024, 1), Buffer.alloc(3072, 2)]),
      stage,
      new Writable({ write: (c: Buffer, _e, done) => (got.push(c), done()) }),
    );
    expect(Buffer.concat(got).equals(Buffer.concat([Buffer.alloc(1024, 1), Buffer.alloc(3072, 2)]))).toBe(true);
    // the first chunk draws at once; later ones within 100 ms wait for the next redraw
    expect(updates[0]).toMatch(/^Copying \[#####-+\] 25%: 1.0 KiB of 4.0 KiB/);
  });
});
