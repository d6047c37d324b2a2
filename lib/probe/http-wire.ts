/**
 * HTTP/1.1 on the wire: request serialisation and an incremental response parser (status line, headers,
 * and bodies framed by Content-Length, chunked transfer coding, or connection close).
 *
 * The parser is fed bytes as they arrive and never throws: a response that is not HTTP, an oversized
 * head, a bad chunk size or conflicting lengths put it in an error state with a {@link ProbeError} of kind
 * `protocol`; a connection closed early gives kind `closed`.
 */
import type { ProbeError } from "./types";

/** A request to serialise. Header order is kept; `Host` comes first as curl sends it. */
export interface HttpRequestSpec {
  method: string;
  /** Request target: path and query (`/index.html?a=1`). */
  target: string;
  /** `Host` header value (the URL's host[:port] or an override such as `www.juniper.net`). */
  host: string;
  /** Extra or replacing headers; a header named like a default replaces it; an empty value removes it. */
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string | Buffer;
  /** User-Agent default. */
  userAgent?: string;
}

/** The serialised request: its header lines (for the transcript) and the bytes to write. */
export interface SerializedRequest {
  /** Request line and header lines, without line endings, then `""` for the blank line. */
  lines: string[];
  bytes: Buffer;
  bodyBytes: number;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Serialises an HTTP/1.1 request with CRLF line endings, or returns a `usage` error when a method,
 * target or header would break the framing (CR/LF injection, non-token names).
 *
 * @example
 * serializeHttpRequest({ method: "GET", target: "/", host: "www.juniper.net" }).lines;
 * // ["GET / HTTP/1.1", "Host: www.juniper.net", "User-Agent: packetwalk/0.1", "Accept: *\/*", ""]
 */
export function serializeHttpRequest(spec: HttpRequestSpec): { ok: true; request: SerializedRequest } | { ok: false; error: ProbeError } {
  const bad = (message: string) => ({ ok: false as const, error: { kind: "usage" as const, message } });
  if (!TOKEN.test(spec.method)) return bad(`invalid HTTP method: ${JSON.stringify(spec.method)}`);
  if (/[\s]/.test(spec.target) || spec.target === "") return bad(`invalid request target: ${JSON.stringify(spec.target)}`);
  const body = spec.body === undefined ? undefined : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, "utf8");
  const headers: Array<[string, string]> = [
    ["Host", spec.host],
    ["User-Agent", spec.userAgent ?? "packetwalk/0.1"],
    ["Accept", "*/*"],
  ];
  if (body !== undefined) headers.push(["Content-Length", String(body.length)]);
  for (const [name, value] of spec.headers ?? []) {
    if (!TOKEN.test(name)) return bad(`invalid header name: ${JSON.stringify(name)}`);
    if (/[\r\n\0]/.test(value)) return bad(`header ${name} contains a line break`);
    const i = headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase());
    if (i >= 0) headers.splice(i, 1);
    if (value !== "") headers.push([name, value]);
  }
  for (const [name, value] of headers) {
    if (/[\r\n\0]/.test(value)) return bad(`header ${name} contains a line break`);
  }
  const lines = [`${spec.method} ${spec.target} HTTP/1.1`, ...headers.map(([n, v]) => `${n}: ${v}`), ""];
  const head = Buffer.from(lines.join("\r\n") + "\r\n", "latin1");
  return {
    ok: true,
    request: { lines, bytes: body ? Buffer.concat([head, body]) : head, bodyBytes: body?.length ?? 0 },
  };
}

/** How the body's end is known. */
export type BodyFraming = "content-length" | "chunked" | "close" | "none";

/** An informational (1xx) response seen before the final one. */
export interface InterimResponse {
  status: number;
  statusText: string;
  lines: string[];
}

/** A parsed (possibly partial) response. */
export interface HttpResponse {
  httpVersion: string;
  status: number;
  statusText: string;
  /** Headers in received order, names as sent. */
  headers: Array<[string, string]>;
  /** Status line and header lines as received, without line endings. */
  headLines: string[];
  /** The body up to the cap (chunked coding removed). */
  body: Buffer;
  /** All body bytes received (chunked coding removed), including those past the cap. */
  bodyBytes: number;
  /** True when `bodyBytes` exceeded the cap and `body` holds only the first part. */
  truncated: boolean;
  framing: BodyFraming;
  /** True once the body's end was seen. */
  complete: boolean;
  /** Whether the connection may carry another request afterwards. */
  keepAlive: boolean;
  interim: InterimResponse[];
}

type Phase = "head" | "length" | "chunk-size" | "chunk-data" | "chunk-crlf" | "trailers" | "close" | "done" | "error";

/**
 * Incremental HTTP/1.x response parser. Feed it bytes with {@link HttpResponseParser.feed} and tell it
 * about EOF with {@link HttpResponseParser.end}; read `response`, `headComplete`, `done`, `error`.
 *
 * @example
 * const p = new HttpResponseParser({ method: "GET" });
 * p.feed(Buffer.from("HTTP/1.1 204 No Content\r\n\r\n"));
 * p.done; // true
 */
export class HttpResponseParser {
  /** The response as parsed so far; null until the status line arrived. */
  response: HttpResponse | null = null;
  /** Set when parsing failed. */
  error: ProbeError | null = null;
  /** Bytes after the end of the response (a server talking out of turn). */
  rest: Buffer = Buffer.alloc(0);

  private phase: Phase = "head";
  private buf: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private bodyParts: Buffer[] = [];
  private bodyKept = 0;
  private readonly method: string;
  private readonly maxBodyBytes: number;
  private readonly maxHeadBytes: number;

  constructor(opts: { method?: string; maxBodyBytes?: number; maxHeadBytes?: number } = {}) {
    this.method = (opts.method ?? "GET").toUpperCase();
    this.maxBodyBytes = opts.maxBodyBytes ?? 1 << 20;
    this.maxHeadBytes = opts.maxHeadBytes ?? 64 * 1024;
  }

  /** True once the final (non-1xx) head was parsed. */
  get headComplete(): boolean {
    return this.response !== null && this.phase !== "head";
  }

  /** True once the whole response was read. */
  get done(): boolean {
    return this.phase === "done";
  }

  /** True when the parser gave up. */
  get failed(): boolean {
    return this.phase === "error";
  }

  /** Feeds received bytes. */
  feed(chunk: Buffer): void {
    if (this.phase === "done") {
      this.rest = Buffer.concat([this.rest, chunk]);
      return;
    }
    if (this.phase === "error") return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    this.run();
  }

  /** Signals EOF from the peer. Completes a close-delimited body, or fails a truncated response. */
  end(): void {
    if (this.phase === "done" || this.phase === "error") return;
    if (this.phase === "close") {
      this.finish();
      return;
    }
    if (this.phase === "head" && this.response === null && this.buf.length === 0) {
      this.fail("closed", "Empty reply from server");
      return;
    }
    if (this.phase === "head") {
      this.fail(this.response === null && !looksLikeHttp(this.buf) ? "protocol" : "closed", this.response === null && !looksLikeHttp(this.buf)
        ? `not an HTTP response: ${preview(this.buf)}`
        : "connection closed in the middle of the response head");
      return;
    }
    this.fail("closed", `connection closed before the end of the body (${this.response?.bodyBytes ?? 0} bytes read, framing ${this.response?.framing})`);
  }

  private fail(kind: ProbeError["kind"], message: string): void {
    this.phase = "error";
    this.error = { kind, message };
    this.syncBody();
  }

  private finish(): void {
    this.phase = "done";
    if (this.response) this.response.complete = true;
    this.syncBody();
    if (this.buf.length) this.rest = this.buf;
    this.buf = Buffer.alloc(0);
  }

  /**
   * Brings `response.body` up to date with the body bytes received so far (done automatically when the
   * response completes or fails; call it to look at a partial body).
   *
   * @example
   * parser.syncBody(); parser.response?.body.length;
   */
  syncBody(): void {
    if (!this.response) return;
    if (this.bodyParts.length > 1) this.bodyParts = [Buffer.concat(this.bodyParts)];
    this.response.body = this.bodyParts[0] ?? Buffer.alloc(0);
  }

  private addBody(data: Buffer): void {
    const r = this.response!;
    r.bodyBytes += data.length;
    const room = this.maxBodyBytes - this.bodyKept;
    if (room > 0) {
      const keep = data.length > room ? data.subarray(0, room) : data;
      this.bodyParts.push(Buffer.from(keep));
      this.bodyKept += keep.length;
    }
    if (r.bodyBytes > this.maxBodyBytes) r.truncated = true;
  }

  /** Takes one line (LF or CRLF terminated) from the buffer, or null when none is complete. */
  private takeLine(limit: number): string | null | undefined {
    const i = this.buf.indexOf(0x0a);
    if (i < 0) {
      if (this.buf.length > limit) return undefined;
      return null;
    }
    const end = i > 0 && this.buf[i - 1] === 0x0d ? i - 1 : i;
    const line = this.buf.subarray(0, end).toString("latin1");
    this.buf = this.buf.subarray(i + 1);
    return line;
  }

  private run(): void {
    for (;;) {
      switch (this.phase) {
        case "head":
          if (!this.parseHead()) return;
          break;
        case "length": {
          if (this.buf.length === 0) return;
          const n = Math.min(this.remaining, this.buf.length);
          this.addBody(this.buf.subarray(0, n));
          this.buf = this.buf.subarray(n);
          this.remaining -= n;
          if (this.remaining === 0) this.finish();
          else return;
          break;
        }
        case "close":
          if (this.buf.length) this.addBody(this.buf);
          this.buf = Buffer.alloc(0);
          return;
        case "chunk-size": {
          const line = this.takeLine(1024);
          if (line === null) return;
          if (line === undefined) return this.fail("protocol", "chunk size line too long");
          const m = /^([0-9a-fA-F]{1,15})[ \t]*(;.*)?$/.exec(line);
          if (!m) return this.fail("protocol", `bad chunk size line: ${JSON.stringify(line.slice(0, 60))}`);
          this.remaining = parseInt(m[1]!, 16);
          this.phase = this.remaining === 0 ? "trailers" : "chunk-data";
          break;
        }
        case "chunk-data": {
          if (this.buf.length === 0) return;
          const n = Math.min(this.remaining, this.buf.length);
          this.addBody(this.buf.subarray(0, n));
          this.buf = this.buf.subarray(n);
          this.remaining -= n;
          if (this.remaining > 0) return;
          this.phase = "chunk-crlf";
          break;
        }
        case "chunk-crlf": {
          if (this.buf.length && this.buf[0] !== 0x0d && this.buf[0] !== 0x0a) return this.fail("protocol", "chunk data not followed by CRLF");
          const line = this.takeLine(2);
          if (line === null) return;
          if (line !== "") return this.fail("protocol", "chunk data not followed by CRLF");
          this.phase = "chunk-size";
          break;
        }
        case "trailers": {
          const line = this.takeLine(this.maxHeadBytes);
          if (line === null) return;
          if (line === undefined) return this.fail("protocol", "trailer section too large");
          if (line === "") this.finish();
          else {
            const t = splitHeader(line);
            if (t) this.response!.headers.push(t);
          }
          break;
        }
        case "done":
          if (this.buf.length) {
            this.rest = Buffer.concat([this.rest, this.buf]);
            this.buf = Buffer.alloc(0);
          }
          return;
        case "error":
          return;
      }
    }
  }

  /** Parses a complete head if the buffer holds one. Returns false when it needs more bytes. */
  private parseHead(): boolean {
    if (this.buf.length >= 5 && !looksLikeHttp(this.buf)) {
      this.fail("protocol", `not an HTTP response: ${preview(this.buf)}`);
      return false;
    }
    const end = headEnd(this.buf);
    if (end < 0) {
      if (this.buf.length > this.maxHeadBytes) this.fail("protocol", `response head larger than ${this.maxHeadBytes} bytes`);
      return false;
    }
    const text = this.buf.subarray(0, end).toString("latin1");
    const rawLines = text.split(/\r?\n/);
    while (rawLines.length && rawLines[rawLines.length - 1] === "") rawLines.pop();
    this.buf = this.buf.subarray(end + (this.buf[end] === 0x0d ? 4 : 2));
    const status = /^HTTP\/(\d)\.(\d) (\d{3})(?: (.*))?$/.exec(rawLines[0] ?? "");
    if (!status) {
      this.fail("protocol", `bad status line: ${JSON.stringify((rawLines[0] ?? "").slice(0, 80))}`);
      return false;
    }
    const headers: Array<[string, string]> = [];
    for (const line of rawLines.slice(1)) {
      if (/^[ \t]/.test(line) && headers.length) {
        headers[headers.length - 1]![1] += " " + line.trim();
        continue;
      }
      const h = splitHeader(line);
      if (!h) {
        this.fail("protocol", `bad header line: ${JSON.stringify(line.slice(0, 80))}`);
        return false;
      }
      headers.push(h);
    }
    const code = Number(status[3]);
    const statusText = status[4] ?? "";
    if (code >= 100 && code < 200 && code !== 101) {
      (this.interim ??= []).push({ status: code, statusText, lines: rawLines });
      return true;
    }
    const version = `${status[1]}.${status[2]}`;
    const get = (n: string) => headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v.trim());
    const connection = get("connection").join(",").toLowerCase();
    let keepAlive = version === "1.1" ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    let framing: BodyFraming;
    const te = get("transfer-encoding").join(",").toLowerCase();
    const cl = get("content-length").flatMap((v) => v.split(",")).map((v) => v.trim());
    if (this.method === "HEAD" || code === 204 || code === 304 || code === 101) framing = "none";
    else if (te && /(^|,)\s*chunked\s*$/.test(te)) framing = "chunked";
    else if (te) {
      framing = "close";
      keepAlive = false;
    } else if (cl.length) {
      if (!cl.every((v) => /^\d{1,15}$/.test(v)) || new Set(cl).size > 1) {
        this.fail("protocol", `bad Content-Length: ${JSON.stringify(cl.join(", "))}`);
        return false;
      }
      framing = "content-length";
      this.remaining = Number(cl[0]);
    } else {
      framing = "close";
      keepAlive = false;
    }
    this.response = {
      httpVersion: version,
      status: code,
      statusText,
      headers,
      headLines: rawLines,
      body: Buffer.alloc(0),
      bodyBytes: 0,
      truncated: false,
      framing,
      complete: false,
      keepAlive,
      interim: this.interim ?? [],
    };
    if (framing === "none" || (framing === "content-length" && this.remaining === 0)) this.finish();
    else this.phase = framing === "content-length" ? "length" : framing === "chunked" ? "chunk-size" : "close";
    return true;
  }

  private interim?: InterimResponse[];
}

function looksLikeHttp(buf: Buffer): boolean {
  const probe = buf.subarray(0, 5).toString("latin1");
  return "HTTP/".startsWith(probe) || probe.startsWith("HTTP/");
}

function preview(buf: Buffer): string {
  return JSON.stringify(buf.subarray(0, 40).toString("latin1"));
}

/** Index of the blank line ending the head (position of its first CR or LF), or -1. */
function headEnd(buf: Buffer): number {
  const crlf = buf.indexOf("\r\n\r\n", 0, "latin1");
  const lf = buf.indexOf("\n\n", 0, "latin1");
  if (crlf >= 0 && (lf < 0 || crlf + 1 <= lf)) return crlf;
  return lf;
}

function splitHeader(line: string): [string, string] | null {
  const i = line.indexOf(":");
  if (i <= 0) return null;
  const name = line.slice(0, i);
  if (!TOKEN.test(name)) return null;
  return [name, line.slice(i + 1).trim()];
}

/**
 * Parses a complete captured response (pure; never throws). `eof` (default true) says the connection
 * closed after these bytes, which ends a close-delimited body.
 *
 * @example
 * const r = parseHttpResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi");
 * r.response?.status; // 200
 * r.response?.body.toString(); // "hi"
 */
export function parseHttpResponse(
  bytes: Buffer | string,
  opts: { method?: string; maxBodyBytes?: number; eof?: boolean } = {},
): { response: HttpResponse | null; error: ProbeError | null; complete: boolean; rest: Buffer } {
  const p = new HttpResponseParser(opts);
  p.feed(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "latin1"));
  if (opts.eof ?? true) p.end();
  p.syncBody();
  return { response: p.response, error: p.error, complete: p.done, rest: p.rest };
}

/**
 * Case-insensitive header lookup; several values are joined with `, `.
 *
 * @example
 * headerValue([["Content-Type", "text/html"]], "content-type"); // "text/html"
 */
export function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const vals = headers.filter(([k]) => k.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  return vals.length ? vals.join(", ") : undefined;
}
