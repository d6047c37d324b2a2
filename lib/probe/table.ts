/**
 * Probe results as arquero tables.
 */
import * as aq from "arquero";
import type { HttpProbeResult } from "./http";
import type { TcpProbeResult } from "./tcp";
import { formatEndpoint } from "./types";

/**
 * An arquero table from flat rows (e.g. `probeWhileSnapshotting(...).rows`, or {@link probeResultRows}).
 *
 * @example
 * toTable(run.rows).filter((d) => !d.found).print();
 */
export function toTable<T extends object>(rows: readonly T[]): aq.ColumnTable {
  return aq.from(rows as T[]);
}

/** One flat row describing a probe result. */
export interface ProbeResultRow {
  probe: number;
  kind: "http" | "tcp";
  via: string;
  ok: boolean;
  status: number | null;
  local: string;
  remote: string;
  dialed: string;
  startedAt: number;
  connectMs: number | null;
  firstByteMs: number | null;
  totalMs: number | null;
  bytes: number;
  ending: string | null;
  errorKind: string | null;
  error: string | null;
}

/**
 * Flattens probe results (HTTP or TCP) to one row each, for `toTable`.
 *
 * @example
 * toTable(probeResultRows(results)).print();
 */
export function probeResultRows(results: ReadonlyArray<HttpProbeResult | TcpProbeResult>): ProbeResultRow[] {
  return results.map((r, i) => ({
    probe: i,
    kind: r.kind,
    via: r.kind === "http" ? r.via : "local",
    ok: r.ok,
    status: r.kind === "http" ? r.status : null,
    local: formatEndpoint(r.local),
    remote: formatEndpoint(r.remote),
    dialed: formatEndpoint(r.dialed),
    startedAt: r.startedAt,
    connectMs: r.kind === "http" ? r.timings.connect : r.connectMs,
    firstByteMs: r.kind === "http" ? r.timings.firstByte : (r.received[0]?.t ?? null),
    totalMs: r.kind === "http" ? r.timings.total : r.endedMs,
    bytes: r.kind === "http" ? r.bodyBytes : r.receivedBytes,
    ending: r.kind === "tcp" ? r.ending : null,
    errorKind: r.error?.kind ?? null,
    error: r.error?.message ?? null,
  }));
}
