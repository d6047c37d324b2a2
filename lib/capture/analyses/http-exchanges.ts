/**
 * TCP stream reassembly to HTTP/1.x request/response pairs with timings.
 *
 * Frames are grouped into connections by inner 5-tuple keyed with the tunnel; each direction's
 * payload is put in sequence order (retransmissions and overlaps dropped, a gap ends the stream),
 * then parsed into messages (Content-Length, chunked, or until the connection closes). Each byte
 * offset maps back to the frame that carried it, which gives the timings:
 * request start, first response byte, response done.
 * @module
 */
import type * as Arquero from "arquero";
import type { CapturedFrame } from "../read";

/** One request/response pair. Times are epoch seconds; durations milliseconds. */
export interface HttpExchange {
  tunnel: string;
  /** Label stack (or VNI) of the request direction. */
  labels: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  method: string;
  path: string;
  host: string;
  /** 0 when no response was seen. */
  status: number;
  requestFrame: number;
  requestTime: number;
  /** Frame carrying the first response byte (0 when none). */
  responseFrame: number;
  firstByteTime: number;
  /** Frame carrying the last response byte. */
  doneFrame: number;
  doneTime: number;
  /** First response byte − request start. */
  ttfbMs: number;
  /** Response done − request start. */
  totalMs: number;
  requestBytes: number;
  responseBytes: number;
  /** The response was complete (all of its body seen). */
  complete: boolean;
}

interface Segment { off: number; data: Uint8Array; time: number; no: number }

interface Stream {
  bytes: Uint8Array;
  /** Stream offset where each contributing segment starts, with its time and frame. */
  marks: { off: number; time: number; no: number }[];
  /** The stream ended at a gap (missing bytes). */
  gap: boolean;
}

function assemble(segments: Segment[], base: number): Stream {
  const sorted = segments
    .map((s) => ({ ...s, off: (s.off - base) >>> 0 }))
    .filter((s) => s.off < 0x80000000)
    .sort((x, y) => x.off - y.off || x.time - y.time);
  const parts: Uint8Array[] = [];
  const marks: Stream["marks"] = [];
  let cur = 0;
  let gap = false;
  for (const s of sorted) {
    const end = s.off + s.data.length;
    if (end <= cur) continue; // retransmission
    if (s.off > cur) { gap = true; break; }
    const fresh = s.data.subarray(cur - s.off);
    marks.push({ off: cur, time: s.time, no: s.no });
    parts.push(fresh);
    cur = end;
  }
  const bytes = new Uint8Array(cur);
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.length; }
  return { bytes, marks, gap };
}

function markAt(s: Stream, off: number): { time: number; no: number } {
  let lo = 0, hi = s.marks.length - 1, best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (s.marks[mid]!.off <= off) { best = mid; lo = mid + 1; } else hi = mid - 1;
  }
  return s.marks[best] ?? { time: 0, no: 0 };
}

const latin1 = new TextDecoder("latin1");

interface Message {
  start: number;
  end: number;
  complete: boolean;
  startLine: string;
  headers: Map<string, string>;
}

function indexOfCrlfCrlf(b: Uint8Array, from: number): number {
  for (let i = from; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i;
  }
  return -1;
}

function parseMessages(b: Uint8Array, isResponse: boolean, requestMethods: string[]): Message[] {
  const out: Message[] = [];
  let pos = 0;
  while (pos < b.length) {
    const hEnd = indexOfCrlfCrlf(b, pos);
    if (hEnd < 0) break;
    const head = latin1.decode(b.subarray(pos, hEnd)).split("\r\n");
    const startLine = head[0] ?? "";
    if (isResponse ? !startLine.startsWith("HTTP/") : !/^[A-Z]+ \S+ HTTP\/\d/.test(startLine)) break;
    const headers = new Map<string, string>();
    for (const line of head.slice(1)) {
      const k = line.indexOf(":");
      if (k > 0) headers.set(line.slice(0, k).trim().toLowerCase(), line.slice(k + 1).trim());
    }
    let bodyStart = hEnd + 4;
    let end: number;
    let complete = true;
    const status = isResponse ? Number(startLine.split(" ")[1]) : 0;
    const method = isResponse ? requestMethods[out.length] ?? "" : "";
    const noBody = isResponse && (method === "HEAD" || (status >= 100 && status < 200) || status === 204 || status === 304);
    const te = headers.get("transfer-encoding")?.toLowerCase();
    const cl = headers.get("content-length");
    if (noBody) {
      end = bodyStart;
    } else if (te?.includes("chunked")) {
      let p = bodyStart;
      complete = false;
      for (;;) {
        let le = -1;
        for (let i = p; i + 1 < b.length; i++) if (b[i] === 13 && b[i + 1] === 10) { le = i; break; }
        if (le < 0) break;
        const size = parseInt(latin1.decode(b.subarray(p, le)), 16);
        if (!Number.isFinite(size)) break;
        p = le + 2 + size + 2;
        if (size === 0) { complete = p <= b.length; break; }
        if (p > b.length) break;
      }
      end = Math.min(p, b.length);
    } else if (cl !== undefined) {
      const n = Number(cl);
      end = bodyStart + (Number.isFinite(n) && n >= 0 ? n : 0);
      if (end > b.length) { complete = false; end = b.length; }
    } else if (isResponse) {
      end = b.length; // until the connection closes
    } else {
      end = bodyStart;
    }
    out.push({ start: pos, end, complete, startLine, headers });
    if (end <= pos) break;
    pos = end;
    bodyStart = pos;
  }
  return out;
}

/**
 * Reassembles TCP streams and pairs HTTP requests with responses.
 * @example
 * const ex = httpExchanges(await readFrames("fabric.pcap"));
 * ex[0]; // { method: "GET", path: "/api/v1/status", status: 200, ttfbMs: 0.139, … }
 */
export function httpExchanges(frames: readonly CapturedFrame[]): HttpExchange[] {
  interface Conn {
    client?: { addr: string; port: number };
    first: CapturedFrame;
    segs: Map<string, Segment[]>;
    isn: Map<string, number>;
    labels: Map<string, string>;
  }
  const conns = new Map<string, Conn>();
  for (const f of frames) {
    if (f.proto !== 6 || f.src === undefined || f.dst === undefined || f.seq === undefined) continue;
    const s = `${f.src}:${f.srcPort}`, d = `${f.dst}:${f.dstPort}`;
    const [e1, e2] = s < d ? [s, d] : [d, s];
    const [o1, o2] = [f.outerSrc ?? "", f.outerDst ?? ""].sort();
    const key = `${f.tunnel}|${o1}|${o2}|${e1}|${e2}`;
    let c = conns.get(key);
    if (!c) conns.set(key, (c = { first: f, segs: new Map(), isn: new Map(), labels: new Map() }));
    const flags = f.tcpFlags ?? 0;
    if ((flags & 0x02) !== 0) {
      c.isn.set(s, (f.seq + 1) >>> 0);
      if ((flags & 0x10) === 0) c.client = { addr: f.src, port: f.srcPort! };
    }
    if (!c.labels.has(s)) c.labels.set(s, f.labels.length ? f.labels.join(",") : f.vni !== undefined ? `vni ${f.vni}` : "");
    if (f.payload && f.payload.length > 0) {
      let list = c.segs.get(s);
      if (!list) c.segs.set(s, (list = []));
      list.push({ off: f.seq, data: f.payload, time: f.time, no: f.no });
    }
  }
  const out: HttpExchange[] = [];
  for (const c of conns.values()) {
    const dirs = [...new Set([...c.segs.keys(), `${c.first.src}:${c.first.srcPort}`, `${c.first.dst}:${c.first.dstPort}`])];
    // the client sent the SYN; else the side whose first payload is a request line
    let clientKey = c.client ? `${c.client.addr}:${c.client.port}` : undefined;
    const streams = new Map<string, Stream>();
    for (const dir of dirs) {
      const segs = c.segs.get(dir) ?? [];
      const base = c.isn.get(dir) ?? segs.reduce((m, s) => (((s.off - m) | 0) < 0 ? s.off : m), segs[0]?.off ?? 0);
      streams.set(dir, assemble(segs, base));
    }
    if (clientKey === undefined) {
      clientKey = dirs.find((d) => /^[A-Z]+ \S+ HTTP\/\d/.test(latin1.decode(streams.get(d)!.bytes.subarray(0, 64))));
    }
    if (clientKey === undefined) continue;
    const serverKey = dirs.find((d) => d !== clientKey);
    const req = streams.get(clientKey)!;
    const resp = serverKey ? streams.get(serverKey)! : { bytes: new Uint8Array(0), marks: [], gap: false };
    const requests = parseMessages(req.bytes, false, []);
    if (requests.length === 0) continue;
    const methods = requests.map((m) => m.startLine.split(" ")[0]!);
    const responses = parseMessages(resp.bytes, true, methods);
    const cut = (k: string) => { const i = k.lastIndexOf(":"); return { addr: k.slice(0, i), port: Number(k.slice(i + 1)) }; };
    const cl = cut(clientKey), sv = serverKey ? cut(serverKey) : { addr: "", port: 0 };
    requests.forEach((m, k) => {
      const [method, path] = m.startLine.split(" ");
      const r = responses[k];
      const rs = markAt(req, m.start);
      const first = r ? markAt(resp, r.start) : { time: 0, no: 0 };
      const done = r ? markAt(resp, Math.max(r.start, r.end - 1)) : { time: 0, no: 0 };
      out.push({
        tunnel: c.first.tunnel,
        labels: c.labels.get(clientKey!) ?? "",
        client: cl.addr, clientPort: cl.port, server: sv.addr, serverPort: sv.port,
        method: method ?? "", path: path ?? "", host: m.headers.get("host") ?? "",
        status: r ? Number(r.startLine.split(" ")[1]) || 0 : 0,
        requestFrame: rs.no, requestTime: rs.time,
        responseFrame: first.no, firstByteTime: first.time,
        doneFrame: done.no, doneTime: done.time,
        ttfbMs: r ? Math.round((first.time - rs.time) * 1e9) / 1e6 : NaN,
        totalMs: r ? Math.round((done.time - rs.time) * 1e9) / 1e6 : NaN,
        requestBytes: m.end - m.start,
        responseBytes: r ? r.end - r.start : 0,
        complete: r ? r.complete : false,
      });
    });
  }
  return out.sort((x, y) => x.requestTime - y.requestTime || x.requestFrame - y.requestFrame);
}

/**
 * The exchanges as an arquero table.
 * @example httpExchangeTable(frames).select("method", "path", "status", "ttfbMs").print()
 */
export function httpExchangeTable(frames: readonly CapturedFrame[]): ReturnType<typeof Arquero.from> {
  // arquero is loaded on first use (~20 MB resident)
  return (require("arquero") as typeof Arquero).from(httpExchanges(frames));
}
