/**
 * Fills a frame table row by row. {@link FrameTableBuilder} writes one row per frame straight into
 * typed-array columns (no per-frame object), IPv4 addresses and other repeated values through
 * dictionaries whose strings are made once per distinct value. Rows go into one block reserved from
 * the capture's size when it is known (handed over as column views without a copy), else into
 * fixed-size blocks joined once by `finish()` (layout in `columns.ts`). A row comes from a
 * `DecodeContext` ({@link FrameTableBuilder.append}) or from the fast decoder's `FastFrame`
 * ({@link FrameTableBuilder.appendFast}); `appendFrame` (what `readCapture` uses) picks the way.
 *
 * @module
 */
import type { DecodeContext } from "../context";
import { decodeInto, outerDscp, outerTtl, problemText } from "../decode";
import { decodeFast, FastFrame } from "../decode-fast";
import type { CaptureFormatError } from "../errors";
import * as ids from "../layer-ids";
import { LAYER_NAMES } from "../layer-ids";
import { linkTypeName } from "../link-types";
import {
  CHUNK, type Chunk, FRAME_COLUMNS, type FrameColumnName, type FrameColumns, HALF, MAX_CHUNK, type NumArray, type NumCtor,
  ROW_BYTES, SECTION, sectionOffset, WIDE,
} from "./columns";
import { AddressDict, ByteDict, type FrameDicts, KeyedDict, keySlot, labelKey } from "./dicts";
import { FrameTable } from "./frame-table";

// module-level copies of the constants: the JIT folds these, not imported ones (see the README)
const { FLAG_MALFORMED, FLAG_TRUNCATED, P_LINKTYPE, TUNNEL_NONE } = ids;

// section numbers as module-level constants for the append loop
const {
  no: S_NO, sec: S_SEC, nsec: S_NSEC, caplen: S_CAPLEN, len: S_LEN, linkType: S_LINKTYPE, protocols: S_PROTOCOLS,
  tunnel: S_TUNNEL, vlan: S_VLAN, outerSrc: S_OUTERSRC, outerDst: S_OUTERDST, src: S_SRC, dst: S_DST,
  mplsLabels: S_MPLSLABELS, vni: S_VNI, ipProto: S_IPPROTO, srcPort: S_SRCPORT, dstPort: S_DSTPORT,
  tcpFlags: S_TCPFLAGS, seq: S_SEQ, ack: S_ACK, payloadLen: S_PAYLOADLEN, httpMethod: S_HTTPMETHOD,
  httpPath: S_HTTPPATH, httpHost: S_HTTPHOST, httpStatus: S_HTTPSTATUS, flags: S_FLAGS, tunnelSrcPort: S_TUNSRCPORT,
  tunnelDstPort: S_TUNDSTPORT, greFlags: S_GREFLAGS, greKey: S_GREKEY, outerTtl: S_OUTERTTL, outerDscp: S_OUTERDSCP,
} = SECTION;

/** Sections of outerSrc, outerDst, src, dst. */
const ADDRESS_SECTIONS = Int32Array.of(SECTION.outerSrc, SECTION.outerDst, SECTION.src, SECTION.dst);

/**
 * `eth:ip:gre:mpls:ip:tcp` for the first `n` layer ids.
 * @example stackText(Uint8Array.of(1, 6, 12), 3) // "eth:ip:tcp"
 */
export function stackText(layers: Uint8Array, n: number): string {
  const names: string[] = [];
  for (let j = 0; j < n; j++) names.push(LAYER_NAMES[layers[j]!]!);
  return names.join(":");
}

/**
 * Appends decoded frames as rows.
 * @example
 * const b = new FrameTableBuilder();
 * decodeInto(ctx, buf, off, end, linkType);
 * b.append(ctx, 1, sec, nsec, origLen, linkType);
 * const table = b.finish();
 */
export class FrameTableBuilder {
  private rows = 0;
  /** Next row in the current chunk, and the chunk's capacity (0 before the first). */
  private i = 0;
  private cap = 0;
  private readonly chunks: Chunk[] = [];
  private readonly problems = new Map<number, string>();
  /** Frames per link type that is not decoded (one warning each in the table). */
  private readonly undecodedLinkTypes = new Map<number, number>();
  private readonly addresses = new AddressDict();
  private readonly protocols = new KeyedDict();
  private readonly labelStacks = new KeyedDict();
  private readonly labelStackValues: number[][] = [[]];
  private readonly strings = new ByteDict();
  private readonly fast = new FastFrame();
  private readonly scratchLabels = new Int32Array(2);

  // the current chunk through three views: 4-byte columns from w32[0], 2-byte from w16[b16], bytes from w8[b8]
  private w32 = new Uint32Array(0);
  private w16 = new Uint16Array(0);
  private w8 = new Uint8Array(0);
  private b16 = 0;
  private b8 = 0;

  /** Rows appended so far. */
  get length(): number {
    return this.rows;
  }

  private newChunk(cap: number): void {
    if (this.cap > 0) this.chunks[this.chunks.length - 1]!.used = this.i;
    // whole 4-byte words: the Uint32 view covers the buffer, and ROW_BYTES need not be a multiple of 4
    const buffer = new ArrayBuffer((cap * ROW_BYTES + 3) & ~3);
    this.chunks.push({ buffer, cap, used: 0 });
    this.w32 = new Uint32Array(buffer);
    this.w16 = new Uint16Array(buffer);
    this.w8 = new Uint8Array(buffer);
    this.b16 = 2 * WIDE * cap;
    this.b8 = (4 * WIDE + 2 * HALF) * cap;
    this.i = 0;
    this.cap = cap;
  }

  /**
   * Reserves room for about `rows` frames in one block, so that `finish()` can hand the block over
   * without copying when the estimate holds. Only effective before the first append.
   * @example builder.reserve(1_000_000);
   */
  reserve(rows: number): void {
    if (this.rows === 0 && this.cap === 0 && rows > CHUNK) this.newChunk(Math.min(Math.ceil(rows), MAX_CHUNK));
  }

  private ipCode(ctx: DecodeContext, n: number, dst: boolean): number {
    const o = ctx.ipOff[n]!;
    if (ctx.ipVer[n] === 4) return this.addresses.ipv4(ctx.data, o + (dst ? 16 : 12));
    return this.addresses.ipv6(ctx.data, o + (dst ? 24 : 8));
  }

  private stackCode(layers: Uint8Array, lc: number): number {
    // ≤ 10 layer ids (1..31) packed 5 bits each in an exact number (the fast path builds the same key
    // as it goes), other stacks by text
    if (lc <= 10) {
      let k = 0, wide = 0;
      for (let j = 0; j < lc; j++) {
        const l = layers[j]!;
        k = k * 32 + l;
        wide |= l & ~31;
      }
      if (wide === 0) {
        const code = this.protocols.get(k);
        return code >= 0 ? code : this.protocols.add(k, stackText(layers, lc));
      }
    }
    const key = Array.from(layers.subarray(0, lc)).join(",");
    const code = this.protocols.getText(key);
    return code >= 0 ? code : this.protocols.add(key, stackText(layers, lc));
  }

  private labelCode(labels: Int32Array, n: number): number {
    // one or two labels (20 bits each) as an exact number, deeper stacks by text
    if (n <= 2) {
      const key = labelKey(labels[0]!, n === 1 ? -1 : labels[1]!);
      const code = this.labelStacks.get(key);
      return code >= 0 ? code : this.addLabelStack(key, labels, n);
    }
    const key = Array.from(labels.subarray(0, n)).join(",");
    const code = this.labelStacks.getText(key);
    return code >= 0 ? code : this.addLabelStack(key, labels, n);
  }

  private addLabelStack(key: number | string, labels: Int32Array, n: number): number {
    const stack = Array.from(labels.subarray(0, n));
    this.labelStackValues.push(stack);
    return this.labelStacks.add(key, stack.join(","));
  }

  /**
   * Appends the frame decoded in `ctx` as a row.
   * @example b.append(ctx, frameNo, tsSec, tsNsec, origLen, linkType);
   */
  append(ctx: DecodeContext, no: number, sec: number, nsec: number, origLen: number, linkType: number): void {
    if (this.i === this.cap) this.newChunk(CHUNK);
    const i = this.i++;
    const row = this.rows++;
    const d = ctx.data;
    const c = this.cap;
    const w32 = this.w32, w16 = this.w16, w8 = this.w8;
    const i16 = this.b16 + i, i8 = this.b8 + i;
    w32[S_NO * c + i] = no;
    w32[S_SEC * c + i] = sec;
    w32[S_NSEC * c + i] = nsec;
    w32[S_CAPLEN * c + i] = ctx.frameEnd - ctx.start;
    w32[S_LEN * c + i] = origLen;
    w16[S_LINKTYPE * c + i16] = linkType;
    w32[S_PROTOCOLS * c + i] = this.stackCode(ctx.layers, ctx.layerCount);

    const tunnel = ctx.tunnel;
    w8[S_TUNNEL * c + i8] = tunnel;
    w16[S_VLAN * c + i16] = ctx.vlanId;
    const ipc = ctx.ipCount;
    const addr = this.addresses;
    let outerSrc = 0, outerDst = 0, src = 0, dst = 0;
    if (tunnel !== TUNNEL_NONE && ipc > 0) {
      outerSrc = this.ipCode(ctx, 0, false);
      outerDst = this.ipCode(ctx, 0, true);
      w8[S_OUTERTTL * c + i8] = outerTtl(ctx);
      // zero values are not written: a fresh chunk is zero-filled, and a page never written costs no memory
      const dscp = outerDscp(ctx);
      if (dscp !== 0) w8[S_OUTERDSCP * c + i8] = dscp;
    }
    if (tunnel !== TUNNEL_NONE && ipc <= ctx.tunnelIpCount) {
      // tunnel without inner IP: the inner MACs when there are any
      if (ctx.ethCount > 1) {
        const e = ctx.ethOff[Math.min(ctx.ethCount, 4) - 1]!;
        dst = addr.mac(d, e);
        src = addr.mac(d, e + 6);
      }
    } else if (ipc > 0) {
      src = this.ipCode(ctx, ipc - 1, false);
      dst = this.ipCode(ctx, ipc - 1, true);
    } else if (ctx.ethCount > 0) {
      const e = ctx.ethOff[0]!;
      dst = addr.mac(d, e);
      src = addr.mac(d, e + 6);
    }
    w32[S_OUTERSRC * c + i] = outerSrc;
    w32[S_OUTERDST * c + i] = outerDst;
    w32[S_SRC * c + i] = src;
    w32[S_DST * c + i] = dst;

    const nl = ctx.labelCount;
    w32[S_MPLSLABELS * c + i] = nl === 0 ? 0 : this.labelCode(ctx.labels, nl);
    w32[S_VNI * c + i] = ctx.vni;
    if (ctx.tunnelDstPort >= 0) {
      w16[S_TUNSRCPORT * c + i16] = ctx.tunnelSrcPort;
      w16[S_TUNDSTPORT * c + i16] = ctx.tunnelDstPort;
    }
    if (ctx.greFlags > 0) {
      w16[S_GREFLAGS * c + i16] = ctx.greFlags;
      if ((ctx.greFlags & 0x2000) !== 0) w32[S_GREKEY * c + i] = ctx.greKey;
    }

    if (ctx.transportProto !== 0 && ctx.transportIp === ipc) {
      w8[S_IPPROTO * c + i8] = ctx.transportProto;
      w16[S_SRCPORT * c + i16] = ctx.srcPort < 0 ? 0 : ctx.srcPort;
      w16[S_DSTPORT * c + i16] = ctx.dstPort < 0 ? 0 : ctx.dstPort;
      w16[S_TCPFLAGS * c + i16] = ctx.tcpFlags;
      w32[S_SEQ * c + i] = ctx.seq;
      w32[S_ACK * c + i] = ctx.ack;
      w32[S_PAYLOADLEN * c + i] = ctx.payloadLen;
    } else {
      // a new chunk is zero-filled: only the non-zero "absent" value needs writing
      w32[S_PAYLOADLEN * c + i] = -1;
    }

    const hk = ctx.httpKind;
    if (hk !== 0) {
      w8[S_HTTPMETHOD * c + i8] = ctx.httpMethod;
      w16[S_HTTPSTATUS * c + i16] = ctx.httpStatus;
      if (hk === 1) w32[S_HTTPPATH * c + i] = this.strings.intern(d, ctx.httpPathOff, ctx.httpPathLen);
      if (ctx.httpHostLen > 0) w32[S_HTTPHOST * c + i] = this.strings.intern(d, ctx.httpHostOff, ctx.httpHostLen);
    }
    const flags = ctx.flags;
    w8[S_FLAGS * c + i8] = flags;
    if ((flags & (FLAG_TRUNCATED | FLAG_MALFORMED)) !== 0) this.problems.set(row, problemText(ctx));
    else if (ctx.problem === P_LINKTYPE) this.undecodedLinkTypes.set(linkType, (this.undecodedLinkTypes.get(linkType) ?? 0) + 1);
  }

  /**
   * Decodes the frame `data[off..end)` and appends it as a row: {@link decodeFast} then
   * {@link appendFast} for the common clean frames, else {@link decodeInto} then {@link append}.
   * `ctx` is scratch here: afterwards it need not describe the frame.
   * @example
   * const ctx = createDecodeContext();
   * b.appendFrame(ctx, buf, off, off + caplen, linkType, frameNo, tsSec, tsNsec, origLen);
   */
  appendFrame(
    ctx: DecodeContext, data: Uint8Array, off: number, end: number, linkType: number, no: number, sec: number,
    nsec: number, origLen: number,
  ): void {
    const f = this.fast;
    if (decodeFast(ctx, f, data, off, end, linkType)) {
      this.appendFast(f, data, off, end, no, sec, nsec, origLen, linkType);
      return;
    }
    decodeInto(ctx, data, off, end, linkType);
    this.append(ctx, no, sec, nsec, origLen, linkType);
  }

  /**
   * Appends the frame {@link decodeFast} decoded into `f` as a row: exactly the row {@link append}
   * writes from a `DecodeContext` of the same frame, with the dictionary caches probed inline.
   * `d[off..frameEnd)` are the frame's bytes (the offsets in `f` point into `d`).
   * @example if (decodeFast(ctx, f, d, off, end, linkType)) b.appendFast(f, d, off, end, no, sec, nsec, origLen, linkType);
   */
  appendFast(
    f: FastFrame, d: Uint8Array, off: number, frameEnd: number, no: number, sec: number, nsec: number, origLen: number,
    linkType: number,
  ): void {
    // every field into a local before the first call (a call makes the JIT check f's shape again)
    const {
      layerCount: lc, stackKey, tunnel, ipCount: ipc, labelCount: nl, vlanId, tunnelIpCount, ip0, ipLast, ethCount, eth0,
      ethLast, label0, label1, vni, proto, protoIp, srcPort, dstPort, tcpFlags, seq, ack, payloadLen, httpKind,
      tunSrcPort, tunDstPort, greFlags, greKey,
    } = f;
    if (this.i === this.cap) this.newChunk(CHUNK);
    const i = this.i++;
    this.rows++;
    const c = this.cap;
    const w32 = this.w32, w16 = this.w16, w8 = this.w8;
    const i16 = this.b16 + i, i8 = this.b8 + i;
    w32[S_NO * c + i] = no;
    w32[S_SEC * c + i] = sec;
    w32[S_NSEC * c + i] = nsec;
    w32[S_CAPLEN * c + i] = frameEnd - off;
    w32[S_LEN * c + i] = origLen;
    w16[S_LINKTYPE * c + i16] = linkType;
    let code: number;
    if (lc <= 10) {
      const pd = this.protocols;
      const slot = keySlot(stackKey);
      code = pd.cacheKey[slot] === stackKey ? pd.cacheCode[slot]! : this.stackCode(f.layers, lc);
    } else {
      code = this.stackCode(f.layers, lc);
    }
    w32[S_PROTOCOLS * c + i] = code;
    w8[S_TUNNEL * c + i8] = tunnel;
    w16[S_VLAN * c + i16] = vlanId;
    // addresses k = 0..3: outer src, outer dst (when tunnelled), then the innermost IP's src, dst
    const addr = this.addresses;
    const innerMacs = tunnel !== TUNNEL_NONE && ipc <= tunnelIpCount;
    const to = !innerMacs && ipc > 0 ? 4 : 2;
    for (let k = tunnel !== TUNNEL_NONE && ipc > 0 ? 0 : 2; k < to; k++) {
      const p = (k < 2 ? ip0 : ipLast) + 12 + ((k & 1) << 2);
      const a = (d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!;
      const slot = Math.imul(a, 0x9e3779b1) >>> 22;
      code = addr.cacheCode[slot]!;
      if (code === 0 || addr.cacheKey[slot] !== a) code = addr.ipv4Miss(d, p, a, slot);
      w32[ADDRESS_SECTIONS[k]! * c + i] = code;
    }
    if (tunnel !== TUNNEL_NONE && ipc > 0) {
      // the fast path's IP headers are IPv4
      w8[S_OUTERTTL * c + i8] = d[ip0 + 8]!;
      const dscp = d[ip0 + 1]! >> 2;
      if (dscp !== 0) w8[S_OUTERDSCP * c + i8] = dscp;
    }
    if (innerMacs) {
      if (ethCount > 1) {
        w32[S_DST * c + i] = addr.mac(d, ethLast);
        w32[S_SRC * c + i] = addr.mac(d, ethLast + 6);
      }
    } else if (ipc === 0 && ethCount > 0) {
      w32[S_DST * c + i] = addr.mac(d, eth0);
      w32[S_SRC * c + i] = addr.mac(d, eth0 + 6);
    }
    if (nl !== 0) {
      const key = labelKey(label0, nl === 1 ? -1 : label1);
      const ld = this.labelStacks;
      const slot = keySlot(key);
      if (ld.cacheKey[slot] === key) {
        code = ld.cacheCode[slot]!;
      } else {
        const labels = this.scratchLabels;
        labels[0] = label0;
        labels[1] = label1;
        code = this.labelCode(labels, nl);
      }
      w32[S_MPLSLABELS * c + i] = code;
    }
    w32[S_VNI * c + i] = vni;
    if (tunDstPort >= 0) {
      w16[S_TUNSRCPORT * c + i16] = tunSrcPort;
      w16[S_TUNDSTPORT * c + i16] = tunDstPort;
    }
    if (greFlags > 0) {
      w16[S_GREFLAGS * c + i16] = greFlags;
      if ((greFlags & 0x2000) !== 0) w32[S_GREKEY * c + i] = greKey;
    }
    if (proto !== 0 && protoIp === ipc) {
      w8[S_IPPROTO * c + i8] = proto;
      w16[S_SRCPORT * c + i16] = srcPort;
      w16[S_DSTPORT * c + i16] = dstPort;
      w16[S_TCPFLAGS * c + i16] = tcpFlags;
      w32[S_SEQ * c + i] = seq;
      w32[S_ACK * c + i] = ack;
      w32[S_PAYLOADLEN * c + i] = payloadLen;
    } else {
      w32[S_PAYLOADLEN * c + i] = -1;
    }
    if (httpKind !== 0) {
      w8[S_HTTPMETHOD * c + i8] = f.httpMethod;
      w16[S_HTTPSTATUS * c + i16] = f.httpStatus;
      if (httpKind === 1) w32[S_HTTPPATH * c + i] = this.strings.intern(d, f.httpPathOff, f.httpPathLen);
      if (f.httpHostLen > 0) w32[S_HTTPHOST * c + i] = this.strings.intern(d, f.httpHostOff, f.httpHostLen);
    }
  }

  /**
   * Hands the rows over as exact-length columns: views of the chunk when there is one (a reserved
   * block), else copies made chunk by chunk, each chunk let go once copied (to bound memory).
   * @example const table = builder.finish();
   */
  finish(error?: CaptureFormatError): FrameTable {
    const n = this.rows;
    if (this.cap > 0) this.chunks[this.chunks.length - 1]!.used = this.i;
    const names = Object.keys(FRAME_COLUMNS) as FrameColumnName[];
    const cols: Partial<Record<FrameColumnName, NumArray>> = {};
    const view = (name: FrameColumnName, ch: Chunk, rows: number): NumArray => {
      const Ctor = FRAME_COLUMNS[name] as unknown as new (b: ArrayBuffer, o: number, n: number) => NumArray;
      return new Ctor(ch.buffer, sectionOffset(name, ch.cap), rows);
    };
    if (this.chunks.length === 1) {
      for (const name of names) cols[name] = view(name, this.chunks[0]!, n);
    } else {
      for (const name of names) cols[name] = new (FRAME_COLUMNS[name] as NumCtor)(n);
      let at = 0;
      for (let k = 0; k < this.chunks.length; k++) {
        const ch = this.chunks[k]!;
        for (const name of names) cols[name]!.set(view(name, ch, ch.used) as never, at);
        at += ch.used;
        this.chunks[k] = undefined as never; // let the chunk go
      }
    }
    this.chunks.length = 0;
    this.i = 0;
    this.cap = 0;
    const dicts: FrameDicts = {
      addresses: this.addresses.values,
      protocols: this.protocols.values,
      labelStacks: this.labelStacks.values,
      labelStackValues: this.labelStackValues,
      strings: this.strings.values,
    };
    const warnings: string[] = [];
    for (const [linkType, frames] of this.undecodedLinkTypes) {
      warnings.push(`link type ${linkType} (${linkTypeName(linkType)}) is not decoded: ${frames} frame${frames === 1 ? "" : "s"} kept without layers`);
    }
    return new FrameTable(cols as FrameColumns, dicts, this.problems, error, warnings);
  }
}
