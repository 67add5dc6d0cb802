// Tar archives written block by block, so they can hold what no honest tar writes: what a hostile container may
// send kdbg cp. Shared by the unpacking's unit test, the catalogue and the real node's end-to-end test.
import { tmpdir } from 'node:os';
import { Header } from 'tar';

export interface Entry {
  path: string;
  type: 'File' | 'Directory' | 'SymbolicLink' | 'Link' | 'CharacterDevice' | 'FIFO';
  body?: string;
  linkpath?: string;
}

export function archive(entries: Entry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const header = new Header({ path: e.path, type: e.type, size: body.length, mode: 0o644, mtime: new Date(1_700_000_000_000), linkpath: e.linkpath, uid: 0, gid: 0 });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Where the absolute-path entry aims: this machine's temp folder, outside any destination under it. */
export const ABSOLUTE_ESCAPE = `${tmpdir()}/kdbg-unpack-abs-escaped`;

/**
 * Archives of a copy named `x` that try to write outside the destination (into its parent, as `escaped`, or at
 * ABSOLUTE_ESCAPE); each must fail the whole copy and leave nothing behind.
 */
export const HOSTILE: [string, Entry[]][] = [
  ['a path with ..', [{ path: 'x/../../escaped', type: 'File', body: 'pwned' }]],
  ['an absolute path', [{ path: ABSOLUTE_ESCAPE, type: 'File', body: 'pwned' }]],
  ['a write through a symlink that leaves the destination', [
    { path: 'x/', type: 'Directory' },
    { path: 'x/out', type: 'SymbolicLink', linkpath: '../..' },
    { path: 'x/out/escaped', type: 'File', body: 'pwned' },
  ]],
  ['a hard link to a file outside', [
    { path: 'x/', type: 'Directory' },
    { path: 'x/passwd', type: 'Link', linkpath: '../../../../../../etc/passwd' },
  ]],
  ['an entry under a symlink that was left out', [
    { path: 'x/', type: 'Directory' },
    { path: 'x/out', type: 'SymbolicLink', linkpath: '/' },
    { path: 'x/out/escaped', type: 'File', body: 'pwned' },
  ]],
];
