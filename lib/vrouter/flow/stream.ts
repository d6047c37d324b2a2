/**
 * Streaming `flow` parsing: chunks in (strings or UTF-8 bytes, cut anywhere), entries out as they
 * complete, through the same reader as `parseFlow` (`reader.ts`).
 */
import type { FlowEntry, FlowParseResult } from "../types";
import { FlowInput, type TextChunk } from "./input";
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
 * table size.
 *
 * @example
 * const r = await parseFlowStream(fs.createReadStream("flows.txt"), { onEntry: (row) => count++ });
 * r.rows.length // => 0 (rows went to onEntry)
 */
export async function parseFlowStream(
  chunks: AsyncIterable<TextChunk> | Iterable<TextChunk>,
  opts: FlowStreamOptions = {},
): Promise<FlowParseResult> {
  const sink = new RowSink(opts.onEntry);
  const reader = new FlowReader(sink);
  const input = new FlowInput(reader);
  for await (const chunk of chunks as AsyncIterable<TextChunk>) input.push(chunk);
  input.end();
  const r = reader.finish();
  r.rows = sink.rows;
  return r;
}
