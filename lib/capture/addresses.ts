/**
 * A capture's addresses frame by frame, without an object per frame: {@link listFrameAddresses} walks
 * a whole pcap/pcapng in memory once and hands each frame's outermost Ethernet MACs, every IP header's
 * source and destination (IPv4 and IPv6, outermost first, any depth) and its HTTP Host to a callback,
 * as offsets into the capture's bytes in one reused {@link FrameAddresses}.
 *
 * The fields are exactly what {@link readFrames} gives for the same frame (`ethSrc`, `ethDst`,
 * `ips[i].src` / `.dst`, `http.host`): a frame the fused fast decoder (`decodeFast`) takes is read at
 * the fixed offsets of its Ethernet and IPv4 headers (`FastFrame.starts`), any other frame goes through
 * the layer decoders (`decodeInto`), which is what `readFrames` runs per frame.
 * `test/capture/addresses.test.ts` checks both against `readFrames` on the sample captures, generated
 * traffic of every tunnel kind, and seeded bit-flipped and cut copies.
 *
 * What it is for: the share's two passes over a capture (`lib/redact/redact.ts` lists its addresses
 * as originals; `lib/redact/verify.ts` checks the written capture for them), which compare numbers
 * and make a string only for a new value or a hit.
 * @module
 */
import { DecodeContext, u16, u32 } from "./context";
import { createDecodeContext, decodeInto, type DecodeOptions } from "./decode";
import { decodeFast, FastFrame } from "./decode-fast";
import { CaptureFormatError } from "./errors";
import { CaptureParser } from "./file/parser";
import * as ids from "./layer-ids";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_IPV4, MAX_IPS } = ids;

/**
 * One frame's addresses as offsets into {@link FrameAddresses.data}; one object is reused for every
 * frame of a listing and is valid only during the callback.
 * @example
 * listFrameAddresses(bytes, (f) => { if (f.ethOff >= 0) console.log(f.no, formatMac(f.data, f.ethOff + 6)); });
 */
export class FrameAddresses {
  /** Frame number, from 1 (as `readFrames`' `no`). */
  no = 0;
  /** The bytes every offset points into (the capture's, or a copy of them as a plain Uint8Array). */
  data: Uint8Array = new Uint8Array(0);
  /**
   * Offset of the outermost Ethernet header, -1 when the frame has none: the destination MAC (`ethDst`)
   * is its 6 bytes, the source MAC (`ethSrc`) the 6 after.
   */
  ethOff = -1;
  /** IP headers in decode order (outermost first): how many, each one's version (4 or 6). */
  ipCount = 0;
  readonly ipVer = new Uint8Array(MAX_IPS);
  /** Offsets of each IP header's source and destination address (4 bytes for IPv4, 16 for IPv6). */
  readonly ipSrc = new Int32Array(MAX_IPS);
  readonly ipDst = new Int32Array(MAX_IPS);
  /** The HTTP Host header's value (latin1 bytes, as `http.host`); `hostLen` 0 when there is none. */
  hostOff = 0;
  hostLen = 0;
  /** The fast decoder took the frame (for tests: which way it went). */
  fast = false;
}

/** How a {@link listFrameAddresses} walk ended. */
export interface AddressListing {
  /** Frames handed to the callback. */
  frames: number;
  /**
   * Why the walk stopped before the end of the bytes, after every frame before it was handed over:
   * the error `readFrames` rejects with for the same bytes (then it gives no frame at all).
   */
  error?: CaptureFormatError;
}

/** Options of {@link listFrameAddresses}: the decoding options of `readFrames`, and a name for errors. */
export interface ListAddressOptions extends DecodeOptions {
  /** Name used in error messages. */
  name?: string;
}

/**
 * Walks the pcap or pcapng in `bytes` once, calling `onFrame` for each frame with its addresses (one
 * reused {@link FrameAddresses}; read it during the call). Allocates nothing per frame on the fast
 * decoder's frames. Never throws for bad bytes: a malformed file ends the walk with `error` set (an
 * exception from `onFrame` itself is passed through).
 * @example
 * const v4 = new Set<number>();
 * const { frames, error } = listFrameAddresses(bytes, (f) => {
 *   for (let i = 0; i < f.ipCount; i++) if (f.ipVer[i] === 4) v4.add(u32(f.data, f.ipSrc[i]!));
 * });
 */
export function listFrameAddresses(bytes: Uint8Array, onFrame: (f: FrameAddresses) => void, options: ListAddressOptions = {}): AddressListing {
  const name = options.name;
  // a plain Uint8Array view of a Buffer: the decoders then see one class (see readCapture)
  const d = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ctx = createDecodeContext(options);
  const fast = new FastFrame();
  const out = new FrameAddresses();
  const parser = new CaptureParser(name);
  let no = 0;
  let thrown: { e: unknown } | null = null;
  const sink = (data: Uint8Array, off: number, caplen: number, _origLen: number, _sec: number, _nsec: number, linkType: number): void => {
    no++;
    out.no = no;
    out.data = data;
    const end = off + caplen;
    if (decodeFast(ctx, fast, data, off, end, linkType)) fromFast(fast, out);
    else {
      decodeInto(ctx, data, off, end, linkType);
      fromContext(ctx, out);
    }
    try {
      onFrame(out);
    } catch (e) {
      thrown = { e };
      throw e;
    }
  };
  let error: CaptureFormatError | undefined;
  try {
    parser.push(d, sink);
    parser.end();
  } catch (e) {
    if (thrown !== null) throw (thrown as { e: unknown }).e;
    // as readRecords: a format error as it is, anything else named at the parser's offset
    error = e instanceof CaptureFormatError ? e
      : new CaptureFormatError(`cannot read: ${e instanceof Error ? e.message : String(e)}`, parser.offset, name, { cause: e });
  }
  return error === undefined ? { frames: no } : { frames: no, error };
}

// A clean frame: the outermost Ethernet header and every IPv4 header at their recorded starts.
function fromFast(f: FastFrame, out: FrameAddresses): void {
  out.fast = true;
  out.ethOff = f.ethCount > 0 ? f.eth0 : -1;
  let n = 0;
  const layers = f.layers, starts = f.starts;
  for (let i = 0; i < f.layerCount; i++) {
    if (layers[i] !== LAYER_IPV4) continue;
    const o = starts[i]!;
    out.ipVer[n] = 4;
    out.ipSrc[n] = o + 12;
    out.ipDst[n] = o + 16;
    n++;
  }
  out.ipCount = n;
  if (f.httpKind !== 0 && f.httpHostLen > 0) {
    out.hostOff = f.httpHostOff;
    out.hostLen = f.httpHostLen;
  } else out.hostLen = 0;
}

// Any other frame: what the layer decoders recorded (frameFromContext's fields).
function fromContext(ctx: DecodeContext, out: FrameAddresses): void {
  out.fast = false;
  out.ethOff = ctx.ethCount > 0 ? ctx.ethOff[0]! : -1;
  const n = ctx.ipCount;
  for (let i = 0; i < n; i++) {
    const o = ctx.ipOff[i]!;
    const v4 = ctx.ipVer[i] === 4;
    out.ipVer[i] = v4 ? 4 : 6;
    out.ipSrc[i] = v4 ? o + 12 : o + 8;
    out.ipDst[i] = v4 ? o + 16 : o + 24;
  }
  out.ipCount = n;
  if (ctx.httpKind !== 0 && ctx.httpHostLen > 0) {
    out.hostOff = ctx.httpHostOff;
    out.hostLen = ctx.httpHostLen;
  } else out.hostLen = 0;
}

/**
 * The MAC address at `d[o..o+6)` as a 48-bit number (exact in a double).
 * @example macAt(Uint8Array.of(0x52, 0x54, 0, 0x3c, 0xaa, 0x21), 0) // 0x5254003caa21
 */
export function macAt(d: Uint8Array, o: number): number {
  return u16(d, o) * 4294967296 + u32(d, o + 2);
}
