/**
 * Redacting a capture as it streams: chunks in, redacted chunks out through `write`, in bounded memory
 * for pcap (records are copied into an output block, rewritten there and handed out in chunks of about
 * `chunkSize` bytes: blocks of their own, or with `ownChunks: false` views of one reused block). pcapng is collected and redacted at `end()` by {@link redactCapture} (its blocks
 * are rebuilt, which the in-memory path does). Same rules, results and problems as `redactCapture`:
 * the concatenation of what `write` receives equals `redactCapture(whole input).bytes`.
 *
 * For a large file written out as it is redacted, in bounded memory: the copying in-memory API has
 * to allocate and first-touch an output as large as the input (page faults: about a fifth of its time
 * on the bench's tunnel mix), this one reuses a block. `packetwalk share` uses `redactCapture` with
 * `inPlace` instead: it holds the redacted files in memory until they are written and checked, and
 * rewrites each capture inside the bytes it read for the share (no second copy either, and no write
 * and read of the temp folder: the redaction bench measures both).
 * @module
 */
import { type CaptureRedaction, type CaptureRedactionOptions, redactCapture } from "./capture";
import { createFrameRedactor, type FrameRedactor } from "./frame";
import { BLOCK_SHB } from "../capture/file/pcapng";
import { MAX_RECORD_LENGTH, PCAP_FILE_HEADER_LENGTH, PCAP_MAGIC_NS, PCAP_MAGIC_US, parsePcapHeader } from "../capture/file/pcap";

/** Options of {@link createCaptureRedactorStream}. */
export interface CaptureStreamOptions extends CaptureRedactionOptions {
  /** Receives the redacted bytes in order (each call a new array the receiver may keep). */
  write: (bytes: Uint8Array) => void;
  /** Bytes gathered before a `write` (default 1 MiB). */
  chunkSize?: number;
  /**
   * false: `write` gets a view of one reused block, valid only during the call (for a writer that
   * consumes synchronously, as `fs.writeSync`): no fresh memory per chunk. Default true: each chunk is
   * a block of its own the receiver may keep.
   */
  ownChunks?: boolean;
}

/** A streaming capture redactor. */
export interface CaptureRedactorStream {
  /** Takes the next chunk of the input (any size). Never throws. */
  push(chunk: Uint8Array): void;
  /** Declares the end of the input, writes what is left and returns the counts and problems (`bytes` empty). */
  end(): CaptureRedaction;
}

const S_DETECT = 0, S_PCAP = 1, S_PCAPNG = 2, S_STOPPED = 3;

/**
 * A streaming redactor writing through `opts.write`.
 * @example
 * const out = fs.openSync("shared.pcap", "w");
 * const s = createCaptureRedactorStream({ addresses, text, write: (b) => fs.writeSync(out, b) });
 * for await (const chunk of fs.createReadStream("big.pcap")) s.push(chunk);
 * const { frames, problems } = s.end();
 */
export function createCaptureRedactorStream(opts: CaptureStreamOptions): CaptureRedactorStream {
  const result: CaptureRedaction = { bytes: new Uint8Array(0), frames: 0, rewritten: 0, problems: [], cut: 0, dropped: 0 };
  const chunkSize = Math.max(4096, Math.floor(opts.chunkSize ?? 1 << 20));
  const ownChunks = opts.ownChunks ?? true;
  let state = S_DETECT;
  let carry: Uint8Array = new Uint8Array(0);
  let collected: Uint8Array[] = [];
  let le = true;
  let linkType = 1;
  let frame: FrameRedactor | null = null;
  let out = new Uint8Array(chunkSize + 65536);
  let outDv = new DataView(out.buffer);
  let o = 0;
  let offset = 0; // file offset of carry[0]
  let writeFailed = false;

  const emit = (): void => {
    if (o === 0 || writeFailed) return;
    // hand the block itself out and take a fresh one (cheaper than copying it out), or lend it
    const block = out.subarray(0, o);
    if (ownChunks) {
      out = new Uint8Array(out.length);
      outDv = new DataView(out.buffer);
    }
    try { opts.write(block); } catch (e) {
      result.problems.push({ frame: 0, message: `write failed (${(e as Error).message}): output incomplete` });
      writeFailed = true;
      state = S_STOPPED;
    }
    o = 0;
  };

  function join(chunk: Uint8Array): Uint8Array {
    if (carry.length === 0) return chunk;
    const j = new Uint8Array(carry.length + chunk.length);
    j.set(carry); j.set(chunk, carry.length);
    return j;
  }

  /**
   * Processes the whole pcap records of `d` from `pos`: one copy of them into the output block, then
   * each rewritten in place (moved back after a cut). Returns where the first incomplete record starts.
   */
  function records(d: Uint8Array, pos: number): number {
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    const len = d.length;
    let q = pos;
    let bad = -1;
    while (len - q >= 16) {
      const caplen = dv.getUint32(q + 8, le);
      if (caplen > MAX_RECORD_LENGTH) { bad = caplen; break; }
      if (len - q - 16 < caplen) break;
      q += 16 + caplen;
    }
    const n = q - pos;
    if (o + n > out.length) {
      emit();
      if (n > out.length) { out = new Uint8Array(n); outDv = new DataView(out.buffer); }
    }
    out.set(d.subarray(pos, q), o);
    const r = frame!;
    let rd = o, w = o;
    const stopAt = o + n;
    while (rd < stopAt) {
      const caplen = outDv.getUint32(rd + 8, le);
      if (w !== rd) out.copyWithin(w, rd, rd + 16 + caplen);
      result.frames++;
      const start = w + 16;
      const end = r.redact(out, start, start + caplen, linkType);
      if (r.changed) result.rewritten++;
      if (r.problem !== "") result.problems.push({ frame: result.frames, message: r.problem });
      if (end - start !== caplen) { outDv.setUint32(w + 8, end - start, le); result.cut++; }
      w = end;
      rd += 16 + caplen;
    }
    o = w;
    if (o >= chunkSize) emit();
    if (bad >= 0) {
      result.problems.push({ frame: 0, message: `record at offset ${offset + q}: captured length ${bad} exceeds ${MAX_RECORD_LENGTH}: rest of the file not copied` });
      state = S_STOPPED;
      return len;
    }
    return q;
  }

  function push(chunk: Uint8Array): void {
    if (state === S_STOPPED || !(chunk instanceof Uint8Array) || chunk.length === 0) return;
    if (state === S_PCAPNG) { collected.push(Uint8Array.prototype.slice.call(chunk)); return; }
    // a plain Uint8Array view: subarrays of a Buffer are Buffers, slower to make
    const c = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let d: Uint8Array;
    let pos = 0;
    if (state === S_DETECT) {
      d = join(c);
      if (d.length < PCAP_FILE_HEADER_LENGTH) { carry = Uint8Array.prototype.slice.call(d); return; }
      const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
      const be = dv.getUint32(0, false), lm = dv.getUint32(0, true);
      if (be === BLOCK_SHB) { state = S_PCAPNG; collected = [Uint8Array.prototype.slice.call(d)]; carry = new Uint8Array(0); return; }
      if (!(be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || lm === PCAP_MAGIC_US || lm === PCAP_MAGIC_NS)) {
        result.problems.push({ frame: 0, message: `not a pcap or pcapng file (magic 0x${be.toString(16).padStart(8, "0")})` });
        state = S_STOPPED;
        return;
      }
      const h = parsePcapHeader(d, 0);
      if (typeof h === "string") {
        result.problems.push({ frame: 0, message: `pcap file header: ${h}` });
        state = S_STOPPED;
        return;
      }
      le = h.littleEndian; linkType = h.linkType;
      frame = createFrameRedactor(opts);
      out.set(d.subarray(0, PCAP_FILE_HEADER_LENGTH), 0);
      o = PCAP_FILE_HEADER_LENGTH;
      pos = PCAP_FILE_HEADER_LENGTH;
      state = S_PCAP;
    } else {
      d = c;
      if (carry.length > 0) {
        // complete the record cut by the previous chunk with as few bytes of this one as it needs
        let cpos = 0;
        for (;;) {
          const need = carry.length < 16 ? 16 : 16 + new DataView(carry.buffer, carry.byteOffset).getUint32(8, le);
          if (carry.length >= 16 && need - 16 > MAX_RECORD_LENGTH) break; // records() reports it
          if (carry.length >= need || cpos >= c.length) break;
          const take = Math.min(need - carry.length, c.length - cpos);
          const j = new Uint8Array(carry.length + take);
          j.set(carry); j.set(c.subarray(cpos, cpos + take), carry.length);
          carry = j;
          cpos += take;
        }
        const used = records(carry, 0);
        if (state === S_STOPPED) return;
        if (used < carry.length) { // still incomplete: the chunk was used up
          return;
        }
        offset += used;
        carry = new Uint8Array(0);
        d = c;
        pos = cpos;
        offset -= cpos; // offsets below count from the chunk's start
      }
    }
    pos = records(d, pos);
    offset += pos;
    carry = pos >= d.length ? new Uint8Array(0) : Uint8Array.prototype.slice.call(d, pos);
    d = carry;
  }

  function end(): CaptureRedaction {
    if (state === S_PCAPNG) {
      let total = 0;
      for (const c of collected) total += c.length;
      const all = new Uint8Array(total);
      let p = 0;
      for (const c of collected) { all.set(c, p); p += c.length; }
      collected = [];
      const r = redactCapture(all, opts);
      try { if (r.bytes.length > 0) opts.write(r.bytes); } catch (e) {
        r.problems.push({ frame: 0, message: `write failed (${(e as Error).message}): output incomplete` });
      }
      state = S_STOPPED;
      return { ...r, bytes: new Uint8Array(0) };
    }
    if (state === S_DETECT) {
      result.problems.push({ frame: 0, message: carry.length < 4 ? `not a pcap or pcapng file: ${carry.length} bytes` : "file header cut short" });
    } else if (state === S_PCAP && carry.length > 0) {
      result.problems.push({
        frame: 0,
        message: carry.length < 16
          ? `file ends inside a record header at offset ${offset}: ${carry.length} bytes not copied`
          : `file ends inside the record at offset ${offset} (${carry.length - 16} of ${new DataView(carry.buffer, carry.byteOffset).getUint32(8, le)} bytes): not copied`,
      });
    }
    emit();
    state = S_STOPPED;
    carry = new Uint8Array(0);
    return result;
  }

  return { push, end };
}
