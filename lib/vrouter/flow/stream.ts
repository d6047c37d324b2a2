/**
 * Streaming `flow` parsing: chunks in (strings or UTF-8 bytes, cut anywhere), entries out as they
 * complete, through the same reader as `parseFlow` (`reader.ts`).
 */
import type { FlowEntry, FlowParseResult } from "../types";
import { FlowInput, type TextChunk } from "./input";
import { remapRowLines } from "./parse";
import { PASTE_LIMIT, readFlowPaste } from "./paste";
import { FlowReader } from "./reader";
import { RowSink } from "./sinks";

export type { TextChunk } from "./input";

/** Options of {@link parseFlowStream}. */
export interface FlowStreamOptions {
  /** Called for every entry; when given, rows are not kept in the result (memory stays flat). */
  onEntry?: (row: FlowEntry) => void;
}

/**
 * Streaming {@link parseFlow}: reads chunks (an async or sync iterable of strings or UTF-8 bytes, cut
 * anywhere: inside a line, a `\r\n`, an escape sequence or a UTF-8 sequence), parses complete entries
 * as they arrive (text is handed on at empty lines), and returns the same result as `parseFlow` on the
 * whole text. With `onEntry`, rows go to the callback and are not kept, so memory stays flat for any
 * table size. The first {@link PASTE_LIMIT} bytes are held (a stream that ends before is a paste, read
 * whole like `parseFlow`, through the hygiene layer when needed); past them, entries flow as they come.
 *
 * @example
 * const r = await parseFlowStream(fs.createReadStream("flows.txt"), { onEntry: (row) => count++ });
 * r.rows.length // => 0 (rows went to onEntry)
 */
export async function parseFlowStream(
  chunks: AsyncIterable<TextChunk> | Iterable<TextChunk>,
  opts: FlowStreamOptions = {},
): Promise<FlowParseResult> {
  let held: TextChunk[] = [];
  let size = 0;
  let stream: { sink: RowSink; reader: FlowReader; input: FlowInput } | null = null;
  for await (const chunk of chunks as AsyncIterable<TextChunk>) {
    if (stream !== null) {
      stream.input.push(chunk);
      continue;
    }
    // A copy of bytes: the caller may reuse its buffer.
    const kept = typeof chunk === "string" ? chunk : Buffer.from(chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk), "utf8"));
    held.push(kept);
    size += typeof kept === "string" ? Buffer.byteLength(kept, "utf8") : kept.length;
    if (size > PASTE_LIMIT) {
      // Not a paste: read as it comes, as parseFlow reads an input this large.
      const sink = new RowSink(opts.onEntry);
      const reader = new FlowReader(sink);
      stream = { sink, reader, input: new FlowInput(reader) };
      for (const c of held) stream.input.push(c);
      held = [];
    }
  }
  if (stream !== null) {
    stream.input.end();
    const r = stream.reader.finish();
    r.rows = stream.sink.rows;
    return r;
  }
  const all = held;
  const { sink, result } = readFlowPaste({
    chunks: () => all,
    text: () =>
      all.every((c) => typeof c === "string")
        ? all.join("")
        : Buffer.concat(all.map((c) => (typeof c === "string" ? Buffer.from(c, "utf8") : c))).toString("utf8"),
    size,
    sink: () => new RowSink(),
    count: (s) => s.rows.length,
    remapRows: remapRowLines,
  });
  if (opts.onEntry !== undefined) {
    for (const row of sink.rows) opts.onEntry(row);
    result.rows = [];
  } else result.rows = sink.rows;
  return result;
}
