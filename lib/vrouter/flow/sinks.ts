/**
 * Where the one `flow` reader ({@link FlowReader}) puts entries: {@link RowSink} makes {@link FlowEntry}
 * objects (`parseFlow`, `parseFlowStream`), {@link ColumnSink} fills {@link FlowColumns}
 * (`parseFlowColumns`). Both receive the same entries from the same reader: an entry the byte scanner
 * read (numbers in the sink's stage, strings as byte ranges), or a row the line scanner made.
 */
import type { FlowEntry } from "../types";
import {
  type EntryScanner,
  IP_OTHER,
  SF,
  SI,
  S_BITS,
  S_CODES,
  S_DSTPORT,
  S_DUMP,
  S_DVRF,
  S_ECMP,
  S_GEN,
  S_INDEX,
  S_KEYNH,
  S_LINE,
  S_PROTO,
  S_QOS,
  S_RINDEX,
  S_RPFNH,
  S_SPORT,
  S_SRCPORT,
  S_TTL,
  S_VRF,
} from "./bytes";
import { NULL32 as NULL32_ } from "./column-kinds";
import type { FlowColumns } from "./columns";
import { BytesInterner, V4Strings } from "./intern";
import { type Attrs, type FlowKey, freshAttrs, makeFlowRow } from "./row";

const NULL32 = NULL32_;
const IP_OTHER_ = IP_OTHER;

/** What the reader needs of a sink. */
export interface FlowSink {
  /** The Int32 stage the byte scanner writes an entry's numbers into ({@link SI} per slot). */
  readonly si: Int32Array;
  /** The Float64 stage (packets, bytes: {@link SF} per slot). */
  readonly sf: Float64Array;
  /** The stage slot for the next entry the byte scanner reads. */
  slot(): number;
  /** Keeps the entry the byte scanner just read into `slot` of the text `u`, in table dump `dump`. */
  fast(sc: EntryScanner, u: Uint8Array, slot: number, dump: number): void;
  /** Keeps a row the line scanner made. */
  row(r: FlowEntry): void;
  /** Called before the line scanner reads: its rows must come after the entries kept so far. */
  flush(): void;
}

/**
 * Entries as {@link FlowEntry} rows: kept, or handed to `onEntry` (streaming) and dropped.
 *
 * @example
 * const sink = new RowSink(); new FlowReader(sink).feed(Buffer.from(text)); sink.rows.length
 */
export class RowSink implements FlowSink {
  readonly si = new Int32Array(SI);
  readonly sf = new Float64Array(SF);
  readonly rows: FlowEntry[] = [];
  private readonly key: FlowKey = {
    source: "list",
    line: 0,
    dump: 0,
    index: 0,
    rindex: null,
    srcIp: "",
    srcPort: 0,
    dstIp: "",
    dstPort: 0,
    proto: 0,
    vrf: 0,
    dvrf: 0,
    vrfTranslated: false,
    family: "inet",
  };
  private readonly a: Attrs = freshAttrs();
  private readonly words: BytesInterner;
  private readonly texts: BytesInterner;
  private readonly v4: V4Strings;

  /**
   * @param onEntry when given, rows go there and are not kept
   * @param sizeHint the input's size in bytes, when known: the string caches are sized by it (a small
   *   paste does not pay for tables made for a million entries)
   */
  constructor(
    private readonly onEntry?: (row: FlowEntry) => void,
    sizeHint = 1 << 22,
  ) {
    // About one cache slot per 64 bytes of input, between 2^6 and 2^14.
    const bits = Math.max(6, Math.min(14, Math.ceil(Math.log2(Math.max(1, sizeHint) / 64))));
    this.words = new BytesInterner(Math.min(bits, 10), 32);
    this.texts = new BytesInterner(Math.min(bits, 12), 48);
    this.v4 = new V4Strings(bits);
  }

  slot(): number {
    return 0;
  }

  fast(sc: EntryScanner, u: Uint8Array, slot: number, dump: number): void {
    const S = this.si;
    const o = slot * SI;
    const q = slot * SF;
    const k = this.key;
    k.line = S[o + S_LINE];
    k.dump = dump;
    k.index = S[o + S_INDEX];
    const ri = S[o + S_RINDEX];
    k.rindex = ri === NULL32 ? null : ri;
    k.srcIp = this.ip(u, sc.srcS, sc.srcE, sc.srcV4);
    k.srcPort = S[o + S_SRCPORT];
    k.dstIp = this.ip(u, sc.dstS, sc.dstE, sc.dstV4);
    k.dstPort = S[o + S_DSTPORT];
    k.proto = S[o + S_PROTO];
    k.vrf = S[o + S_VRF];
    k.dvrf = S[o + S_DVRF];
    k.vrfTranslated = (S[o + S_BITS] & 1) !== 0;
    k.family = sc.isInet6() ? "inet6" : "inet";
    const a = this.a;
    a.gen = S[o + S_GEN];
    a.keyNh = S[o + S_KEYNH];
    a.action = this.words.get(u, sc.actS, sc.actE, sc.actH);
    a.flowFlags = this.words.get(u, sc.flS, sc.flE, sc.flH);
    a.tcpFlags = sc.tcpS >= 0 ? this.words.get(u, sc.tcpS, sc.tcpE, sc.tcpH) : null;
    const ecmp = S[o + S_ECMP];
    a.ecmpIndex = ecmp === NULL32 ? null : ecmp;
    a.qos = S[o + S_QOS];
    a.rpfNh = S[o + S_RPFNH];
    a.packets = this.sf[q];
    a.bytes = this.sf[q + 1];
    a.udpSrcPort = S[o + S_SPORT];
    a.ttl = S[o + S_TTL];
    a.sinfo = this.ip(u, sc.sinS, sc.sinE, sc.sinV4);
    this.row(makeFlowRow(k, a, null));
  }

  private ip(u: Uint8Array, s: number, e: number, v4: number): string {
    return v4 >= 0 && v4 !== IP_OTHER_ ? this.v4.get(v4) : this.texts.get(u, s, e);
  }

  row(r: FlowEntry): void {
    if (this.onEntry !== undefined) this.onEntry(r);
    else this.rows.push(r);
  }

  flush(): void {}
}

/** Staged rows per block; Uint32 (address) fields per staged row. */
const STAGE_ROWS = 512;
const SW = 3;

/**
 * Entries into {@link FlowColumns}. The byte scanner's entries are staged row-major and written to the
 * columns a block at a time (writing one row to two small blocks and then each column in one sequential
 * pass is much cheaper than 25 scattered column writes per entry); strings become dictionary codes,
 * addresses uint32 (or the columns' side maps), straight from the bytes.
 *
 * @example
 * const sink = new ColumnSink(new FlowColumns()); new FlowReader(sink).feed(Buffer.from(text)); sink.cols.length
 */
export class ColumnSink implements FlowSink {
  readonly si = new Int32Array(STAGE_ROWS * SI);
  readonly sf = new Float64Array(STAGE_ROWS * SF);
  private readonly sw = new Uint32Array(STAGE_ROWS * SW);
  private staged = 0;
  private stageRow0 = 0;

  constructor(readonly cols: FlowColumns) {}

  slot(): number {
    if (this.staged === STAGE_ROWS) this.flush();
    return this.staged;
  }

  /**
   * Accepts the scanned entry into its stage slot: strings to dictionary codes, addresses that are not
   * IPv4 to the columns' side maps. Mirror, underlay ECMP, HBS, Oflow and extra stay null.
   */
  fast(sc: EntryScanner, u: Uint8Array, slot: number, dump: number): void {
    const c = this.cols;
    if (slot === 0) this.stageRow0 = c.length;
    this.staged = slot + 1;
    c.addRow();
    const S = this.si;
    const o = slot * SI;
    S[o + S_DUMP] = dump;
    S[o + S_CODES] = c.action.dict.codeOfBytes(u, sc.actS, sc.actE, sc.actH);
    S[o + S_CODES + 1] = c.flowFlags.dict.codeOfBytes(u, sc.flS, sc.flE, sc.flH);
    S[o + S_CODES + 2] = sc.tcpS >= 0 ? c.tcpFlags.dict.codeOfBytes(u, sc.tcpS, sc.tcpE, sc.tcpH) : -1;
    const W = this.sw;
    const w = slot * SW;
    const row = this.stageRow0 + slot;
    const srcV4 = sc.srcV4;
    const dstV4 = sc.dstV4;
    if (srcV4 >= 0 && srcV4 !== IP_OTHER_) W[w] = srcV4;
    else c.srcIp.setOtherBytes(row, u, sc.srcS, sc.srcE), (W[w] = IP_OTHER_);
    if (dstV4 >= 0 && dstV4 !== IP_OTHER_) W[w + 1] = dstV4;
    else c.dstIp.setOtherBytes(row, u, sc.dstS, sc.dstE), (W[w + 1] = IP_OTHER_);
    if (sc.sinV4 >= 0 && sc.sinV4 !== IP_OTHER_) W[w + 2] = sc.sinV4;
    else c.sinfo.setOtherBytes(row, u, sc.sinS, sc.sinE), (W[w + 2] = IP_OTHER_);
    if (sc.isInet6()) S[o + S_BITS] |= 2;
  }

  row(r: FlowEntry): void {
    this.cols.append(r);
  }

  /** Moves the staged rows into the columns. */
  flush(): void {
    const n = this.staged;
    if (n === 0) return;
    const c = this.cols;
    const r0 = this.stageRow0;
    const S = this.si;
    const F = this.sf;
    const ints = [c.line, c.dump, c.index, c.rindex, c.srcPort, c.dstPort, c.proto, c.vrf, c.dvrf, c.gen, c.keyNh, c.ecmpIndex, c.qos, c.rpfNh, c.udpSrcPort, c.ttl];
    for (let f = 0; f < ints.length; f++) ints[f].setInts(r0, S, f, SI, n);
    const codes = [c.action.codes, c.flowFlags.codes, c.tcpFlags.codes];
    for (let f = 0; f < 3; f++) {
      const a = codes[f];
      for (let k = 0; k < n; k++) a[r0 + k] = S[k * SI + S_CODES + f];
    }
    for (let k = 0; k < n; k++) {
      const bits = S[k * SI + S_BITS];
      c.vrfTranslated[r0 + k] = bits & 1;
      c.inet6[r0 + k] = bits >> 1;
    }
    c.packets.setFloats(r0, F, 0, SF, n);
    c.bytes.setFloats(r0, F, 1, SF, n);
    const W = this.sw;
    const ips = [c.srcIp.values, c.dstIp.values, c.sinfo.values];
    for (let f = 0; f < 3; f++) {
      const a = ips[f];
      for (let k = 0; k < n; k++) a[r0 + k] = W[k * SW + f];
    }
    this.staged = 0;
  }
}
