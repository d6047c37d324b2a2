/**
 * Where the one `flow` reader ({@link FlowReader}) puts entries: {@link RowSink} makes {@link FlowEntry}
 * objects (`parseFlow`, `parseFlowStream`), {@link ColumnSink} fills {@link FlowColumns}
 * (`parseFlowColumns`). Both receive the same entries from the same reader: an entry the byte scanner
 * staged (a block at a time: numbers, string byte ranges and hashes, IPv4 values), or a row the line
 * scanner made.
 */
import type { FlowEntry } from "../types";
import {
  type EntryScanner,
  S_ACT_E,
  S_ACT_S,
  F_BYTES,
  S_DST_E,
  S_DST_S,
  F_DST_V4,
  S_FL_E,
  S_FL_S,
  F_PACKETS,
  S_SIN_E,
  S_SIN_S,
  F_SIN_V4,
  S_SRC_E,
  S_SRC_S,
  F_SRC_V4,
  S_TCP_E,
  S_TCP_S,
  IP_OTHER,
  SF,
  SI,
  S_ACT_H,
  S_BITS,
  S_DSTPORT,
  S_DUMP,
  S_DVRF,
  S_ECMP,
  S_FL_H,
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
  S_TCP_H,
  S_TTL,
  S_VRF,
} from "./bytes";
import { NULL32 as NULL32_ } from "./column-kinds";
import type { IpColumn } from "./column-kinds";
import type { FlowColumns } from "./columns";
import { BytesInterner, V4Strings } from "./intern";
import { type Attrs, type FlowKey, freshAttrs, freshFlowKey, makeFlowRow } from "./row";

const NULL32 = NULL32_;
const IP_OTHER_ = IP_OTHER;

/** What the reader needs of a sink. */
export interface FlowSink {
  /**
   * Keeps the entries the byte scanner staged (`sc.count` of them, in order) from the text `u`. Called
   * once per block of entries, and before the line scanner reads (its rows come after these).
   */
  take(sc: EntryScanner, u: Uint8Array): void;
  /** Keeps a row the line scanner made. */
  row(r: FlowEntry): void;
}

/**
 * Entries as {@link FlowEntry} rows: kept, or handed to `onEntry` (streaming) and dropped.
 *
 * @example
 * const sink = new RowSink(); new FlowReader(sink).feed(Buffer.from(text)); sink.rows.length
 */
export class RowSink implements FlowSink {
  readonly rows: FlowEntry[] = [];
  private readonly key: FlowKey = freshFlowKey();
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

  take(sc: EntryScanner, u: Uint8Array): void {
    const S = sc.si;
    const P = sc.sf;
    const k = this.key;
    const a = this.a;
    for (let r = 0; r < sc.count; r++) {
      const o = r * SI;
      const q = r * SF;
      k.line = S[o + S_LINE];
      k.dump = S[o + S_DUMP];
      k.index = S[o + S_INDEX];
      const ri = S[o + S_RINDEX];
      k.rindex = ri === NULL32 ? null : ri;
      k.srcIp = this.ip(u, S[o + S_SRC_S], S[o + S_SRC_E], P[q + F_SRC_V4]);
      k.srcPort = S[o + S_SRCPORT];
      k.dstIp = this.ip(u, S[o + S_DST_S], S[o + S_DST_E], P[q + F_DST_V4]);
      k.dstPort = S[o + S_DSTPORT];
      k.proto = S[o + S_PROTO];
      k.vrf = S[o + S_VRF];
      k.dvrf = S[o + S_DVRF];
      const bits = S[o + S_BITS];
      k.vrfTranslated = (bits & 1) !== 0;
      k.family = (bits & 2) !== 0 ? "inet6" : "inet";
      a.gen = S[o + S_GEN];
      a.keyNh = S[o + S_KEYNH];
      a.action = this.words.get(u, S[o + S_ACT_S], S[o + S_ACT_E], S[o + S_ACT_H]);
      a.flowFlags = this.words.get(u, S[o + S_FL_S], S[o + S_FL_E], S[o + S_FL_H]);
      const tcpS = S[o + S_TCP_S];
      a.tcpFlags = tcpS >= 0 ? this.words.get(u, tcpS, S[o + S_TCP_E], S[o + S_TCP_H]) : null;
      const ecmp = S[o + S_ECMP];
      a.ecmpIndex = ecmp === NULL32 ? null : ecmp;
      a.qos = S[o + S_QOS];
      a.rpfNh = S[o + S_RPFNH];
      a.packets = P[q + F_PACKETS];
      a.bytes = P[q + F_BYTES];
      a.udpSrcPort = S[o + S_SPORT];
      a.ttl = S[o + S_TTL];
      a.sinfo = this.ip(u, S[o + S_SIN_S], S[o + S_SIN_E], P[q + F_SIN_V4]);
      this.row(makeFlowRow(k, a, null));
    }
    sc.count = 0;
  }

  private ip(u: Uint8Array, s: number, e: number, v4: number): string {
    return v4 >= 0 && v4 !== IP_OTHER_ ? this.v4.get(v4) : this.texts.get(u, s, e);
  }

  row(r: FlowEntry): void {
    if (this.onEntry !== undefined) this.onEntry(r);
    else this.rows.push(r);
  }
}

/**
 * Entries into {@link FlowColumns}. The byte scanner's entries come a block at a time, already
 * row-major in its stage: each column is written in one sequential pass (much cheaper than 25 scattered
 * column writes per entry); strings become dictionary codes and addresses uint32 (or the columns' side
 * maps), straight from the bytes.
 *
 * @example
 * const sink = new ColumnSink(new FlowColumns()); new FlowReader(sink).feed(Buffer.from(text)); sink.cols.length
 */
export class ColumnSink implements FlowSink {
  constructor(readonly cols: FlowColumns) {}

  take(sc: EntryScanner, u: Uint8Array): void {
    const n = sc.count;
    if (n === 0) return;
    const c = this.cols;
    const r0 = c.addRows(n);
    const S = sc.si;
    const P = sc.sf;
    const ints = [c.line, c.dump, c.index, c.rindex, c.srcPort, c.dstPort, c.proto, c.vrf, c.dvrf, c.gen, c.keyNh, c.ecmpIndex, c.qos, c.rpfNh, c.udpSrcPort, c.ttl];
    for (let f = 0; f < ints.length; f++) ints[f].setInts(r0, S, f, SI, n);
    c.packets.setFloats(r0, P, F_PACKETS, SF, n);
    c.bytes.setFloats(r0, P, F_BYTES, SF, n);
    const action = c.action.codes;
    const flowFlags = c.flowFlags.codes;
    const tcpFlags = c.tcpFlags.codes;
    const actionDict = c.action.dict;
    const flagsDict = c.flowFlags.dict;
    const tcpDict = c.tcpFlags.dict;
    const vrfTranslated = c.vrfTranslated;
    const inet6 = c.inet6;
    for (let k = 0; k < n; k++) {
      const o = k * SI;
      const q = k * SF;
      const row = r0 + k;
      action[row] = actionDict.codeOfBytes(u, S[o + S_ACT_S], S[o + S_ACT_E], S[o + S_ACT_H]);
      flowFlags[row] = flagsDict.codeOfBytes(u, S[o + S_FL_S], S[o + S_FL_E], S[o + S_FL_H]);
      const tcpS = S[o + S_TCP_S];
      tcpFlags[row] = tcpS >= 0 ? tcpDict.codeOfBytes(u, tcpS, S[o + S_TCP_E], S[o + S_TCP_H]) : -1;
      const bits = S[o + S_BITS];
      vrfTranslated[row] = bits & 1;
      inet6[row] = bits >> 1;
    }
    this.ips(c.srcIp, u, S, S_SRC_S, P, F_SRC_V4, r0, n);
    this.ips(c.dstIp, u, S, S_DST_S, P, F_DST_V4, r0, n);
    this.ips(c.sinfo, u, S, S_SIN_S, P, F_SIN_V4, r0, n);
    sc.count = 0;
  }

  /** One address column from the stage (its range at Int32 fields `s`, `s + 1`, its IPv4 value at Float64 field `f`). */
  private ips(col: IpColumn, u: Uint8Array, S: Int32Array, s: number, P: Float64Array, f: number, r0: number, n: number): void {
    const values = col.values;
    for (let k = 0; k < n; k++) {
      const v4 = P[k * SF + f];
      if (v4 >= 0 && v4 !== IP_OTHER_) values[r0 + k] = v4;
      else col.setOtherBytes(r0 + k, u, S[k * SI + s], S[k * SI + s + 1]);
    }
  }

  row(r: FlowEntry): void {
    this.cols.append(r);
  }
}
