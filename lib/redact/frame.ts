/**
 * Rewriting one captured frame in place: every address in every header (Ethernet and inner Ethernet
 * MACs, Linux cooked capture addresses, ARP, IPv4 and IPv6 at every tunnel level, IPv4 source-route and
 * timestamp options, IPv6 routing headers and home-address options, the IP header inside ICMP errors,
 * neighbour discovery targets and options), the header values of an HTTP message start, and then every
 * checksum that covers a changed byte.
 *
 * The layers are found as `readCapture` finds them: a clean frame of Ethernet, VLAN, IPv4, GRE, MPLS,
 * UDP, VXLAN, TCP and HTTP (most of a Contrail capture) by the fused one-pass decoder
 * (`lib/capture/decode-fast.ts`, which records each layer's start and end), any other frame by the
 * layer decoders one at a time (`lib/capture/layers` through `LAYER_DECODERS`), so MPLS payload
 * guessing, label maps and tunnel ports behave as in `readCapture` (`test/redact/frame-fast.test.ts`
 * checks that both give the same bytes). This module records where each layer starts and ends, then
 * rewrites, the same way for both.
 *
 * **Checksums: incremental (RFC 1624, eqn. 3).** Every changed span is logged with its byte sums at
 * even and odd offsets; a checksum covering `[s, e)` takes the spans inside, plus for TCP/UDP/ICMPv6 the
 * change of its IP header's addresses (the pseudo-header), innermost first so an outer UDP or GRE
 * checksum also sees the inner header's new checksum. A correct checksum stays correct, a wrong one
 * (offload) stays wrong by the same amount, a frame cut by the snaplen is updated although its payload
 * is missing, and a zero UDP checksum stays zero (0 → 0xffff when a result is 0). Nothing changed, nothing
 * written.
 *
 * **What cannot be read is cut, never copied.** Where decoding stops at bytes it does not understand
 * (a link type or EtherType or IP protocol without a decoder, a malformed header, an address-carrying
 * header cut short by the snaplen, an ICMP type or option not handled), the frame's captured bytes end
 * there: the frame is kept (numbering and timing stay), its original length too, and the reason is
 * returned in `problem`. Transport payloads (TCP, UDP other than tunnels, ICMP echo) are application
 * data and are kept, apart from HTTP header values and `truncatePayload`.
 * @module
 */
import type { AddressMapper } from "./address";
import { createDecodeContext, LAYER_DECODERS, type DecodeOptions } from "../capture/decode";
import { decodeFast, FastFrame } from "../capture/decode-fast";
import type { DecodeContext } from "../capture/context";
import * as ids from "../capture/layer-ids";
import { ipv4HeaderChecksumOk } from "../capture/layers/ipv4";

const {
  FLAG_MALFORMED, FLAG_TRUNCATED, FLAG_UNSUPPORTED, LAYER_ETHERNET, LAYER_GRE, LAYER_HTTP, LAYER_ICMP, LAYER_ICMPV6,
  LAYER_IPV4, LAYER_IPV6, LAYER_NONE, LAYER_SLL, LAYER_SLL2, LAYER_TCP, LAYER_UDP, LAYER_VLAN, LAYER_NAMES, PROBLEM_MESSAGES,
  MAX_LAYERS,
} = ids;
/** Whether a byte is text: tab, CR, LF or printable ASCII. */
function textByte(c: number): boolean {
  return c < 0x20 ? c === 0x09 || c === 0x0a || c === 0x0d : c < 0x7f;
}

/** Pseudo layer id for ARP (not a capture decoder layer). */
const LAYER_ARP = 250;
const MAX_ENTRIES = 64;

/** Options of {@link createFrameRedactor}. */
export interface FrameRedactorOptions {
  addresses: AddressMapper;
  /** Redacts HTTP header values and request targets (the result is fitted to the original length). */
  text: (s: string) => string;
  /** Keep at most this many bytes after the innermost transport header. */
  truncatePayload?: number;
  /**
   * Pass a TCP/UDP payload that is all text (tab, CR, LF, printable ASCII) through `text` too, at its
   * length (an HTTP body after its headers, a text protocol). Default true.
   */
  textPayloads?: boolean;
  /** Decoder options (tunnel ports, MPLS label map), as for `readCapture`. */
  decode?: DecodeOptions;
}

/** Rewrites frames; one per capture (it keeps scratch state). */
export interface FrameRedactor {
  /**
   * Rewrites `data[off..end)` (a frame of `linkType`) in place and returns the new end (≤ `end`: bytes
   * after it are cut). Never throws.
   */
  redact(data: Uint8Array, off: number, end: number, linkType: number): number;
  /** Why the last frame was cut or left partly unread ("" when nothing was). */
  problem: string;
  /** Whether the last frame had a byte changed. */
  changed: boolean;
}

/**
 * A frame rewriter for one capture. `generalOnly` (for tests) finds every frame's layers through the
 * layer decoders one at a time, never through the fused fast decoder; the result is the same.
 * @example
 * const r = createFrameRedactor({ addresses: createAddressMapper(key), text: (s) => s });
 * const newEnd = r.redact(buf, 0, buf.length, 1); // Ethernet frame, rewritten in place
 * if (r.problem) console.warn(r.problem);
 */
export function createFrameRedactor(opts: FrameRedactorOptions, generalOnly = false): FrameRedactor {
  const map = opts.addresses;
  const textFn = opts.text;
  const textPayloads = opts.textPayloads ?? true;
  const truncate = opts.truncatePayload === undefined || !(opts.truncatePayload >= 0) ? -1 : Math.floor(opts.truncatePayload);
  const ctx = createDecodeContext(opts.decode ?? {});
  const ctx2 = createDecodeContext(opts.decode ?? {});

  // layers found: id, header start, payload start (after the header), end of the layer's bytes
  // (the fast decoder's own arrays: it writes a clean frame's layers straight into them)
  const fast = new FastFrame(MAX_ENTRIES);
  const lId = fast.layers, lStart = fast.starts, lPay = new Int32Array(MAX_ENTRIES), lEnd = fast.ends;
  let nL = 0;
  // change log: span start, byte-sum change at even and at odd absolute offsets
  let logPos = new Int32Array(64), logE = new Int32Array(64), logO = new Int32Array(64);
  let nLog = 0;
  // checksum tasks: checksum offset, covered range, pseudo-header change, UDP (0 = none) flag
  let tCs = new Int32Array(16), tS = new Int32Array(16), tE = new Int32Array(16), tPseudo = new Int32Array(16);
  // the first log entry a task has to look at: changes inside a layer are logged after the layer is met
  let tFrom = new Int32Array(16);
  let tUdp = new Uint8Array(16);
  let nT = 0;
  let d: Uint8Array = new Uint8Array(0);
  // views of d made when first needed (its buffer's words, a Buffer for latin1 strings)
  let viewsOf: Uint8Array | null = null;
  let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  let bv: Buffer = Buffer.alloc(0);
  function views(): void {
    viewsOf = d;
    // the words of d's whole buffer (aligned reads; byte order does not matter to the text test)
    words = new Int32Array(d.buffer, 0, d.buffer.byteLength >> 2);
    bv = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  }
  let cut = 0;
  let problem = "";
  // word-sum change of the most recent IP header's addresses (the pseudo-header)
  let ipPseudo = 0;
  // entries before the first ICMP quote (-1: none quoted)
  let nOuter = -1;
  // the HTTP entry of this frame and where its body starts in this segment (-1: none)
  let httpEntry = -1, httpBody = -1;

  const self: FrameRedactor = { redact, problem: "", changed: false };

  function stop(at: number, why: string): void {
    if (at < cut) cut = at;
    if (problem === "") problem = why;
  }

  function logSpan(pos: number, e: number, o: number): void {
    if (nLog === logPos.length) {
      const n = nLog * 2;
      const p2 = new Int32Array(n); p2.set(logPos); logPos = p2;
      const e2 = new Int32Array(n); e2.set(logE); logE = e2;
      const o2 = new Int32Array(n); o2.set(logO); logO = o2;
    }
    logPos[nLog] = pos; logE[nLog] = e; logO[nLog] = o; nLog++;
  }

  /**
   * Logs the change from the old bytes `old[at..at+len)` to the bytes now at d[pos..pos+len); returns
   * its word-sum change relative to pos.
   */
  function logChange(pos: number, old: Uint8Array, len: number, at = 0): number {
    let e = 0, o = 0;
    for (let i = 0; i < len; i++) {
      const diff = d[pos + i]! - old[at + i]!;
      if (((pos + i) & 1) === 0) e += diff; else o += diff;
    }
    if (e === 0 && o === 0) return 0;
    logSpan(pos, e, o);
    return (pos & 1) === 0 ? e * 256 + o : o * 256 + e;
  }

  /** Maps the IPv4 address at d[p..p+4) in place; returns its word-sum change (relative to p). */
  function v4At(p: number): number {
    const a = ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
    const b = map.ipv4(a);
    if (a === b) return 0;
    d[p] = b >>> 24; d[p + 1] = (b >>> 16) & 255; d[p + 2] = (b >>> 8) & 255; d[p + 3] = b & 255;
    const e = ((b >>> 24) - (a >>> 24)) + (((b >>> 8) & 255) - ((a >>> 8) & 255));
    const o = (((b >>> 16) & 255) - ((a >>> 16) & 255)) + ((b & 255) - (a & 255));
    // e, o are relative to p; store absolute parities in the log
    if ((p & 1) === 0) logSpan(p, e, o); else logSpan(p, o, e);
    return e * 256 + o;
  }

  const old16 = new Uint8Array(16);
  // the bytes a text rewrite replaced (grown as needed)
  let oldText = new Uint8Array(256);
  function v6At(p: number): number {
    for (let i = 0; i < 16; i++) old16[i] = d[p + i]!;
    map.ipv6At(d, p);
    return logChange(p, old16, 16);
  }
  function macAt(p: number): void {
    const a0 = d[p]!, a1 = d[p + 1]!, a2 = d[p + 2]!, a3 = d[p + 3]!, a4 = d[p + 4]!, a5 = d[p + 5]!;
    map.macAt(d, p);
    // byte sums at p's parity and the other one (no copy of the old bytes, no loop)
    const e = (d[p]! - a0) + (d[p + 2]! - a2) + (d[p + 4]! - a4);
    const o = (d[p + 1]! - a1) + (d[p + 3]! - a3) + (d[p + 5]! - a5);
    if (e === 0 && o === 0) return;
    if ((p & 1) === 0) logSpan(p, e, o); else logSpan(p, o, e);
  }

  function addTask(cs: number, s: number, e: number, pseudo: number, udp: boolean, from = nLog): void {
    if (nT === tCs.length) {
      const n = nT * 2;
      const a = new Int32Array(n); a.set(tCs); tCs = a;
      const b = new Int32Array(n); b.set(tS); tS = b;
      const c = new Int32Array(n); c.set(tE); tE = c;
      const f = new Int32Array(n); f.set(tPseudo); tPseudo = f;
      const u = new Uint8Array(n); u.set(tUdp); tUdp = u;
      const g = new Int32Array(n); g.set(tFrom); tFrom = g;
    }
    tCs[nT] = cs; tS[nT] = s; tE[nT] = e; tPseudo[nT] = pseudo; tUdp[nT] = udp ? 1 : 0; tFrom[nT] = from; nT++;
  }

  function runTask(k: number): void {
    const cs = tCs[k]!;
    if (cs + 2 > cut) return; // checksum field not kept
    const s = tS[k]!, e = tE[k]!;
    let delta = tPseudo[k]!;
    const even = (s & 1) === 0;
    for (let i = tFrom[k]!; i < nLog; i++) {
      const p = logPos[i]!;
      if (p < s || p >= e) continue;
      delta += even ? logE[i]! * 256 + logO[i]! : logO[i]! * 256 + logE[i]!;
    }
    delta %= 0xffff;
    if (delta === 0) return;
    const old = (d[cs]! << 8) | d[cs + 1]!;
    if (tUdp[k] === 1 && old === 0) return;
    let t = (~old & 0xffff) + delta;
    t %= 0xffff;
    if (t < 0) t += 0xffff;
    if (t === 0) t = 0xffff;
    let n = ~t & 0xffff;
    if (tUdp[k] === 1 && n === 0) n = 0xffff;
    d[cs] = n >>> 8; d[cs + 1] = n & 255;
    const dh = (n >>> 8) - (old >>> 8), dl = (n & 255) - (old & 255);
    if ((cs & 1) === 0) logSpan(cs, dh, dl); else logSpan(cs, dl, dh);
  }

  /** Decodes layers from `first` at d[off..end) with `c`, appending entries. */
  function walk(c: DecodeContext, first: number, off: number, end: number, linkType: number): void {
    c.reset(d, off, end);
    c.linkType = linkType;
    let layer = first;
    while (layer !== LAYER_NONE) {
      if (nL >= MAX_ENTRIES || c.layerCount >= MAX_LAYERS) { stop(c.off, "more layers than the redactor follows: cut"); return; }
      c.layers[c.layerCount++] = layer;
      const start = c.off;
      const flags = c.flags;
      const next = LAYER_DECODERS[layer]!(c);
      if (layer === LAYER_HTTP && c.httpKind === 0) break; // not HTTP after all
      lId[nL] = layer; lStart[nL] = start; lPay[nL] = c.off; lEnd[nL] = c.end; nL++;
      if (next !== LAYER_NONE) { layer = next; continue; }
      const name = LAYER_NAMES[layer] || `layer ${layer}`;
      if ((c.flags & FLAG_MALFORMED) !== 0 && (flags & FLAG_MALFORMED) === 0) {
        nL--; // the header was not read
        stop(c.off, `${name} at offset ${c.off - off}: ${PROBLEM_MESSAGES[c.problem]}: cut there`);
      } else if ((c.flags & FLAG_UNSUPPORTED) !== 0 && (flags & FLAG_UNSUPPORTED) === 0) {
        const v = c.unsupportedValue;
        const ether = layer === LAYER_ETHERNET || layer === LAYER_VLAN || layer === LAYER_SLL || layer === LAYER_SLL2;
        if (ether && (v === 0x0806 || v === 0x8035)) {
          lId[nL] = LAYER_ARP; lStart[nL] = c.off; lPay[nL] = c.off; lEnd[nL] = c.end; nL++;
        } else {
          const what = layer === LAYER_IPV4 || layer === LAYER_IPV6 ? `IP protocol ${v}` : `type 0x${v.toString(16).padStart(4, "0")}`;
          stop(c.off, `${name} at offset ${start - off}: ${what} not decoded: cut at offset ${c.off - off}`);
        }
      } else if ((c.flags & FLAG_TRUNCATED) !== 0 && (flags & FLAG_TRUNCATED) === 0 && c.off === start &&
        (layer === LAYER_ETHERNET || layer === LAYER_SLL || layer === LAYER_SLL2 || layer === LAYER_IPV4 || layer === LAYER_IPV6)) {
        nL--;
        stop(start, `${name} at offset ${start - off}: header cut short by the capture: cut there`);
      }
      break;
    }
  }

  /**
   * The layer list of the frame at d[off..end): from the capture's fused fast decoder (`decodeFast`,
   * the one `readCapture` uses) when the frame is made only of its layers, whole and well-formed (it
   * records the same layers, starts and ends as the layer decoders); every other frame (IPv6, ICMP,
   * ARP, cooked captures, label maps, cut or malformed headers …) through {@link walk}, which also says
   * where and why a frame is cut.
   */
  function findLayers(off: number, end: number, linkType: number, first: number): void {
    if (!generalOnly && decodeFast(ctx, fast, d, off, end, linkType)) {
      // ids, starts and ends are in place; a header ends where the next layer starts
      const n = fast.layerCount;
      for (let i = 0; i < n; i++) lPay[i] = lStart[i + 1]!;
      nL = n;
      return;
    }
    walk(ctx, first, off, end, linkType);
  }

  // ---- rewriting one entry ----
  function rewriteIpv4(k: number): void {
    const s = lStart[k]!;
    const ihl = (d[s]! & 0x0f) << 2;
    const from = nLog;
    ipPseudo = v4At(s + 12) + v4At(s + 16);
    if (ihl === 20) {
      // no options: the header's only change is its addresses (at offsets of s's parity)
      addTask(s + 10, s, s, ipPseudo, false);
      return;
    }
    // options with addresses: record route 7, loose / strict source route 131 / 137, timestamp 68
    let p = s + 20;
    const hEnd = s + ihl;
    while (p < hEnd) {
      const t = d[p]!;
      if (t === 0) break;
      if (t === 1) { p++; continue; }
      if (p + 1 >= hEnd) break;
      const len = d[p + 1]!;
      if (len < 2 || p + len > hEnd) break;
      if (t === 7 || t === 131 || t === 137) {
        for (let a = p + 3; a + 4 <= p + len; a += 4) v4At(a);
      } else if (t === 68 && len >= 4) {
        const fl = d[p + 3]! & 0x0f;
        if (fl === 1 || fl === 3) for (let a = p + 4; a + 8 <= p + len; a += 8) v4At(a);
      }
      p += len;
    }
    addTask(s + 10, s, hEnd, 0, false, from);
  }

  function rewriteIpv6(k: number): void {
    const s = lStart[k]!;
    ipPseudo = v6At(s + 8) + v6At(s + 24);
    // extension headers the decoder skipped: addresses in routing headers and home-address options
    let next = d[s + 6]!;
    let p = s + 40;
    const end = lEnd[k]!;
    for (let guard = 0; guard < 8 && p + 8 <= end; guard++) {
      if (next !== 0 && next !== 43 && next !== 60 && next !== 44) break;
      const len = next === 44 ? 8 : (d[p + 1]! + 1) << 3;
      if (next === 43) {
        const type = d[p + 2]!;
        if (type === 0 || type === 2 || type === 4) {
          let a = p + 8;
          for (; a + 16 <= Math.min(p + len, end); a += 16) v6At(a);
          if (a < Math.min(p + len, end)) { stop(a, "IPv6 routing header address cut short by the capture: cut at it"); return; }
          if (type === 4 && len > 8) {
            // SRH: the segment list is `last entry + 1` addresses; TLVs after it are not addresses
            const n = d[p + 4]! + 1;
            if (8 + 16 * n < len) { stop(p + 8 + 16 * n, `IPv6 segment routing TLVs at offset ${p + 8 + 16 * n - s}: cut`); return; }
          }
        } else {
          stop(p, `IPv6 routing header type ${type} not rewritten: cut at its start`);
          return;
        }
      } else if (next === 60) {
        let q = p + 2;
        while (q + 2 <= Math.min(p + len, end)) {
          const ot = d[q]!;
          if (ot === 0) { q++; continue; }
          const ol = d[q + 1]!;
          if (ot === 201 && ol === 16) {
            if (q + 18 > end) { stop(q, "IPv6 home address option cut short by the capture: cut at it"); return; }
            v6At(q + 2);
          }
          q += 2 + ol;
        }
      }
      next = d[p]!;
      p += len;
    }
  }

  function transportTask(k: number, csOff: number, udp: boolean, pseudo: boolean): void {
    const s = lStart[k]!;
    if (s + csOff + 2 > lEnd[k]!) return;
    addTask(s + csOff, s, lEnd[k]!, pseudo ? ipPseudo : 0, udp);
  }

  function rewriteIcmp(k: number, v6: boolean): void {
    const s = lStart[k]!, end = lEnd[k]!;
    transportTask(k, 2, false, v6);
    if (end - s < 8) return;
    const type = d[s]!;
    if (!v6) {
      if (type === 0 || type === 8 || type === 13 || type === 14) return; // echo / timestamp data
      if (type === 3 || type === 4 || type === 5 || type === 11 || type === 12) {
        if (type === 5) v4At(s + 4); // redirect gateway
        embedded(s + 8, end, LAYER_IPV4);
        return;
      }
      stop(s + 8, `ICMP type ${type} not rewritten: cut after its header`);
      return;
    }
    if (type === 128 || type === 129) return;
    if (type >= 1 && type <= 4) { embedded(s + 8, end, LAYER_IPV6); return; }
    const need = (n: number) => {
      if (end - s >= n) return true;
      stop(s + 8, `ICMPv6 type ${type} cut short by the capture: cut after its header`);
      return false;
    };
    if (type === 130 || type === 131 || type === 132) { if (need(24)) v6At(s + 8); return; }
    let opt = -1;
    if (type === 133) opt = s + 8;
    else if (type === 134) opt = s + 16;
    else if (type === 135 || type === 136) { if (!need(24)) return; v6At(s + 8); opt = s + 24; }
    else if (type === 137) { if (!need(40)) return; v6At(s + 8); v6At(s + 24); opt = s + 40; }
    if (opt < 0) { stop(s + 8, `ICMPv6 type ${type} not rewritten: cut after its header`); return; }
    ndpOptions(opt, end);
  }

  function ndpOptions(p: number, end: number): void {
    while (p < end) {
      if (p + 2 > end) { stop(p, "neighbour discovery option cut short: cut at it"); return; }
      const t = d[p]!, len = d[p + 1]! * 8;
      if (len === 0 || p + len > end) { stop(p, "neighbour discovery option with a bad length or cut short: cut at it"); return; }
      if ((t === 1 || t === 2) && len >= 8) macAt(p + 2);
      else if (t === 3 && len === 32) {
        // prefix information: map the prefix, keep its host bits zero
        const plen = d[p + 2]!;
        v6At(p + 16);
        for (let i = 0; i < 16; i++) {
          const keep = Math.max(0, Math.min(8, plen - 8 * i));
          const m = (0xff << (8 - keep)) & 0xff;
          const b = d[p + 16 + i]!;
          if ((b & m) !== b) { const before = Uint8Array.of(b); d[p + 16 + i] = b & m; logChange(p + 16 + i, before, 1); }
        }
      } else if (t === 25 && len >= 24) {
        for (let a = p + 8; a + 16 <= p + len; a += 16) v6At(a);
      } else if (t !== 5) {
        stop(p, `neighbour discovery option ${t} not rewritten: cut at it`);
        return;
      }
      p += len;
    }
  }

  /** The IP header (and what follows) quoted in an ICMP error. */
  function embedded(off: number, end: number, first: number): void {
    if (end - off <= 0) return;
    if (nOuter < 0) nOuter = nL;
    walk(ctx2, first, off, end, -1);
  }

  function rewriteArp(k: number): void {
    const p = lStart[k]!, end = lEnd[k]!;
    if (end - p < 8) { stop(p, "ARP header cut short: cut at it"); return; }
    const hlen = d[p + 4]!, plen = d[p + 5]!;
    const ptype = (d[p + 2]! << 8) | d[p + 3]!;
    if (hlen !== 6 || plen !== 4 || ptype !== 0x0800) { stop(p + 8, `ARP for hardware length ${hlen}, protocol 0x${ptype.toString(16)}: addresses cut`); return; }
    if (end - p < 28) { stop(p + 8, "ARP addresses cut short: cut"); return; }
    macAt(p + 8); v4At(p + 14); macAt(p + 18); v4At(p + 24);
  }

  function rewriteSllAddress(typeOff: number, lenOff: number, lenIs16: boolean, addrOff: number): void {
    const hatype = (d[typeOff]! << 8) | d[typeOff + 1]!;
    const halen = lenIs16 ? (d[lenOff]! << 8) | d[lenOff + 1]! : d[lenOff]!;
    if (halen === 6) { macAt(addrOff); return; }
    if (halen === 4 && (hatype === 778 || hatype === 768 || hatype === 776)) { v4At(addrOff); return; } // IP tunnels
    if (halen === 0) return;
    for (let i = 0; i < 8; i++) old16[i] = d[addrOff + i]!;
    d.fill(0, addrOff, addrOff + Math.min(8, halen));
    logChange(addrOff, old16, 8);
  }

  /** Rewrites the start line's target and the header values; returns where the body starts (-1: not in this segment). */
  function rewriteHttp(k: number): number {
    const s = lStart[k]!, end = lEnd[k]!;
    let p = s;
    let first = true;
    while (p < end) {
      let eol = p;
      while (eol < end && d[eol] !== 0x0a) eol++;
      let lineEnd = eol;
      if (lineEnd > p && d[lineEnd - 1] === 0x0d) lineEnd--;
      if (lineEnd === p) return eol < end ? eol + 1 : end; // blank line: end of headers
      if (first) {
        first = false;
        if (ctx.httpKind === 1) {
          // request target: between the first and second space
          let a = p;
          while (a < lineEnd && d[a] !== 0x20) a++;
          let b = a + 1;
          while (b < lineEnd && d[b] !== 0x20) b++;
          if (a + 1 < b) fitText(a + 1, b);
        }
      } else {
        let c = p;
        while (c < lineEnd && d[c] !== 0x3a) c++;
        if (c < lineEnd) {
          let a = c + 1;
          while (a < lineEnd && (d[a] === 0x20 || d[a] === 0x09)) a++;
          let b = lineEnd;
          while (b > a && (d[b - 1] === 0x20 || d[b - 1] === 0x09)) b--;
          if (a < b) fitText(a, b);
        }
      }
      p = eol + 1;
    }
    return -1;
  }

  /** Whether d[a..b) is all text: tab, CR, LF and printable ASCII. */
  function isText(a: number, b: number): boolean {
    let i = a;
    if (b - a >= 32) {
      if (viewsOf !== d) views();
      const base = d.byteOffset;
      for (; ((base + i) & 3) !== 0; i++) if (!textByte(d[i]!)) return false;
      // eight bytes at a time, as two aligned words: any byte above 0x7e, then any below 0x20 (exact
      // tests on a word's bytes); words with a control byte are looked at byte by byte (tab, CR, LF
      // are text)
      let w = (base + i) >> 2;
      const wEnd = (base + b) >> 2;
      for (; w + 2 <= wEnd; w += 2) {
        const x = words[w]!, y = words[w + 1]!;
        if (((((x + 0x01010101) | x) | ((y + 0x01010101) | y)) & 0x80808080) !== 0) return false;
        if (((((x - 0x20202020) & ~x) | ((y - 0x20202020) & ~y)) & 0x80808080) !== 0) {
          const at = (w << 2) - base;
          for (let j = at; j < at + 8; j++) if (!textByte(d[j]!)) return false;
        }
      }
      i = (w << 2) - base;
    }
    for (; i < b; i++) if (!textByte(d[i]!)) return false;
    return true;
  }

  /** Passes d[a..b) through `text` and writes the result back at the same length (cut or space-padded). */
  function fitText(a: number, b: number): void {
    // byte n is U+00nn; a flat string made natively (one built a character at a time is a chain of
    // pieces, flattened again by every lookup of it in a cache)
    if (viewsOf !== d) views();
    const before = bv.toString("latin1", a, b);
    let after: string;
    try { after = String(textFn(before)); } catch (e) { after = ""; problem ||= `text redaction failed: ${(e as Error).message}: value blanked`; }
    if (after === before) return;
    if (oldText.length < b - a) oldText = new Uint8Array(Math.max(b - a, oldText.length * 2));
    const old = oldText;
    for (let i = a; i < b; i++) {
      old[i - a] = d[i]!;
      const ch = i - a < after.length ? after.charCodeAt(i - a) : 0x20;
      d[i] = ch > 0xff ? 0x3f : ch;
    }
    // a change logged per 16 bytes keeps each log entry's parity sums small
    for (let i = a; i < b; i += 16) logChange(i, old, Math.min(16, b - i), i - a);
  }

  /**
   * The innermost TCP or UDP payload when it is all text (after the HTTP header block, when there is
   * one): through `text`, at its length. Not a tunnel's UDP payload (that was decoded), not an ICMP quote.
   */
  function textPayload(): void {
    const last = nOuter >= 0 ? nOuter : nL;
    let k = last - 1;
    if (k >= 0 && lId[k] === LAYER_HTTP) k--;
    if (k < 0 || (lId[k] !== LAYER_TCP && lId[k] !== LAYER_UDP)) return;
    let a = lPay[k]!;
    let b = Math.min(lEnd[k]!, cut);
    if (truncate >= 0 && lPay[k]! + truncate < b) b = lPay[k]! + truncate; // the rest is cut anyway
    if (httpEntry === k + 1) {
      if (httpBody < 0) return;
      a = httpBody;
    }
    if (b - a > 0 && isText(a, b)) fitText(a, b);
  }

  /**
   * An undecoded UDP payload holding an IPv4 header with a valid checksum in its first 128 bytes is an
   * encapsulation the decoders do not know (Geneve, GTP-U, L2TP, a tunnel on another port): its inner
   * addresses cannot be rewritten, so the payload is cut.
   */
  function guardTunnels(): void {
    const last = nOuter >= 0 ? nOuter : nL;
    const k = last - 1;
    if (k < 0 || lId[k] !== LAYER_UDP) return;
    const a = lPay[k]!, b = Math.min(lEnd[k]!, cut);
    const stopAt = Math.min(b - 20, a + 128);
    for (let p = a; p <= stopAt; p++) {
      if (d[p] !== 0x45 || !ipv4HeaderChecksumOk(d, p, 20)) continue;
      const port = (d[lStart[k]! + 2]! << 8) | d[lStart[k]! + 3]!;
      stop(a, `udp port ${port}: payload holds an IPv4 header at offset ${p - a} (an encapsulation not decoded; name its port in the decode options): cut at offset ${a - lStart[0]!}`);
      return;
    }
  }

  /**
   * Bytes after the outermost IP packet (Ethernet padding of short frames, trailers) may hold stale
   * memory of the sender (old packets): zeroed. No checksum covers them.
   */
  function scrubTrailer(end: number): void {
    for (let k = 0; k < nL; k++) {
      const id = lId[k]!;
      if (id !== LAYER_IPV4 && id !== LAYER_IPV6) continue;
      const ipEnd = lEnd[k]!;
      const stopAt = Math.min(end, cut);
      for (let i = ipEnd; i < stopAt; i++) d[i] = 0;
      return;
    }
  }

  function redact(data: Uint8Array, off: number, end: number, linkType: number): number {
    d = data;
    cut = end;
    problem = "";
    nL = 0; nLog = 0; nT = 0; ipPseudo = 0; nOuter = -1; httpBody = -1; httpEntry = -1;
    try {
      const first = linkType >= 0 && linkType < ctx.reg.linkTypes.length ? ctx.reg.linkTypes[linkType]! : LAYER_NONE;
      if (first === LAYER_NONE) {
        stop(off, `link type ${linkType} is not decoded: frame cut to 0 bytes`);
      } else {
        findLayers(off, end, linkType, first);
      }
      for (let k = 0; k < nL; k++) {
        if (lStart[k]! >= cut) break;
        switch (lId[k]) {
          case LAYER_ETHERNET: {
            const s = lStart[k]!;
            macAt(s); macAt(s + 6);
            break;
          }
          case LAYER_SLL: rewriteSllAddress(lStart[k]! + 2, lStart[k]! + 4, true, lStart[k]! + 6); break;
          case LAYER_SLL2: rewriteSllAddress(lStart[k]! + 8, lStart[k]! + 11, false, lStart[k]! + 12); break;
          case LAYER_ARP: rewriteArp(k); break;
          case LAYER_IPV4: rewriteIpv4(k); break;
          case LAYER_IPV6: rewriteIpv6(k); break;
          case LAYER_GRE: {
            const s = lStart[k]!;
            if ((d[s]! & 0x80) !== 0) addTask(s + 4, s, lEnd[k]!, 0, false);
            break;
          }
          case LAYER_UDP: transportTask(k, 6, true, true); break;
          case LAYER_TCP: transportTask(k, 16, false, true); break;
          case LAYER_ICMP: rewriteIcmp(k, false); break;
          case LAYER_ICMPV6: rewriteIcmp(k, true); break;
          case LAYER_HTTP: httpBody = rewriteHttp(k); httpEntry = k; break;
          default: break;
        }
      }
      guardTunnels();
      scrubTrailer(end);
      if (textPayloads) textPayload();
      for (let k = nT - 1; k >= 0; k--) runTask(k);
      if (truncate >= 0) {
        // the innermost transport of the frame (not of an ICMP quote)
        const last = nOuter >= 0 ? nOuter : nL;
        for (let k = last - 1; k >= 0; k--) {
          const id = lId[k]!;
          if (id === LAYER_TCP || id === LAYER_UDP || id === LAYER_ICMP || id === LAYER_ICMPV6) {
            const at = lPay[k]! + truncate;
            if (at < cut) cut = at;
            break;
          }
          if ((id === LAYER_IPV4 || id === LAYER_IPV6) && k === last - 1) {
            const at = lPay[k]! + truncate; // a non-first fragment: its payload is transport payload
            if (at < cut) cut = at;
            break;
          }
        }
      }
    } catch (e) {
      // a decoder or the text callback misbehaved: keep nothing of this frame
      cut = off;
      problem = `frame not rewritten (${(e as Error).message}): cut to 0 bytes`;
    }
    self.problem = problem;
    self.changed = nLog > 0;
    return cut < off ? off : cut;
  }

  return self;
}
