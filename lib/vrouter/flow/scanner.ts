/**
 * The line scanner of the one `flow` reader (`reader.ts`): everything that is not a `flow -l` entry in
 * the usual layout (those are the byte scanner's, `bytes.ts`) — table headers and legends, prompts and
 * other tools' output, `flow --get N` blocks, R1.x/R2.x layouts, unusual, wrapped or broken attribute
 * blocks, garbage. It alone reports errors and warnings, and it owns the state that spans lines (the
 * table dump, a `--get` block, another command's output being skipped).
 *
 * A hand-written scanner (indexOf per line, charCodeAt per field, no per-line regex, no split); its one
 * attribute-block reader is {@link FlowScanner.scanBlock}, for every layout. `--get` blocks are parsed
 * line by line in `get.ts`. Used alone (`new FlowScanner().feed(text)`), it reads any `flow` text.
 */
import type {
  CommandRecord,
  FlowEntry,
  FlowParseResult,
  FlowRateSample,
  FlowTableHeader,
  ParseError,
  ParseWarning,
} from "../types";
import { parsePromptLine } from "../text";
import { legendContinuation } from "../hygiene";
import { checkedInt } from "../values";
import { FlowGetBuilder } from "./get";
import { type Attrs, type FlowKey, freshAttrs, freshFlowKey, makeFlowRow, numOrNull, resetAttrs } from "./row";
import { RangeInterner } from "./intern";
import {
  K_ACTION,
  K_E,
  K_FLAGS,
  K_GEN,
  K_HBSL,
  K_HBSR,
  K_KNH,
  K_MIRROR,
  K_MIRROR_WORD,
  K_NONE,
  K_QOS,
  K_SINFO,
  K_SNH,
  K_SPORT,
  K_STATS,
  K_TCP,
  K_TTL,
  K_UNDERLAY,
  keyId,
} from "./keys";


/** Longest attribute block accepted (chars), so a missing `)` cannot swallow the rest of the input. */
const MAX_BLOCK = 4096;

function skipSp(t: string, i: number, end: number): number {
  // Runs of plain spaces first (the paddings of flow -l), then any tabs.
  for (;;) {
    while (i < end && t.charCodeAt(i) === 32) i++;
    if (i < end && t.charCodeAt(i) === 9) i++;
    else return i;
  }
}

/** Index of the last `:` in t[s, e), or -1 (bounded: never searches outside the token). */
function lastColon(t: string, s: number, e: number): number {
  for (let i = e - 1; i >= s; i--) if (t.charCodeAt(i) === 58) return i;
  return -1;
}

/** End of a whitespace-delimited token starting at `i`. */
function tokenEnd(t: string, i: number, end: number): number {
  while (i < end) {
    const c = t.charCodeAt(i);
    if (c === 32 || c === 9) break;
    i++;
  }
  return i;
}

/** Options of {@link FlowScanner}. */
export interface FlowScannerOptions {
  /** Called for every entry; when given, rows are not kept in the result (streaming). */
  onEntry?: (row: FlowEntry) => void;
}

/**
 * The incremental `flow` parser behind {@link parseFlow} and {@link parseFlowStream}. Feed it normalised
 * text cut at blank lines (a `flow -l` entry never contains one), then call `finish()`.
 *
 * @example
 * const s = new FlowScanner();
 * s.feed("   1<=>2   1.1.1.1:1   6 (0)\n   2.2.2.2:80\n(Action:F, Stats:1/60)\n");
 * s.finish().rows[0].dstPort // => 80
 */
export class FlowScanner {
  private readonly rows: FlowEntry[] = [];
  private readonly warnings: ParseWarning[] = [];
  private readonly errors: ParseError[] = [];
  private readonly commands: CommandRecord[] = [];
  private readonly headers: FlowTableHeader[] = [];
  private readonly rates: FlowRateSample[] = [];
  /** 0-based line of the last legend line read (a wrapped legend continues on the next line). */
  private legendLine = -2;
  private readonly onEntry: ((row: FlowEntry) => void) | undefined;
  /** Lines fed so far (the 0-based line index of the next line fed). */
  private lineBase = 0;
  private dump = 0;
  private entriesSinceHeader = 0;
  /** Inside the output of another tool's command: skip until the next command. */
  private skipping: CommandRecord | null = null;
  private skippedLines = 0;
  private get: FlowGetBuilder | null = null;
  /** A header whose `Entries:` line wrapped (`… Used Overflow` / `entries 0`). */
  private pendingEntriesWrap: FlowTableHeader | null = null;
  count = 0;

  /** Where the last {@link readUint} / {@link readInt} stopped. */
  private rEnd = 0;

  /** Reads an unsigned decimal at `i` (max 15 digits); NaN when none. Sets `rEnd`. */
  private readUint(t: string, i: number, end: number): number {
    let v = 0;
    const s = i;
    while (i < end) {
      const c = t.charCodeAt(i) - 48;
      if (!(c >= 0 && c <= 9)) break;
      v = v * 10 + c;
      i++;
    }
    this.rEnd = i;
    return i === s || i - s > 15 ? NaN : v;
  }

  /** Reads an optionally negative decimal at `i`; NaN when none. Sets `rEnd`. */
  private readInt(t: string, i: number, end: number): number {
    if (i < end && t.charCodeAt(i) === 45) return -this.readUint(t, i + 1, end);
    return this.readUint(t, i, end);
  }

  /** The integer that is exactly t[s, e), or null. */
  private intRange(t: string, s: number, e: number): number | null {
    if (s === e) return null;
    const v = this.readInt(t, s, e);
    return this.rEnd === e ? numOrNull(v) : null;
  }

  constructor(opts: FlowScannerOptions = {}) {
    this.onEntry = opts.onEntry;
  }

  /**
   * The 0-based index of the next line to be fed. A caller that scans some of the text itself (the
   * byte scanner, through the reader) sets it before feeding the rest, so line numbers stay true.
   *
   * @example
   * const s = new FlowScanner(); s.feed("a\nb\n"); s.nextLine // => 2
   */
  get nextLine(): number {
    return this.lineBase;
  }

  set nextLine(li: number) {
    this.lineBase = li;
  }

  /**
   * True when the next line would be read with no state carried from earlier lines (not inside a
   * `flow --get` block, not skipping another tool's output): an entry line there parses the same
   * whoever scans it.
   *
   * @example
   * new FlowScanner().atEntryBoundary // => true
   */
  get atEntryBoundary(): boolean {
    return this.get === null && this.skipping === null;
  }

  /**
   * The table dump an entry read now belongs to (0-based; each `Flow table(` header after the first
   * starts a new one).
   *
   * @example
   * new FlowScanner().currentDump // => 0
   */
  get currentDump(): number {
    return this.dump;
  }

  /**
   * Counts `n` entries that were scanned outside {@link feed} (by the byte scanner), exactly as emitted
   * entries are counted, so dump numbering stays the same.
   *
   * @example
   * const s = new FlowScanner(); s.countExternalEntries(2); s.count // => 2
   */
  countExternalEntries(n = 1): void {
    this.count += n;
    this.entriesSinceHeader += n;
  }

  private emit(row: FlowEntry): void {
    this.count++;
    this.entriesSinceHeader++;
    if (this.onEntry) this.onEntry(row);
    else this.rows.push(row);
  }

  private err(lineIdx: number, col0: number, message: string, text: string): void {
    if (this.errors.length < 1000) this.errors.push({ line: lineIdx + 1, column: col0 + 1, message, text: text.trim() });
    else if (this.errors.length === 1000)
      this.errors.push({ line: lineIdx + 1, column: 1, message: "too many errors; further errors not reported", text: "" });
  }

  private warn(lineIdx: number, col0: number, message: string, text: string): void {
    if (this.warnings.length < 1000) this.warnings.push({ line: lineIdx + 1, column: col0 + 1, message, text: text.trim() });
  }

  private finishGet(): void {
    if (this.get === null) return;
    const r = this.get.build(this.dump, this.errors, this.warnings);
    this.get = null;
    if (r !== null) this.emit(r);
  }

  private endSkip(): void {
    if (this.skipping !== null && this.skippedLines > 0) {
      this.warn(
        this.skipping.line,
        0,
        `skipped ${this.skippedLines} line(s) of \`${this.skipping.command}\` output: not flow`,
        this.skipping.command,
      );
    }
    this.skipping = null;
    this.skippedLines = 0;
  }

  /**
   * Parses `t` (normalised text, ideally ending at a line end). Lines are numbered continuing from the
   * previous call.
   */
  feed(t: string): void {
    const n = t.length;
    let p = 0;
    let li = this.lineBase;
    while (p < n) {
      let e = t.indexOf("\n", p);
      if (e < 0) e = n;
      const next = e + 1;
      // First non-blank character.
      const f = skipSp(t, p, e);
      if (f === e) {
        // blank line
        if (this.skipping !== null) this.skippedLines++;
        p = next;
        li++;
        continue;
      }
      const c = t.charCodeAt(f);
      // A `flow -r` line of TF master starts with its date (`2024-03-26 10:00:00.123:  Entries = …`).
      if (c >= 48 && c <= 57 && this.skipping === null && t.charCodeAt(f + 4) === 45 && this.rateLine(t.slice(f, e), f - p, li)) {
        p = next;
        li++;
        continue;
      }
      // Entry line 1 of flow -l: optional spaces then the index digits.
      if (c >= 48 && c <= 57 && this.skipping === null) {
        if (this.get !== null) {
          // A --get block ends at a line that parses as a -l entry; otherwise the digits belong to it.
          if (!this.looksLikeEntry(t, f, e)) {
            this.get.feed(t.slice(p, e), li);
            p = next;
            li++;
            continue;
          }
          this.finishGet();
        }
        this.parseEntry(t, p, e, li);
        p = this.np;
        li = this.nli;
        continue;
      }
      const line = t.slice(p, e);
      // Prompt / command lines (never indented).
      if (f === p && c !== 40 /* ( */ || (c === 40 && f === p && line.indexOf(")") > 0 && line.indexOf("[") > 0)) {
        const pr = parsePromptLine(line);
        if (pr !== null) {
          this.finishGet();
          this.endSkip();
          this.pendingEntriesWrap = null;
          const cmd: CommandRecord = { line: li + 1, prompt: pr.prompt, command: pr.command, tool: pr.tool };
          this.commands.push(cmd);
          if (pr.command !== "" && pr.tool !== "flow") this.skipping = cmd;
          p = next;
          li++;
          continue;
        }
      }
      if (this.skipping !== null) {
        this.skippedLines++;
        p = next;
        li++;
        continue;
      }
      if (this.get !== null) {
        if (this.get.feed(line, li)) {
          p = next;
          li++;
          continue;
        }
        this.finishGet();
      }
      this.otherLine(line, f - p, li);
      p = next;
      li++;
    }
    this.lineBase = li;
  }

  /** Header, legend, `--get` start, or garbage. */
  private otherLine(line: string, f: number, li: number): void {
    const body = f === 0 ? line : line.slice(f);
    if (this.pendingEntriesWrap !== null) {
      const h = this.pendingEntriesWrap;
      this.pendingEntriesWrap = null;
      // The `Entries:` line wrapped by a page or a terminal: `… Used Overflow` / `entries 0`, or
      // `… Processed 0` / `Used Overflow entries 0`.
      const m = /^(?:Used\s+)?(?:Overflow\s+)?entries\s+(\d+)\s*$/.exec(body);
      if (m) {
        h.overflowEntries = Number(m[1]);
        return;
      }
    }
    if (body.startsWith("Flow table(") || body.startsWith("Flow table (") || body.trimEnd() === "Flow table") {
      if (this.headers.length > 0 || this.entriesSinceHeader > 0) this.dump++;
      this.entriesSinceHeader = 0;
      const size = /size\s+(\d+)/.exec(body);
      const ent = /entries\s+(\d+)/.exec(body);
      this.headers.push(emptyHeader(li + 1, size ? Number(size[1]) : null, ent ? Number(ent[1]) : null));
      return;
    }
    const h = this.headers.length > 0 ? this.headers[this.headers.length - 1] : null;
    if (body.startsWith("Entries:")) {
      const hh = h ?? this.implicitHeader(li);
      const num = (re: RegExp): number | null => {
        const m = re.exec(body);
        return m ? Number(m[1]) : null;
      };
      hh.created = num(/Created\s+(\d+)/);
      hh.added = num(/Added\s+(\d+)/);
      hh.deleted = num(/Deleted\s+(\d+)/);
      hh.changed = num(/Changed\s+(\d+)/);
      hh.processed = num(/Processed\s+(\d+)/);
      hh.overflowEntries = num(/entries\s+(\d+)/);
      if (hh.overflowEntries === null && /(?:Overflow|Processed\s+\d+)\s*$/.test(body)) this.pendingEntriesWrap = hh;
      return;
    }
    if (body.startsWith("(Created Flows/CPU:")) {
      const hh = h ?? this.implicitHeader(li);
      const close = body.indexOf(")");
      const inner = body.slice("(Created Flows/CPU:".length, close < 0 ? body.length : close).trim();
      hh.createdPerCpu = inner === "" ? [] : inner.split(/\s+/).map(Number).filter((v) => v === v);
      const m = /\(oflows\s+(\d+)\)/.exec(body);
      hh.holdOverflows = m ? Number(m[1]) : null;
      return;
    }
    if (body.startsWith("Listing flows matching")) {
      const hh = h ?? this.implicitHeader(li);
      const open = body.indexOf("(");
      const close = body.lastIndexOf(")");
      hh.match = open >= 0 && close > open ? body.slice(open + 1, close) : body.slice(22).trim();
      return;
    }
    if (
      body.startsWith("Action:F=") ||
      body.startsWith("Other:K(nh)") ||
      body.startsWith("Flags:E=") ||
      body.startsWith("TCP(r=reverse)") ||
      body.startsWith("L=Link Local") ||
      body.startsWith("Stats:Packets/Bytes")
    ) {
      this.legendLine = li;
      return;
    }
    if (this.legendLine === li - 1) {
      // The legend goes on: more `X=Meaning` items, or the end of an item a page pushed to a new line.
      // `(`/`)` of `N=NAT(S=SNAT, …)` read as item separators; a trailing `\` (a line continued by its author) is dropped.
      const k = legendContinuation(body.replace(/\s*\\$/, "").replace(/\s*[()]\s*/g, ", ").replace(/^[,\s]+|[,\s]+$/g, ""));
      if (k !== null) {
        if (k === "wrapped") this.warn(li, f, "legend line wrapped by the page skipped", line);
        this.legendLine = li;
        return;
      }
    }
    if (body.startsWith("New =") && this.rateLine(body, f, li)) return;
    if (
      body.startsWith("Index ") ||
      body.startsWith("Index\t") ||
      isDashes(body)
    ) {
      return;
    }
    if (body.startsWith("Flow Index:")) {
      this.get = new FlowGetBuilder();
      this.get.feed(line, li);
      return;
    }
    if (body.startsWith("Oflow entries:")) {
      this.err(li, f, "`Oflow entries:` without a flow entry before it", line);
      return;
    }
    if (body.charCodeAt(0) === 40 /* ( */) {
      this.err(li, f, "attribute block without a flow entry line before it", line);
      return;
    }
    this.err(li, f, "unexpected line: expected a flow entry (`index<=>rindex  sip:sport  proto (vrf)`)", line);
  }

  private implicitHeader(li: number): FlowTableHeader {
    const h = emptyHeader(li + 1, null, null);
    this.headers.push(h);
    return h;
  }

  /** True when [f, e) parses as a `flow -l` entry first line (used to end a `--get` block). */
  private looksLikeEntry(t: string, f: number, e: number): boolean {
    const idx = this.readUint(t, f, e);
    if (idx !== idx) return false;
    let i = this.rEnd;
    if (t.startsWith("<=>", i)) i += 3;
    else if (t.charCodeAt(i) !== 32) return false;
    let paren = false;
    let colon = false;
    for (; i < e; i++) {
      const c = t.charCodeAt(i);
      if (c === 40) paren = true;
      else if (c === 58) colon = true;
    }
    return paren && colon;
  }

  /** Where {@link parseEntry} / {@link scanBlock} stopped: next position and line index. */
  private np = 0;
  private nli = 0;
  private readonly a: Attrs = freshAttrs();
  private readonly key: FlowKey = freshFlowKey();
  private readonly ips = new RangeInterner(12, 48);
  private readonly words = new RangeInterner(10, 32);

  private entryError(li: number, col0: number, message: string, t: string, ls: number, le: number, np: number, nli: number): void {
    this.err(li, col0, message, t.slice(ls, le));
    this.np = np;
    this.nli = nli;
  }

  /**
   * Parses one `flow -l` entry starting at line [p, e) (line index li). Sets `np`/`nli` to where scanning resumes.
   */
  private parseEntry(t: string, p: number, e: number, li: number): void {
    const n = t.length;
    const startLi = li;
    const k = this.key;
    let i = skipSp(t, p, e);
    const index = this.readUint(t, i, e);
    if (index !== index) return this.entryError(li, i - p, "expected the flow index (at most 15 digits)", t, p, e, e + 1, li + 1);
    i = this.rEnd;
    let rindex: number | null = null;
    if (t.charCodeAt(i) === 60 && t.startsWith("<=>", i)) {
      const rv = this.readInt(t, i + 3, e);
      if (rv !== rv) return this.entryError(li, i + 3 - p, "expected the reverse flow index after `<=>`", t, p, e, e + 1, li + 1);
      rindex = rv < 0 ? null : rv;
      i = this.rEnd;
    }
    let j = skipSp(t, i, e);
    if (j === i || j === e) return this.entryError(li, j - p, "expected `source:port` after the flow index", t, p, e, e + 1, li + 1);
    // Source address:port (IPv6 is printed without brackets: split on the last colon).
    const te = tokenEnd(t, j, e);
    const colon = lastColon(t, j, te);
    if (colon <= j) return this.entryError(li, j - p, "expected `address:port`", t, p, e, e + 1, li + 1);
    const srcPort = this.readUint(t, colon + 1, te);
    if (srcPort !== srcPort || this.rEnd !== te) return this.entryError(li, colon + 1 - p, "expected a port number after `:`", t, p, e, e + 1, li + 1);
    const srcIp = t.slice(j, colon);
    if (srcPort > 65535) this.warn(li, colon + 1 - p, "source port is out of range 0–65535", t.slice(colon + 1, te));
    j = skipSp(t, te, e);
    // Old single-line layout (R1.x/R2.x): the destination follows on the same line.
    let dstIp: string | null = null;
    let dstPort = 0;
    {
      const te2 = tokenEnd(t, j, e);
      const c2 = lastColon(t, j, te2);
      if (c2 > j) {
        dstPort = this.readUint(t, c2 + 1, te2);
        if (dstPort !== dstPort || this.rEnd !== te2) return this.entryError(li, c2 + 1 - p, "expected a port number after `:`", t, p, e, e + 1, li + 1);
        dstIp = t.slice(j, c2);
        if (dstPort > 65535) this.warn(li, c2 + 1 - p, "destination port is out of range 0–65535", t.slice(c2 + 1, te2));
        j = skipSp(t, te2, e);
      }
    }
    const proto = this.readUint(t, j, e);
    if (proto !== proto) return this.entryError(li, j - p, "expected the protocol number", t, p, e, e + 1, li + 1);
    j = skipSp(t, this.rEnd, e);
    if (t.charCodeAt(j) !== 40 /* ( */) return this.entryError(li, j - p, "expected `(vrf)` after the protocol", t, p, e, e + 1, li + 1);
    const vrf = this.readUint(t, j + 1, e);
    if (vrf !== vrf) return this.entryError(li, j + 1 - p, "expected the VRF number", t, p, e, e + 1, li + 1);
    j = this.rEnd;
    let dvrf = vrf;
    let vrfTranslated = false;
    if (t.charCodeAt(j) === 45 && t.charCodeAt(j + 1) === 62 /* -> */) {
      const dv = this.readUint(t, j + 2, e);
      if (dv !== dv) return this.entryError(li, j + 2 - p, "expected the destination VRF after `->`", t, p, e, e + 1, li + 1);
      dvrf = dv;
      vrfTranslated = true;
      j = this.rEnd;
    }
    if (t.charCodeAt(j) !== 41 /* ) */) return this.entryError(li, j - p, "expected `)` closing the VRF", t, p, e, e + 1, li + 1);
    j = skipSp(t, j + 1, e);
    let trailing: string | null = null;
    if (j !== e) {
      trailing = t.slice(j, e).trim();
      this.warn(li, j - p, "unexpected text after the VRF kept in `extra`", trailing);
    }
    // Line 2: destination.
    let q = e + 1;
    li++;
    if (dstIp === null) {
      if (q >= n) return this.entryError(startLi, e - p, "flow entry ends before its destination line", t, p, e, q, li);
      let e2 = t.indexOf("\n", q);
      if (e2 < 0) e2 = n;
      const d0 = skipSp(t, q, e2);
      const de = tokenEnd(t, d0, e2);
      const dc = lastColon(t, d0, de);
      if (d0 === e2 || dc <= d0 || t.charCodeAt(d0) === 40) return this.entryError(li, d0 - q, "expected the destination `address:port` line", t, q, e2, q, li);
      dstPort = this.readUint(t, dc + 1, de);
      if (dstPort !== dstPort || this.rEnd !== de) return this.entryError(li, dc + 1 - q, "expected a port number after `:`", t, q, e2, e2 + 1, li + 1);
      const after = skipSp(t, de, e2);
      if (after !== e2) return this.entryError(li, after - q, "unexpected text after the destination", t, q, e2, e2 + 1, li + 1);
      dstIp = t.slice(d0, dc);
      if (dstPort > 65535) this.warn(li, dc + 1 - q, "destination port is out of range 0–65535", t.slice(dc + 1, de));
      q = e2 + 1;
      li++;
    }
    k.line = startLi + 1;
    k.dump = this.dump;
    k.index = index;
    k.rindex = rindex;
    k.srcIp = srcIp;
    k.srcPort = srcPort;
    k.dstIp = dstIp;
    k.dstPort = dstPort;
    k.proto = proto;
    k.vrf = vrf;
    k.dvrf = dvrf;
    k.vrfTranslated = vrfTranslated;
    // IPv6 addresses are the only ones with a colon (the port colon was split off).
    k.family = srcIp.indexOf(":") >= 0 || dstIp.indexOf(":") >= 0 ? "inet6" : "inet";
    // Attribute block "(Gen: …)" possibly wrapped over several lines.
    const a = this.a;
    resetAttrs(a);
    if (trailing !== null) a.extra = trailing;
    let bs = q;
    while (bs < n) {
      const c = t.charCodeAt(bs);
      if (c !== 32 && c !== 9) break;
      bs++;
    }
    if (bs >= n || t.charCodeAt(bs) !== 40 /* ( */) {
      this.err(startLi, 0, "flow entry without its `(Gen: …)` attribute block", t.slice(p, e));
      this.emit(makeFlowRow(k, a, null));
      this.np = q;
      this.nli = li;
      return;
    }
    this.scanBlock(t, bs, q, li, a);
    q = this.np;
    li = this.nli;
    // Optional hash-overflow chain.
    let oflow: string | null = null;
    if (q < n) {
      let e3 = t.indexOf("\n", q);
      if (e3 < 0) e3 = n;
      const o0 = skipSp(t, q, e3);
      if (t.charCodeAt(o0) === 79 /* O */ && t.startsWith("Oflow entries:", o0)) {
        let rest = t.slice(o0 + 14, e3).trim();
        q = e3 + 1;
        li++;
        // The indexes follow on the next tab-indented line.
        if (q < n) {
          let e4 = t.indexOf("\n", q);
          if (e4 < 0) e4 = n;
          const s4 = skipSp(t, q, e4);
          if (s4 < e4 && t.charCodeAt(s4) >= 48 && t.charCodeAt(s4) <= 57 && /^[\d\s]+$/.test(t.slice(s4, e4))) {
            rest = (rest + " " + t.slice(s4, e4)).trim();
            q = e4 + 1;
            li++;
          }
        }
        oflow = rest.replace(/\s+/g, " ");
      }
    }
    this.emit(makeFlowRow(k, a, oflow));
    this.np = q;
    this.nli = li;
  }

  /**
   * Scans the `( … )` attribute block starting at `bs` (the `(`), filling `a`. `ls` is the start of the line
   * holding `bs`, `li` its index. Sets `np`/`nli` to the line after the one holding the closing `)`.
   */
  private scanBlock(t: string, bs: number, ls: number, li: number, a: Attrs): void {
    const n = t.length;
    const limit = Math.min(n, bs + MAX_BLOCK);
    let i = bs + 1;
    let lineStart = ls;
    const startLi = li;
    let lastKey = K_NONE;
    for (;;) {
      // Skip separators, counting lines; a blank line ends an unterminated block.
      let nl = 0;
      while (i < limit) {
        const c = t.charCodeAt(i);
        if (c === 10) {
          nl++;
          li++;
          lineStart = i + 1;
          if (nl >= 2) break;
        } else if (c === 44 /* , */) {
          nl = 0;
        } else if (c !== 32 && c !== 9) break;
        i++;
      }
      if (i >= limit || nl >= 2) {
        let be = t.indexOf("\n", bs);
        if (be < 0) be = n;
        this.err(startLi, bs - ls, "attribute block not closed by `)`", t.slice(ls, be));
        if (nl >= 2) {
          this.np = lineStart;
          this.nli = li;
          return;
        }
        let e = t.indexOf("\n", Math.min(i, n));
        if (e < 0) e = n;
        this.np = e + 1;
        this.nli = li + 1;
        return;
      }
      const ks = i;
      let c = t.charCodeAt(i);
      if (c === 41 /* ) */) {
        // End of block: the rest of the line must be blank.
        let e = t.indexOf("\n", i);
        if (e < 0) e = n;
        const after = skipSp(t, i + 1, e);
        if (after !== e) this.warn(li, after - lineStart, "text after the attribute block ignored", t.slice(after, e));
        this.np = e + 1;
        this.nli = li + 1;
        return;
      }
      // Bare number: the secondary mirror index of `Mirror Index : a, b` / `M:a, b`.
      if (c >= 48 && c <= 57) {
        const v = this.readUint(t, i, limit);
        i = this.rEnd;
        if (lastKey === K_MIRROR) a.secondaryMirrorIndex = v;
        else this.unknown(a, li, ks - lineStart, t.slice(ks, i));
        continue;
      }
      // Key: letters/digits/underscore, with one short "(xx)" group allowed (K(nh), S(nh)).
      while (i < limit) {
        c = t.charCodeAt(i);
        if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95) {
          i++;
        } else if (c === 40 /* ( */ && t.charCodeAt(i + 1) !== 41) {
          let cl = i + 1;
          while (cl < limit && cl - i <= 8 && t.charCodeAt(cl) !== 41) cl++;
          if (cl >= limit || t.charCodeAt(cl) !== 41) break;
          i = cl + 1;
        } else break;
      }
      if (i === ks) {
        // Unexpected character: keep it and move on (guarantees progress).
        const e = nextSep(t, i + 1, limit);
        this.unknown(a, li, ks - lineStart, t.slice(ks, e));
        i = e;
        continue;
      }
      let key = keyId(t, ks, i);
      if (key === K_MIRROR_WORD) {
        key = K_MIRROR;
        i = skipSp(t, i + 6, limit);
      }
      lastKey = key;
      // Value.
      let vs = i;
      let ve = i;
      const sep = t.charCodeAt(i);
      if (sep === 58 /* : */) {
        i++;
        const d0 = t.charCodeAt(i);
        if (d0 === 32 || d0 === 9) {
          const q = skipSp(t, i, limit);
          const d = t.charCodeAt(q);
          if ((d >= 48 && d <= 57) || (d === 45 && t.charCodeAt(q + 1) >= 48 && t.charCodeAt(q + 1) <= 57)) {
            vs = q;
            ve = valueEnd(t, q, limit);
          } else {
            vs = ve = i;
          }
        } else {
          vs = i;
          ve = valueEnd(t, i, limit);
        }
      } else if (sep === 32 || sep === 9) {
        const q = skipSp(t, i, limit);
        const d = t.charCodeAt(q);
        if (d === 44 || d === 41 || d === 10) {
          vs = ve = q;
        } else {
          vs = q;
          ve = valueEnd(t, q, limit);
        }
      } else {
        vs = ve = i; // flag-like key (HbsLeft)
      }
      i = ve;
      this.setAttr(a, key, t, ks, vs, ve, li, ks - lineStart);
    }
  }

  private unknown(a: Attrs, li: number, col0: number, text: string): void {
    a.extra = a.extra === null ? text : `${a.extra}; ${text}`;
    this.warn(li, col0, "unknown flow attribute kept in `extra`", text);
  }

  private setAttr(a: Attrs, key: number, t: string, ks: number, vs: number, ve: number, li: number, col0: number): void {
    switch (key) {
      case K_GEN:
        a.gen = this.intRange(t, vs, ve);
        return;
      case K_KNH:
        a.keyNh = this.intRange(t, vs, ve);
        return;
      case K_ACTION:
        a.action = this.words.get(t, vs, ve);
        return;
      case K_FLAGS:
        a.flowFlags = this.words.get(t, vs, ve);
        return;
      case K_TCP:
        a.tcpFlags = this.words.get(t, vs, ve);
        return;
      case K_E:
        a.ecmpIndex = this.intRange(t, vs, ve);
        return;
      case K_QOS:
        a.qos = this.intRange(t, vs, ve);
        return;
      case K_SNH:
        a.rpfNh = this.intRange(t, vs, ve);
        return;
      case K_STATS: {
        const pk = this.readUint(t, vs, ve);
        if (pk === pk && t.charCodeAt(this.rEnd) === 47 /* / */) {
          const by = this.readUint(t, this.rEnd + 1, ve);
          if (by === by && this.rEnd === ve) {
            a.packets = pk;
            a.bytes = by;
            return;
          }
        }
        this.unknown(a, li, col0, t.slice(ks, ve));
        return;
      }
      case K_MIRROR:
        a.mirrorIndex = this.intRange(t, vs, ve);
        return;
      case K_SPORT:
        a.udpSrcPort = this.intRange(t, vs, ve);
        return;
      case K_TTL:
        a.ttl = this.intRange(t, vs, ve);
        return;
      case K_UNDERLAY:
        a.underlayEcmpIndex = this.intRange(t, vs, ve);
        return;
      case K_HBSL:
        a.hbs = "left";
        return;
      case K_HBSR:
        a.hbs = "right";
        return;
      case K_SINFO:
        a.sinfo = this.ips.get(t, vs, ve);
        return;
      default:
        this.unknown(a, li, col0, t.slice(ks, ve));
    }
  }

  /** Ends parsing and returns everything collected. */
  finish(): FlowParseResult {
    this.finishGet();
    this.endSkip();
    return {
      kind: "flow",
      rows: this.rows,
      warnings: this.warnings,
      errors: this.errors,
      commands: this.commands,
      header: this.headers.length > 0 ? this.headers[0] : null,
      headers: this.headers,
      rates: this.rates,
    };
  }

  /**
   * Reads a `flow -r` line (either form, see {@link FlowRateSample}); false when `body` is not one.
   * A number that cannot be exact becomes `null` with a warning.
   */
  private rateLine(body: string, f: number, li: number): boolean {
    const tf = RATE_TF_RE.exec(body);
    const old = tf === null ? RATE_R1_RE.exec(body) : null;
    if (tf === null && old === null) return false;
    const num = (s: string | undefined, what: string): number | null => {
      const r = checkedInt(s, [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
      if (r.problem !== null) this.warn(li, f, `flow -r ${what}: ${r.problem}; read as null`, body);
      return r.value;
    };
    const m = (tf ?? old) as RegExpExecArray;
    this.rates.push({
      line: li + 1,
      time: tf !== null ? m[1] : null,
      newFlows: old !== null ? num(m[1], "New") : null,
      setupRate: old !== null ? num(m[2], "Flow setup rate") : null,
      flowRate: old !== null ? num(m[3], "Flow rate") : null,
      periodMs: old !== null ? num(m[4], "period") : null,
      entries: tf !== null ? num(m[2], "Entries") : null,
      rate: tf !== null ? num(m[3], "Rate") : null,
      fwd: tf !== null ? num(m[4], "Fwd") : null,
      rev: tf !== null ? num(m[5], "Rev") : null,
      del: tf !== null ? num(m[6], "Del") : null,
      hold: tf !== null ? num(m[7], "Hold") : null,
      freeBurstTokens: tf !== null ? num(m[8], "Free Burst Tokens") : null,
      holdEntries: tf !== null ? num(m[9], "Total Hold Entries") : null,
    });
    return true;
  }
}

/** R1.x `flow -r`: `New =    2, Flow setup rate =    3 flows/sec, Flow rate =    3 flows/sec, for last  548 ms`. */
const RATE_R1_RE =
  /^New\s*=\s*(-?\d+),\s*Flow setup rate\s*=\s*(-?\d+)\s*flows\/sec,\s*Flow rate\s*=\s*(-?\d+)\s*flows\/sec,\s*for last\s+(-?\d+)\s*ms\s*$/;
/** TF master `flow -r` (`flow_rate()` in utils/flow.c). */
const RATE_TF_RE =
  /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}):\s+Entries\s*=\s*(-?\d+)\s+Rate\s*=\s*(-?\d+)\s*\(Fwd\s*=\s*(-?\d+)\s+Rev\s*=\s*(-?\d+)\s+Del\s*=\s*(-?\d+)\)\s*Hold\s*=\s*(-?\d+)\s+Free Burst Tokens\s*=\s*(-?\d+)\s+Total Hold Entries\s+(-?\d+)\s*$/;

/** End of a value: stops at `,`, whitespace, or a `)` that is not closing a `(` opened inside the value. */
function valueEnd(t: string, i: number, limit: number): number {
  let depth = 0;
  while (i < limit) {
    const c = t.charCodeAt(i);
    if (c === 40) depth++;
    else if (c === 41) {
      if (depth === 0) break;
      depth--;
      if (depth === 0) {
        i++;
        break;
      }
    } else if (depth === 0 && (c === 44 || c === 32 || c === 9 || c === 10)) break;
    else if (c === 10) break;
    i++;
  }
  return i;
}

function nextSep(t: string, i: number, limit: number): number {
  while (i < limit) {
    const c = t.charCodeAt(i);
    if (c === 44 || c === 32 || c === 9 || c === 10 || c === 41) break;
    i++;
  }
  return i;
}

function isDashes(s: string): boolean {
  const t = s.trimEnd();
  if (t.length < 3) return false;
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) !== 45) return false;
  return true;
}

// A table header with only its line, size and slots known (the counters follow on later lines).
function emptyHeader(line: number, sizeBytes: number | null, slots: number | null): FlowTableHeader {
  return { line, sizeBytes, slots, created: null, added: null, deleted: null, changed: null, processed: null, overflowEntries: null, createdPerCpu: [], holdOverflows: null, match: null };
}
