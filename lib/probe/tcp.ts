/**
 * The held TCP session (telnet done right): connect, note the local port, send lines with optional
 * delays, keep the connection open while the notebook snapshots flows, record everything received with
 * timestamps, and say how it ended.
 */
import * as net from "node:net";
import { performance } from "node:perf_hooks";
import { resolveDial, socketError, type AddressMap, type LookupFn } from "./address";
import { formatEndpoint, type ProbeError, type ProbeLike, type TranscriptLine } from "./types";
import { withInterrupt } from "../cancel";

/** A line (or raw text) to send, optionally after a delay. */
export interface TcpSendItem {
  text: string;
  /** Wait this long (after the previous item, or after connecting) before sending. */
  delayMs?: number;
  /** Send `text` as is, without the line ending. */
  raw?: boolean;
}

/** Options of {@link openTcp} / {@link probeTcp}. */
export interface TcpProbeOptions {
  host: string;
  port: number;
  /** Lines to send once connected, e.g. `["GET / HTTP/1.1", "Host: www.juniper.net", ""]`. */
  send?: ReadonlyArray<string | TcpSendItem>;
  /** Appended to each line, default `"\r\n"` (telnet sends CRLF). */
  lineEnding?: string;
  /** Keep the connection this long after connecting, then close it (ending `timeout`). Default 10 000 ms; `Infinity` holds until `close()` or abort. */
  holdMs?: number;
  /** Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Received bytes kept, default 1 MiB (the rest is counted). */
  maxBytes?: number;
  /** How long a graceful close waits for the peer's FIN before destroying the socket, default 1000 ms. */
  closeGraceMs?: number;
  addressMap?: AddressMap;
  lookup?: LookupFn;
  signal?: AbortSignal;
  /** Called for each received chunk, as it arrives. */
  onData?: (chunk: TcpChunk) => void;
}

/** Bytes sent or received, with when. */
export interface TcpChunk {
  /** ms since the probe started. */
  t: number;
  /** Epoch ms. */
  at: number;
  text: string;
  bytes: number;
}

/**
 * How the session ended: `peer-fin` (the server closed), `reset` (RST), `timeout` (the hold time ran
 * out and we closed), `closed` (`handle.close()`), `aborted` (the signal), `error` (connect failed or
 * another socket error).
 */
export type TcpEnding = "peer-fin" | "reset" | "timeout" | "closed" | "aborted" | "error";

/** The result of a held TCP session; live (and updated) while the handle is open. */
export interface TcpProbeResult extends ProbeLike {
  kind: "tcp";
  host: string;
  port: number;
  mapped: boolean;
  connected: boolean;
  /** ms from start to connected. */
  connectMs: number | null;
  sent: TcpChunk[];
  received: TcpChunk[];
  /** Everything received (up to the cap), decoded as UTF-8. */
  receivedText: string;
  receivedBytes: number;
  truncated: boolean;
  /** null while the connection is open. */
  ending: TcpEnding | null;
  /** ms since start when it ended. */
  endedMs: number | null;
  /** telnet-like notes, `>` sent lines, `<` received lines. */
  transcript: TranscriptLine[];
}

/** An open (or opening) TCP session. */
export interface TcpHandle {
  /** The live result: fields fill in as things happen. */
  readonly result: TcpProbeResult;
  /** Resolves true once connected, false if the connection failed. */
  readonly connected: Promise<boolean>;
  /** Resolves with the final result once the connection is closed. */
  readonly done: Promise<TcpProbeResult>;
  /** Queues a line (with the line ending unless `raw`) after earlier sends; false if already ended. */
  send(text: string, opts?: { delayMs?: number; raw?: boolean }): boolean;
  /** Closes our side (FIN), then waits briefly for the peer; ending `closed`. */
  close(): Promise<TcpProbeResult>;
}

/**
 * Opens a held TCP session and returns its handle at once. Never throws: failures end the session with
 * `ending: "error"` and `error` set.
 *
 * @example
 * const h = openTcp({ host: "101.101.101.1", port: 80, holdMs: Infinity,
 *   send: ["GET / HTTP/1.1", "Host: www.juniper.net", ""], addressMap });
 * await h.connected;               // now take flow snapshots; h.result.local.port is the client port
 * const r = await h.close();       // or: await h.done
 * r.received.map(c => c.text).join("");
 */
export function openTcp(options: TcpProbeOptions): TcpHandle {
  // A Jupyter interrupt closes a held session like the caller's own signal.
  const opts = { ...options, signal: withInterrupt(options.signal) };
  const t0 = performance.now();
  const now = () => Math.round((performance.now() - t0) * 1000) / 1000;
  const lineEnding = opts.lineEnding ?? "\r\n";
  const maxBytes = opts.maxBytes ?? 1 << 20;
  const grace = opts.closeGraceMs ?? 1000;
  const result: TcpProbeResult = {
    kind: "tcp",
    host: opts.host,
    port: opts.port,
    ok: false,
    remote: null,
    dialed: null,
    local: null,
    mapped: false,
    startedAt: Date.now(),
    endedAt: 0,
    connected: false,
    connectMs: null,
    sent: [],
    received: [],
    receivedText: "",
    receivedBytes: 0,
    truncated: false,
    ending: null,
    endedMs: null,
    transcript: [],
    error: null,
  };
  const note = (dir: TranscriptLine["dir"], text: string) => result.transcript.push({ t: now(), dir, text });

  let socket: net.Socket | null = null;
  let ended = false;
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, f: () => void) => {
    const tm = setTimeout(() => {
      timers.delete(tm);
      f();
    }, ms);
    timers.add(tm);
  };
  const decoder = new TextDecoder("utf-8");
  let resolveConnected!: (v: boolean) => void;
  const connected = new Promise<boolean>((r) => (resolveConnected = r));
  let resolveDone!: (r: TcpProbeResult) => void;
  const done = new Promise<TcpProbeResult>((r) => (resolveDone = r));
  let pendingEnding: TcpEnding | null = null;

  const settle = (ending: TcpEnding, error: ProbeError | null = null) => {
    if (ended) return;
    ended = true;
    for (const tm of timers) clearTimeout(tm);
    timers.clear();
    opts.signal?.removeEventListener("abort", onAbort);
    result.ending = ending;
    result.error = error;
    result.ok = result.connected && error === null;
    result.endedMs = now();
    result.endedAt = result.startedAt + result.endedMs;
    const tail = decoder.decode();
    if (tail) result.receivedText += tail;
    const words: Record<TcpEnding, string> = {
      "peer-fin": "Connection closed by foreign host.",
      reset: "Connection reset by peer.",
      timeout: `Hold time over: connection closed by us.`,
      closed: "Connection closed by us.",
      aborted: "Aborted: connection closed.",
      error: error?.message ?? "error",
    };
    note("*", words[ending]);
    if (socket) {
      socket.removeAllListeners("data");
      socket.on("error", () => {});
      socket.destroy();
    }
    resolveConnected(result.connected);
    resolveDone(result);
  };

  /** Graceful close: FIN now, destroy if the peer has not closed within the grace time. */
  const closeOurSide = (ending: TcpEnding) => {
    if (ended) return;
    if (!socket || !result.connected) {
      settle(ending, ending === "aborted" ? { kind: "aborted", message: "aborted before connecting" } : null);
      return;
    }
    if (pendingEnding === null) pendingEnding = ending;
    socket.end();
    later(ending === "aborted" ? 0 : grace, () => settle(pendingEnding ?? ending));
  };

  function onAbort() {
    closeOurSide("aborted");
  }

  // Sends run one after another; `chain` is the tail of the queue.
  let chain: Promise<void> = connected.then(() => undefined);
  const enqueue = (item: TcpSendItem): boolean => {
    if (ended || pendingEnding) return false;
    chain = chain.then(
      () =>
        new Promise<void>((resolve) => {
          const go = () => {
            if (ended || pendingEnding || !socket || !result.connected) return resolve();
            const text = item.raw ? item.text : item.text + lineEnding;
            const bytes = Buffer.from(text, "utf8");
            socket.write(bytes);
            result.sent.push({ t: now(), at: Date.now(), text, bytes: bytes.length });
            for (const l of (item.raw ? item.text : item.text).split(/\r?\n/)) note(">", l);
            resolve();
          };
          if (item.delayMs && item.delayMs > 0) later(item.delayMs, go);
          else go();
        }),
    );
    return true;
  };
  for (const s of opts.send ?? []) enqueue(typeof s === "string" ? { text: s } : s);

  if (opts.signal?.aborted) {
    settle("aborted", { kind: "aborted", message: "aborted before start" });
  } else {
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    void (async () => {
      const dial = await resolveDial(opts.host, opts.port, { addressMap: opts.addressMap, lookup: opts.lookup, signal: opts.signal });
      if (ended) return;
      if (!dial.ok) {
        if (dial.remote) result.remote = dial.remote;
        return settle(dial.error.kind === "aborted" ? "aborted" : "error", dial.error);
      }
      const { remote, dialed, mapped } = dial.plan;
      Object.assign(result, { remote, dialed, mapped });
      note("*", `Trying ${remote.address}...`);
      if (mapped) note("*", `packetwalk: ${formatEndpoint(remote)} is mapped to ${formatEndpoint(dialed)} (address map); dialling that`);
      const sock = net.connect({ host: dialed.address, port: dialed.port, noDelay: true });
      socket = sock;
      const connectMs = opts.connectTimeoutMs ?? 10_000;
      later(connectMs, () => {
        if (!result.connected) settle("error", { kind: "connect-timeout", message: `Connection timed out after ${connectMs} ms (${formatEndpoint(remote)})` });
      });
      sock.on("connect", () => {
        if (ended) return;
        result.connected = true;
        result.connectMs = now();
        result.local = { address: sock.localAddress ?? "", port: sock.localPort ?? 0 };
        note("*", `Connected to ${remote.address}.`);
        note("*", `packetwalk: local ${formatEndpoint(result.local)} -> dialled ${formatEndpoint(dialed)}`);
        const hold = opts.holdMs ?? 10_000;
        if (Number.isFinite(hold)) later(Math.max(0, hold), () => closeOurSide("timeout"));
        resolveConnected(true);
      });
      sock.on("data", (data: Buffer) => {
        const t = now();
        result.receivedBytes += data.length;
        const room = maxBytes - (result.receivedBytes - data.length);
        if (room <= 0) {
          result.truncated = true;
          return;
        }
        const kept = data.length > room ? data.subarray(0, room) : data;
        if (kept.length < data.length) result.truncated = true;
        const text = decoder.decode(kept, { stream: true });
        const chunk: TcpChunk = { t, at: Date.now(), text, bytes: kept.length };
        result.received.push(chunk);
        result.receivedText += text;
        for (const l of text.replace(/\r?\n$/, "").split(/\r?\n/)) note("<", l);
        opts.onData?.(chunk);
      });
      sock.on("end", () => {
        if (pendingEnding === null) pendingEnding = "peer-fin";
      });
      sock.on("error", (e: Error) => {
        const err = socketError(e);
        if (!result.connected) {
          const msg = err.kind === "refused" ? `Unable to connect to remote host: Connection refused (${formatEndpoint(remote)})` : err.message;
          return settle("error", { ...err, message: msg });
        }
        if (err.kind === "reset") return settle("reset", err);
        settle("error", err);
      });
      sock.on("close", () => {
        if (!result.connected) return settle("error", { kind: "closed", message: "connection closed while connecting" });
        settle(pendingEnding ?? "peer-fin");
      });
    })();
  }

  return {
    result,
    connected,
    done,
    send(text, o = {}) {
      return enqueue({ text, ...o });
    },
    close() {
      closeOurSide("closed");
      return done;
    },
  };
}

/**
 * Runs a held TCP session to its end (hold time, peer close, reset or abort) and returns the result.
 *
 * @example
 * const r = await probeTcp({ host: "127.0.0.1", port: 8080, send: ["GET / HTTP/1.1", "Host: x", ""], holdMs: 2000 });
 * r.ending; // "peer-fin" | "timeout" | …
 */
export function probeTcp(opts: TcpProbeOptions): Promise<TcpProbeResult> {
  return openTcp(opts).done;
}

/**
 * The received text with timestamps and how the session ended, for a terminal.
 *
 * @example
 * formatTcpResult(r);
 * // "connected 127.0.0.1:50312 -> 101.101.101.1:80 in 0.4 ms\n+   12.1 ms  HTTP/1.1 200 OK\n…\nended: peer-fin after 15.3 ms"
 */
export function formatTcpResult(r: TcpProbeResult): string {
  const out: string[] = [];
  if (r.connected) out.push(`connected ${formatEndpoint(r.local)} -> ${formatEndpoint(r.remote)} in ${(r.connectMs ?? 0).toFixed(1)} ms${r.mapped ? ` (dialled ${formatEndpoint(r.dialed)})` : ""}`);
  for (const c of r.received) {
    const lines = c.text.replace(/\r?\n$/, "").split(/\r?\n/);
    lines.forEach((l, i) => out.push(`${i === 0 ? `+${c.t.toFixed(1).padStart(9)} ms` : " ".repeat(13)}  ${l}`));
  }
  if (r.truncated) out.push(`(received ${r.receivedBytes} bytes; output truncated)`);
  out.push(`ended: ${r.ending ?? "open"} after ${(r.endedMs ?? 0).toFixed(1)} ms${r.error ? ` (${r.error.kind}: ${r.error.message})` : ""}`);
  return out.join("\n");
}
