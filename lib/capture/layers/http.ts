/**
 * HTTP/1.x start line and the Host header, from one TCP segment (no reassembly here; see
 * `analyses/http-exchanges.ts` for that).
 *
 * ```
 * request:   METHOD SP request-target SP HTTP/1.x CRLF *(header CRLF) CRLF
 * response:  HTTP/1.x SP status-code SP reason CRLF *(header CRLF) CRLF
 * ```
 * A segment that starts with neither (a body continuation) is not an HTTP layer: the decoder
 * removes itself from the layer stack and the bytes stay TCP payload.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext } from "../context";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE } = ids;

// method tokens by code (HTTP_METHODS in layer-ids.ts; code 0 is none), as byte arrays
const METHODS: readonly Uint8Array[] = ids.HTTP_METHODS.map((m) => Uint8Array.from(m, (c) => c.charCodeAt(0)));

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;

/** Most header bytes scanned for Host. */
const MAX_HEADER_SCAN = 8192;

function matchMethod(d: Uint8Array, o: number, end: number): number {
  const c = d[o];
  for (let m = 1; m < METHODS.length; m++) {
    const tok = METHODS[m]!;
    if (tok[0] !== c) continue;
    const n = tok.length;
    if (end - o < n + 1 || d[o + n] !== SP) continue;
    let ok = true;
    for (let i = 1; i < n; i++) if (d[o + i] !== tok[i]) { ok = false; break; }
    if (ok) return m;
  }
  return 0;
}

function isHttpVersion(d: Uint8Array, o: number, end: number): boolean {
  // "HTTP/1."
  return end - o >= 8 && d[o] === 0x48 && d[o + 1] === 0x54 && d[o + 2] === 0x54 && d[o + 3] === 0x50 &&
    d[o + 4] === 0x2f && d[o + 5] === 0x31 && d[o + 6] === 0x2e;
}

function lineEnd(d: Uint8Array, o: number, end: number): number {
  for (let i = o; i < end; i++) if (d[i] === LF) return i;
  return -1;
}

/**
 * Decodes an HTTP/1.x request or response start line and the Host header.
 * @example
 * // "GET /login HTTP/1.1\r\nHost: 10.99.225.17\r\n…": httpMethod 1, path "/login", host "10.99.225.17"
 * decodeHttp(ctx);
 */
export function decodeHttp(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  const end = ctx.end;
  if (end - o < 8) { ctx.layerCount--; return LAYER_NONE; }
  const method = matchMethod(d, o, end);
  let eol: number;
  if (method !== 0) {
    const pathStart = o + METHODS[method]!.length + 1;
    let p = pathStart;
    while (p < end && d[p] !== SP && d[p] !== CR && d[p] !== LF) p++;
    if (p === pathStart) { ctx.layerCount--; return LAYER_NONE; }
    setRequest(ctx, method, pathStart, p);
    eol = lineEnd(d, p, end);
  } else if (isHttpVersion(d, o, end)) {
    const s = o + 9;
    if (end - s < 3) { ctx.layerCount--; return LAYER_NONE; }
    const a = d[s]! - 48, b = d[s + 1]! - 48, c = d[s + 2]! - 48;
    if (d[o + 8] !== SP || a < 1 || a > 5 || b < 0 || b > 9 || c < 0 || c > 9) { ctx.layerCount--; return LAYER_NONE; }
    ctx.httpKind = 2;
    ctx.httpStatus = a * 100 + b * 10 + c;
    eol = lineEnd(d, s, end);
  } else {
    ctx.layerCount--;
    return LAYER_NONE;
  }
  if (eol < 0) return ctx.truncate();
  // Host is a request header: responses need no header scan
  if (ctx.httpKind === 1) scanHeaders(ctx, eol + 1, Math.min(end, o + MAX_HEADER_SCAN));
  ctx.off = end;
  return LAYER_NONE;
}

function setRequest(ctx: DecodeContext, method: number, pathStart: number, pathEnd: number): void {
  ctx.httpKind = 1;
  ctx.httpMethod = method;
  ctx.httpPathOff = pathStart;
  ctx.httpPathLen = pathEnd - pathStart;
}

function scanHeaders(ctx: DecodeContext, o: number, end: number): void {
  const d = ctx.data;
  let p = o;
  while (p < end) {
    const eol = lineEnd(d, p, end);
    const stop = eol < 0 ? end : eol;
    const lineLen = stop - p;
    if (lineLen === 0 || (lineLen === 1 && d[p] === CR)) return; // blank line: end of headers
    // "host:" case-insensitively
    if (lineLen > 5 && (d[p]! | 0x20) === 0x68 && (d[p + 1]! | 0x20) === 0x6f && (d[p + 2]! | 0x20) === 0x73 &&
      (d[p + 3]! | 0x20) === 0x74 && d[p + 4] === 0x3a) {
      let a = p + 5;
      let b = stop;
      while (a < b && (d[a] === SP || d[a] === 0x09)) a++;
      while (b > a && (d[b - 1] === CR || d[b - 1] === SP || d[b - 1] === 0x09)) b--;
      ctx.httpHostOff = a;
      ctx.httpHostLen = b - a;
      if (eol < 0) ctx.truncate();
      return;
    }
    if (eol < 0) return;
    p = eol + 1;
  }
}
