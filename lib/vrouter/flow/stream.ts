/**
 * Streaming `flow` parsing: chunks in (strings or UTF-8 bytes), entries out as they complete.
 */
import type { FlowParseResult } from "../types";
import { normalizeText } from "../text";
import { FlowScanner, type FlowScannerOptions } from "./scanner";

/** A chunk of `flow` output as a stream delivers it. */
export type TextChunk = string | Uint8Array;

/**
 * Streaming {@link parseFlow}: reads chunks (an async or sync iterable of strings or UTF-8 bytes), parses
 * complete entries as they arrive (text is cut at blank lines), and returns the same result. With
 * `onEntry`, rows go to the callback and are not kept, so memory stays flat for any table size.
 *
 * @example
 * const r = await parseFlowStream(fs.createReadStream("flows.txt", "utf8"), { onEntry: (row) => count++ });
 * r.rows.length // => 0 (rows went to onEntry)
 */
export async function parseFlowStream(
  chunks: AsyncIterable<TextChunk> | Iterable<TextChunk>,
  opts: FlowScannerOptions = {},
): Promise<FlowParseResult> {
  const s = new FlowScanner(opts);
  const decoder = new TextDecoder("utf-8");
  let carry = "";
  let heldCR = false;
  for await (const chunk of chunks as AsyncIterable<TextChunk>) {
    let str = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    if (heldCR) {
      str = "\r" + str;
      heldCR = false;
    }
    if (str.endsWith("\r")) {
      str = str.slice(0, -1);
      heldCR = true;
    }
    const carryLen = carry.length;
    const buf = carry + normalizeText(str);
    // The last blank line, searching only the new text (the carry has none): linear overall.
    let cut = -1;
    for (let k = buf.indexOf("\n\n", Math.max(0, carryLen - 1)); k >= 0; k = buf.indexOf("\n\n", k + 1)) cut = k;
    if (cut < 0) {
      carry = buf;
      if (carry.length > 64 * 1024 * 1024) {
        // No blank line for 64 MiB: not flow -l; parse what we have rather than grow forever.
        const lastNl = carry.lastIndexOf("\n");
        if (lastNl >= 0) {
          s.feed(carry.slice(0, lastNl + 1));
          carry = carry.slice(lastNl + 1);
        }
      }
      continue;
    }
    s.feed(buf.slice(0, cut + 2));
    carry = buf.slice(cut + 2);
  }
  const tail = decoder.decode();
  carry += normalizeText(tail + (heldCR ? "\r" : ""));
  if (carry.length > 0) s.feed(carry);
  return s.finish();
}
