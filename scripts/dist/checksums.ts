// SHA-256 sums, as `sha256sum -c` reads them.
import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Writes DIR/SHA256SUMS for the files (each in DIR), one `HEX  NAME` line each. */
export async function writeChecksums(dir: string, files: string[]): Promise<void> {
  const lines = await Promise.all(files.map(async (f) => `${await sha256File(join(dir, basename(f)))}  ${basename(f)}\n`));
  writeFileSync(join(dir, 'SHA256SUMS'), lines.join(''));
}
