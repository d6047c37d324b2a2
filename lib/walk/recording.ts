/**
 * The walk's evidence, recorded once and replayed: while a walk observes (probes, 5 Hz flow snapshots,
 * fabric captures) every piece goes to the open investigation as it arrives; a walk over a recording
 * takes the same observation back from it, so the stages, verdicts and evidence come out the same and
 * every notebook of one run speaks of the same connection.
 */
import { randomBytes } from "node:crypto";
import { readCapture } from "../capture/read";
import type { FlowSnapshot, FlowSnapshotSource, GapStart, SnapshotGap } from "../flows/snapshot";
import { flowHistoryTable } from "../flows/history-table";
import type { CaptureRecord, ExportRecord, GapRecord, ObservationRecord, ProbeRecord, SnapshotRecord, TableRecord } from "../investigation/layout";
import { openInvestigation, type Investigation } from "../investigation/reader";
import { storeTable } from "../investigation/tables";
import type { InvestigationWriter } from "../investigation/writer";
import type { HttpProbeResult } from "../probe/http";
import type { ProbeFailure } from "../probe/loop";
import { parseFlow } from "../vrouter";
import { INTROSPECT_SNAPSHOT_FORMAT, parseIntrospectSnapshot } from "../introspect/poller";
import { evidenceFramesPcapng, recordedCaptures } from "./evidence-frames";
import type { NodeCapture, Observation, WalkProbe } from "./traffic";
import type { StageResult } from "./types";

/** Records one observation's pieces into an investigation as they arrive. */
export class ObservationRecorder {
  readonly stream = `obs-${randomBytes(4).toString("hex")}`;
  constructor(readonly writer: InvestigationWriter) {}

  /**
   * Wraps a snapshot source so each snapshot and gap is recorded as it arrives (the source must keep
   * the raw text: `FlowPoller({ keepText: true })`).
   *
   * @example
   * const recorded = recorder.source(new FlowPoller({ runner, nodes, keepText: true }));
   */
  source(inner: FlowSnapshotSource): FlowSnapshotSource {
    return {
      run: (opts) =>
        inner.run({
          ...opts,
          onSnapshot: (s: FlowSnapshot) => {
            this.snapshot(s);
            opts.onSnapshot(s);
          },
          onGap: (g: SnapshotGap) => {
            this.gap(g);
            opts.onGap?.(g);
          },
          ...(opts.onGapStart ? { onGapStart: (g: GapStart) => opts.onGapStart!(g) } : {}),
        }),
    };
  }

  /** Records one snapshot (its raw text when the source kept it). */
  snapshot(s: FlowSnapshot): void {
    this.writer.append({
      kind: "snapshot", node: s.node, stream: this.stream, snapshot: s.seq, stampAt: s.at,
      ...(s.startedAt !== undefined ? { stampStartedAt: s.startedAt } : {}),
      arrivedAt: Date.now(), output: this.writer.blob(s.text ?? ""),
      ...(s.format ? { format: s.format } : {}),
    });
  }

  /** Records one gap. */
  gap(g: SnapshotGap): void {
    this.writer.append({ kind: "gap", node: g.node, stream: this.stream, from: g.from, to: g.to, reason: g.reason });
  }

  /** Records one probe's result. */
  probe(purpose: string, result: HttpProbeResult | ProbeFailure): void {
    this.writer.append({ kind: "probe", stream: this.stream, purpose, result });
  }

  /** Records one capture with its bytes as the node wrote them. */
  capture(c: { node: string; iface: string; command: string; filter: string; error: string | null }, bytes: Uint8Array): void {
    this.writer.addCapture({ node: c.node, iface: c.iface, filter: c.filter, command: c.command, stream: this.stream, ...(c.error ? { error: c.error } : {}) }, bytes);
  }

  /**
   * Closes the observation: when it ran, which nodes were polled, and what of the stream the walk used
   * (see `ObservationRecord.used`).
   */
  done(o: { startedAt: number; endedAt: number; polled: string[]; used?: ObservationRecord["used"] }): void {
    this.writer.append({ kind: "observation", stream: this.stream, ...o });
  }
}

/**
 * The observation of a recorded walk, rebuilt from the investigation: the last complete observation's
 * probes, snapshots (their raw text parsed again), gaps and captures. `null` when the recording holds
 * no observation. Problems (a missing capture, an altered snapshot) are in `warnings`; nothing is invented.
 *
 * @example
 * const obs = await replayObservation(openInvestigation("out/investigation"));
 * obs?.observation.probes[0].result; // the recorded probe, client port and all
 */
export async function replayObservation(inv: Investigation): Promise<{ observation: Observation; warnings: string[] } | null> {
  const obs = [...inv.records].reverse().find((r): r is ObservationRecord => r.kind === "observation");
  if (!obs) return null;
  const warnings: string[] = [];
  const mine = inv.records.filter((r) => (r as { stream?: string }).stream === obs.stream);
  const probes: WalkProbe[] = mine
    .filter((r): r is ProbeRecord => r.kind === "probe")
    .map((r) => ({ purpose: r.purpose as WalkProbe["purpose"], result: r.result as HttpProbeResult | ProbeFailure }));
  const snapshots: FlowSnapshot[] = [];
  for (const r of mine.filter((x): x is SnapshotRecord => x.kind === "snapshot")) {
    const text = inv.text(r.output);
    if (text === null) {
      warnings.push(`snapshot ${r.snapshot} of ${r.node} (record ${r.seq}) is missing or altered: left out`);
      continue;
    }
    let entries: FlowSnapshot["entries"] = [];
    if (r.format === INTROSPECT_SNAPSHOT_FORMAT) {
      const got = parseIntrospectSnapshot(text);
      if (got.error) warnings.push(`introspect snapshot ${r.snapshot} of ${r.node} (record ${r.seq}): ${got.error}`);
      entries = got.entries;
    } else if (r.format !== undefined) {
      warnings.push(`snapshot ${r.snapshot} of ${r.node} (record ${r.seq}) is in an unknown format ${JSON.stringify(r.format)}: left out`);
      continue;
    } else entries = parseFlow(text).rows;
    // A snapshot that arrived after the walk stopped listening was recorded but not used.
    const last = obs.used?.lastSnapshot;
    if (last && !(r.node in last && r.snapshot <= last[r.node]!)) continue;
    snapshots.push({ node: r.node, at: r.stampAt, ...(r.stampStartedAt !== undefined ? { startedAt: r.stampStartedAt } : {}), seq: r.snapshot, entries, text, ...(r.format ? { format: r.format } : {}) });
  }
  const allGaps: SnapshotGap[] = mine.filter((r): r is GapRecord => r.kind === "gap").map((r) => ({ node: r.node, from: r.from, to: r.to, reason: r.reason }));
  const gaps = obs.used ? [...allGaps.slice(0, obs.used.loopGaps), ...allGaps.slice(allGaps.length - obs.used.afterGaps)] : allGaps;
  const captures: NodeCapture[] = [];
  for (const r of mine.filter((x): x is CaptureRecord => x.kind === "capture")) {
    const bytes = inv.file(r.file);
    const base = { node: r.node, iface: r.iface, command: r.command };
    if (!bytes) {
      captures.push({ ...base, frames: null, error: `${r.file} is missing or altered in the recording` });
      continue;
    }
    try {
      captures.push({ ...base, frames: bytes.length >= 24 ? await readCapture(new Uint8Array(bytes)) : null, error: r.error ?? (bytes.length < 24 ? "no capture data" : null) });
    } catch (e) {
      captures.push({ ...base, frames: null, error: `decode: ${(e as Error).message}` });
    }
  }
  return { observation: { probes, snapshots, gaps, captures, polled: obs.polled, startedAt: obs.startedAt, endedAt: obs.endedAt }, warnings };
}

/** What {@link recordWalkProducts} added to the investigation. */
export interface WalkProducts {
  /** The Arrow tables written (`flow-history`, `frames-<node>-<iface>`). */
  tables: TableRecord[];
  /** The evidence frames pcapng, or null when no stage named a frame. */
  evidenceFrames: ExportRecord | null;
  /** Frames named by evidence that the captures did not hold, and other problems. */
  warnings: string[];
}

/**
 * After a recorded walk: stores the large tables columnar (the flow history of every snapshot, one
 * frame table per capture, as Arrow IPC under `tables/`) and the frames the stages used as evidence as
 * `exports/evidence-frames.pcapng`, each frame commented with the stage and the reason.
 *
 * @example
 * const report = await runWalk({ ...params, inventory, record });
 * const made = await recordWalkProducts(record, report.stages);
 * made.evidenceFrames?.file; // "exports/evidence-frames.pcapng"
 */
export async function recordWalkProducts(writer: InvestigationWriter, stages: readonly StageResult[]): Promise<WalkProducts> {
  writer.flush();
  const inv = openInvestigation(writer.dir);
  const out: WalkProducts = { tables: [], evidenceFrames: null, warnings: [] };
  const replayed = await replayObservation(inv);
  if (replayed) {
    out.warnings.push(...replayed.warnings);
    const o = replayed.observation;
    out.tables.push(storeTable(writer, "flow-history", flowHistoryTable(o.snapshots)));
    for (const c of o.captures) if (c.frames) out.tables.push(storeTable(writer, `frames-${c.node}-${c.iface}`, c.frames.toArquero()));
  }
  const ef = await evidenceFramesPcapng(stages, recordedCaptures(inv));
  if (ef) {
    out.warnings.push(...ef.missing.map((m) => `evidence frames: ${m}`));
    if (ef.frames > 0) out.evidenceFrames = writer.addExport("evidence-frames.pcapng", "evidence frames", ef.bytes, ef.frames);
  }
  return out;
}
