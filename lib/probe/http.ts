/**
 * `probeHttp`: a curl-like HTTP/1.1 request over node:net (node:tls for https), with the exact bytes,
 * the local port (the client port in the vRouter flow table) and a curl `-w` style timing breakdown.
 */
import * as net from "node:net";
import * as tls from "node:tls";
import { performance } from "node:perf_hooks";
import { resolveDial, socketError, type AddressMap, type LookupFn } from "./address";
import { HttpResponseParser, serializeHttpRequest, type BodyFraming } from "./http-wire";
import { SocketEventQueue, type SocketEvent } from "./socket-events";
import { formatEndpoint, type Endpoint, type ProbeError, type ProbeLike, type TranscriptLine } from "./types";
import { withInterrupt } from "../cancel";

/** Options of {@link probeHttp}. */
export interface HttpProbeOptions {
  /** `http://host[:port]/path` or `https://…`. */
  url: string;
  /** Default `GET`. */
  method?: string;
  /** Override of the `Host` header (`www.juniper.net`), as with `curl -H 'Host: …'`. */
  host?: string;
  /** Extra headers; one with an empty value removes a default header. */
  headers?: Record<string, string> | ReadonlyArray<readonly [string, string]>;
  body?: string | Buffer;
  /** TCP (and TLS) handshake limit, default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Limit from request sent to first response byte; default none (the total limit applies). */
  firstByteTimeoutMs?: number;
  /** Limit for the whole probe, default 30 000 ms. */
  timeoutMs?: number;
  /** Requests to send one after another on the same (keep-alive) connection, default 1. */
  requests?: number;
  /** Body bytes kept per response, default 1 MiB; the rest is counted and dropped. */
  maxBodyBytes?: number;
  /** Lab address map: `{"101.101.101.1:80": "127.0.0.1:41234"}`. */
  addressMap?: AddressMap;
  /** Name resolution, default `dns.promises.lookup`. */
  lookup?: LookupFn;
  /** https: do not verify the certificate (curl `-k`). */
  insecure?: boolean;
  userAgent?: string;
  signal?: AbortSignal;
}

/** Times in ms since the probe started, like curl's `-w` `time_*` variables; null when not reached. */
export interface HttpTimings {
  /** Name resolved (time_namelookup). */
  dns: number | null;
  /** TCP connected (time_connect). */
  connect: number | null;
  /** TLS handshake done (time_appconnect), null for http. */
  tls: number | null;
  /** First request written (≈ time_pretransfer). */
  sent: number | null;
  /** First response byte (time_starttransfer). */
  firstByte: number | null;
  /** Probe finished (time_total). */
  total: number;
}

/** One request/response on the connection. */
export interface HttpExchange {
  /** 0-based position on the connection. */
  seq: number;
  method: string;
  target: string;
  /** Request line and headers as sent. */
  requestLines: string[];
  status: number | null;
  statusText: string;
  httpVersion: string;
  headers: Array<[string, string]>;
  /** The body (up to the cap) decoded as UTF-8. */
  body: string;
  bodyBytes: number;
  truncated: boolean;
  framing: BodyFraming | null;
  complete: boolean;
  /** ms since the probe started. */
  sentAt: number | null;
  firstByteAt: number | null;
  doneAt: number | null;
  error: ProbeError | null;
}

/**
 * The result of {@link probeHttp} (and of remote curl probes). Top-level status, headers and body are
 * those of the last exchange that got a response.
 */
export interface HttpProbeResult extends ProbeLike {
  kind: "http";
  /** `local`: packetwalk's own client; `curl`: a curl run parsed by `parseCurlVerbose`. */
  via: "local" | "curl";
  url: string;
  method: string;
  status: number | null;
  statusText: string;
  httpVersion: string;
  headers: Array<[string, string]>;
  body: string;
  bodyBytes: number;
  truncated: boolean;
  /** True when the address map chose `dialed`. */
  mapped: boolean;
  timings: HttpTimings;
  exchanges: HttpExchange[];
  /** curl -v style lines; render with `renderTranscript`. */
  transcript: TranscriptLine[];
}

const DEFAULTS = { connectTimeoutMs: 10_000, timeoutMs: 30_000, maxBodyBytes: 1 << 20 };

/**
 * A result with nothing received yet: the starting point of every HTTP probe result (local probe,
 * remote curl failing before any output).
 *
 * @example
 * const r = emptyHttpResult({ url: "http://101.101.101.1/", method: "GET", via: "curl", startedAt: Date.now() });
 * r.ok; // false
 */
export function emptyHttpResult(o: { url: string; method: string; via: HttpProbeResult["via"]; startedAt: number }): HttpProbeResult {
  return {
    kind: "http",
    via: o.via,
    url: o.url,
    method: o.method,
    ok: false,
    status: null,
    statusText: "",
    httpVersion: "",
    headers: [],
    body: "",
    bodyBytes: 0,
    truncated: false,
    remote: null,
    dialed: null,
    local: null,
    mapped: false,
    startedAt: o.startedAt,
    endedAt: 0,
    timings: { dns: null, connect: null, tls: null, sent: null, firstByte: null, total: 0 },
    exchanges: [],
    transcript: [],
    error: null,
  };
}

/**
 * Sends an HTTP/1.1 request (or several on one keep-alive connection) and reports status, headers, body,
 * local and remote address, timings and a curl -v transcript. Never throws for network trouble: refused,
 * reset, timeouts, DNS, TLS and garbage responses come back in `error`. Stops promptly on `signal`.
 *
 * @example
 * const r = await probeHttp({
 *   url: "http://101.101.101.1/", host: "www.juniper.net",
 *   addressMap: { "101.101.101.1:80": "127.0.0.1:41234" },
 * });
 * console.log(r.status, r.local?.port, r.timings.firstByte);
 * console.log(renderTranscript(r.transcript));
 */
export async function probeHttp(options: HttpProbeOptions): Promise<HttpProbeResult> {
  // A Jupyter interrupt aborts the probe like the caller's own signal.
  const opts = { ...options, signal: withInterrupt(options.signal) };
  const t0 = performance.now();
  const now = () => round(performance.now() - t0);
  const method = (opts.method ?? "GET").toUpperCase();
  const result = emptyHttpResult({ url: opts.url, method, via: "local", startedAt: Date.now() });
  const note = (dir: TranscriptLine["dir"], text: string, t = now()) => result.transcript.push({ t, dir, text });
  const finish = (error: ProbeError | null): HttpProbeResult => {
    result.error = error;
    result.ok = error === null;
    if (error) note("*", error.message);
    result.timings.total = now();
    result.endedAt = result.startedAt + result.timings.total;
    return result;
  };

  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    return finish({ kind: "usage", message: `bad URL: ${opts.url}` });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return finish({ kind: "usage", message: `unsupported scheme ${url.protocol} (http: and https: only)` });
  }
  const secure = url.protocol === "https:";
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  const hostHeader = opts.host ?? url.host;
  const headerList: Array<[string, string]> = Array.isArray(opts.headers)
    ? (opts.headers as ReadonlyArray<readonly [string, string]>).map(([k, v]) => [k, v] as [string, string])
    : Object.entries(opts.headers ?? {});
  const target = `${url.pathname || "/"}${url.search}`;
  const count = Math.max(1, Math.floor(opts.requests ?? 1));
  const requests = [];
  for (let i = 0; i < count; i++) {
    const s = serializeHttpRequest({ method, target, host: hostHeader, headers: headerList, body: opts.body, userAgent: opts.userAgent });
    if (!s.ok) return finish(s.error);
    requests.push(s.request);
  }

  // One controller for everything: the caller's signal and the total timeout both abort it.
  const ctl = new AbortController();
  let stopReason: "aborted" | "timeout" | null = null;
  const stop = (why: "aborted" | "timeout") => {
    if (!stopReason) stopReason = why;
    ctl.abort();
  };
  const onOuterAbort = () => stop("aborted");
  if (opts.signal?.aborted) stopReason = "aborted";
  opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const totalMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const totalTimer = setTimeout(() => stop("timeout"), totalMs);
  const stoppedError = (phase: string): ProbeError =>
    stopReason === "timeout"
      ? { kind: "timeout", message: `Operation timed out after ${now().toFixed(0)} milliseconds ${phase}` }
      : { kind: "aborted", message: `aborted ${phase}` };

  let socket: net.Socket | null = null;
  let queue: SocketEventQueue | null = null;
  try {
    if (stopReason) return finish(stoppedError("before start"));
    const dial = await resolveDial(hostname, port, { addressMap: opts.addressMap, lookup: opts.lookup, signal: ctl.signal });
    result.timings.dns = now();
    if (!dial.ok) {
      if (dial.remote) result.remote = dial.remote;
      return finish(dial.error.kind === "aborted" ? stoppedError("during name resolution") : dial.error);
    }
    const { remote, dialed, mapped } = dial.plan;
    Object.assign(result, { remote, dialed, mapped });
    note("*", `  Trying ${formatEndpoint(remote)}...`);
    if (mapped) note("*", `packetwalk: ${formatEndpoint(remote)} is mapped to ${formatEndpoint(dialed)} (address map); dialling that`);

    // TCP connect.
    socket = net.connect({ host: dialed.address, port: dialed.port, noDelay: true });
    queue = new SocketEventQueue(socket, now);
    const connectMs = opts.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs;
    const connected = await queue.next({ timeoutMs: connectMs, signal: ctl.signal });
    if (connected.type !== "connect") {
      return finish(connectFailure(connected, connectMs, remote, stoppedError));
    }
    result.timings.connect = connected.t;
    result.local = { address: socket.localAddress ?? "", port: socket.localPort ?? 0 };
    note("*", `Connected to ${hostname} (${remote.address}) port ${remote.port} (#0)`, connected.t);
    note("*", `packetwalk: local ${formatEndpoint(result.local)} -> dialled ${formatEndpoint(dialed)}`, connected.t);

    if (secure) {
      const raw: net.Socket = socket;
      queue.detach(raw);
      const tlsSocket = tls.connect({
        socket: raw,
        servername: net.isIP(hostname) ? undefined : hostname,
        rejectUnauthorized: !opts.insecure,
        ALPNProtocols: ["http/1.1"],
      });
      socket = tlsSocket;
      queue = new SocketEventQueue(tlsSocket, now, "secureConnect");
      const left = Math.max(0, connectMs - connected.t);
      const secured = await queue.next({ timeoutMs: left, signal: ctl.signal });
      if (secured.type !== "secure") {
        if (secured.type === "aborted") return finish(stoppedError("during the TLS handshake"));
        if (secured.type === "timeout") return finish({ kind: "connect-timeout", message: `TLS handshake timed out after ${connectMs} ms` });
        const e = secured.type === "error" ? secured.error : new Error("connection closed during the TLS handshake");
        const base = socketError(e);
        return finish({ kind: "tls", message: `TLS handshake failed: ${e.message}`, ...(base.code ? { code: base.code } : {}) });
      }
      result.timings.tls = secured.t;
      note("*", `SSL connection using ${tlsSocket.getProtocol() ?? "TLS"} / ${tlsSocket.getCipher()?.name ?? "?"}`, secured.t);
    }

    const maxBody = opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
    for (let i = 0; i < requests.length; i++) {
      const req = requests[i]!;
      const ex: HttpExchange = {
        seq: i,
        method,
        target,
        requestLines: req.lines,
        status: null,
        statusText: "",
        httpVersion: "",
        headers: [],
        body: "",
        bodyBytes: 0,
        truncated: false,
        framing: null,
        complete: false,
        sentAt: null,
        firstByteAt: null,
        doneAt: null,
        error: null,
      };
      result.exchanges.push(ex);
      if (i > 0) note("*", `Re-using existing connection #0 with host ${hostname}`);
      const writeT = now();
      for (const line of req.lines) note(">", line, writeT);
      if (req.bodyBytes) note("}", `[${req.bodyBytes} bytes data]`, writeT);
      const sock = socket;
      sock.write(req.bytes, () => {
        if (ex.sentAt === null) ex.sentAt = now();
      });
      const parser = new HttpResponseParser({ method, maxBodyBytes: maxBody });
      const fbMs = opts.firstByteTimeoutMs;
      let headNoted = false;
      let interimNoted = 0;
      let peerClosed = false;
      while (!parser.done && !parser.failed) {
        const waitingFirst = ex.firstByteAt === null;
        const ev = await queue.next({
          timeoutMs: waitingFirst && fbMs !== undefined ? Math.max(0, fbMs - (now() - writeT)) : undefined,
          signal: ctl.signal,
        });
        if (ev.type === "data") {
          if (ex.firstByteAt === null) {
            ex.firstByteAt = ev.t;
            if (ex.sentAt === null) ex.sentAt = Math.min(now(), ev.t);
          }
          const before = parser.response?.bodyBytes ?? 0;
          parser.feed(ev.data);
          const r = parser.response;
          if (r) {
            for (const im of r.interim.slice(interimNoted)) for (const l of [...im.lines, ""]) note("<", l, ev.t);
            interimNoted = r.interim.length;
          }
          if (r && !headNoted) {
            headNoted = true;
            for (const l of r.headLines) note("<", l, ev.t);
            note("<", "", ev.t);
          }
          const got = (parser.response?.bodyBytes ?? 0) - before;
          if (got > 0) note("{", `[${got} bytes data]`, ev.t);
        } else if (ev.type === "end" || ev.type === "close") {
          peerClosed = true;
          parser.end();
        } else if (ev.type === "error") {
          const err = socketError(ev.error);
          fillExchange(ex, parser, now());
          copyLast(result, ex);
          ex.error = err;
          return finish(err);
        } else if (ev.type === "timeout") {
          const e: ProbeError = { kind: "first-byte-timeout", message: `No response byte within ${fbMs} ms of sending the request` };
          fillExchange(ex, parser, now());
          copyLast(result, ex);
          ex.error = e;
          return finish(e);
        } else if (ev.type === "aborted") {
          fillExchange(ex, parser, now());
          const e = stoppedError(ex.firstByteAt === null ? "waiting for the response" : "while reading the response");
          ex.error = e;
          copyLast(result, ex);
          return finish(e);
        }
      }
      fillExchange(ex, parser, now());
      copyLast(result, ex);
      if (parser.failed) {
        ex.error = parser.error;
        return finish(parser.error);
      }
      if (i + 1 < requests.length && (!parser.response?.keepAlive || peerClosed)) {
        return finish({
          kind: "closed",
          message: `server closed the connection after request ${i + 1} of ${requests.length} (no keep-alive)`,
        });
      }
      if (i + 1 === requests.length) {
        note("*", parser.response?.keepAlive && !peerClosed ? `Connection #0 to host ${hostname} left intact` : "Closing connection 0");
      }
    }
    return finish(null);
  } finally {
    clearTimeout(totalTimer);
    opts.signal?.removeEventListener("abort", onOuterAbort);
    if (socket) {
      if (queue) queue.detach(socket);
      else socket.on("error", () => {});
      socket.destroy();
    }
  }
}

function connectFailure(
  ev: SocketEvent,
  connectMs: number,
  remote: Endpoint,
  stopped: (phase: string) => ProbeError,
): ProbeError {
  if (ev.type === "timeout") {
    return { kind: "connect-timeout", message: `Connection timed out after ${connectMs} milliseconds (${formatEndpoint(remote)})` };
  }
  if (ev.type === "aborted") return stopped("while connecting");
  if (ev.type === "error") {
    const e = socketError(ev.error);
    if (e.kind === "refused") return { ...e, message: `Failed to connect to ${remote.address} port ${remote.port}: Connection refused` };
    return e;
  }
  return { kind: "closed", message: "connection closed while connecting" };
}

function fillExchange(ex: HttpExchange, parser: HttpResponseParser, t: number): void {
  parser.syncBody();
  const r = parser.response;
  if (r) {
    ex.status = r.status;
    ex.statusText = r.statusText;
    ex.httpVersion = r.httpVersion;
    ex.headers = r.headers;
    ex.body = r.body.toString("utf8");
    ex.bodyBytes = r.bodyBytes;
    ex.truncated = r.truncated;
    ex.framing = r.framing;
    ex.complete = r.complete;
  }
  ex.doneAt = t;
}

function copyLast(result: HttpProbeResult, ex: HttpExchange): void {
  if (ex.seq === 0) {
    result.timings.sent = ex.sentAt;
    result.timings.firstByte = ex.firstByteAt;
  }
  if (ex.status === null) return;
  result.status = ex.status;
  result.statusText = ex.statusText;
  result.httpVersion = ex.httpVersion;
  result.headers = ex.headers;
  result.body = ex.body;
  result.bodyBytes = ex.bodyBytes;
  result.truncated = ex.truncated;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/**
 * A one-line summary of an HTTP probe: status, local port, timings, or the error.
 *
 * @example
 * summarizeHttp(r); // "200 OK  local 127.0.0.1:51234 -> 101.101.101.1:80  dns 0.1 connect 0.4 first-byte 1.9 total 2.3 ms  612 B"
 */
export function summarizeHttp(r: HttpProbeResult): string {
  const t = r.timings;
  const f = (v: number | null) => (v === null ? "-" : v.toFixed(1));
  const where = `local ${formatEndpoint(r.local) || "-"} -> ${formatEndpoint(r.remote) || r.url}`;
  const times = `dns ${f(t.dns)} connect ${f(t.connect)}${t.tls !== null ? ` tls ${f(t.tls)}` : ""} first-byte ${f(t.firstByte)} total ${f(t.total)} ms`;
  const head = r.status !== null ? `${r.status} ${r.statusText}`.trim() : "---";
  const tail = r.error ? `  ERROR ${r.error.kind}: ${r.error.message}` : `  ${r.bodyBytes} B${r.truncated ? " (truncated)" : ""}`;
  return `${head}  ${where}  ${times}${tail}`;
}
