/**
 * Result types shared by every probe: the held TCP session (`probeTcp`), the HTTP request
 * (`probeHttp`), the remote curl (`probeHttpRemote`) and the repeat-and-snapshot loop.
 *
 * Probes never throw for network trouble: refused, reset, timeouts, DNS and TLS failures come back as
 * a result with {@link ProbeError}. Times are epoch milliseconds (`…At`) or milliseconds since the probe
 * started (`timings`, transcript and chunk `t`).
 */

/** An IP address and port, as dialled or as spoken about. */
export interface Endpoint {
  address: string;
  port: number;
}

/** Why a probe failed. */
export type ProbeErrorKind =
  /** Nothing listens (ECONNREFUSED), or curl exit 7. */
  | "refused"
  /** The peer sent RST (ECONNRESET / EPIPE). */
  | "reset"
  /** The TCP handshake did not finish within the connect timeout. */
  | "connect-timeout"
  /** Connected and sent, but no response byte arrived within the first-byte timeout. */
  | "first-byte-timeout"
  /** The whole probe exceeded its total timeout. */
  | "timeout"
  /** Name resolution failed. */
  | "dns"
  /** TLS handshake or certificate failure. */
  | "tls"
  /** The peer answered something that is not HTTP, or broke the framing. */
  | "protocol"
  /** The server closed the connection before the response was complete. */
  | "closed"
  /** The address is not in the lab's address map and is not loopback: refused before dialling. */
  | "not-mapped"
  /** The URL or options are unusable. */
  | "usage"
  /** The caller's AbortSignal fired. */
  | "aborted"
  /** No route, network unreachable, and anything else. */
  | "other";

/** A failure, reported as data. */
export interface ProbeError {
  kind: ProbeErrorKind;
  message: string;
  /** The system error code when there is one (`ECONNREFUSED`), or `curl:7` for remote curl. */
  code?: string;
}

/**
 * What the repeat-and-snapshot loop needs from any probe result to join it to flow entries.
 * {@link import("./tcp").TcpProbeResult}, {@link import("./http").HttpProbeResult} and remote curl
 * results all satisfy it.
 */
export interface ProbeLike {
  /** `false` when {@link error} is set. */
  ok: boolean;
  /** The address the probe speaks of (`101.101.101.1:80`), null when it never got that far. */
  remote: Endpoint | null;
  /** The address actually dialled (`127.0.0.1:41234` in the lab), equal to `remote` without a map. */
  dialed: Endpoint | null;
  /** Our side of the connection: its port is the client port in the flow table. */
  local: Endpoint | null;
  /** Epoch ms when the probe started. */
  startedAt: number;
  /** Epoch ms when the probe finished (connection closed). */
  endedAt: number;
  error: ProbeError | null;
}

/** One line of a curl -v style transcript. */
export interface TranscriptLine {
  /** Milliseconds since the probe started. */
  t: number;
  /** `*` a note, `>` sent header line, `<` received header line, `}` sent data, `{` received data. */
  dir: "*" | ">" | "<" | "}" | "{";
  text: string;
}

/**
 * Renders transcript lines the way `curl -v` prints them (`* note`, `> sent`, `< received`,
 * `{ [N bytes data]`).
 *
 * @example
 * renderTranscript([{ t: 0, dir: ">", text: "GET / HTTP/1.1" }]); // "> GET / HTTP/1.1"
 */
export function renderTranscript(lines: readonly TranscriptLine[], opts: { times?: boolean } = {}): string {
  return lines
    .map((l) => {
      const prefix = opts.times ? `${l.t.toFixed(1).padStart(8)}ms ` : "";
      const text = l.text === "" && l.dir !== "*" ? "" : ` ${l.text}`;
      return `${prefix}${l.dir}${text}`;
    })
    .join("\n");
}

/**
 * Formats an endpoint as `address:port` (`[v6]:port` for IPv6).
 *
 * @example
 * formatEndpoint({ address: "101.101.101.1", port: 80 }); // "101.101.101.1:80"
 */
export function formatEndpoint(e: Endpoint | null | undefined): string {
  if (!e) return "";
  return e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}
