/**
 * Push parser for pcap and pcapng, detected by magic. Feed it chunks of any size (`push`); it
 * calls the sink once per packet record, carrying a partial record across chunk boundaries in a
 * small buffer, so a file of any size is read in bounded memory. Records are delivered as views
 * into the chunk (or the carry buffer): the parser never writes into a buffer it handed out.
 *
 * A malformed file raises {@link CaptureFormatError} naming the byte offset, after the sink has
 * seen every record before it.
 * @module
 */
import { CaptureFormatError } from "../errors";
import * as pcap from "./pcap";
import { parsePcapHeader } from "./pcap";
import * as pcapng from "./pcapng";
import { parseIdb, type PcapngInterface, splitTimestamp, tsOut } from "./pcapng";

/**
 * Receives one packet record: `data[off..off+caplen)` are the captured bytes (a view, valid as long
 * as the caller keeps it: the parser never reuses it).
 */
export type RecordSink = (
  data: Uint8Array, off: number, caplen: number, origLen: number, tsSec: number, tsNsec: number,
  linkType: number, iface: number,
) => void;

/** Capture file formats. */
export type CaptureFormat = "pcap" | "pcapng";

const F_UNKNOWN = 0, F_PCAP = 1, F_PCAPNG = 2;

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { MAX_RECORD_LENGTH, PCAP_FILE_HEADER_LENGTH, PCAP_MAGIC_NS, PCAP_MAGIC_US, PCAP_RECORD_HEADER_LENGTH } = pcap;
const { BLOCK_EPB, BLOCK_IDB, BLOCK_PB, BLOCK_SHB, BLOCK_SPB, BYTE_ORDER_MAGIC, MAX_BLOCK_LENGTH } = pcapng;

function rd32(d: Uint8Array, o: number, le: boolean): number {
  return le
    ? (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0
    : ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}

function rd16(d: Uint8Array, o: number, le: boolean): number {
  return le ? d[o]! | (d[o + 1]! << 8) : (d[o]! << 8) | d[o + 1]!;
}

/**
 * Streaming pcap/pcapng record parser.
 * @example
 * const p = new CaptureParser("fabric.pcap");
 * for await (const chunk of fs.createReadStream("fabric.pcap")) p.push(chunk, onRecord);
 * p.end();
 */
export class CaptureParser {
  /** Name used in error messages. */
  readonly name: string | undefined;
  /** Bytes consumed so far (file offset of the next unit). */
  offset = 0;
  /** Records delivered so far. */
  records = 0;
  /** Sections seen (pcapng). */
  sections = 0;
  private format = F_UNKNOWN;
  private le = true;
  private nanosecond = false;
  private linkType = 0;
  private headerDone = false;
  private interfaces: PcapngInterface[] = [];
  private carry: Uint8Array | null = null;

  constructor(name?: string) {
    this.name = name;
  }

  /** The detected format, once the first bytes were seen. */
  get detectedFormat(): CaptureFormat | undefined {
    return this.format === F_PCAP ? "pcap" : this.format === F_PCAPNG ? "pcapng" : undefined;
  }

  /** Link types by interface (pcap: one; pcapng: the current section's). */
  get linkTypes(): number[] {
    return this.format === F_PCAP ? [this.linkType] : this.interfaces.map((i) => i.linkType);
  }

  private error(message: string, offset: number): never {
    throw new CaptureFormatError(message, offset, this.name);
  }

  /**
   * Parses every complete record in `chunk` (plus the carried partial one) and keeps the rest.
   * @example parser.push(chunk, (data, off, caplen) => count++);
   */
  push(chunk: Uint8Array, sink: RecordSink): void {
    let pos = 0;
    const len = chunk.length;
    if (this.carry !== null) {
      let c: Uint8Array = this.carry;
      for (;;) {
        const total = this.needed(c, 0, c.length, this.offset);
        if (c.length >= total) {
          this.unit(c, 0, total, sink);
          this.offset += total;
          if (total === c.length) break;
          c = Uint8Array.prototype.slice.call(c, total);
          continue;
        }
        if (pos >= len) { this.carry = c; return; }
        const take = Math.min(total - c.length, len - pos);
        const merged: Uint8Array = new Uint8Array(c.length + take);
        merged.set(c, 0);
        merged.set(chunk.subarray(pos, pos + take), c.length);
        c = merged;
        pos += take;
      }
      this.carry = null;
    }
    for (;;) {
      if (this.format === F_PCAP && this.headerDone) pos = this.pcapRecords(chunk, pos, sink);
      const avail = len - pos;
      if (avail === 0) return;
      const total = this.needed(chunk, pos, avail, this.offset);
      if (total > avail) break;
      this.unit(chunk, pos, total, sink);
      this.offset += total;
      pos += total;
    }
    // a copy (Buffer#slice would be a view into a buffer the caller may recycle)
    this.carry = Uint8Array.prototype.slice.call(chunk, pos);
  }

  /** Fast path: consecutive whole pcap records in one chunk; returns where it stopped. */
  private pcapRecords(d: Uint8Array, pos: number, sink: RecordSink): number {
    const len = d.length;
    const le = this.le;
    const ns = this.nanosecond;
    const linkType = this.linkType;
    let records = this.records;
    let offset = this.offset;
    // record header fields as single 32-bit loads
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    while (len - pos >= PCAP_RECORD_HEADER_LENGTH) {
      const caplen = dv.getUint32(pos + 8, le);
      if (caplen > MAX_RECORD_LENGTH || len - pos - PCAP_RECORD_HEADER_LENGTH < caplen) break; // slow path reports / carries
      const frac = dv.getUint32(pos + 4, le);
      records++;
      this.records = records;
      sink(d, pos + 16, caplen, dv.getUint32(pos + 12, le), dv.getUint32(pos, le), ns ? frac : frac * 1000, linkType,
        0);
      const total = PCAP_RECORD_HEADER_LENGTH + caplen;
      offset += total;
      this.offset = offset;
      pos += total;
    }
    return pos;
  }

  /**
   * Declares the end of input; raises if the input stopped inside a header or record.
   * @example parser.end();
   */
  end(): void {
    if (this.format === F_UNKNOWN) this.error("empty input: not a pcap or pcapng file", 0);
    if (this.format === F_PCAP && !this.headerDone) this.error("file header cut short", 0);
    const carry = this.carry;
    if (carry !== null && carry.length > 0) {
      let total = -1;
      try { total = this.needed(carry, 0, carry.length, this.offset); } catch { /* reported below */ }
      const what = this.format === F_PCAP ? "record" : "block";
      this.error(
        `file ends inside a ${what}: ${carry.length} of ${total > 0 ? total : "?"} bytes present`,
        this.offset,
      );
    }
  }

  /** Bytes the next unit needs: its full size, or a header size when the size is not known yet. */
  private needed(d: Uint8Array, o: number, avail: number, fileOff: number): number {
    switch (this.format) {
      case F_PCAP: {
        if (!this.headerDone) return PCAP_FILE_HEADER_LENGTH;
        if (avail < PCAP_RECORD_HEADER_LENGTH) return PCAP_RECORD_HEADER_LENGTH;
        const caplen = rd32(d, o + 8, this.le);
        if (caplen > MAX_RECORD_LENGTH) {
          this.error(`record captured length ${caplen} exceeds ${MAX_RECORD_LENGTH}`, fileOff);
        }
        return PCAP_RECORD_HEADER_LENGTH + caplen;
      }
      case F_PCAPNG: return this.blockLength(d, o, avail, fileOff);
      default: {
        if (avail < 4) return 4;
        const m = rd32(d, o, false);
        if (m === BLOCK_SHB) { this.format = F_PCAPNG; return this.blockLength(d, o, avail, fileOff); }
        const ml = rd32(d, o, true);
        if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS || ml === PCAP_MAGIC_US || ml === PCAP_MAGIC_NS) {
          this.format = F_PCAP;
          return PCAP_FILE_HEADER_LENGTH;
        }
        return this.error(`not a pcap or pcapng file (magic 0x${m.toString(16).padStart(8, "0")})`, fileOff);
      }
    }
  }

  private blockLength(d: Uint8Array, o: number, avail: number, fileOff: number): number {
    if (avail < 8) return 12;
    const type = rd32(d, o, this.le);
    let le = this.le;
    if (type === BLOCK_SHB) {
      if (avail < 12) return 12;
      const bom = rd32(d, o + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (rd32(d, o + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else this.error(`section header block has bad byte-order magic 0x${rd32(d, o + 8, false).toString(16)}`, fileOff);
    } else if (this.sections === 0) {
      this.error("pcapng block before the first section header block", fileOff);
    }
    const total = rd32(d, o + 4, le);
    if (total < 12 || total % 4 !== 0) this.error(`block total length ${total} is not a multiple of 4 ≥ 12`, fileOff);
    if (total > MAX_BLOCK_LENGTH) this.error(`block total length ${total} exceeds ${MAX_BLOCK_LENGTH}`, fileOff);
    return total;
  }

  private unit(d: Uint8Array, o: number, total: number, sink: RecordSink): void {
    if (this.format === F_PCAP) {
      if (this.headerDone) {
        const le = this.le;
        const caplen = total - PCAP_RECORD_HEADER_LENGTH;
        const frac = rd32(d, o + 4, le);
        this.records++;
        sink(d, o + 16, caplen, rd32(d, o + 12, le), rd32(d, o, le), this.nanosecond ? frac : frac * 1000,
          this.linkType, 0);
        return;
      }
      const h = parsePcapHeader(d, o);
      if (typeof h === "string") this.error(h, this.offset);
      this.le = h.littleEndian;
      this.nanosecond = h.nanosecond;
      this.linkType = h.linkType;
      this.headerDone = true;
      return;
    }
    this.block(d, o, total, sink);
  }

  private block(d: Uint8Array, o: number, total: number, sink: RecordSink): void {
    const at = this.offset;
    const type = rd32(d, o, this.le);
    if (type === BLOCK_SHB) {
      const le = rd32(d, o + 8, true) === BYTE_ORDER_MAGIC;
      if (total < 28) this.error("section header block shorter than 28 bytes", at);
      if (rd32(d, o + total - 4, le) !== total) this.error("block trailing length differs from leading length", at);
      const major = rd16(d, o + 12, le);
      if (major !== 1) this.error(`unsupported pcapng version ${major}`, at);
      this.le = le;
      this.interfaces = [];
      this.sections++;
      return;
    }
    const le = this.le;
    if (rd32(d, o + total - 4, le) !== total) this.error("block trailing length differs from leading length", at);
    const end = o + total - 4;
    switch (type) {
      case BLOCK_EPB:
      case BLOCK_PB: {
        // The obsolete Packet Block has the same layout with a 16-bit interface id (and drop count).
        const epb = type === BLOCK_EPB;
        if (total < 32) this.error(`${epb ? "enhanced packet block" : "packet block"} shorter than 32 bytes`, at);
        const ifId = epb ? rd32(d, o + 8, le) : rd16(d, o + 8, le);
        const iface = this.interfaces[ifId];
        if (iface === undefined) this.error(`packet for undeclared interface ${ifId}`, at);
        const caplen = rd32(d, o + 20, le);
        if (caplen > end - (o + 28)) this.error(`captured length ${caplen} overruns the block`, at);
        splitTimestamp(iface, rd32(d, o + 12, le), rd32(d, o + 16, le));
        this.records++;
        sink(d, o + 28, caplen, rd32(d, o + 24, le), tsOut.sec, tsOut.nsec, iface.linkType, ifId);
        return;
      }
      case BLOCK_SPB: {
        if (total < 16) this.error("simple packet block shorter than 16 bytes", at);
        const iface = this.interfaces[0];
        if (iface === undefined) this.error("simple packet block without interface 0", at);
        const origLen = rd32(d, o + 8, le);
        let caplen = Math.min(origLen, end - (o + 12));
        if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
        this.records++;
        sink(d, o + 12, caplen, origLen, 0, 0, iface.linkType, 0);
        return;
      }
      case BLOCK_IDB: {
        const iface = parseIdb(d, o + 8, end, le);
        if (typeof iface === "string") this.error(iface, at);
        this.interfaces.push(iface);
        return;
      }
      default:
        return; // name resolution, statistics, custom blocks: skipped
    }
  }
}
