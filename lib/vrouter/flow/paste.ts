/**
 * Pasted `flow` output through the one text hygiene layer (`../hygiene.ts`), for all three entry points.
 *
 * The input is first read as is (`input.ts` → `reader.ts`: BOM, CRLF and ANSI cleaned on the bytes, the
 * byte scanner for the usual layout). Output as the tool prints it reads without a problem, and that is
 * the result: machine output never pays for the hygiene. When that read reports a problem (an error or a
 * warning) or reads nothing at all, and the input is a paste (at most {@link PASTE_LIMIT} bytes), the text is read again through
 * `cleanText(text, "flow", { legends: false, prose: "punctuated" })` — prompts of every shell, `flow –l`, `| grep` pipes and
 * their `--` separators, a block indented as a whole, double spacing, `#` comments, notes after data,
 * elisions — and that second result is kept unless it has more errors than the first. Its lines,
 * columns, rows, headers, rate lines and commands are mapped back to the original input's lines, and
 * in a `| grep` section the error of a record `grep -A/-B/-C` cut (a part missing, a fragment alone)
 * becomes a warning.
 *
 * `parseFlow`, `parseFlowColumns` and `parseFlowStream` all decide by the same rule on the same bytes
 * (the stream holds its chunks until it has seen more than {@link PASTE_LIMIT} bytes or its end), so
 * the three keep agreeing.
 */
import { cleanText, type CleanText, remapProblem } from "../hygiene";
import type { CommandRecord, FlowParseResult, ParseError, ParseWarning } from "../types";
import { FlowInput, type TextChunk } from "./input";
import { FlowReader } from "./reader";
import type { FlowSink } from "./sinks";

/**
 * The errors that a record cut by `grep -A/-B/-C` gives (a part missing, or a fragment alone); a field
 * that is there but cannot be read (`1.2.3.4:x`) stays an error in a filtered section too.
 */
const CUT_RECORD_RE = /^(?:unexpected line|attribute block without|attribute block not closed|flow entry without|flow entry ends before|expected the destination `address:port` line|`Oflow entries:` without)/;

/** Inputs of at most this many bytes are pastes: read through the hygiene layer when needed. */
export const PASTE_LIMIT = 16 * 1024 * 1024;

/** What a whole-input read needs of its entry point. */
export interface PasteSource<S extends FlowSink> {
  /** The input's chunks, in order (called once or twice). */
  chunks: () => Iterable<TextChunk>;
  /** The input as one string (called only for a second read). */
  text: () => string;
  /** The input's size in bytes. */
  size: number;
  /** A fresh sink. */
  sink: () => S;
  /** How many entries the sink holds. */
  count: (sink: S) => number;
  /** Maps the sink's row lines (1-based lines of the cleaned text) to the input's. */
  remapRows: (sink: S, lineOf: (line: number) => number) => void;
}

/** Reads chunks through the plain path into `sink`. */
function readChunks(chunks: Iterable<TextChunk>, sink: FlowSink): FlowParseResult {
  const reader = new FlowReader(sink);
  const input = new FlowInput(reader);
  for (const c of chunks) input.push(c);
  input.end();
  return reader.finish();
}

/**
 * Reads a whole input: as is, and through the hygiene layer when that read reported a problem (see the
 * module's header). Returns the sink whose entries are the result's.
 *
 * @example
 * const { sink, result } = readFlowPaste({
 *   chunks: () => [text], text: () => text, size: Buffer.byteLength(text), sink: () => new RowSink(), count: (s) => s.rows.length,
 *   remapRows: (s, lineOf) => { for (const r of s.rows) r.line = lineOf(r.line); },
 * });
 * result.errors // => [] for `bash-5.1# flow –l` and its output, with the prompt in result.commands
 */
export function readFlowPaste<S extends FlowSink>(src: PasteSource<S>): { sink: S; result: FlowParseResult } {
  const sink = src.sink();
  const plain = readChunks(src.chunks(), sink);
  // Nothing to repair: no problem reported, and something was read (a paste that reads as nothing at all,
  // e.g. e-mail quoting taken for `>` prompts, is worth a second look).
  const readSomething = src.count(sink) > 0 || plain.rates.length > 0 || plain.headers.length > 0;
  if (src.size > PASTE_LIMIT || (plain.errors.length === 0 && plain.warnings.length === 0 && readSomething)) return { sink, result: plain };
  const c = cleanText(src.text(), "flow", { legends: false, prose: "punctuated" });
  const sink2 = src.sink();
  const second = readChunks([c.text], sink2);
  const result = remapResult(c, second);
  if (result.errors.length > plain.errors.length) return { sink, result: plain };
  src.remapRows(sink2, (line) => lineOf(c, line));
  return { sink: sink2, result };
}

function lineOf(c: CleanText, line: number): number {
  return line >= 1 && line <= c.lineOf.length ? c.lineOf[line - 1] : line;
}

/** The second read's result in the original input's lines, with the hygiene's warnings and commands. */
function remapResult(c: CleanText, r: FlowParseResult): FlowParseResult {
  const errors: ParseError[] = [];
  const warnings: ParseWarning[] = [...c.warnings];
  for (const w of r.warnings) warnings.push(remapProblem(c, w));
  for (const e of r.errors) {
    const k = e.line - 1;
    const m = remapProblem(c, e);
    if (k >= 0 && k < c.filtered.length && c.filtered[k] && CUT_RECORD_RE.test(e.message)) {
      // A record cut by `grep -A/-B/-C`: expected in a filtered paste, not a line that could not be read.
      warnings.push({ ...m, message: `partial record of a filtered (\`| grep\`) output: ${m.message}` });
    } else errors.push(m);
  }
  warnings.sort((a, b) => a.line - b.line);
  const commands: CommandRecord[] = [
    ...c.commands.map((x) => ({ line: x.line, prompt: x.prompt, command: x.command, tool: x.tool })),
    ...r.commands.map((x) => ({ ...x, line: lineOf(c, x.line) })),
  ].sort((a, b) => a.line - b.line);
  for (const h of r.headers) h.line = lineOf(c, h.line);
  for (const s of r.rates) s.line = lineOf(c, s.line);
  return { ...r, errors, warnings, commands };
}
