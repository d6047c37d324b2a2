/**
 * The input side of the one `flow` reader, shared by all three entry points: chunks (strings or UTF-8
 * bytes, cut anywhere) → cleaned bytes (`clean.ts`) → segments that end at an empty line → the reader.
 * `parseFlow` pushes its string in 1 MiB slices, `parseFlowColumns` its bytes in one piece,
 * `parseFlowStream` whatever the stream delivers: the same path, so the same segments of the same bytes.
 */
import { FlowTextCleaner } from "./clean";
import type { FlowReader } from "./reader";

/** A chunk of `flow` output as a stream delivers it. */
export type TextChunk = string | Uint8Array;

const EMPTY = Buffer.alloc(0);

/** Text without an empty line for this long is fed up to its last line end (memory stays bounded). */
const MAX_CARRY = 64 * 1024 * 1024;

/**
 * Feeds a {@link FlowReader} from chunks: {@link push} each, then {@link end}.
 *
 * @example
 * const sink = new RowSink(), reader = new FlowReader(sink), input = new FlowInput(reader);
 * input.push("   1<=>2   1.1.1.1:1   6 (0)\n   2.2.2.2:80\n(Act"); input.push("ion:F, Stats:1/60)\n"); input.end();
 * sink.rows[0].packets // => 1
 */
export class FlowInput {
  private readonly cleaner = new FlowTextCleaner();
  /** Cleaned bytes after the last empty line, waiting for more. */
  private carry: Buffer = EMPTY;
  /** A string chunk ended with the first half of a surrogate pair: its second half is in the next one. */
  private highSurrogate = "";

  constructor(private readonly reader: FlowReader) {}

  /**
   * Takes the next chunk (a string, or UTF-8 bytes cut anywhere, even inside a character).
   *
   * @example
   * input.push(Buffer.from([0xc3])); input.push(Buffer.from([0xa9, 0x0a])) // "é\n", cut inside the é
   */
  push(chunk: TextChunk): void {
    let bytes: Uint8Array;
    if (typeof chunk === "string") {
      let s = this.highSurrogate + chunk;
      this.highSurrogate = "";
      const last = s.charCodeAt(s.length - 1);
      if (last >= 0xd800 && last <= 0xdbff) {
        this.highSurrogate = s.slice(-1);
        s = s.slice(0, -1);
      }
      bytes = Buffer.from(s, "utf8");
    } else bytes = chunk instanceof Uint8Array ? chunk : Buffer.from(String(chunk), "utf8");
    this.take(this.cleaner.push(bytes));
  }

  /**
   * Ends the input: everything still held goes to the reader.
   *
   * @example
   * input.end()
   */
  end(): void {
    if (this.highSurrogate !== "") this.take(this.cleaner.push(Buffer.from(this.highSurrogate, "utf8")));
    this.highSurrogate = "";
    this.take(this.cleaner.end());
    if (this.carry.length > 0) this.reader.feed(this.carry);
    this.carry = EMPTY;
  }

  /** Feeds cleaned bytes up to their last empty line; keeps the rest (a copy: the caller may reuse its chunk). */
  private take(clean: Uint8Array): void {
    if (clean.length === 0) return;
    const carryLen = this.carry.length;
    const buf = carryLen === 0 ? clean : Buffer.concat([this.carry, clean]);
    // The last empty line, searching only the new bytes (the carry has none): linear overall.
    const cut = lastBlankLineEnd(buf, Math.max(0, carryLen - 1));
    if (cut < 0) {
      this.carry = carryLen === 0 ? Buffer.from(buf) : (buf as Buffer);
      if (this.carry.length > MAX_CARRY) {
        // No empty line for 64 MiB: not flow -l; read what we have rather than grow forever.
        const lastNl = this.carry.lastIndexOf(10);
        if (lastNl >= 0) {
          this.reader.feed(this.carry.subarray(0, lastNl + 1));
          this.carry = Buffer.from(this.carry.subarray(lastNl + 1));
        }
      }
      return;
    }
    this.reader.feed(buf.subarray(0, cut));
    this.carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : EMPTY;
  }
}

/** The index after the last `\n\n` in `u` whose second `\n` is after `from`, or -1. */
function lastBlankLineEnd(u: Uint8Array, from: number): number {
  for (let i = u.lastIndexOf(10); i > from; i = u.lastIndexOf(10, i - 1)) {
    if (u[i - 1] === 10) return i + 1;
  }
  return -1;
}
