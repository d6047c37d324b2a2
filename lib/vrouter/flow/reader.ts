/**
 * The one reader of `flow` output behind `parseFlow`, `parseFlowColumns` and `parseFlowStream`.
 *
 * It walks cleaned UTF-8 bytes (see `clean.ts`) line by line and classifies what starts at each line:
 * an entry of `flow -l` in the usual layout is read by the byte scanner ({@link EntryScanner}, the fast
 * path); anything else — headers, legends, prompts and other tools' output, `flow --get` blocks, old
 * layouts, unusual or broken attribute blocks, garbage — goes, up to the next empty line, to the line
 * scanner ({@link FlowScanner}), which alone reports errors and warnings. Entries go to a sink: rows
 * ({@link RowSink}) or columns ({@link ColumnSink}). Whatever the entry point, the same bytes meet the
 * same classification and the same two scanners, so the three results cannot differ.
 *
 * Text is fed in segments that end at an empty line (or at the end of the input): a `flow -l` entry
 * never spans an empty line (every part of the line scanner stops at one), so where the segments are
 * cut does not change what is read.
 */
import type { FlowParseResult } from "../types";
import { EntryScanner, MAX_POS } from "./bytes";
import { FlowScanner } from "./scanner";
import type { FlowSink } from "./sinks";

/** Decodes the line scanner's segments; a byte-order mark inside the input is text, as in a string. */
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Pieces of a large text are cut at the first empty line after this many bytes. */
const PIECE = 2 ** 30;

/**
 * Index of the first byte after the next empty line at or after `p` (or the end).
 *
 * @example
 * afterBlankLine(Buffer.from("a\n\nb"), 0) // => 3
 */
export function afterBlankLine(u: Uint8Array, p: number): number {
  const n = u.length;
  for (let i = u.indexOf(10, p); i >= 0 && i + 1 < n; i = u.indexOf(10, i + 1)) {
    if (u[i + 1] === 10) return i + 2;
  }
  return n;
}

/**
 * Reads cleaned `flow` text into a sink. Feed it segments that end at an empty line (or the input's
 * end), then call {@link finish}.
 *
 * @example
 * const sink = new RowSink();
 * const r = new FlowReader(sink);
 * r.feed(Buffer.from("   1<=>2   1.1.1.1:1   6 (0)\n   2.2.2.2:80\n(Action:F, Stats:1/60)\n"));
 * r.finish().errors.length // => 0, and sink.rows[0].dstPort === 80
 */
export class FlowReader {
  private readonly lines: FlowScanner;
  private readonly fast = new EntryScanner();
  /** Line index of the next line fed. */
  private li = 0;

  constructor(private readonly sink: FlowSink) {
    this.lines = new FlowScanner({ onEntry: (row) => sink.row(row) });
  }

  /**
   * Reads a segment of cleaned bytes (ending at an empty line, or the last one).
   *
   * @example
   * new FlowReader(new RowSink()).feed(Buffer.from("Flow table(size 1, entries 2)\n\n"))
   */
  feed(bytes: Uint8Array): void {
    // One array class at every element access in the scanners: a Buffer view (no copy).
    const u = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // Past 1 GiB, read in pieces cut at empty lines, so the byte scanner's positions stay Int32.
    if (u.length > PIECE) {
      for (let p = 0; p < u.length; ) {
        const end = p + PIECE >= u.length ? u.length : afterBlankLine(u, p + PIECE);
        this.feedPiece(u.subarray(p, end));
        p = end;
      }
    } else this.feedPiece(u);
  }

  private feedPiece(u: Buffer): void {
    const n = u.length;
    const fast = this.fast;
    const lines = this.lines;
    fast.reset(u);
    let p = 0;
    let li = this.li;
    // Whether the line scanner holds no state across lines (only its own reading can change that).
    let boundary = lines.atEntryBoundary;
    while (p < n) {
      if (boundary) {
        let f = p;
        while (f < n && u[f] === 32) f++;
        const c = f < n ? u[f] : 10;
        if (c === 10) {
          // An empty line.
          p = f + 1;
          li++;
          continue;
        }
        if (c >= 48 && c <= 57 && f < MAX_POS) {
          if (fast.full) this.take(u);
          const next = fast.scanEntry(f, li);
          if (next >= 0) {
            p = next;
            li = fast.nli;
            continue;
          }
        }
      }
      // Not an entry in the usual layout: the line scanner reads up to the next empty line (its rows
      // come after the staged ones, and it counts the byte scanner's entries as its own).
      this.take(u);
      const end = afterBlankLine(u, p);
      lines.nextLine = li;
      lines.feed(utf8.decode(u.subarray(p, end)));
      li = lines.nextLine;
      p = end;
      fast.dump = lines.currentDump;
      boundary = lines.atEntryBoundary;
    }
    this.take(u);
    this.li = li;
  }

  /** Hands the staged entries to the sink (one call per block) and has the line scanner count them. */
  private take(u: Uint8Array): void {
    const n = this.fast.count;
    if (n === 0) return;
    this.sink.take(this.fast, u);
    this.fast.count = 0;
    this.lines.countExternalEntries(n);
  }

  /**
   * Ends the input: the rest of the result (errors, warnings, commands, table headers) is returned
   * (`rows` is empty: the rows went to the sink).
   *
   * @example
   * new FlowReader(new RowSink()).finish().kind // => "flow"
   */
  finish(): FlowParseResult {
    return this.lines.finish();
  }
}
