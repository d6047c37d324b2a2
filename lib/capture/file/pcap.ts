/**
 * Classic libpcap file format (https://www.ietf.org/archive/id/draft-ietf-opsawg-pcap-04.html).
 *
 * ```
 * file header (24 octets)                        record header (16 octets)
 * +-------------------------------+              +-------------------------------+
 * | magic  a1b2c3d4 µs / a1b23c4d ns              | ts seconds                    |
 * | version major (2) | minor (2) |              | ts µs or ns                   |
 * | reserved (thiszone)           |              | captured length               |
 * | reserved (sigfigs)            |              | original length               |
 * | snaplen                       |              +-------------------------------+
 * | FCS bits | link type (16)     |              | packet data (captured length) |
 * +-------------------------------+
 * ```
 * Either byte order; the magic tells which.
 * @module
 */

/** Magic for microsecond timestamps. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
/** Magic for nanosecond timestamps. */
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** File header length. */
export const PCAP_FILE_HEADER_LENGTH = 24;
/** Record header length. */
export const PCAP_RECORD_HEADER_LENGTH = 16;
/** Largest captured length accepted in a record (larger means a corrupt file). */
export const MAX_RECORD_LENGTH = 16 * 1024 * 1024;

/** What a pcap file header says. */
export interface PcapHeader {
  littleEndian: boolean;
  nanosecond: boolean;
  versionMajor: number;
  versionMinor: number;
  snaplen: number;
  linkType: number;
}

/**
 * Parses a pcap file header, or returns an error message.
 * @example
 * const h = parsePcapHeader(buf, 0); // { littleEndian: true, nanosecond: false, linkType: 1, … }
 */
export function parsePcapHeader(d: Uint8Array, o: number): PcapHeader | string {
  if (d.length - o < PCAP_FILE_HEADER_LENGTH) return "file header cut short";
  const dv = new DataView(d.buffer, d.byteOffset + o, PCAP_FILE_HEADER_LENGTH);
  const be = dv.getUint32(0, false);
  const le = dv.getUint32(0, true);
  let littleEndian: boolean, nanosecond: boolean;
  if (le === PCAP_MAGIC_US) { littleEndian = true; nanosecond = false; }
  else if (le === PCAP_MAGIC_NS) { littleEndian = true; nanosecond = true; }
  else if (be === PCAP_MAGIC_US) { littleEndian = false; nanosecond = false; }
  else if (be === PCAP_MAGIC_NS) { littleEndian = false; nanosecond = true; }
  else return `bad pcap magic 0x${be.toString(16).padStart(8, "0")}`;
  const versionMajor = dv.getUint16(4, littleEndian);
  const versionMinor = dv.getUint16(6, littleEndian);
  if (versionMajor !== 2) return `unsupported pcap version ${versionMajor}.${versionMinor}`;
  return {
    littleEndian,
    nanosecond,
    versionMajor,
    versionMinor,
    snaplen: dv.getUint32(16, littleEndian),
    linkType: dv.getUint32(20, littleEndian) & 0x03ffffff,
  };
}
