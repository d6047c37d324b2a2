/**
 * The text hygiene of the `flow` reader, on UTF-8 bytes and chunk by chunk: one rule set whatever the
 * entry point (`parseFlow`'s string, `parseFlowColumns`' bytes, `parseFlowStream`'s chunks cut
 * anywhere), so the three cannot see different text.
 *
 * - a byte-order mark at the very start of the input is dropped (elsewhere it is text);
 * - `\r\n` and a lone `\r` become `\n`;
 * - ANSI escape sequences are removed (the sequences `normalizeText` in `../text.ts` removes: CSI
 *   `ESC [ params letter`, `ESC ( x` / `ESC ) x`, and `ESC = > c M 7 8`); an escape that is not one of
 *   these stays as it is.
 *
 * A chunk that ends inside a `\r\n`, a byte-order mark or an escape sequence keeps that tail back until
 * the next chunk (or {@link FlowTextCleaner.end}) says how it ends.
 */

const EMPTY = new Uint8Array(0);

/** `0-9 ; ?`: the parameter bytes of a CSI sequence. */
function isParam(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 59 || c === 63;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** End (exclusive) of the escape sequence starting with the ESC at `i`, or -1 when there is none. */
function escapeEnd(u: Uint8Array, i: number): number {
  const c = u[i + 1];
  if (c === 91 /* [ */) {
    let j = i + 2;
    while (j < u.length && isParam(u[j])) j++;
    return j < u.length && isLetter(u[j]) ? j + 1 : -1;
  }
  if (c === 40 || c === 41 /* ( ) */) {
    const d = u[i + 2];
    return i + 2 < u.length && (isLetter(d) || (d >= 48 && d <= 57)) ? i + 3 : -1;
  }
  // = > c M 7 8
  if (c === 61 || c === 62 || c === 99 || c === 77 || c === 55 || c === 56) return i + 2;
  return -1;
}

/**
 * Where the part of `u` that may still change with the next chunk starts (a trailing `\r`, or the start
 * of an escape sequence cut by the chunk's end); `u.length` when none.
 */
function unsettledTail(u: Uint8Array): number {
  const n = u.length;
  if (n === 0) return 0;
  const last = u[n - 1];
  if (last === 13 || last === 27) return n - 1;
  if ((last === 40 || last === 41) && n >= 2 && u[n - 2] === 27) return n - 2;
  let j = n - 1;
  while (j >= 0 && isParam(u[j])) j--;
  if (j >= 1 && u[j] === 91 && u[j - 1] === 27) return j - 1;
  return n;
}

/**
 * `u` with line ends and escapes cleaned (see the module comment). Returns `u` itself when there is
 * nothing to do.
 *
 * @example
 * new TextDecoder().decode(cleanBytes(Buffer.from("\x1b[1ma\x1b[0m\r\n"))) // => "a\n"
 */
export function cleanBytes(u: Uint8Array): Uint8Array {
  if (u.indexOf(13) < 0 && u.indexOf(27) < 0) return u;
  const n = u.length;
  const out = Buffer.allocUnsafe(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const c = u[i];
    if (c === 13) {
      out[k++] = 10;
      if (u[i + 1] === 10) i++;
    } else if (c === 27) {
      const e = escapeEnd(u, i);
      if (e < 0) out[k++] = 27;
      else i = e - 1;
    } else out[k++] = c;
  }
  return out.subarray(0, k);
}

/**
 * Cleans `flow` input chunk by chunk: {@link push} each chunk's bytes, then {@link end}; the
 * concatenated results equal the whole input cleaned at once.
 *
 * @example
 * const c = new FlowTextCleaner();
 * const a = c.push(Buffer.from("\ufeffx\r")), b = c.push(Buffer.from("\ny\x1b[")), d = c.push(Buffer.from("0m\n")), e = c.end();
 * Buffer.concat([a, b, d, e]).toString() // => "x\ny\n"
 */
export class FlowTextCleaner {
  /** Nothing has been handed on yet: a byte-order mark here is dropped. */
  private atStart = true;
  /** Bytes kept back from the previous chunk. */
  private held: Uint8Array = EMPTY;

  /**
   * Cleans the next chunk; returns the bytes that are final (possibly none).
   *
   * @example
   * new FlowTextCleaner().push(Buffer.from("a\r")).length // => 1 ("a"; the \r waits for the next chunk)
   */
  push(chunk: Uint8Array): Uint8Array {
    let u = chunk;
    if (this.held.length > 0) {
      u = Buffer.concat([this.held, chunk]);
      this.held = EMPTY;
    }
    if (this.atStart) {
      if (u.length < 3 && isBomPrefix(u)) {
        this.held = Uint8Array.from(u);
        return EMPTY;
      }
      this.atStart = false;
      if (u[0] === 0xef && u[1] === 0xbb && u[2] === 0xbf) u = u.subarray(3);
    }
    const keep = unsettledTail(u);
    if (keep < u.length) this.held = Uint8Array.from(u.subarray(keep));
    return cleanBytes(keep < u.length ? u.subarray(0, keep) : u);
  }

  /**
   * The last bytes, once the input has ended (a held `\r` becomes `\n`; a cut escape stays as text).
   *
   * @example
   * const c = new FlowTextCleaner(); c.push(Buffer.from("a\r")); c.end() // => Uint8Array [10]
   */
  end(): Uint8Array {
    const u = this.held;
    this.held = EMPTY;
    this.atStart = false;
    if (u.length === 0) return EMPTY;
    if (u.length === 3 && u[0] === 0xef && u[1] === 0xbb && u[2] === 0xbf) return EMPTY;
    return cleanBytes(u);
  }
}

/** True for an empty array or the first one or two bytes of a UTF-8 byte-order mark. */
function isBomPrefix(u: Uint8Array): boolean {
  return (u.length === 0 || u[0] === 0xef) && (u.length < 2 || u[1] === 0xbb);
}
