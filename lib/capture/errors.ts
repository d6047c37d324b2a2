/**
 * Errors raised by capture reading and the filter language.
 * @module
 */

/**
 * A capture file is malformed or unreadable at a byte offset. Raised after every frame before the
 * offset was delivered.
 * @example
 * try { await readCapture("x.pcap"); } catch (e) { if (e instanceof CaptureFormatError) e.offset; }
 */
export class CaptureFormatError extends Error {
  override name = "CaptureFormatError";
  /** Stage tag shared with the project's other errors. */
  readonly stage = "decode" as const;
  /** File offset of the bad record/block (bytes from the start of the stream). */
  readonly offset: number;
  /** The file (or stream) name, when known. */
  readonly file: string | undefined;

  constructor(message: string, offset: number, file?: string, options?: { cause?: unknown }) {
    super(`${file ? `${file}: ` : ""}offset ${offset}: ${message}`, options);
    this.offset = offset;
    this.file = file;
  }
}

/**
 * A filter expression did not parse; `position` is the 0-based character index.
 * @example
 * try { compileFilter("tcp.port == "); } catch (e) { (e as FilterSyntaxError).position; } // 12
 */
export class FilterSyntaxError extends Error {
  override name = "FilterSyntaxError";
  readonly position: number;
  readonly expression: string;

  constructor(message: string, expression: string, position: number) {
    super(`filter: ${message} at position ${position}\n  ${expression}\n  ${" ".repeat(position)}^`);
    this.position = position;
    this.expression = expression;
  }
}
