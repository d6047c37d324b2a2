/**
 * Redacting a whole capture file (pcap or pcapng, in memory): every frame through the frame rewriter
 * (`frame.ts`), every pcapng text through `text`, in the same format, byte order and timestamps.
 *
 * * pcap: the file header is kept; each record keeps its timestamp and original length, its captured
 *   length shrinks when the frame was cut. The file is copied into the output a block ahead of the
 *   rewriting, which then works in place on bytes still in the cache; with `inPlace` (the input is the
 *   caller's to overwrite, as `packetwalk share` reads a file for the share alone) there is no copy:
 *   the records are rewritten inside the input, the same bytes as the copying path gives.
 * * pcapng: blocks are rebuilt with their lengths recomputed. Text options (`opt_comment`,
 *   `shb_hardware`, `shb_os`, `shb_userappl`, `if_name`, `if_description`, `if_os`, `if_hardware`, a
 *   libpcap `if_filter`, `ns_dnsname`, the names of name resolution records) go through `text`;
 *   address options (`if_IPv4addr`, `if_IPv6addr`, `if_MACaddr`, `ns_dnsIP4addr`, `ns_dnsIP6addr`, the
 *   addresses of name resolution records) through the address mapper; numeric options are kept;
 *   `if_EUIaddr`, `epb_hash` (a hash of the original bytes), custom and unknown options are dropped.
 *   The section length becomes -1 (unknown), as the sizes change. Decryption secrets, systemd journal,
 *   custom and unknown blocks are dropped, each named in `problems` (frame 0).
 * * A file cut short or corrupt part-way keeps everything before the bad record or block, with a
 *   problem naming the offset; not a capture at all gives empty bytes and a problem. Never throws.
 * @module
 */
import type { AddressMapper } from "./address";
import { createFrameRedactor, type FrameRedactor } from "./frame";
import type { DecodeOptions } from "../capture/decode";
import { MAX_RECORD_LENGTH, PCAP_FILE_HEADER_LENGTH, PCAP_MAGIC_NS, PCAP_MAGIC_US, parsePcapHeader } from "../capture/file/pcap";
import { BLOCK_EPB, BLOCK_IDB, BLOCK_PB, BLOCK_SHB, BLOCK_SPB, BYTE_ORDER_MAGIC, MAX_BLOCK_LENGTH } from "../capture/file/pcapng";

/** What {@link redactCapture} returns. */
export interface CaptureRedaction {
  /** The redacted capture (same format as the input). */
  bytes: Uint8Array;
  /** Packet records read. */
  frames: number;
  /** Frames with at least one byte changed. */
  rewritten: number;
  /** Frames cut or not fully read (1-based frame number; 0 for the file itself), and file problems. */
  problems: { frame: number; message: string }[];
  /** Frames whose captured bytes were cut (by a problem or by `truncatePayload`). */
  cut: number;
  /** Frames left out (pcapng packets of an interface no block declared: their link type is unknown). */
  dropped: number;
}

/** Options of {@link redactCapture}. */
export interface CaptureRedactionOptions {
  addresses: AddressMapper;
  /** Redacts free text: HTTP header values and request targets (fitted to the original length), pcapng texts. */
  text: (s: string) => string;
  /** Keep at most N bytes after each frame's innermost transport header (TCP, UDP, ICMP). */
  truncatePayload?: number;
  /** Pass TCP/UDP payloads that are all text through `text` (at their length). Default true. */
  textPayloads?: boolean;
  /** Decoder options (MPLSoUDP / VXLAN / HTTP ports, MPLS label map), as for `readCapture`. */
  decode?: DecodeOptions;
  /**
   * The input is the caller's to overwrite (a file just read, not kept): a pcap is rewritten inside
   * it and `bytes` is a view of it, so no output as large as the input is allocated and first touched
   * (page faults: about a fifth of the time of a large capture). pcapng is rebuilt into new bytes
   * either way. Default false: the input is left as it was.
   */
  inPlace?: boolean;
}

const BLOCK_NRB = 4, BLOCK_ISB = 5;
/** Bytes copied into the output at a time (pcap): rewritten while they are in the cache. */
const COPY_BLOCK = 256 * 1024;

/** A growing output buffer. */
class Out {
  buf: Uint8Array;
  dv: DataView;
  pos = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(Math.max(64, size));
    this.dv = new DataView(this.buf.buffer);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  bytes(src: Uint8Array, a: number, b: number): void {
    this.ensure(b - a);
    this.buf.set(src.subarray(a, b), this.pos);
    this.pos += b - a;
  }
}

/**
 * Redacts a pcap or pcapng capture: addresses in every header rewritten (checksums updated), HTTP
 * header values and pcapng texts through `text`, payloads cut after `truncatePayload` bytes. Pure; never
 * throws (problems are listed).
 * @example
 * const addresses = createAddressMapper(key);
 * const r = redactCapture(fs.readFileSync("lab.pcap"), { addresses, text: (s) => redactText(s), truncatePayload: 64 });
 * fs.writeFileSync("lab.shared.pcap", r.bytes);
 * r.problems; // [{ frame: 12, message: "eth at offset 0: type 0x88cc not decoded: cut at offset 14" }]
 * // a file read only to be redacted: rewritten inside the bytes read (r2.bytes is a view of them)
 * const r2 = redactCapture(fs.readFileSync("big.pcap"), { addresses, text: (s) => redactText(s), inPlace: true });
 */
export function redactCapture(bytes: Uint8Array, opts: CaptureRedactionOptions): CaptureRedaction {
  const result: CaptureRedaction = { bytes: new Uint8Array(0), frames: 0, rewritten: 0, problems: [], cut: 0, dropped: 0 };
  if (!(bytes instanceof Uint8Array)) {
    result.problems.push({ frame: 0, message: "input is not bytes (Uint8Array)" });
    return result;
  }
  if (opts === null || typeof opts !== "object" || opts.addresses === undefined || typeof opts.text !== "function") {
    result.problems.push({ frame: 0, message: "options need addresses (an AddressMapper) and text (a function)" });
    return result;
  }
  if (bytes.length < 4) {
    result.problems.push({ frame: 0, message: `not a pcap or pcapng file: ${bytes.length} bytes` });
    return result;
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const be = dv.getUint32(0, false), le = dv.getUint32(0, true);
  if (be === BLOCK_SHB) return redactPcapng(bytes, opts, result);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
    return redactPcap(bytes, opts, result);
  }
  result.problems.push({ frame: 0, message: `not a pcap or pcapng file (magic 0x${be.toString(16).padStart(8, "0")})` });
  return result;
}

function redactPcap(bytes: Uint8Array, opts: CaptureRedactionOptions, result: CaptureRedaction): CaptureRedaction {
  const h = parsePcapHeader(bytes, 0);
  if (typeof h === "string") {
    result.problems.push({ frame: 0, message: `pcap file header: ${h}` });
    return result;
  }
  // one copy of the file (or the file itself), rewritten in place (records move back only after a cut)
  const out = opts.inPlace === true ? bytes : new Uint8Array(bytes.length);
  if (out !== bytes) out.set(bytes.subarray(0, PCAP_FILE_HEADER_LENGTH));
  const o = redactPcapRecords(bytes, out, PCAP_FILE_HEADER_LENGTH, bytes.length, h.littleEndian, h.linkType, createFrameRedactor(opts), result);
  result.bytes = out.subarray(0, o);
  return result;
}

/**
 * The record loop of a pcap: the records of `src[pos..stop)` are copied into `out` at the same offsets
 * a block ahead of the rewriting (none when `src` is `out`: rewritten in place), each rewritten there
 * by `r` and moved back after a cut. Adds to `result`'s counts and problems; returns where the output
 * ends.
 */
function redactPcapRecords(src: Uint8Array, out: Uint8Array, from: number, stop: number, le: boolean, linkType: number, r: FrameRedactor, result: CaptureRedaction): number {
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const inPlace = src === out;
  let copied = from;
  // copied a block at a time just ahead of the rewriting, so the rewriting reads bytes still in the cache
  const copyTo = (at: number): void => {
    const to = Math.min(stop, Math.max(at, copied + COPY_BLOCK));
    if (!inPlace) out.set(src.subarray(copied, to), copied);
    copied = to;
  };
  let pos = from, o = from;
  let frames = result.frames, rewritten = result.rewritten, cut = result.cut;
  const problems = result.problems;
  while (pos < stop) {
    if (stop - pos < 16) {
      problems.push({ frame: 0, message: `file ends inside a record header at offset ${pos}: ${stop - pos} bytes not copied` });
      break;
    }
    if (pos + 16 > copied) copyTo(pos + 16);
    const caplen = dv.getUint32(pos + 8, le);
    if (caplen > MAX_RECORD_LENGTH) {
      problems.push({ frame: 0, message: `record at offset ${pos}: captured length ${caplen} exceeds ${MAX_RECORD_LENGTH}: rest of the file not copied` });
      break;
    }
    if (stop - pos - 16 < caplen) {
      problems.push({ frame: 0, message: `file ends inside the record at offset ${pos} (${stop - pos - 16} of ${caplen} bytes): not copied` });
      break;
    }
    frames++;
    if (pos + 16 + caplen > copied) copyTo(pos + 16 + caplen);
    if (o !== pos) out.copyWithin(o, pos, pos + 16 + caplen);
    const start = o + 16;
    const end = r.redact(out, start, start + caplen, linkType);
    if (r.changed) rewritten++;
    if (r.problem !== "") problems.push({ frame: frames, message: r.problem });
    const newCap = end - start;
    if (newCap !== caplen) { dv.setUint32(o + 8, newCap, le); cut++; }
    o = end;
    pos += 16 + caplen;
  }
  result.frames = frames; result.rewritten = rewritten; result.cut = cut;
  return o;
}

interface Section { le: boolean; linkTypes: number[] }

function redactPcapng(bytes: Uint8Array, opts: CaptureRedactionOptions, result: CaptureRedaction): CaptureRedaction {
  const r = createFrameRedactor(opts);
  const map = opts.addresses;
  const len = bytes.length;
  const idv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Out(len + 1024);
  const problems = result.problems;
  const utf8 = new TextDecoder("utf-8");
  const enc = new TextEncoder();
  let sec: Section = { le: true, linkTypes: [] };
  let frames = 0, rewritten = 0, cut = 0;
  let pos = 0;

  const text = (s: string): string => {
    try { return String(opts.text(s)); } catch (e) { problems.push({ frame: 0, message: `text redaction failed (${(e as Error).message}): option dropped` }); return "\u0000drop"; }
  };

  /** Copies options from bytes[p..end) through `choose`; returns after writing (end-of-options added when any). */
  function options(p: number, end: number, choose: (code: number, v: Uint8Array) => Uint8Array | null, where: string): void {
    const le = sec.le;
    let wrote = false;
    while (end - p >= 4) {
      const code = idv.getUint16(p, le), olen = idv.getUint16(p + 2, le);
      if (code === 0) break;
      if (end - p - 4 < olen) { problems.push({ frame: 0, message: `${where}: option ${code} overruns the block: options from it dropped` }); break; }
      const v = choose(code, bytes.subarray(p + 4, p + 4 + olen));
      if (v !== null) {
        const padded = (v.length + 3) & ~3;
        out.ensure(4 + padded);
        out.dv.setUint16(out.pos, code, le); out.dv.setUint16(out.pos + 2, v.length, le);
        out.buf.set(v, out.pos + 4);
        out.buf.fill(0, out.pos + 4 + v.length, out.pos + 4 + padded);
        out.pos += 4 + padded;
        wrote = true;
      }
      p += 4 + ((olen + 3) & ~3);
    }
    if (wrote) { out.ensure(4); out.dv.setUint32(out.pos, 0, le); out.pos += 4; }
  }
  const textOpt = (v: Uint8Array): Uint8Array | null => {
    const t = text(utf8.decode(v));
    return t === "\u0000drop" ? null : enc.encode(t);
  };

  /** Starts a block of `type` in the output; returns its start. */
  function begin(type: number): number {
    const s = out.pos;
    out.ensure(8);
    out.dv.setUint32(s, type, sec.le);
    out.pos += 8;
    return s;
  }
  function finish(s: number): void {
    out.ensure(4);
    out.pos += 4;
    const total = out.pos - s;
    out.dv.setUint32(s + 4, total, sec.le);
    out.dv.setUint32(out.pos - 4, total, sec.le);
  }
  /** Copies the packet bytes, redacts them, pads; returns the captured length written. */
  function packet(a: number, caplen: number, linkType: number): number {
    out.ensure(caplen + 3);
    const start = out.pos;
    out.buf.set(bytes.subarray(a, a + caplen), start);
    frames++;
    const end = r.redact(out.buf, start, start + caplen, linkType);
    if (r.changed) rewritten++;
    if (r.problem) problems.push({ frame: frames, message: r.problem });
    const newCap = end - start;
    if (newCap !== caplen) cut++;
    const padded = (newCap + 3) & ~3;
    out.buf.fill(0, start + newCap, start + padded);
    out.pos = start + padded;
    return newCap;
  }

  while (pos < len) {
    if (len - pos < 12) { problems.push({ frame: 0, message: `file ends inside a block header at offset ${pos}: ${len - pos} bytes not copied` }); break; }
    const rawType = idv.getUint32(pos, sec.le);
    let le = sec.le;
    if (idv.getUint32(pos, false) === BLOCK_SHB) {
      const m = idv.getUint32(pos + 8, true);
      if (m === BYTE_ORDER_MAGIC) le = true;
      else if (idv.getUint32(pos + 8, false) === BYTE_ORDER_MAGIC) le = false;
      else { problems.push({ frame: 0, message: `section header at offset ${pos}: bad byte-order magic: rest not copied` }); break; }
    }
    const type = idv.getUint32(pos, false) === BLOCK_SHB ? BLOCK_SHB : rawType;
    const total = idv.getUint32(pos + 4, le);
    if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK_LENGTH) {
      problems.push({ frame: 0, message: `block at offset ${pos}: bad total length ${total}: rest not copied` });
      break;
    }
    if (len - pos < total) { problems.push({ frame: 0, message: `file ends inside the block at offset ${pos} (${len - pos} of ${total} bytes): not copied` }); break; }
    if (idv.getUint32(pos + total - 4, le) !== total) {
      problems.push({ frame: 0, message: `block at offset ${pos}: trailing length differs from ${total}: rest not copied` });
      break;
    }
    const body = pos + 8, bend = pos + total - 4;
    const where = `block at offset ${pos}`;
    switch (type) {
      case BLOCK_SHB: {
        if (bend - body < 16) { problems.push({ frame: 0, message: `${where}: section header too short: rest not copied` }); pos = len; continue; }
        sec = { le, linkTypes: [] };
        const s = begin(BLOCK_SHB);
        out.bytes(bytes, body, body + 8); // magic, version
        out.ensure(8); out.dv.setInt32(out.pos, -1, le); out.dv.setInt32(out.pos + 4, -1, le); out.pos += 8;
        options(body + 16, bend, (code, v) => (code >= 1 && code <= 4 ? textOpt(v) : null), where);
        finish(s);
        break;
      }
      case BLOCK_IDB: {
        if (bend - body < 8) { problems.push({ frame: 0, message: `${where}: interface description too short: rest not copied` }); pos = len; continue; }
        sec.linkTypes.push(idv.getUint16(body, le));
        const s = begin(BLOCK_IDB);
        out.bytes(bytes, body, body + 8);
        options(body + 8, bend, (code, v) => {
          switch (code) {
            case 1: case 2: case 3: case 12: case 15: return textOpt(v);
            case 4: { if (v.length !== 8) return null; const c = new Uint8Array(v); const a = map.ipv4(new DataView(c.buffer).getUint32(0, false)); new DataView(c.buffer).setUint32(0, a, false); return c; }
            case 5: { if (v.length !== 17) return null; const c = new Uint8Array(v); c.set(map.ipv6(c.subarray(0, 16)), 0); return c; }
            case 6: return v.length === 6 ? map.mac(v) : null;
            case 11: { if (v.length < 1 || v[0] !== 0) return null; const t = textOpt(v.subarray(1)); if (t === null) return null; const c = new Uint8Array(1 + t.length); c.set(t, 1); return c; }
            case 8: case 9: case 10: case 13: case 14: case 16: case 17: case 18: return v;
            default: return null;
          }
        }, where);
        finish(s);
        break;
      }
      case BLOCK_EPB: case BLOCK_PB: {
        if (bend - body < 20) { problems.push({ frame: 0, message: `${where}: packet block too short: rest not copied` }); pos = len; continue; }
        const iface = type === BLOCK_EPB ? idv.getUint32(body, le) : idv.getUint16(body, le);
        const caplen = idv.getUint32(body + 12, le);
        if (caplen > bend - body - 20) { problems.push({ frame: 0, message: `${where}: captured length ${caplen} overruns the block: rest not copied` }); pos = len; continue; }
        if (iface >= sec.linkTypes.length) {
          frames++; result.dropped++;
          problems.push({ frame: frames, message: `${where}: packet of undeclared interface ${iface}: dropped` });
          break;
        }
        const linkType = sec.linkTypes[iface]!;
        const s = begin(type);
        out.bytes(bytes, body, body + 20);
        const capAt = out.pos - 8;
        const newCap = packet(body + 20, caplen, linkType);
        out.dv.setUint32(capAt, newCap, le);
        options(body + 20 + ((caplen + 3) & ~3), bend, (code, v) => {
          if (code === 1) return textOpt(v);
          if (code === 2 || code === 4 || code === 5 || code === 6 || code === 7) return type === BLOCK_EPB || code === 2 ? v : null;
          return null; // epb_hash (a hash of the original bytes), custom, unknown
        }, where);
        finish(s);
        break;
      }
      case BLOCK_SPB: {
        if (bend - body < 4) { problems.push({ frame: 0, message: `${where}: simple packet block too short: rest not copied` }); pos = len; continue; }
        const origLen = idv.getUint32(body, le);
        const caplen = Math.min(origLen, bend - body - 4);
        if (sec.linkTypes.length === 0) {
          frames++; result.dropped++;
          problems.push({ frame: frames, message: `${where}: simple packet before any interface: dropped` });
          break;
        }
        const s = begin(BLOCK_SPB);
        out.bytes(bytes, body, body + 4);
        packet(body + 4, caplen, sec.linkTypes[0]!);
        finish(s);
        break;
      }
      case BLOCK_NRB: {
        const s = begin(BLOCK_NRB);
        let p = body;
        let ok = false;
        while (bend - p >= 4) {
          const rt = idv.getUint16(p, le), rl = idv.getUint16(p + 2, le);
          if (rt === 0) { ok = true; p += 4; break; }
          if (bend - p - 4 < rl) break;
          const v = bytes.subarray(p + 4, p + 4 + rl);
          const alen = rt === 1 ? 4 : rt === 2 ? 16 : -1;
          if (alen > 0 && rl > alen) {
            const addr = new Uint8Array(v.subarray(0, alen));
            if (alen === 4) new DataView(addr.buffer).setUint32(0, map.ipv4(new DataView(addr.buffer).getUint32(0, false)), false);
            else addr.set(map.ipv6(addr), 0);
            const names = utf8.decode(v.subarray(alen)).split("\u0000").filter((n) => n !== "").map((n) => text(n)).filter((n) => n !== "\u0000drop");
            if (names.length > 0) {
              const nb = enc.encode(names.map((n) => `${n}\u0000`).join(""));
              const rec = alen + nb.length;
              out.ensure(4 + rec + 3);
              out.dv.setUint16(out.pos, rt, le); out.dv.setUint16(out.pos + 2, rec, le);
              out.buf.set(addr, out.pos + 4); out.buf.set(nb, out.pos + 4 + alen);
              const padded = (rec + 3) & ~3;
              out.buf.fill(0, out.pos + 4 + rec, out.pos + 4 + padded);
              out.pos += 4 + padded;
            }
          } else {
            problems.push({ frame: 0, message: `${where}: name resolution record of type ${rt} dropped` });
          }
          p += 4 + ((rl + 3) & ~3);
        }
        out.ensure(4); out.dv.setUint32(out.pos, 0, le); out.pos += 4;
        if (!ok) problems.push({ frame: 0, message: `${where}: name resolution records without an end: the rest dropped` });
        else {
          options(p, bend, (code, v) => {
            if (code === 1 || code === 2) return textOpt(v);
            if (code === 3 && v.length === 4) { const c = new Uint8Array(v); new DataView(c.buffer).setUint32(0, map.ipv4(new DataView(c.buffer).getUint32(0, false)), false); return c; }
            if (code === 4 && v.length === 16) return map.ipv6(v);
            return null;
          }, where);
        }
        finish(s);
        break;
      }
      case BLOCK_ISB: {
        if (bend - body < 12) { problems.push({ frame: 0, message: `${where}: interface statistics too short: dropped` }); break; }
        const s = begin(BLOCK_ISB);
        out.bytes(bytes, body, body + 12);
        options(body + 12, bend, (code, v) => (code === 1 ? textOpt(v) : code >= 2 && code <= 8 ? v : null), where);
        finish(s);
        break;
      }
      default: {
        const name = type === 0x0a ? "decryption secrets" : type === 9 ? "systemd journal export" :
          type === 0x0bad || type === 0x40000bad ? "custom" : `type 0x${type.toString(16)}`;
        problems.push({ frame: 0, message: `${where}: ${name} block dropped (not redacted)` });
        break;
      }
    }
    pos += total;
  }
  result.bytes = out.buf.slice(0, out.pos);
  result.frames = frames; result.rewritten = rewritten; result.cut = cut;
  return result;
}
