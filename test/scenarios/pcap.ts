// Reads a pcap file record by record (libpcap format, either byte order, micro- or nanosecond stamps).

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
