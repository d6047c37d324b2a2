/**
 * A columnar store of `flow` entries: typed-array columns (numbers as Int32, widened to Float64 only
 * when a value needs it; IPv4 addresses as uint32; repeated strings dictionary-encoded) filled by the
 * reader of `parseFlowColumns` (its column sink, `sinks.ts`), and turned into {@link FlowEntry} rows or an arquero table only on
 * demand. A million-entry `flow -l` dump takes ~125 MB here instead of ~570 MB as row objects.
 *
 * Decoded fields (NAT flags, TCP state, flow flags, protocol name) are not stored: they are functions of
 * the action, TCP-flag and flag strings, decoded once per distinct string when rows or tables are made,
 * by the same code `parseFlow` uses, so both give identical rows.
 */
import * as aq from "arquero";
import type { FlowEntry } from "../types";
import { type Attrs, type FlowKey, freshAttrs, makeFlowRow } from "./row";
import { IpColumn, NumColumn, SparseColumn, StrColumn } from "./column-kinds";

/** Names of the numeric columns, in {@link FlowEntry} terms. */
const NUM_COLUMNS = [
  "line", "dump", "index", "rindex", "srcPort", "dstPort", "proto", "vrf", "dvrf", "gen", "keyNh", "ecmpIndex", "qos",
  "rpfNh", "packets", "bytes", "udpSrcPort", "ttl",
] as const;

/** Names of the sparse columns (null in almost every `flow -l` row). */
const SPARSE_COLUMNS = ["mirrorIndex", "secondaryMirrorIndex", "underlayEcmpIndex", "hbs", "oflowEntries", "extra"] as const;

/**
 * The entries of a `flow` parse, column by column. Rows are made on demand ({@link row}, {@link rows});
 * {@link toTable} makes the arquero table directly from the columns.
 *
 * @example
 * const c = parseFlowColumns(text).columns; // lib/vrouter/flow/parse.ts
 * c.length; c.row(0).srcIp; c.toTable().numRows();
 */
export class FlowColumns {
  /** Number of entries. */
  length = 0;
  private capacity: number;
  readonly line: NumColumn;
  readonly dump: NumColumn;
  readonly index: NumColumn;
  readonly rindex: NumColumn;
  readonly srcPort: NumColumn;
  readonly dstPort: NumColumn;
  readonly proto: NumColumn;
  readonly vrf: NumColumn;
  readonly dvrf: NumColumn;
  readonly gen: NumColumn;
  readonly keyNh: NumColumn;
  readonly ecmpIndex: NumColumn;
  readonly qos: NumColumn;
  readonly rpfNh: NumColumn;
  readonly packets: NumColumn;
  readonly bytes: NumColumn;
  readonly mirrorIndex = new SparseColumn<number>();
  readonly secondaryMirrorIndex = new SparseColumn<number>();
  readonly udpSrcPort: NumColumn;
  readonly ttl: NumColumn;
  readonly underlayEcmpIndex = new SparseColumn<number>();
  readonly srcIp: IpColumn;
  readonly dstIp: IpColumn;
  readonly sinfo: IpColumn;
  readonly action: StrColumn;
  readonly flowFlags: StrColumn;
  readonly tcpFlags: StrColumn;
  readonly hbs = new SparseColumn<string>();
  readonly oflowEntries = new SparseColumn<string>();
  readonly extra = new SparseColumn<string>();
  /** 1 = `flow --get` entry, 0 = `flow -l`. */
  sourceGet: Uint8Array;
  /** 1 = inet6. */
  inet6: Uint8Array;
  vrfTranslated: Uint8Array;
  /** Fields beyond the `flow -l` ones (the detail lines of `flow --get`), by row. */
  private readonly details = new Map<number, Record<string, unknown>>();
  /** Their names in first-seen order. */
  private readonly detailNames: string[] = [];

  /**
   * @param capacity initial rows (grows by doubling).
   *
   * @example
   * new FlowColumns(1024).length // => 0
   */
  constructor(capacity = 1024) {
    const c = Math.max(16, capacity | 0);
    this.capacity = c;
    this.line = new NumColumn(c, "int32", true);
    this.dump = new NumColumn(c, "int8", true);
    this.index = new NumColumn(c, "int32", true);
    this.rindex = new NumColumn(c, "int32", true);
    this.srcPort = new NumColumn(c, "int32", true);
    this.dstPort = new NumColumn(c, "int32", true);
    this.proto = new NumColumn(c, "int8", true);
    this.vrf = new NumColumn(c, "int16", true);
    this.dvrf = new NumColumn(c, "int16", true);
    this.gen = new NumColumn(c, "int8", true);
    this.keyNh = new NumColumn(c, "int32", true);
    this.ecmpIndex = new NumColumn(c, "int8", true);
    this.qos = new NumColumn(c, "int8", true);
    this.rpfNh = new NumColumn(c, "int32", true);
    this.packets = new NumColumn(c, "float64", true);
    this.bytes = new NumColumn(c, "float64", true);
    this.udpSrcPort = new NumColumn(c, "int32", true);
    this.ttl = new NumColumn(c, "int8", true);
    this.srcIp = new IpColumn(c);
    this.dstIp = new IpColumn(c);
    this.sinfo = new IpColumn(c);
    this.action = new StrColumn(c, true);
    this.flowFlags = new StrColumn(c, true);
    this.tcpFlags = new StrColumn(c, true);
    this.sourceGet = new Uint8Array(c);
    this.inet6 = new Uint8Array(c);
    this.vrfTranslated = new Uint8Array(c);
  }

  /**
   * Makes room for one more row and returns its index. The caller writes every column of it; the
   * sparse ones (`mirrorIndex`, `secondaryMirrorIndex`, `underlayEcmpIndex`, `hbs`, `oflowEntries`,
   * `extra`) are null until set.
   *
   * @example
   * const c = new FlowColumns(16); c.addRow() // => 0
   */
  /**
   * Adds `n` rows (their cells to be written by the caller); returns the first one's index.
   *
   * @example
   * const c = new FlowColumns(16); c.addRows(3) // => 0, and c.length === 3
   */
  addRows(n: number): number {
    const first = this.length;
    let cap = this.capacity;
    while (first + n > cap) cap *= 2;
    if (cap !== this.capacity) this.grow(cap);
    this.length = first + n;
    return first;
  }

  addRow(): number {
    if (this.length === this.capacity) this.grow(this.capacity * 2);
    return this.length++;
  }

  private grow(capacity: number): void {
    for (const n of NUM_COLUMNS) this[n].grow(capacity);
    this.srcIp.grow(capacity);
    this.dstIp.grow(capacity);
    this.sinfo.grow(capacity);
    for (const s of [this.action, this.flowFlags, this.tcpFlags]) s.grow(capacity);
    const g8 = (a: Uint8Array): Uint8Array => {
      const b = new Uint8Array(capacity);
      b.set(a.subarray(0, Math.min(capacity, a.length)));
      return b;
    };
    this.sourceGet = g8(this.sourceGet);
    this.inet6 = g8(this.inet6);
    this.vrfTranslated = g8(this.vrfTranslated);
    this.capacity = capacity;
  }

  /**
   * Appends a row made elsewhere (by the line scanner of `parseFlow`).
   *
   * @example
   * const c = new FlowColumns(); c.append(parseFlow(text).rows[0]); c.row(0) // => the same entry
   */
  append(r: FlowEntry): void {
    const i = this.addRow();
    this.line.set(i, r.line);
    this.dump.set(i, r.dump);
    this.index.set(i, r.index);
    this.rindex.set(i, r.rindex);
    this.srcPort.set(i, r.srcPort);
    this.dstPort.set(i, r.dstPort);
    this.proto.set(i, r.proto);
    this.vrf.set(i, r.vrf);
    this.dvrf.set(i, r.dvrf);
    this.gen.set(i, r.gen);
    this.keyNh.set(i, r.keyNh);
    this.ecmpIndex.set(i, r.ecmpIndex);
    this.qos.set(i, r.qos);
    this.rpfNh.set(i, r.rpfNh);
    this.packets.set(i, r.packets);
    this.bytes.set(i, r.bytes);
    this.mirrorIndex.set(i, r.mirrorIndex);
    this.secondaryMirrorIndex.set(i, r.secondaryMirrorIndex);
    this.udpSrcPort.set(i, r.udpSrcPort);
    this.ttl.set(i, r.ttl);
    this.underlayEcmpIndex.set(i, r.underlayEcmpIndex);
    this.srcIp.setString(i, r.srcIp);
    this.dstIp.setString(i, r.dstIp);
    this.sinfo.setString(i, r.sinfo);
    this.action.set(i, r.action);
    this.flowFlags.set(i, r.flowFlags);
    // A row's tcpFlags is "" when absent; whether it was absent shows in tcpState (null for non-TCP rows without flags).
    this.tcpFlags.set(i, r.tcpFlags === "" && r.tcpState === null ? null : r.tcpFlags);
    this.hbs.set(i, r.hbs);
    this.oflowEntries.set(i, r.oflowEntries);
    this.extra.set(i, r.extra);
    this.sourceGet[i] = r.source === "get" ? 1 : 0;
    this.inet6[i] = r.family === "inet6" ? 1 : 0;
    this.vrfTranslated[i] = r.vrfTranslated ? 1 : 0;
    let extra: Record<string, unknown> | null = null;
    for (const key of Object.keys(r)) {
      if (key in TEMPLATE_ROW) continue;
      if (extra === null) extra = {};
      extra[key] = (r as unknown as Record<string, unknown>)[key];
      if (!this.detailNames.includes(key)) this.detailNames.push(key);
    }
    if (extra !== null) this.details.set(i, extra);
  }

  /**
   * Row `i` as a {@link FlowEntry}, identical to what `parseFlow` returns for it.
   *
   * @example
   * parseFlowColumns(text).columns.row(0).dnat // => true for a DNAT entry
   */
  row(i: number): FlowEntry {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`flow row ${i} out of range (0…${this.length - 1})`);
    const k: FlowKey = {
      source: this.sourceGet[i] === 1 ? "get" : "list",
      line: this.line.get(i)!,
      dump: this.dump.get(i)!,
      index: this.index.get(i)!,
      rindex: this.rindex.get(i),
      srcIp: this.srcIp.get(i)!,
      srcPort: this.srcPort.get(i)!,
      dstIp: this.dstIp.get(i)!,
      dstPort: this.dstPort.get(i)!,
      proto: this.proto.get(i)!,
      vrf: this.vrf.get(i)!,
      dvrf: this.dvrf.get(i)!,
      vrfTranslated: this.vrfTranslated[i] === 1,
      family: this.inet6[i] === 1 ? "inet6" : "inet",
    };
    const a: Attrs = freshAttrs();
    a.gen = this.gen.get(i);
    a.keyNh = this.keyNh.get(i);
    a.action = this.action.get(i)!;
    a.flowFlags = this.flowFlags.get(i)!;
    a.tcpFlags = this.tcpFlags.get(i);
    a.ecmpIndex = this.ecmpIndex.get(i);
    a.qos = this.qos.get(i);
    a.rpfNh = this.rpfNh.get(i);
    a.packets = this.packets.get(i)!;
    a.bytes = this.bytes.get(i)!;
    a.mirrorIndex = this.mirrorIndex.get(i);
    a.secondaryMirrorIndex = this.secondaryMirrorIndex.get(i);
    a.udpSrcPort = this.udpSrcPort.get(i);
    a.ttl = this.ttl.get(i);
    a.underlayEcmpIndex = this.underlayEcmpIndex.get(i);
    a.hbs = this.hbs.get(i);
    a.sinfo = this.sinfo.get(i);
    a.extra = this.extra.get(i);
    const row = makeFlowRow(k, a, this.oflowEntries.get(i));
    const d = this.details.get(i);
    return d === undefined ? row : Object.assign(row, d);
  }

  /**
   * Every row as {@link FlowEntry} objects (what `parseFlow(text).rows` holds).
   *
   * @example
   * parseFlowColumns(text).columns.rows().length // => the number of entries
   */
  rows(): FlowEntry[] {
    const out = new Array<FlowEntry>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.row(i);
    return out;
  }

  /**
   * The entries as an arquero table, built column by column (no row objects): the same columns, in
   * the same order, with the same values as `toTable(parseFlow(text))`.
   *
   * @example
   * parseFlowColumns(text).columns.toTable().numRows() // => the number of entries
   */
  toTable(): ReturnType<typeof aq.table> {
    return aq.table(this.columnArrays());
  }

  /**
   * Every column as a plain array (nulls as null), keyed and ordered like a {@link FlowEntry}.
   *
   * @example
   * parseFlowColumns(text).columns.columnArrays().srcIp[0] // => "10.0.11.254"
   */
  columnArrays(): Record<string, unknown[]> {
    const n = this.length;
    if (n === 0) return {};
    // Decoded fields: decode each distinct (action, flags, tcp flags, proto, tcp-ness) once, through makeFlowRow.
    // The key is one number when the dictionaries are small enough (always, in practice), else a string.
    const derived = new Map<number | string, number>();
    const uniq: FlowEntry[] = [];
    const derivedOf = new Int32Array(n);
    const nf = this.flowFlags.dict.values.length + 1;
    const nt = this.tcpFlags.dict.values.length + 1;
    const numericKey = (this.action.dict.values.length + 1) * nf * nt * 65536 < Number.MAX_SAFE_INTEGER;
    for (let i = 0; i < n; i++) {
      const p = this.proto.get(i);
      const key =
        numericKey && p !== null && p >= 0 && p < 65536
          ? ((this.action.codes[i] * nf + this.flowFlags.codes[i] + 1) * nt + this.tcpFlags.codes[i] + 1) * 65536 + p
          : `${this.action.codes[i]}|${this.flowFlags.codes[i]}|${this.tcpFlags.codes[i]}|${p}`;
      let d = derived.get(key);
      if (d === undefined) {
        d = uniq.length;
        uniq.push(this.row(i));
        derived.set(key, d);
      }
      derivedOf[i] = d;
    }
    const out: Record<string, unknown[]> = {};
    const num = (c: NumColumn): (number | null)[] => {
      const a = new Array<number | null>(n);
      for (let i = 0; i < n; i++) a[i] = c.get(i);
      return a;
    };
    const sparse = (c: SparseColumn<string | number>): (string | number | null)[] => {
      const a = new Array<string | number | null>(n).fill(null);
      for (const [i, v] of c.values) a[i] = v;
      return a;
    };
    const str = (c: StrColumn | IpColumn): (string | null)[] => {
      const a = new Array<string | null>(n);
      for (let i = 0; i < n; i++) a[i] = c.get(i);
      return a;
    };
    const fromDerived = (k: keyof FlowEntry): unknown[] => {
      const vals = uniq.map((d) => d[k]);
      const a = new Array<unknown>(n);
      for (let i = 0; i < n; i++) a[i] = vals[derivedOf[i]];
      return a;
    };
    for (const k of Object.keys(TEMPLATE_ROW) as (keyof FlowEntry)[]) {
      switch (k) {
        case "srcIp":
        case "dstIp":
        case "sinfo":
        case "flowFlags":
        case "action":
          out[k] = str(this[k]);
          break;
        case "mirrorIndex":
        case "secondaryMirrorIndex":
        case "underlayEcmpIndex":
        case "hbs":
        case "oflowEntries":
        case "extra":
          out[k] = sparse(this[k]);
          break;
        case "tcpFlags":
          out[k] = str(this.tcpFlags).map((s) => s ?? "");
          break;
        case "source":
          out[k] = Array.from(this.sourceGet.subarray(0, n), (v) => (v === 1 ? "get" : "list"));
          break;
        case "family":
          out[k] = Array.from(this.inet6.subarray(0, n), (v) => (v === 1 ? "inet6" : "inet"));
          break;
        case "vrfTranslated":
          out[k] = Array.from(this.vrfTranslated.subarray(0, n), (v) => v === 1);
          break;
        default:
          if ((NUM_COLUMNS as readonly string[]).includes(k)) out[k] = num(this[k as (typeof NUM_COLUMNS)[number]]);
          else out[k] = fromDerived(k);
      }
    }
    for (const name of this.detailNames) {
      const a = new Array<unknown>(n).fill(null);
      for (const [i, d] of this.details) {
        const v = d[name];
        if (v !== undefined) a[i] = v;
      }
      out[name] = a;
    }
    return out;
  }
}

/** A row with every {@link FlowEntry} key in makeFlowRow's order (the column order of tables). */
const TEMPLATE_ROW: FlowEntry = makeFlowRow(
  { source: "list", line: 0, dump: 0, index: 0, rindex: null, srcIp: "", srcPort: 0, dstIp: "", dstPort: 0, proto: 0, vrf: 0, dvrf: 0, vrfTranslated: false },
  freshAttrs(),
  null,
);
