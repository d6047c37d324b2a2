/**
 * Probe results in words and rows, for the stage reasons and evidence.
 */
import type { HttpProbeResult } from "../probe/http";
import type { ProbeFailure } from "../probe/loop";
import { formatEndpoint } from "../probe/types";
import type { Cell } from "./types";

/** A probe of the walk (HTTP result or a factory failure). */
export type AnyProbe = HttpProbeResult | ProbeFailure;

/**
 * True for an HTTP probe result (not a factory failure).
 *
 * @example
 * isHttp(r) && r.status; // 200
 */
export function isHttp(p: AnyProbe | null | undefined): p is HttpProbeResult {
  return !!p && (p as HttpProbeResult).kind === "http";
}

/**
 * The probe's status in words: `HTTP 200 OK (308 bytes)`, `no response within 6000 ms (first-byte-timeout)`.
 *
 * @example
 * probeOutcome(r); // "HTTP 200 OK, 308 body bytes"
 */
export function probeOutcome(p: AnyProbe | null | undefined): string {
  if (!p) return "no probe ran";
  if (isHttp(p) && p.status !== null) {
    const tail = p.error ? ` then ${p.error.kind}: ${p.error.message}` : "";
    return `HTTP ${p.status} ${p.statusText}, ${p.bodyBytes} body bytes${tail}`;
  }
  return p.error ? `${p.error.kind}: ${p.error.message}` : "no response";
}

/**
 * True when the TCP connection to the floating IP was established.
 *
 * @example
 * connected(r); // true
 */
export function connected(p: AnyProbe | null | undefined): boolean {
  if (!isHttp(p)) return false;
  return p.timings.connect !== null;
}

/**
 * A probe as an evidence row.
 *
 * @example
 * probeRow(r, "request"); // { purpose: "request", url: "http://101.101.101.1:80/", local: "127.0.0.1:42962", status: 200, … }
 */
export function probeRow(p: AnyProbe, purpose: string): Record<string, Cell> {
  const h = isHttp(p) ? p : null;
  return {
    purpose,
    url: h?.url ?? null,
    remote: formatEndpoint(p.remote),
    dialed: formatEndpoint(p.dialed),
    local: formatEndpoint(p.local),
    status: h?.status ?? null,
    bodyBytes: h?.bodyBytes ?? null,
    error: p.error ? `${p.error.kind}: ${p.error.message}` : null,
    connectMs: h?.timings.connect ?? null,
    sentMs: h?.timings.sent ?? null,
    firstByteMs: h?.timings.firstByte ?? null,
    totalMs: h?.timings.total ?? null,
    startedAt: new Date(p.startedAt).toISOString(),
  };
}
