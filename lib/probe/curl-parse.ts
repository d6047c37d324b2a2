/**
 * Parses what a real `curl -v -sS -w <packetwalk format>` printed into the same
 * {@link HttpProbeResult} that `probeHttp` returns, so remote probes and local ones share tables.
 *
 * Pure: text in, result out; garbage gives a result with an error, never an exception.
 */
import { parseEndpoint } from "./address";
import type { HttpExchange, HttpProbeResult, HttpTimings } from "./http";
import type { Endpoint, ProbeError, TranscriptLine } from "./types";

/** The marker prefix that starts packetwalk's `-w` block. A per-run nonce follows it. */
export const CURL_W_MARKER_PREFIX = "__packetwalk_w_";

/** The `-w` variables packetwalk asks curl for (all exist in curl ≥ 7.29 except `exitcode`/`errormsg`, 7.75). */
export const CURL_W_VARS = [
  "http_code",
  "http_version",
  "time_namelookup",
  "time_connect",
  "time_appconnect",
  "time_pretransfer",
  "time_starttransfer",
  "time_total",
  "local_ip",
  "local_port",
  "remote_ip",
  "remote_port",
  "size_download",
  "num_connects",
  "exitcode",
  "errormsg",
] as const;

/**
 * The `-w` format string for a marker: a newline, the marker line, then one `name=%{name}` line each.
 *
 * @example
 * curlWriteOut("__packetwalk_w_ab12__"); // "\\n__packetwalk_w_ab12__\\nhttp_code=%{http_code}\\n…"
 */
export function curlWriteOut(marker: string): string {
  return `\\n${marker}\\n${CURL_W_VARS.map((v) => `${v}=%{${v}}\\n`).join("")}`;
}

/** Options of {@link parseCurlVerbose}. */
export interface ParseCurlOptions {
  /** The URL given to curl: the result speaks of its host and port. */
  url?: string;
  method?: string;
  /** The exact marker used; default: any `__packetwalk_w_…__` line (the last one). */
  marker?: string;
  /** curl's exit status when the runner knows it. */
  exitCode?: number | null;
  /** Epoch ms when curl started (default: taken from a `__pw_t0=<ns>` line, else 0). */
  startedAt?: number;
  /** Body characters kept, default 1 MiB. */
  maxBodyBytes?: number;
  /** True when an address map (`--connect-to`) chose the dialled address. */
  mapped?: boolean;
}

const TIMING_LINE = /^__pw_t0=(\d{10,})\s*$/m;

/**
 * Parses `curl -v` stderr and stdout (body followed by packetwalk's `-w` block) into an
 * {@link HttpProbeResult} with `via: "curl"`. Works on the stderr and stdout merged (`2>&1`) too.
 *
 * @example
 * const r = parseCurlVerbose(stderr, stdout, { url: "http://101.101.101.1/", exitCode: 0 });
 * r.status; r.local?.port; r.timings.firstByte;
 */
export function parseCurlVerbose(stderr: string, stdout: string, opts: ParseCurlOptions = {}): HttpProbeResult {
  const outSplit = splitWriteOut(stdout, opts.marker);
  const errSplit = outSplit ? null : splitWriteOut(stderr, opts.marker);
  const split = outSplit ?? errSplit;
  const errText = errSplit ? errSplit.before : stderr;
  const body = outSplit ? outSplit.before : stdout;
  const vars: Record<string, string> = split?.vars ?? {};
  const ns = TIMING_LINE.exec(errText)?.[1];
  const startedAt = opts.startedAt ?? (ns ? Math.floor(Number(ns.slice(0, -6))) : 0);

  const secs = (name: string): number | null => {
    const v = vars[name];
    if (v === undefined || v === "" || !/^\d+(\.\d+)?$/.test(v)) return null;
    return Math.round(Number(v) * 1e6) / 1e3;
  };
  const total = secs("time_total") ?? 0;
  const positive = (v: number | null) => (v !== null && v > 0 ? v : null);
  const timings: HttpTimings = {
    dns: secs("time_namelookup"),
    connect: positive(secs("time_connect")),
    tls: positive(secs("time_appconnect")),
    sent: positive(secs("time_pretransfer")),
    firstByte: positive(secs("time_starttransfer")),
    total,
  };

  // Walk the verbose lines.
  const transcript: TranscriptLine[] = [];
  const requestLines: string[] = [];
  let heads: string[][] = [];
  let current: string[] | null = null;
  let connected: Endpoint | null = null;
  let trying: Endpoint | null = null;
  let curlError: { code: number; message: string } | null = null;
  let lastNote = "";
  const phaseTime = (dir: TranscriptLine["dir"], text: string): number => {
    if (dir === ">" || dir === "}") return timings.sent ?? timings.connect ?? 0;
    if (dir === "<" || dir === "{") return timings.firstByte ?? total;
    if (/^\s*Trying /.test(text)) return timings.dns ?? 0;
    if (/^Connected to /.test(text)) return timings.connect ?? 0;
    return transcript.length ? transcript[transcript.length - 1]!.t : 0;
  };
  for (const raw of errText.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line === "" || TIMING_LINE.test(line)) continue;
    const m = /^([*<>{}]) ?(.*)$/.exec(line);
    const ce = /^curl: \((\d+)\) (.*)$/.exec(line);
    if (ce) {
      curlError = { code: Number(ce[1]), message: ce[2]! };
      continue;
    }
    if (!m) continue;
    const dir = m[1] as TranscriptLine["dir"];
    const text = m[2]!;
    transcript.push({ t: phaseTime(dir, text), dir, text });
    if (dir === ">") {
      if (/^[A-Z]+ \S+ HTTP\/\d/.test(text) && requestLines.length) requestLines.length = 0;
      requestLines.push(text);
    } else if (dir === "<") {
      if (/^HTTP\/\d(\.\d)? \d{3}/.test(text)) {
        current = [text];
        heads.push(current);
      } else if (current && text !== "") current.push(text);
      else if (text === "") current = null;
    } else if (dir === "*") {
      lastNote = text;
      const tr = /^\s*Trying (.+)\.\.\.$/.exec(text);
      if (tr) trying = parseEndpoint(tr[1]!) ?? trying;
      const cn = /^Connected to (\S+) \(([^)]+)\) port (\d+)/.exec(text);
      if (cn) {
        connected = { address: cn[2]!, port: Number(cn[3]) };
      }
    }
  }
  heads = heads.filter((h) => !/^HTTP\/\S+ 1\d\d/.test(h[0]!) || /^HTTP\/\S+ 101/.test(h[0]!));
  const head = heads[heads.length - 1] ?? null;

  // Endpoints.
  let remote: Endpoint | null = null;
  let url: URL | null = null;
  try {
    url = opts.url ? new URL(opts.url) : null;
  } catch {
    url = null;
  }
  const dialedIp = vars.remote_ip || connected?.address || trying?.address || "";
  const dialedPort = Number(vars.remote_port || connected?.port || trying?.port || 0);
  const dialed = dialedIp && dialedPort ? { address: dialedIp, port: dialedPort } : null;
  if (url) {
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    const host = url.hostname.replace(/^\[|\]$/g, "");
    remote = { address: opts.mapped ? host : dialed?.address ?? host, port: opts.mapped ? port : dialed?.port ?? port };
  } else remote = dialed;
  const localPort = Number(vars.local_port || 0);
  const local = vars.local_ip && localPort ? { address: vars.local_ip, port: localPort } : null;

  // Status and headers.
  let status: number | null = null;
  let statusText = "";
  let httpVersion = "";
  const headers: Array<[string, string]> = [];
  if (head) {
    const sm = /^HTTP\/(\d(?:\.\d)?) (\d{3})(?: (.*))?$/.exec(head[0]!);
    if (sm) {
      httpVersion = sm[1]!;
      status = Number(sm[2]);
      statusText = sm[3] ?? "";
    }
    for (const h of head.slice(1)) {
      const i = h.indexOf(":");
      if (i > 0) headers.push([h.slice(0, i), h.slice(i + 1).trim()]);
    }
  }
  const code = vars.http_code && /^\d{3}$/.test(vars.http_code) && vars.http_code !== "000" ? Number(vars.http_code) : null;
  if (status === null && code !== null) status = code;

  // Exit status and error.
  const exitCode = opts.exitCode ?? (vars.exitcode && /^\d+$/.test(vars.exitcode) ? Number(vars.exitcode) : curlError?.code ?? null);
  let error: ProbeError | null = null;
  if (exitCode !== null && exitCode !== 0) {
    const message = vars.errormsg || curlError?.message || lastNote || `curl exited with status ${exitCode}`;
    error = { kind: curlErrorKind(exitCode, message, timings), message, code: `curl:${exitCode}` };
  } else if (exitCode === null && !split) {
    error = { kind: "other", message: curlError?.message ?? "no curl -w output found (curl did not run to the end?)" };
  } else if (status === null) {
    error = { kind: "other", message: "no HTTP response in the curl output" };
  }

  const maxBody = opts.maxBodyBytes ?? 1 << 20;
  const bodyBytes = Number(vars.size_download || Buffer.byteLength(body));
  const bodyBuf = Buffer.from(body, "utf8");
  const truncated = bodyBuf.length > maxBody || bodyBytes > bodyBuf.length;
  const keptBody = bodyBuf.length > maxBody ? bodyBuf.subarray(0, maxBody).toString("utf8") : body;
  const method = (opts.method ?? /^([A-Z]+) /.exec(requestLines[0] ?? "")?.[1] ?? "GET").toUpperCase();
  const target = /^[A-Z]+ (\S+) /.exec(requestLines[0] ?? "")?.[1] ?? (url ? url.pathname + url.search : "/");
  const exchange: HttpExchange = {
    seq: 0,
    method,
    target,
    requestLines,
    status,
    statusText,
    httpVersion,
    headers,
    body: keptBody,
    bodyBytes,
    truncated,
    framing: null,
    complete: error === null && status !== null,
    sentAt: timings.sent,
    firstByteAt: timings.firstByte,
    doneAt: total,
    error,
  };
  return {
    kind: "http",
    via: "curl",
    url: opts.url ?? "",
    method,
    ok: error === null,
    status,
    statusText,
    httpVersion,
    headers,
    body: keptBody,
    bodyBytes,
    truncated,
    remote,
    dialed,
    local,
    mapped: opts.mapped ?? false,
    startedAt,
    endedAt: startedAt + total,
    timings,
    exchanges: requestLines.length || status !== null ? [exchange] : [],
    transcript,
    error,
  };
}

/** curl exit status → {@link ProbeError} kind. */
function curlErrorKind(code: number, message: string, t: HttpTimings): ProbeError["kind"] {
  switch (code) {
    case 1:
      return /HTTP\/0\.9|weird server reply/i.test(message) ? "protocol" : "usage";
    case 2:
    case 3:
      return "usage";
    case 5:
    case 6:
      return "dns";
    case 7:
      return /refused|couldn't connect/i.test(message) ? "refused" : "other";
    case 28:
      if (/^Connection timed out|Failed to connect/i.test(message) || t.connect === null) return "connect-timeout";
      return "timeout";
    case 8:
      return "protocol";
    case 52:
      return "closed";
    case 55:
      return "reset";
    case 56:
      return /reset/i.test(message) ? "reset" : "closed";
    case 18:
      return "closed";
    case 35:
    case 51:
    case 53:
    case 54:
    case 58:
    case 59:
    case 60:
    case 64:
    case 66:
    case 77:
    case 80:
    case 82:
    case 83:
    case 90:
    case 91:
      return "tls";
    default:
      return "other";
  }
}

/** Finds the last `-w` block in `text`; returns what precedes it and the variables. */
function splitWriteOut(
  text: string,
  marker: string | undefined,
): { before: string; vars: Record<string, string> } | null {
  const re = marker ? new RegExp(`(?:^|\\n)${escapeRe(marker)}\\n`, "g") : new RegExp(`(?:^|\\n)${CURL_W_MARKER_PREFIX}[0-9a-z]*__\\n`, "g");
  let last: RegExpExecArray | null = null;
  for (let m = re.exec(text); m; m = re.exec(text)) last = m;
  if (!last) return null;
  const before = text.slice(0, last.index);
  const vars: Record<string, string> = {};
  const known = new Set<string>(CURL_W_VARS);
  for (const line of text.slice(last.index + last[0].length).split("\n")) {
    const i = line.indexOf("=");
    if (i <= 0) continue;
    const k = line.slice(0, i);
    if (known.has(k) && !(k in vars)) vars[k] = line.slice(i + 1).replace(/\r$/, "");
  }
  return { before, vars };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
