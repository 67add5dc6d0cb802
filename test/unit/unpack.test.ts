// kdbg cp's unpacking of what a pod sends: a hostile container must not write outside the destination.
import { describe, expect, it } from 'vitest';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unpackTo } from '../../src/commands/cp/local-tar.ts';
import { ABSOLUTE_ESCAPE, archive, HOSTILE, type Entry } from '../crafted-tar.ts';

async function unpack(entries: Entry[], name: string) {
  const root = mkdtempSync(path.join(tmpdir(), 'kdbg-unpack-'));
  const dest = path.join(root, 'dest');
  mkdirSync(dest);
  const u = await unpackTo(dest);
  u.sink.end(archive(entries));
  const result = await u.finish(name).then(
    (at) => ({ ok: true as const, at }),
    (err: Error) => ({ ok: false as const, message: err.message }),
  );
  await u.discard();
  return { root, dest, result };
}

describe('unpacking what the pod sent', () => {
  it('unpacks a directory with a file and symlinks, keeping links as links and the mtime', async () => {
    const { dest, result } = await unpack(
      [
        { path: 'conf/', type: 'Directory' },
        { path: 'conf/app.yaml', type: 'File', body: 'a: 1\n' },
        { path: 'conf/current', type: 'SymbolicLink', linkpath: 'app.yaml' },
        { path: 'conf/sub/', type: 'Directory' },
        { path: 'conf/sub/up', type: 'SymbolicLink', linkpath: '../app.yaml' },
      ],
      'conf',
    );
    expect(result).toEqual({ ok: true, at: { dest: path.join(dest, 'conf'), leftOut: { links: 0, specials: 0 } } });
    expect(readFileSync(path.join(dest, 'conf/app.yaml'), 'utf8')).toBe('a: 1\n');
    expect(lstatSync(path.join(dest, 'conf/app.yaml')).mtimeMs).toBe(1_700_000_000_000);
    expect(readlinkSync(path.join(dest, 'conf/current'))).toBe('app.yaml');
    expect(readFileSync(path.join(dest, 'conf/sub/up'), 'utf8')).toBe('a: 1\n');
    expect(readdirSync(dest)).toEqual(['conf']); // the scratch directory is gone
  });

  it('leaves out, and counts, symlinks that point outside the copy and special files', async () => {
    const { root, dest, result } = await unpack(
      [
        { path: 'etc/', type: 'Directory' },
        { path: 'etc/hostname', type: 'File', body: 'web-0\n' },
        { path: 'etc/os-release', type: 'SymbolicLink', linkpath: '../usr/lib/os-release' },
        { path: 'etc/passwd-link', type: 'SymbolicLink', linkpath: '/etc/passwd' },
        { path: 'etc/null', type: 'CharacterDevice' },
        { path: 'etc/pipe', type: 'FIFO' },
      ],
      'etc',
    );
    expect(result).toEqual({ ok: true, at: { dest: path.join(dest, 'etc'), leftOut: { links: 2, specials: 2 } } });
    expect(readdirSync(path.join(dest, 'etc'))).toEqual(['hostname']);
    expect(readdirSync(root)).toEqual(['dest']);
  });

  for (const [what, entries] of HOSTILE) {
    it(`refuses ${what}, and writes nothing outside the destination`, async () => {
      const { root, dest, result } = await unpack(entries, 'x');
      expect(result.ok).toBe(false);
      expect(readdirSync(root)).toEqual(['dest']);
      expect(existsSync(path.join(dest, 'x'))).toBe(false);
      expect(existsSync(ABSOLUTE_ESCAPE)).toBe(false);
      expect(existsSync(path.join(root, 'escaped'))).toBe(false);
    });
  }
});
