/**
 * Streaming `flow` parsing: chunks in (strings or UTF-8 bytes, cut anywhere), entries out as they
 * complete, through the same reader as `parseFlow` (`reader.ts`).
 */
import type { FlowEntry, FlowParseResult } from "../types";
import { FlowTextCleaner } from "./clean";
import { FlowReader } from "./reader";
import { RowSink } from "./sinks";

/** A chunk of `flow` output as a stream delivers it. */
export type TextChunk = string | Uint8Array;

/** Options of {@link parseFlowStream}. */
export interface FlowStreamOptions {
  /** Called for every entry; when given, rows are not kept in the result (memory stays flat). */
  onEntry?: (row: FlowEntry) => void;
}

/** Text without a blank line for this long is fed up to its last line end (memory stays bounded). */
const MAX_CARRY = 64 * 1024 * 1024;

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
  const cleaner = new FlowTextCleaner();
  let carry: Uint8Array = new Uint8Array(0);
  // A string chunk that ends with the first half of a surrogate pair: its second half is in the next one.
  let highSurrogate = "";
  const take = (clean: Uint8Array): void => {
    if (clean.length === 0) return;
    const carryLen = carry.length;
    const buf = carryLen === 0 ? clean : Buffer.concat([carry, clean]);
    // The last empty line, searching only the new bytes (the carry has none): linear overall.
    const cut = lastBlankLineEnd(buf, Math.max(0, carryLen - 1));
    if (cut < 0) {
      carry = carryLen === 0 ? Buffer.from(buf) : buf; // a copy: the caller may reuse its chunk
      if (carry.length > MAX_CARRY) {
        // No empty line for 64 MiB: not flow -l; read what we have rather than grow forever.
        const lastNl = carry.lastIndexOf(10);
        if (lastNl >= 0) {
          reader.feed(carry.subarray(0, lastNl + 1));
          carry = Buffer.from(carry.subarray(lastNl + 1));
        }
      }
      return;
    }
    reader.feed(buf.subarray(0, cut));
    carry = Buffer.from(buf.subarray(cut));
  };
  for await (const chunk of chunks as AsyncIterable<TextChunk>) {
    let bytes: Uint8Array;
    if (typeof chunk === "string") {
      let s = highSurrogate + chunk;
      highSurrogate = "";
      const last = s.charCodeAt(s.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        highSurrogate = s.slice(-1);
        s = s.slice(0, -1);
      }
      bytes = Buffer.from(s, "utf8");
    } else bytes = chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk), "utf8");
    take(cleaner.push(bytes));
  }
  if (highSurrogate !== "") take(cleaner.push(Buffer.from(highSurrogate, "utf8")));
  take(cleaner.end());
  if (carry.length > 0) reader.feed(carry);
  const r = reader.finish();
  r.rows = sink.rows;
  return r;
}

/** The index after the last `\n\n` in `u` that starts at or after `from`, or -1. */
function lastBlankLineEnd(u: Uint8Array, from: number): number {
  for (let i = u.lastIndexOf(10); i > from; i = u.lastIndexOf(10, i - 1)) {
    if (u[i - 1] === 10) return i + 1;
  }
  return -1;
}
