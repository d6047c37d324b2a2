/**
 * Where JSON text is broken, found by reading it (not from `JSON.parse`'s message, whose wording and
 * position vary between Node versions and which may quote the text, secrets included), and character
 * offsets as 1-based line and column. Used by the inventory reader and the Junos JSON parser.
 */

/**
 * The 1-based line and column of a character offset in `text` (offsets past the end clamp to it).
 *
 * @example
 * lineColumnOf("ab\ncd", 4) // => { line: 2, column: 2 }
 */
export function lineColumnOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  const end = Math.min(Math.max(offset, 0), text.length);
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: end - start + 1 };
}

/**
 * The offset and a description of the first JSON (RFC 8259) syntax error in `text`; `undefined` when
 * there is none. Only run after `JSON.parse` has failed.
 *
 * @example
 * locateJsonError('{"a" 1}') // => { offset: 5, message: "expected ':' after a property name" }
 */
export function locateJsonError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  class Stop {
    constructor(readonly offset: number, readonly message: string) {}
  }
  const fail = (message: string): never => {
    throw new Stop(i, i >= text.length ? "unexpected end of text" : message);
  };
  const ws = (): void => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const expect = (ch: string, what: string): void => {
    if (text[i] !== ch) fail(what);
    i++;
  };
  const string = (): void => {
    const start = i;
    expect('"', "expected a string in double quotes");
    for (;;) {
      if (i >= text.length) throw new Stop(start, "unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) return void i++;
      if (c < 0x20) fail("control character in a string (write it as an escape, like \\n)");
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("bad \\u escape in a string");
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail("bad escape in a string");
      } else i++;
    }
  };
  const value = (depth: number): void => {
    if (depth > 2000) fail("nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a property name in double quotes");
        string();
        ws();
        expect(":", "expected ':' after a property name");
        value(depth + 1);
        ws();
        if (text[i] === "}") return void i++;
        expect(",", "expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === "]") return void i++;
        expect(",", "expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (m) {
      i += m[0].length;
      return;
    }
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    fail("expected a value (an object, array, string, number, true, false or null)");
  };
  try {
    value(0);
    ws();
    if (i < text.length) fail("unexpected text after the JSON value");
    return undefined;
  } catch (e) {
    if (e instanceof Stop) return { offset: e.offset, message: e.message };
    throw e;
  }
}
