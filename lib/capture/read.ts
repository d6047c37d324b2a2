/**
 * Reading captures: from a path, a Buffer, a Node Readable (e.g. `tcpdump -w - -U` over SSH) or any
 * (async) iterable of byte chunks, in bounded memory.
 *
 * - {@link readCapture}: full decode into a columnar {@link FrameTable} (the fast path).
 * - {@link readRecords}: raw records as they arrive (async iterator).
 * - {@link readFrames}: {@link DecodedFrame} objects with payload copies (small captures, analyses).
 * @module
 */
import * as fs from "node:fs";
import { type DecodeContext } from "./context";
import { createDecodeContext, decodeInto, type DecodeOptions, type DecodedFrame, frameFromContext } from "./decode";
import { CaptureFormatError } from "./errors";
import { CaptureParser } from "./file/parser";
import { FrameTableBuilder } from "./table/builder";
import { FrameTable } from "./table/frame-table";

/** Where capture bytes come from. */
export type CaptureSource =
  | string
  | Uint8Array
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array>
  | NodeJS.ReadableStream;

/** Options for reading. */
export interface ReadOptions extends DecodeOptions {
  /** Name used in error messages (defaults to the path). */
  name?: string;
  /** Read chunk size for paths (default 1 MiB). */
  chunkSize?: number;
  /** Stop after this many frames. */
  limit?: number;
  /** Aborts reading (frames so far are kept). */
  signal?: AbortSignal;
  /** Keep only rows for which this returns true (called after decoding, with the context). */
  keep?: (ctx: DecodeContext, no: number) => boolean;
}

/** One record of a capture file. `data` is a view; copy it to keep it past the iteration. */
export interface CaptureRecord {
  /** Frame number, from 1. */
  no: number;
  tsSec: number;
  tsNsec: number;
  /** Epoch seconds as a float. */
  time: number;
  origLen: number;
  linkType: number;
  /** pcapng interface id (0 for pcap). */
  iface: number;
  data: Uint8Array;
}

function sourceName(source: CaptureSource, options: ReadOptions): string | undefined {
  return options.name ?? (typeof source === "string" ? source : undefined);
}

/**
 * Chunks of a source. With `reuse`, a path is read into one recycled buffer (the caller must not
 * keep views into a chunk past the next one: readCapture copies what it keeps).
 */
async function* chunksOf(source: CaptureSource, chunkSize: number, reuse = false): AsyncGenerator<Uint8Array> {
  if (typeof source === "string") {
    if (reuse) {
      // two recycled buffers: the next read runs while the caller decodes the current chunk
      const fh = await fs.promises.open(source, "r");
      const bufs = [Buffer.allocUnsafeSlow(chunkSize), Buffer.allocUnsafeSlow(chunkSize)];
      let k = 0;
      let pending: Promise<{ bytesRead: number }> | null = fh.read(bufs[0]!, 0, chunkSize, null);
      try {
        for (;;) {
          const { bytesRead }: { bytesRead: number } = await pending!;
          pending = null;
          if (bytesRead === 0) return;
          const cur = bufs[k]!;
          k ^= 1;
          pending = fh.read(bufs[k]!, 0, chunkSize, null);
          yield cur.subarray(0, bytesRead);
        }
      } finally {
        if (pending) await pending.catch(() => undefined);
        await fh.close();
      }
    }
    const stream = fs.createReadStream(source, { highWaterMark: chunkSize });
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } finally {
      stream.destroy();
    }
    return;
  }
  if (source instanceof Uint8Array) { yield source; return; }
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    yield typeof chunk === "string" ? Buffer.from(chunk, "latin1") : chunk;
  }
}

/**
 * Passes chunks through until `signal` aborts; an abort also ends a wait for the next chunk of a
 * live stream (the stream itself is left to its owner).
 */
async function* untilAborted<T>(it: AsyncGenerator<T>, signal: AbortSignal | undefined): AsyncGenerator<T> {
  if (signal === undefined) { yield* it; return; }
  let onAbort = (): void => undefined;
  const aborted = new Promise<IteratorResult<T>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([it.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    void it.return(undefined).catch(() => undefined);
  }
}

/** Exceptions from the source itself (ENOENT, EACCES…) become CaptureFormatErrors at offset 0. */
function wrapSourceError(e: unknown, name: string | undefined, offset: number): CaptureFormatError {
  if (e instanceof CaptureFormatError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new CaptureFormatError(`cannot read: ${msg}`, offset, name, { cause: e });
}

/**
 * Reads and decodes a whole capture into a columnar table. A format error mid-file does not reject:
 * the table holds every frame before it and `table.error` says where it stopped. An unreadable source
 * (missing file, not a capture) rejects with {@link CaptureFormatError}.
 * @example
 * const t = await readCapture("/tmp/fabric.pcap", { mplsPayload: new Map([[40, "ethernet"]]) });
 * t.toArquero().groupby("tunnel").count().print();
 */
export async function readCapture(source: CaptureSource, options: ReadOptions = {}): Promise<FrameTable> {
  const name = sourceName(source, options);
  const parser = new CaptureParser(name);
  const ctx = createDecodeContext(options);
  const builder = new FrameTableBuilder();
  const limit = options.limit ?? Infinity;
  const keep = options.keep;
  let no = 0;
  let done = false;
  let probing = false;
  const sink = (data: Uint8Array, off: number, caplen: number, origLen: number, sec: number, nsec: number, linkType: number): void => {
    if (probing) return;
    if (no >= limit) { done = true; return; }
    no++;
    if (keep === undefined) {
      builder.appendFrame(ctx, data, off, off + caplen, linkType, no, sec, nsec, origLen);
      return;
    }
    decodeInto(ctx, data, off, off + caplen, linkType);
    if (keep(ctx, no)) builder.append(ctx, no, sec, nsec, origLen, linkType);
  };
  /**
   * Estimates the row count of a sized source from its first MiB (records per byte there), parsed by
   * a probe parser through the same sink (muted), so the parser's call site sees one target only.
   */
  const estimateRows = (first: Uint8Array, totalBytes: number, name: string | undefined): number => {
    const probe = new CaptureParser(name);
    probing = true;
    try {
      probe.push(first.subarray(0, Math.min(first.length, 1 << 20)), sink);
    } catch {
      return 0;
    } finally {
      probing = false;
    }
    if (probe.records === 0 || probe.offset === 0) return 0;
    // generous: reserved but never written rows cost address space, not resident memory
    return Math.ceil((totalBytes / probe.offset) * probe.records * 1.1) + 1024;
  };
  let error: CaptureFormatError | undefined;
  let size = typeof source === "string" ? -1 : source instanceof Uint8Array ? source.length : -1;
  let first = true;
  try {
    if (typeof source === "string") size = (await fs.promises.stat(source)).size;
    for await (const c of untilAborted(chunksOf(source, options.chunkSize ?? 1 << 20, true), options.signal)) {
      // plain Uint8Array views of Buffers too: records from a chunk and from the parser's carry (a
      // Uint8Array) then share one class, and the JIT-compiled decoder does not deoptimize on the other
      const chunk = c.constructor === Uint8Array ? c : new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
      if (first && size > 0 && keep === undefined && limit === Infinity) builder.reserve(estimateRows(chunk, size, name));
      first = false;
      parser.push(chunk, sink);
      if (done || options.signal?.aborted) break;
    }
    if (!done && !options.signal?.aborted) parser.end();
  } catch (e) {
    error = wrapSourceError(e, name, parser.offset);
    if (parser.records === 0 && (parser.detectedFormat === undefined || !(e instanceof CaptureFormatError))) throw error;
  }
  return builder.finish(error);
}

/**
 * Iterates the records of a capture as they arrive (works on a live `tcpdump -w - -U` stream).
 * Throws {@link CaptureFormatError} after yielding every record before a malformed one.
 * @example
 * for await (const r of readRecords(ssh.stdout)) console.log(r.no, r.data.length);
 */
export async function* readRecords(source: CaptureSource, options: ReadOptions = {}): AsyncGenerator<CaptureRecord> {
  const name = sourceName(source, options);
  const parser = new CaptureParser(name);
  const pending: CaptureRecord[] = [];
  let no = 0;
  const sink = (data: Uint8Array, off: number, caplen: number, origLen: number, tsSec: number, tsNsec: number, linkType: number, iface: number): void => {
    no++;
    pending.push({ no, tsSec, tsNsec, time: tsSec + tsNsec / 1e9, origLen, linkType, iface, data: data.subarray(off, off + caplen) });
  };
  const limit = options.limit ?? Infinity;
  const signal = options.signal;
  let yielded = 0;
  try {
    for await (const chunk of untilAborted(chunksOf(source, options.chunkSize ?? 1 << 16), signal)) {
      let err: unknown;
      try { parser.push(chunk, sink); } catch (e) { err = e; }
      for (const r of pending) {
        if (yielded >= limit || signal?.aborted) return;
        yielded++;
        yield r;
      }
      pending.length = 0;
      if (err !== undefined) throw err;
    }
  } catch (e) {
    throw wrapSourceError(e, name, parser.offset);
  }
  if (signal?.aborted) return;
  parser.end();
}

/**
 * Reads a capture into {@link DecodedFrame} objects (with `no`, `time` and a payload copy), for
 * small captures and the analyses. Throws like {@link readRecords}.
 * @example
 * const frames = await readFrames("fabric.pcap");
 * frames.filter((f) => f.http?.method === "GET").length;
 */
export async function readFrames(source: CaptureSource, options: ReadOptions = {}): Promise<CapturedFrame[]> {
  const ctx = createDecodeContext(options);
  const out: CapturedFrame[] = [];
  for await (const r of readRecords(source, options)) out.push(decodeRecord(ctx, r));
  return out;
}

/**
 * Decodes a capture as it arrives, calling `onFrame` for each frame (for a live
 * `tcpdump -w - -U` stream over SSH); resolves with the frame count when the stream ends or
 * `options.signal` aborts. Throws like {@link readRecords}.
 * @example
 * await watchCapture(ssh.stdout, (f) => { if (f.http) console.log(f.no, f.http.method, f.http.path); });
 */
export async function watchCapture(source: CaptureSource, onFrame: (frame: CapturedFrame) => void, options: ReadOptions = {}): Promise<number> {
  const ctx = createDecodeContext(options);
  let n = 0;
  for await (const r of readRecords(source, options)) {
    onFrame(decodeRecord(ctx, r));
    n++;
  }
  return n;
}

/** A decoded frame with its record metadata. */
export interface CapturedFrame extends DecodedFrame {
  no: number;
  /** Epoch seconds (float). */
  time: number;
  tsSec: number;
  tsNsec: number;
  origLen: number;
  linkType: number;
}

/**
 * Decodes one record with a context.
 * @example const f = decodeRecord(createDecodeContext(), record);
 */
export function decodeRecord(ctx: DecodeContext, r: CaptureRecord): CapturedFrame {
  decodeInto(ctx, r.data, 0, r.data.length, r.linkType);
  const f = frameFromContext(ctx) as CapturedFrame;
  f.no = r.no;
  f.time = r.time;
  f.tsSec = r.tsSec;
  f.tsNsec = r.tsNsec;
  f.origLen = r.origLen;
  f.linkType = r.linkType;
  return f;
}
