/**
 * The fast path of the one `flow` reader ({@link FlowReader} in `reader.ts`): an entry of `flow -l` in
 * the usual layout of R3.2 … TF master, read straight from UTF-8 bytes with no per-entry strings or
 * objects. Anything else (old layouts, wrapped or unusual attribute blocks, `Oflow entries:`, non-ASCII
 * bytes, numbers past Int32) makes {@link EntryScanner.scanEntry} decline, and the reader hands the text
 * to the line scanner: this file decides nothing about errors or warnings.
 *
 * The numbers of an entry go into the stage arrays of the sink that will keep it (columns stage them in
 * blocks; rows read them back at once), the strings stay byte ranges that the sink turns into codes or
 * strings. The readers' second results (where a number ended, a value's hash, an address's colon) are
 * fields of the scanner, not module variables.
 */
import { NULL32 as NULL32_, IP_OTHER as IP_OTHER_ } from "./column-kinds";
import { type V4Out, ip4, readV4 } from "./ipv4-bytes";

/** Entries staged before a sink takes them (one call per block, not per entry). */
export const STAGE_ROWS = 128;
/** Int32 fields per staged entry: offsets below. */
export const S_LINE = 0;
export const S_DUMP = 1;
export const S_INDEX = 2;
export const S_RINDEX = 3;
export const S_SRCPORT = 4;
export const S_DSTPORT = 5;
export const S_PROTO = 6;
export const S_VRF = 7;
export const S_DVRF = 8;
export const S_GEN = 9;
export const S_KEYNH = 10;
export const S_ECMP = 11;
export const S_QOS = 12;
export const S_RPFNH = 13;
export const S_SPORT = 14;
export const S_TTL = 15;
/** Bit 0: VRF translated; bit 1: inet6. */
export const S_BITS = 16;
/** Hashes (StringDict's) of the action, flow-flag and TCP-flag values. */
export const S_ACT_H = 17;
export const S_FL_H = 18;
export const S_TCP_H = 19;
/**
 * Byte ranges of the strings (of an address only when it is not kept as a number): start and end
 * positions in the text (Int32: the reader keeps every position it hands the scanner below
 * {@link MAX_POS}).
 */
export const S_SRC_S = 20;
export const S_SRC_E = 21;
export const S_DST_S = 22;
export const S_DST_E = 23;
export const S_ACT_S = 24;
export const S_ACT_E = 25;
export const S_FL_S = 26;
export const S_FL_E = 27;
/** -1 when the entry has no `TCP:` field. */
export const S_TCP_S = 28;
export const S_TCP_E = 29;
export const S_SIN_S = 30;
export const S_SIN_E = 31;
export const SI = 32;
/** Float64 fields per staged entry: packets, bytes, and the IPv4 values of the addresses (-1: not dotted IPv4 as printed). */
export const SF = 5;
export const F_PACKETS = 0;
export const F_BYTES = 1;
export const F_SRC_V4 = 2;
export const F_DST_V4 = 3;
export const F_SIN_V4 = 4;
/** Entries are scanned here only when they start below this position (so every range fits Int32). */
export const MAX_POS = 2 ** 31 - 2 ** 24;

const MAX32 = 2147483647;
// The columns' null and "address kept as text" values as module consts: V8 folds these, not reads of an
// imported binding (TypeScript's CommonJS output reads `exports.NULL32` at every use).
const NULL32 = NULL32_;
const IP_OTHER = IP_OTHER_;

/** True when a value read by rdI (or null) cannot be staged as Int32: out of range, or -0. */
function rv32(v: number): boolean {
  return v > MAX32 || v < -MAX32 || (v === 0 && 1 / v < 0);
}

/**
 * True when u[s, e) holds a colon.
 *
 * @example
 * hasColon(Buffer.from("fd00::1"), 0, 7) // => true
 */
export function hasColon(u: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (u[i] === 58) return true;
  return false;
}

/**
 * Reads `flow -l` entries in the usual layout from bytes. {@link reset} points it at a text (cleaned
 * bytes: `\n` line ends, no escapes); {@link scanEntry} reads one entry into the next slot of its stage
 * and returns where the next line starts, or -1 (nothing staged) when the entry is not in the usual
 * layout. A sink takes the staged entries a block at a time (numbers, string byte ranges and hashes,
 * IPv4 values), then sets {@link count} back to 0.
 *
 * @example
 * const s = new EntryScanner();
 * const u = Buffer.from("1<=>2 1.1.1.1:1 6 (0)\n 2.2.2.2:80\n(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):5, Stats:3/180, SPort 9, TTL 0, Sinfo 0.0.0.0)\n");
 * s.reset(u); s.scanEntry(0, 0) // => u.length
 * [s.count, s.sf[F_PACKETS]] // => [1, 3]
 */
export class EntryScanner {
  /** Line index after the last scanned entry. */
  nli = 0;

  private u: Uint8Array = new Uint8Array(0);
  /** The input as 32-bit words (from the first 4-aligned byte), to skip runs of padding four at a time. */
  private words: Uint32Array = new Uint32Array(0);
  /** Position in `u` of `words[0]`. */
  private wordStart = 0;
  /** The input for unaligned 16/32-bit reads. */
  private dv: DataView = new DataView(new ArrayBuffer(0));

  // Second results of the readers (fields, so the readers stay pure of module state).
  /** Where the last rdU/rdI stopped. */
  private rEnd = 0;
  /** Whether the last rdI read a number. */
  private rOk = false;
  /** The hash (StringDict's) of the value valEnd last scanned. */
  private vHash = 0;
  /** Line breaks fieldSep crossed in the current entry. */
  private sepBreaks = 0;
  /** scanAddress: the token's last colon (-1: none; -2: a byte that is not printable ASCII). */
  private aColon = -1;
  /** scanAddress: the address as uint32 when it is dotted IPv4 as the utility prints it, else -1. */
  private aV4 = -1;
  private readonly v4: V4Out = { value: 0 };

  /** Staged entries (the sink takes them with {@link take}). */
  count = 0;
  /** The table dump entries read now belong to (the line scanner's; the reader keeps it current). */
  dump = 0;
  /** The stage: {@link SI} Int32 and {@link SF} Float64 fields per entry, row-major. */
  readonly si = new Int32Array(STAGE_ROWS * SI);
  readonly sf = new Float64Array(STAGE_ROWS * SF);

  /** True when the stage is full: the sink must take the entries before the next {@link scanEntry}. */
  get full(): boolean {
    return this.count === STAGE_ROWS;
  }

  /**
   * Points the scanner at a new text (a Buffer or any Uint8Array view).
   *
   * @example
   * new EntryScanner(new Int32Array(SI), new Float64Array(SF)).reset(Buffer.from("x\n"))
   */
  reset(u: Uint8Array): void {
    this.u = u;
    this.dv = new DataView(u.buffer, u.byteOffset, u.byteLength);
    this.wordStart = (4 - (u.byteOffset & 3)) & 3;
    const count = Math.max(0, (u.length - this.wordStart) >> 2);
    this.words = count > 0 ? new Uint32Array(u.buffer, u.byteOffset + this.wordStart, count) : new Uint32Array(0);
  }

  /** Unsigned decimal at `i` within [i, end): at most 15 digits; -1 when none. Sets `rEnd`. */
  private rdU(i: number, end: number): number {
    const u = this.u;
    let v = 0;
    const s = i;
    // Past the end u[i] is undefined, so c is NaN and the test fails: no separate bound is needed.
    while (i < end) {
      const c = u[i] - 48;
      if (!(c >= 0 && c <= 9)) break;
      v = v * 10 + c;
      i++;
    }
    this.rEnd = i;
    return i === s || i - s > 15 ? -1 : v;
  }

  /** Optionally negative decimal (as the line scanner's `readInt`: `-0` stays -0). Sets `rOk` and `rEnd`. */
  private rdI(i: number, end: number): number {
    const neg = this.u[i] === 45;
    const v = this.rdU(neg ? i + 1 : i, end);
    this.rOk = v >= 0;
    return neg ? (v === 0 ? -0 : -v) : v;
  }

  /**
   * End of a value as the line scanner's `valueEnd` finds it (depth-aware `(…)`), or -1 when the value
   * holds a byte that is not printable ASCII (the line scanner then decodes it). Sets `vHash`.
   */
  private valEnd(i: number, limit: number): number {
    const u = this.u;
    if (limit > u.length) limit = u.length;
    // hashBytes(u, s, e) = len·31^len + Σ c·31^(e-1-k): the sum and 31^len are built as bytes are read.
    let h = 0;
    let m = 1;
    let depth = 0;
    let len = 0;
    while (i < limit) {
      const c = u[i];
      if (c === 40) depth++;
      else if (c === 41) {
        if (depth === 0) break;
        depth--;
        if (depth === 0) {
          h = (Math.imul(h, 31) + c) | 0;
          m = Math.imul(m, 31);
          len++;
          i++;
          break;
        }
      } else if (depth === 0 && (c === 44 || c === 32 || c === 9 || c === 10)) break;
      else if (c === 10) break;
      else if (c < 32 || c > 126) return -1;
      h = (Math.imul(h, 31) + c) | 0;
      m = Math.imul(m, 31);
      len++;
      i++;
    }
    this.vHash = (Math.imul(len, m) + h) | 0;
    return i;
  }

  /** After a field: `,`, spaces, at most one line break (counted in `sepBreaks`), spaces. The next field's start, or -1. */
  private fieldSep(i: number): number {
    const u = this.u;
    if (u[i] !== 44) return -1;
    i++;
    while (u[i] === 32) i++;
    if (u[i] === 10) {
      this.sepBreaks++;
      i++;
      while (u[i] === 32) i++;
    }
    return i;
  }

  /**
   * Scans an `address:port` token from `i` to the next space or line break. Sets `aColon` and `aV4`.
   * Returns the token end.
   */
  private scanAddress(i: number, n: number): number {
    const u = this.u;
    // The common case first: `a.b.c.d:port`, then a space or line break.
    const s = i;
    i = readV4(u, i, this.v4);
    if (i < 0 || u[i] !== 58) return this.scanAddressAny(s, n);
    const colon = i;
    for (i++; i < n; i++) {
      const c = u[i];
      if (c === 32 || c === 10) break;
      if (c === 58 || c < 33 || c > 126) return this.scanAddressAny(s, n);
    }
    this.aColon = colon;
    this.aV4 = this.v4.value;
    return i;
  }

  /** {@link scanAddress} for any token (IPv6, redacted, malformed). */
  private scanAddressAny(i: number, n: number): number {
    const u = this.u;
    const s = i;
    let colon = -1;
    let colons = 0;
    for (; i < n; i++) {
      const c = u[i];
      if (c === 32 || c === 10) break;
      if (c === 58) {
        colon = i;
        colons++;
      } else if (c < 33 || c > 126) {
        this.aColon = -2;
        this.aV4 = -1;
        return i;
      }
    }
    this.aColon = colon;
    this.aV4 = colons === 1 ? ip4(u, s, colon, this.v4) : -1;
    return i;
  }

  /** Skips a run of spaces from `i` (the column padding of `flow -l`, often 25–45 long). */
  private skipRun(i: number): number {
    const u = this.u;
    while (((i - this.wordStart) & 3) !== 0) {
      if (u[i] !== 32) return i;
      i++;
    }
    const w = this.words;
    let k = (i - this.wordStart) >> 2;
    while (k < w.length && w[k] === 0x20202020) k++;
    i = this.wordStart + (k << 2);
    while (u[i] === 32) i++;
    return i;
  }

  /**
   * Scans the entry whose first line (line index `li`) has its first non-space byte at `f` into the next
   * stage slot. Returns the next line's start (the entry is then staged), or -1 (nothing staged). The
   * work is split in parts small enough for V8 to inline the readers into each (one big function gets
   * none).
   *
   * @example
   * // see the class example
   */
  scanEntry(f: number, li: number): number {
    const o = this.count * SI;
    const q = this.count * SF;
    this.sepBreaks = 0;
    let i = this.entryLine(f, o, q);
    if (i < 0) return -1;
    i = this.destinationLine(i, o, q);
    if (i < 0) return -1;
    i = this.blockHead(i, o, q);
    if (i < 0) return -1;
    i = this.blockMid(i, o, q);
    if (i < 0) return -1;
    i = this.blockStats(i, o, q);
    if (i < 0) return -1;
    const next = this.blockEnd(i, o, q);
    if (next < 0) return -1;
    const S = this.si;
    S[o + S_LINE] = li + 1;
    S[o + S_DUMP] = this.dump;
    if (this.isInet6(o, q)) S[o + S_BITS] |= 2;
    this.count++;
    this.nli = li + 3 + this.sepBreaks; // entry line, destination line, first block line, breaks in the block
    return next;
  }

  /** `   index<=>rindex   src:port   proto (vrf[->dvrf])` up to its line break; the next line's start, or -1. */
  private entryLine(f: number, o: number, q: number): number {
    const u = this.u;
    const S = this.si;
    let i = f;
    const index = this.rdU(i, i + 10);
    if (index < 0 || this.rEnd - i > 9) return -1;
    S[o + S_INDEX] = index;
    i = this.rEnd;
    S[o + S_RINDEX] = NULL32;
    if (u[i] === 60) {
      if (!(u[i + 1] === 61 && u[i + 2] === 62)) return -1; // "<=>"
      const rv = this.rdI(i + 3, i + 14);
      if (!this.rOk || rv32(rv)) return -1;
      if (rv >= 0) S[o + S_RINDEX] = rv;
      i = this.rEnd;
    }
    if (u[i] !== 32) return -1;
    while (u[i] === 32) i++;
    // Source address:port: the token up to the next space; the port after its last colon.
    const srcS = i;
    i = this.scanAddress(i, u.length);
    const colon = this.aColon;
    if (colon <= srcS || u[i] !== 32) return -1;
    const P = this.sf;
    const srcV4 = this.aV4;
    P[q + F_SRC_V4] = srcV4;
    // The text is needed only for an address that is not kept as a number.
    if (srcV4 < 0 || srcV4 === IP_OTHER) {
      S[o + S_SRC_S] = srcS;
      S[o + S_SRC_E] = colon;
    }
    const srcPort = this.rdU(colon + 1, i);
    if (srcPort < 0 || srcPort > 65535 || this.rEnd !== i) return -1;
    S[o + S_SRCPORT] = srcPort;
    i = this.skipRun(i);
    // Protocol, then "(vrf)" or "(vrf->dvrf)", then the end of the line.
    const proto = this.rdU(i, i + 10);
    if (proto < 0 || proto > MAX32) return -1;
    S[o + S_PROTO] = proto;
    i = this.rEnd;
    while (u[i] === 32) i++;
    if (u[i] !== 40) return -1;
    const vrf = this.rdU(i + 1, i + 11);
    if (vrf < 0 || vrf > MAX32) return -1;
    S[o + S_VRF] = vrf;
    i = this.rEnd;
    let dvrf = vrf;
    let translated = 0;
    if (u[i] === 45 && u[i + 1] === 62) {
      // "->"
      dvrf = this.rdU(i + 2, i + 12);
      if (dvrf < 0 || dvrf > MAX32) return -1;
      translated = 1;
      i = this.rEnd;
    }
    S[o + S_DVRF] = dvrf;
    S[o + S_BITS] = translated;
    if (u[i] !== 41) return -1;
    i++;
    while (u[i] === 32) i++;
    if (u[i] !== 10) return -1;
    return i + 1;
  }

  /** `                         dst:port` up to its line break; the block's first byte, or -1. */
  private destinationLine(i: number, o: number, q: number): number {
    const S = this.si;
    const u = this.u;
    const n = u.length;
    i = this.skipRun(i);
    const d0 = i;
    i = this.scanAddress(i, n);
    const dcolon = this.aColon;
    if (dcolon <= d0 || u[d0] === 40 || i >= n) return -1;
    const P = this.sf;
    const dstV4 = this.aV4;
    P[q + F_DST_V4] = dstV4;
    if (dstV4 < 0 || dstV4 === IP_OTHER) {
      S[o + S_DST_S] = d0;
      S[o + S_DST_E] = dcolon;
    }
    const dstPort = this.rdU(dcolon + 1, i);
    if (dstPort < 0 || dstPort > 65535 || this.rEnd !== i) return -1;
    S[o + S_DSTPORT] = dstPort;
    while (u[i] === 32) i++;
    if (u[i] !== 10) return -1;
    i++;
    while (u[i] === 32) i++;
    return i;
  }

  /**
   * The attribute block's start: `(Gen: n, K(nh):n, Action:x, Flags:x, ` (then {@link blockMid}).
   * Literals are compared a word at a time (little-endian; the comment on each line spells it out).
   */
  private blockHead(i: number, o: number, q: number): number {
    const u = this.u;
    const dv = this.dv;
    const n = u.length;
    const S = this.si;
    if (!(i + 6 <= n && dv.getUint32(i, true) === 0x6e654728 && dv.getUint16(i + 4, true) === 0x203a)) return -1; // "(Gen: "
    const gen = this.rdU(i + 6, i + 17);
    if (gen < 0 || gen > MAX32) return -1;
    S[o + S_GEN] = gen;
    i = this.rEnd;
    if (!(i + 8 <= n && dv.getUint32(i, true) === 0x284b202c && dv.getUint32(i + 4, true) === 0x3a29686e)) return -1; // ", K(nh):"
    const keyNh = this.rdU(i + 8, i + 20);
    if (keyNh < 0 || keyNh > MAX32) return -1;
    S[o + S_KEYNH] = keyNh;
    i = this.rEnd;
    if (!(i + 9 <= n && dv.getUint32(i, true) === 0x6341202c && dv.getUint32(i + 4, true) === 0x6e6f6974 && u[i + 8] === 58)) return -1; // ", Action:"
    i += 9;
    let e = this.valEnd(i, i + 64);
    if (e <= i || u[e] !== 44) return -1;
    const P = this.sf;
    S[o + S_ACT_S] = i;
    S[o + S_ACT_E] = e;
    S[o + S_ACT_H] = this.vHash;
    if (!(e + 8 <= n && dv.getUint32(e, true) === 0x6c46202c && dv.getUint32(e + 4, true) === 0x3a736761)) return -1; // ", Flags:"
    i = e + 8;
    e = this.valEnd(i, i + 16);
    if (e < i || u[e] !== 44 || u[e + 1] !== 32) return -1;
    S[o + S_FL_S] = i;
    S[o + S_FL_E] = e;
    S[o + S_FL_H] = this.vHash;
    return e + 2;
  }

  /** The block's `[TCP:x, ][E:n, ]QOS:n, S(nh):n`. */
  private blockMid(i: number, o: number, q: number): number {
    const u = this.u;
    const dv = this.dv;
    const n = u.length;
    const S = this.si;
    let e = i;
    const P = this.sf;
    S[o + S_TCP_S] = -1;
    if (i + 4 <= n && dv.getUint32(i, true) === 0x3a504354) {
      // "TCP:"
      i += 4;
      e = this.valEnd(i, i + 24);
      if (e < i || u[e] !== 44 || u[e + 1] !== 32) return -1;
      S[o + S_TCP_S] = i;
      S[o + S_TCP_E] = e;
      S[o + S_TCP_H] = this.vHash;
      i = e + 2;
    }
    S[o + S_ECMP] = NULL32;
    if (u[i] === 69 && u[i + 1] === 58) {
      // "E:"
      const ecmp = this.rdI(i + 2, i + 14);
      if (!this.rOk || rv32(ecmp)) return -1;
      S[o + S_ECMP] = ecmp;
      i = this.rEnd;
      if (u[i] !== 44 || u[i + 1] !== 32) return -1;
      i += 2;
    }
    if (!(i + 4 <= n && dv.getUint32(i, true) === 0x3a534f51)) return -1; // "QOS:"
    const qos = this.rdI(i + 4, i + 16);
    if (!this.rOk || rv32(qos)) return -1;
    S[o + S_QOS] = qos;
    i = this.rEnd;
    if (!(i + 8 <= n && dv.getUint32(i, true) === 0x2853202c && dv.getUint32(i + 4, true) === 0x3a29686e)) return -1; // ", S(nh):"
    const rpfNh = this.rdU(i + 8, i + 20);
    if (rpfNh < 0 || rpfNh > MAX32) return -1;
    S[o + S_RPFNH] = rpfNh;
    return this.rEnd;
  }

  /** `, Stats:a/b, SPort n` (a line break is allowed after any comma from here on). */
  private blockStats(i: number, o: number, q: number): number {
    const S = this.si;
    const u = this.u;
    const dv = this.dv;
    const n = u.length;
    i = this.fieldSep(i);
    if (i < 0) return -1;
    if (!(i + 6 <= n && dv.getUint32(i, true) === 0x74617453 && dv.getUint16(i + 4, true) === 0x3a73)) return -1; // "Stats:"
    const packets = this.rdU(i + 6, i + 24);
    if (packets < 0 || u[this.rEnd] !== 47) return -1;
    const bytes = this.rdU(this.rEnd + 1, this.rEnd + 24);
    if (bytes < 0) return -1;
    this.sf[q + F_PACKETS] = packets;
    this.sf[q + F_BYTES] = bytes;
    i = this.fieldSep(this.rEnd);
    if (i < 0) return -1;
    if (!(i + 6 <= n && dv.getUint32(i, true) === 0x726f5053 && dv.getUint16(i + 4, true) === 0x2074)) return -1; // "SPort "
    const sport = this.rdI(i + 6, i + 18);
    if (!this.rOk || rv32(sport)) return -1;
    S[o + S_SPORT] = sport;
    return this.rEnd;
  }

  /** `, TTL n, Sinfo ip)`, blanks to the line break; the next line's start, or -1 (also before `Oflow entries:`). */
  private blockEnd(i: number, o: number, q: number): number {
    const S = this.si;
    const u = this.u;
    const dv = this.dv;
    const n = u.length;
    i = this.fieldSep(i);
    if (i < 0) return -1;
    if (!(i + 4 <= n && dv.getUint32(i, true) === 0x204c5454)) return -1; // "TTL "
    const ttl = this.rdI(i + 4, i + 16);
    if (!this.rOk || rv32(ttl)) return -1;
    S[o + S_TTL] = ttl;
    i = this.fieldSep(this.rEnd);
    if (i < 0) return -1;
    if (!(i + 6 <= n && dv.getUint32(i, true) === 0x666e6953 && dv.getUint16(i + 4, true) === 0x206f)) return -1; // "Sinfo "
    i += 6;
    let e = readV4(u, i, this.v4);
    const P = this.sf;
    if (e >= 0 && u[e] === 41) P[q + F_SIN_V4] = this.v4.value;
    else {
      e = i;
      for (;;) {
        const c = u[e];
        if ((c >= 48 && c <= 57) || c === 46 || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 58) e++;
        else break;
      }
      if (e === i || u[e] !== 41) return -1;
      P[q + F_SIN_V4] = ip4(u, i, e, this.v4);
    }
    S[o + S_SIN_S] = i;
    S[o + S_SIN_E] = e;
    // The rest of the line blank (tabs included, as the line scanner allows), then the line break.
    let k = e + 1;
    for (; k < n; k++) {
      const c = u[k];
      if (c === 10) break;
      if (c !== 32 && c !== 9) return -1;
    }
    const next = k + 1;
    // An "Oflow entries:" line after the block belongs to the entry: leave such entries to the line scanner.
    let p = next;
    while (p < n && (u[p] === 32 || u[p] === 9)) p++;
    if (p < n && u[p] === 79) return -1;
    return next;
  }

  /** True when the entry at float slot `q` is IPv6 (only IPv6 addresses have a colon: the port's was split off). */
  private isInet6(o: number, q: number): boolean {
    const P = this.sf;
    const S = this.si;
    return (P[q + F_SRC_V4] < 0 && hasColon(this.u, S[o + S_SRC_S], S[o + S_SRC_E])) || (P[q + F_DST_V4] < 0 && hasColon(this.u, S[o + S_DST_S], S[o + S_DST_E]));
  }
}

export { IP_OTHER };
