/**
 * Writing captures: classic pcap ({@link PcapWriter}, {@link writePcap}) so filtered frames and lab
 * traffic open in Wireshark, and pcapng ({@link writePcapng}): several named interfaces and per-packet
 * comments (`opt_comment`, what Wireshark shows as `frame.comment`), e.g. why a frame was evidence.
 * @module
 */
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from "./pcap";

/** A timestamp: epoch seconds as a float, or exact seconds + nanoseconds. */
export type Timestamp = number | { sec: number; nsec: number };

/** A frame to write. */
export interface FrameToWrite {
  data: Uint8Array;
  time?: Timestamp;
  /** Original length (defaults to the data length). */
  origLen?: number;
  /** pcapng only: packet comments (`opt_comment`, one option each; Wireshark's `frame.comment`). */
  comment?: string | string[];
  /** pcapng only: the interface (index into {@link PcapngWriterOptions.interfaces}); default 0. */
  iface?: number;
}

/** Options for pcap output. */
export interface PcapWriterOptions {
  /** Link type (default 1, Ethernet). */
  linkType?: number;
  /** Snapshot length written in the header (default 262144). */
  snaplen?: number;
  /** Nanosecond timestamps (magic a1b23c4d). Default false (microseconds). */
  nanosecond?: boolean;
  /** Byte order (default little-endian, as tcpdump on x86). */
  littleEndian?: boolean;
  /**
   * Buffer this many bytes before writing to the output (default 1 MiB). 0: the header at once and
   * every frame as it is written (a live stream, as `tcpdump -U`; a file others read while it grows).
   */
  bufferSize?: number;
}

/** Where a writer's bytes go: a Node writable or a callback. */
export type ByteSink = NodeJS.WritableStream | ((chunk: Uint8Array) => void);

function splitTime(t: Timestamp | undefined): { sec: number; nsec: number } {
  if (t === undefined) return { sec: 0, nsec: 0 };
  if (typeof t === "number") {
    const sec = Math.floor(t);
    return { sec, nsec: Math.min(999_999_999, Math.round((t - sec) * 1e9)) };
  }
  return t;
}

/**
 * Streams frames out as a pcap file (also the lab's `tcpdump -w -` and its file captures, unbuffered).
 * @example
 * const w = new PcapWriter(fs.createWriteStream("/tmp/out.pcap"));
 * w.write(frameBytes, { sec: 1732456800, nsec: 0 });
 * await w.end();
 */
export class PcapWriter {
  private readonly le: boolean;
  private readonly ns: boolean;
  private readonly bufferSize: number;
  private buf: Buffer;
  private pos = 0;
  private readonly parts: Buffer[] = [];
  private needDrain = false;
  /** Frames written. */
  count = 0;

  constructor(private readonly out?: ByteSink, options: PcapWriterOptions = {}) {
    this.le = options.littleEndian ?? true;
    this.ns = options.nanosecond ?? false;
    this.bufferSize = options.bufferSize ?? 1 << 20;
    this.buf = Buffer.allocUnsafe(Math.max(this.bufferSize, 24));
    const h = this.buf;
    const w32 = (v: number, o: number) => (this.le ? h.writeUInt32LE(v >>> 0, o) : h.writeUInt32BE(v >>> 0, o));
    const w16 = (v: number, o: number) => (this.le ? h.writeUInt16LE(v, o) : h.writeUInt16BE(v, o));
    w32(this.ns ? PCAP_MAGIC_NS : PCAP_MAGIC_US, 0);
    w16(2, 4);
    w16(4, 6);
    w32(0, 8);
    w32(0, 12);
    w32(options.snaplen ?? 262144, 16);
    w32(options.linkType ?? 1, 20);
    this.pos = 24;
    if (this.bufferSize === 0 && out !== undefined) this.flush();
  }

  /**
   * Appends one frame. Returns false when the output stream asked to wait (await {@link drained}).
   * @example if (!w.write(bytes, 1732456800.5)) await w.drained();
   */
  write(data: Uint8Array, time?: Timestamp, origLen?: number): boolean {
    const need = 16 + data.length;
    if (this.pos + need > this.buf.length) {
      this.flush();
      if (need > this.buf.length) this.buf = Buffer.allocUnsafe(need);
    }
    const { sec, nsec } = splitTime(time);
    const b = this.buf;
    const o = this.pos;
    const frac = this.ns ? nsec : Math.floor(nsec / 1000);
    if (this.le) {
      b.writeUInt32LE(sec >>> 0, o); b.writeUInt32LE(frac >>> 0, o + 4);
      b.writeUInt32LE(data.length, o + 8); b.writeUInt32LE(origLen ?? data.length, o + 12);
    } else {
      b.writeUInt32BE(sec >>> 0, o); b.writeUInt32BE(frac >>> 0, o + 4);
      b.writeUInt32BE(data.length, o + 8); b.writeUInt32BE(origLen ?? data.length, o + 12);
    }
    b.set(data, o + 16);
    this.pos += need;
    this.count++;
    if (this.bufferSize === 0) this.flush();
    return !this.needDrain;
  }

  private flush(): void {
    if (this.pos === 0) return;
    const chunk = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    const out = this.out;
    if (out === undefined) this.parts.push(chunk);
    else if (typeof out === "function") out(chunk);
    else if (!out.write(chunk)) this.needDrain = true;
  }

  /**
   * Resolves when the output stream can take more.
   * @example await w.drained();
   */
  async drained(): Promise<void> {
    const out = this.out;
    if (!this.needDrain || out === undefined || typeof out === "function") return;
    await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    this.needDrain = false;
  }

  /**
   * Flushes and, for a stream output, ends it and waits for it to finish.
   * @example await w.end();
   */
  async end(): Promise<void> {
    this.flush();
    const out = this.out;
    if (out !== undefined && typeof out !== "function") {
      await new Promise<void>((resolve, reject) => {
        out.once("error", reject);
        out.end(() => resolve());
      });
    }
  }

  /**
   * Everything written so far as one Buffer (writers without an output only).
   * @example const bytes = new PcapWriter().toBuffer();
   */
  toBuffer(): Buffer {
    this.flush();
    return Buffer.concat(this.parts);
  }
}

/**
 * Writes frames into a pcap file image.
 * @example fs.writeFileSync("/tmp/x.pcap", writePcap([{ data: frame, time: 1732456800 }]));
 */
export function writePcap(frames: Iterable<FrameToWrite>, options: PcapWriterOptions = {}): Buffer {
  const w = new PcapWriter(undefined, options);
  for (const f of frames) w.write(f.data, f.time, f.origLen);
  return w.toBuffer();
}

/** Options for pcapng output. */
export interface PcapngWriterOptions {
  littleEndian?: boolean;
  /** Link type of the interface (default 1). */
  linkType?: number;
  /** if_tsresol byte (default 6 = µs; 9 = ns; 0x80|n = 2^-n). */
  tsresol?: number;
  /** Use Simple Packet Blocks (no timestamps, no comments, interface 0 only). */
  simple?: boolean;
  /**
   * The interfaces, one Interface Description Block each, in order (a frame's `iface` indexes this);
   * `name` is `if_name` (Wireshark's `frame.interface_name`). Default: one of `linkType`, unnamed.
   */
  interfaces?: { linkType?: number; name?: string; description?: string }[];
}

/** One pcapng option (code, UTF-8 value, padded to 32 bits). */
function pcapngOption(code: number, value: string, le: boolean): Buffer {
  const v = Buffer.from(value, "utf8").subarray(0, 0xffff);
  const b = Buffer.alloc(4 + v.length + ((4 - (v.length % 4)) % 4));
  if (le) { b.writeUInt16LE(code, 0); b.writeUInt16LE(v.length, 2); } else { b.writeUInt16BE(code, 0); b.writeUInt16BE(v.length, 2); }
  v.copy(b, 4);
  return b;
}

/**
 * Writes one pcapng section (SHB, one IDB per interface, then EPBs or SPBs). Concatenate images for
 * several sections. A frame's `comment` becomes `opt_comment` options of its Enhanced Packet Block.
 * @example
 * writePcapng(frames, { littleEndian: false, tsresol: 9 })
 * writePcapng([{ data, time: 1732456800.25, iface: 1, comment: "stage fip-nat: the DNATed request" }],
 *   { interfaces: [{ name: "cent222:ens3" }, { name: "cent333:ens3" }] })
 */
export function writePcapng(frames: Iterable<FrameToWrite>, options: PcapngWriterOptions = {}): Buffer {
  const le = options.littleEndian ?? true;
  const tsresol = options.tsresol ?? 6;
  const blocks: Buffer[] = [];
  const block = (type: number, body: Buffer) => {
    const total = 12 + body.length;
    const b = Buffer.alloc(total);
    const w32 = (v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
    w32(type, 0); w32(total, 4); body.copy(b, 8); w32(total, total - 4);
    blocks.push(b);
  };
  const body = (n: number) => Buffer.alloc(n);
  const w32 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt32LE(v >>> 0, o) : b.writeUInt32BE(v >>> 0, o));
  const w16 = (b: Buffer, v: number, o: number) => (le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o));
  const shb = body(16);
  w32(shb, 0x1a2b3c4d, 0); w16(shb, 1, 4); w16(shb, 0, 6);
  shb.writeInt32LE(-1, 8); shb.writeInt32LE(-1, 12);
  block(0x0a0d0d0a, shb);
  const ifaces = options.interfaces?.length ? options.interfaces : [{ linkType: options.linkType }];
  const endOfOptions = Buffer.alloc(4);
  for (const i of ifaces) {
    const tsOpt = body(8);
    w16(tsOpt, 9, 0); w16(tsOpt, 1, 2); tsOpt[4] = tsresol;
    const opts = [
      ...(i.name !== undefined ? [pcapngOption(2, i.name, le)] : []),
      ...(i.description !== undefined ? [pcapngOption(3, i.description, le)] : []),
      tsOpt,
      endOfOptions,
    ];
    const head = body(8);
    w16(head, i.linkType ?? options.linkType ?? 1, 0); w32(head, 0, 4);
    block(1, Buffer.concat([head, ...opts]));
  }
  const units = (tsresol & 0x80) !== 0 ? 2n ** BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  for (const f of frames) {
    const pad = (4 - (f.data.length % 4)) % 4;
    if (options.simple) {
      const b = body(4 + f.data.length + pad);
      w32(b, f.origLen ?? f.data.length, 0);
      b.set(f.data, 4);
      block(3, b);
      continue;
    }
    const { sec, nsec } = splitTime(f.time);
    const ts = BigInt(sec) * units + (BigInt(nsec) * units) / 1_000_000_000n;
    const comments = f.comment === undefined ? [] : Array.isArray(f.comment) ? f.comment : [f.comment];
    const b = body(20 + f.data.length + pad);
    const ifIndex = f.iface ?? 0;
    if (!Number.isInteger(ifIndex) || ifIndex < 0 || ifIndex >= ifaces.length) throw new RangeError(`writePcapng: frame interface ${ifIndex} is not one of the ${ifaces.length} interfaces`);
    w32(b, ifIndex, 0);
    w32(b, Number(ts >> 32n), 4);
    w32(b, Number(ts & 0xffffffffn), 8);
    w32(b, f.data.length, 12);
    w32(b, f.origLen ?? f.data.length, 16);
    b.set(f.data, 20);
    block(6, comments.length ? Buffer.concat([b, ...comments.map((c) => pcapngOption(1, c, le)), endOfOptions]) : b);
  }
  return Buffer.concat(blocks);
}
