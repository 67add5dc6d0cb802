// Reads a pcap file record by record (libpcap format, either byte order, micro- or nanosecond stamps).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Pcap {
  linkType: number;
  records: { length: number; captured: number }[];
  /** bytes after the last whole record (0 when the file ends with a whole record) */
  trailing: number;
}

export function parsePcap(buf: Buffer): Pcap {
  if (buf.length < 24) throw new Error(`not a pcap: ${buf.length} bytes, shorter than the global header`);
  const magic = buf.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  if (!le && buf.readUInt32BE(0) !== 0xa1b2c3d4 && buf.readUInt32BE(0) !== 0xa1b23c4d) throw new Error(`not a pcap: magic ${magic.toString(16)}`);
  const u32 = (at: number) => (le ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
  const records: Pcap['records'] = [];
  let at = 24;
  while (at + 16 <= buf.length) {
    const captured = u32(at + 8);
    if (at + 16 + captured > buf.length) break;
    records.push({ captured, length: u32(at + 12) });
    at += 16 + captured;
  }
  return { linkType: u32(20), records, trailing: buf.length - at };
}

/**
 * A pcap kdbg wrote, read record by record; it must end with a whole record. On the real backend, where tshark is
 * installed (e2e/lib/node.sh installs Debian's), tshark must read it too, with the same number of packets.
 */
export function readWholePcap(buf: Buffer): Pcap {
  const pcap = parsePcap(buf);
  if (pcap.trailing !== 0) throw new Error(`pcap ends with ${pcap.trailing} bytes of a record cut short`);
  if (process.env.KDBG_BACKEND === 'real' && onPath('tshark')) {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'kdbg-pcap-')), 'read.pcap');
    writeFileSync(file, buf);
    const frames = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const read = frames.split('\n').filter(Boolean).length;
    if (read !== pcap.records.length) throw new Error(`tshark read ${read} packets, the pcap has ${pcap.records.length}`);
  }
  return pcap;
}

function onPath(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir !== '' && existsSync(path.join(dir, name)));
}
