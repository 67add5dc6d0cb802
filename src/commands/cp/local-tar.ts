// This machine's side of kdbg cp, with node-tar: pack what goes in; unpack what comes out into a scratch
// directory beside the destination, refusing every entry that would land outside it (absolute paths, `..`, writes
// through a symlink, links that escape, devices), then move it into place. A symlink to an absolute path keeps
// its target without the leading / (node-tar's rule: it cannot point out of the copy); the copy says how many.
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { create, extract } from 'tar';
import { KdbgError } from '../../errors.ts';

/** A tar stream of one local file or directory, named by its last path component. */
export function packLocal(local: string): { stream: Readable; name: string } {
  const full = path.resolve(local);
  const name = path.basename(full);
  return { stream: Readable.from(create({ cwd: path.dirname(full), portable: true }, [name])), name };
}

export interface Unpacking {
  /** the tar stream goes here */
  sink: Writable;
  /** once the stream has ended: moves NAME into place; rejects if any entry was refused */
  finish(name: string): Promise<{ dest: string; absoluteLinks: number }>;
  /** removes the scratch directory */
  discard(): Promise<void>;
}

/** Unpacks into a scratch directory beside `local` (inside it, if it is a directory). */
export async function unpackTo(local: string): Promise<Unpacking> {
  const full = path.resolve(local);
  const isDir = (await stat(full).catch(() => undefined))?.isDirectory() === true;
  const parent = isDir ? full : path.dirname(full);
  if (!(await stat(parent).catch(() => undefined))?.isDirectory()) throw new KdbgError('not-found', `${path.dirname(local)}: no such directory here`);
  const scratch = await mkdtemp(path.join(parent, '.kdbg-cp-'));
  const refused: string[] = [];
  let absoluteLinks = 0;
  const unpack = extract({
    cwd: scratch,
    preserveOwner: false,
    // every entry that could land outside is skipped with a warning: any such warning fails the whole copy
    onwarn: (code: string, message: string) => {
      if (code === 'TAR_ENTRY_INFO' && /absolute linkpath/.test(message)) absoluteLinks++;
      else refused.push(`${code}: ${message}`);
    },
  }) as unknown as Writable;
  const done = new Promise<void>((resolve, reject) => {
    unpack.once('close', () => resolve());
    unpack.once('finish', () => resolve());
    unpack.once('error', (err: Error) => reject(err));
  });
  return {
    sink: unpack,
    async finish(name) {
      try {
        await done;
      } catch (err) {
        throw new KdbgError('unusable', `refused what the pod sent: ${(err as Error).message} (nothing was written outside ${scratch})`, { cause: err });
      }
      if (refused.length) throw new KdbgError('unusable', `refused what the pod sent: ${refused[0]} (the copy was discarded)`);
      const dest = isDir ? path.join(full, name) : full;
      await rename(path.join(scratch, name), dest);
      return { dest, absoluteLinks };
    },
    discard: () => rm(scratch, { recursive: true, force: true }),
  };
}
