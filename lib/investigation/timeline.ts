/**
 * An investigation's timeline: every command (node, command, time, exit), poll stream, probe, capture
 * and note in time order — the account people trust during and after an incident.
 */
import type { EvidenceRecord } from "./layout";

/** One line of the timeline. */
export interface TimelineRow {
  /** ISO time (UTC). */
  at: string;
  /** `command`, `poll`, `probe`, `capture`, `table`, `export`, `note`, `gap`. */
  kind: string;
  node: string | null;
  /** The command, the probe's URL, the note's text… */
  what: string;
  /** Exit status, client port, bytes, the stage a note is about… */
  detail: string;
  /** The record it comes from. */
  seq: number;
}

/**
 * The timeline of an investigation's records: snapshots are folded into one `poll` line per node and
 * stream (first and last time, count), everything else is one line, all in time order.
 *
 * @example
 * investigationTimeline(openInvestigation("out/investigation").records).slice(0, 3);
 * // [{ at: "2026-12-02T10:34:42.101Z", kind: "command", node: "cent222", what: "vif --list", detail: "exit 0, 2 lines", seq: 1 }, …]
 */
export function investigationTimeline(records: readonly EvidenceRecord[]): TimelineRow[] {
  const rows: TimelineRow[] = [];
  const polls = new Map<string, { first: number; last: number; count: number; seq: number; node: string }>();
  for (const r of records) {
    switch (r.kind) {
      case "command": {
        const lines = r.stdout.text !== undefined ? r.stdout.text.split("\n").filter(Boolean).length : null;
        // A stream the walk stopped itself (a poll loop, a capture) ends in an abort: that is no failure.
        const exit = r.error ? (r.error.stage === "abort" ? "stopped when done" : `${r.error.stage} failed: ${r.error.message}`) : `exit ${r.exitCode ?? `signal ${r.signal}`}`;
        rows.push({ at: r.startedAt, kind: "command", node: r.node, what: r.command.length > 160 ? `${r.command.slice(0, 157)}…` : r.command, detail: `${exit}, ${lines !== null ? `${lines} lines` : `${r.stdout.bytes} bytes`}${r.stdout.truncated ? " (cut)" : ""}`, seq: r.seq });
        break;
      }
      case "snapshot": {
        const key = `${r.stream}\u0000${r.node}`;
        const p = polls.get(key);
        if (!p) polls.set(key, { first: r.stampAt, last: r.stampAt, count: 1, seq: r.seq, node: r.node });
        else {
          p.last = Math.max(p.last, r.stampAt);
          p.count++;
        }
        break;
      }
      case "gap":
        rows.push({ at: new Date(r.from).toISOString(), kind: "gap", node: r.node, what: `no snapshots for ${((r.to - r.from) / 1000).toFixed(1)} s`, detail: r.reason, seq: r.seq });
        break;
      case "probe": {
        const res = r.result as { url?: string; status?: number | null; local?: { port?: number } | null; startedAt?: number; error?: { message?: string } };
        rows.push({
          at: new Date(res.startedAt ?? Date.parse(r.at)).toISOString(), kind: "probe", node: null, what: `${r.purpose}: ${res.url ?? "?"}`,
          detail: [res.status != null ? `HTTP ${res.status}` : res.error?.message ?? "no answer", res.local?.port ? `client port ${res.local.port}` : ""].filter(Boolean).join(", "), seq: r.seq,
        });
        break;
      }
      case "capture":
        rows.push({ at: r.at, kind: "capture", node: r.node, what: `${r.iface}${r.filter ? ` (${r.filter})` : ""}`, detail: `${r.bytes} bytes → ${r.file}${r.error ? `; ${r.error}` : ""}`, seq: r.seq });
        break;
      case "table":
        rows.push({ at: r.at, kind: "table", node: null, what: r.name, detail: `${r.rows} rows, ${r.bytes} bytes → ${r.file} (Arrow IPC)`, seq: r.seq });
        break;
      case "export":
        rows.push({ at: r.at, kind: "export", node: null, what: r.what, detail: `${r.items} items, ${r.bytes} bytes → ${r.file}`, seq: r.seq });
        break;
      case "note":
        rows.push({ at: r.at, kind: "note", node: null, what: r.text, detail: [r.stage ? `stage ${r.stage}` : "", r.evidence ? `evidence ${r.evidence}` : "", r.author ? `by ${r.author}` : ""].filter(Boolean).join(", "), seq: r.seq });
        break;
      case "kube": {
        let n: number | null = null;
        try {
          if (r.items?.text !== undefined) n = (JSON.parse(r.items.text) as unknown[]).length;
        } catch {
          /* an altered record: the size is shown instead */
        }
        rows.push({ at: r.startedAt, kind: "kube", node: null, what: `list ${r.resource}${r.namespace ? ` -n ${r.namespace}` : ""} (${r.context})`, detail: r.error ? r.error.message : n !== null ? `${n} items` : `${r.items?.bytes ?? 0} bytes`, seq: r.seq });
        break;
      }
      default:
        break;
    }
  }
  for (const p of polls.values()) {
    rows.push({ at: new Date(p.first).toISOString(), kind: "poll", node: p.node, what: `${p.count} flow snapshots`, detail: `${new Date(p.first).toISOString().slice(11, 23)} → ${new Date(p.last).toISOString().slice(11, 23)}`, seq: p.seq });
  }
  return rows.sort((a, b) => a.at.localeCompare(b.at) || a.seq - b.seq);
}
