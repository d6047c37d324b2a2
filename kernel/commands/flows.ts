/**
 * `packetwalk flows NODE [--match SPEC] [--every 0.2] [--for 10] [--mode stream|exec] [--json] [--inventory FILE]`
 *
 * Polls the vRouter flow table of one or more nodes, prints a one-line summary per snapshot to stderr,
 * and at the end the table of flow entries seen (or JSON) to stdout.
 */
import { defineCommand, UsageError } from "./args";
import { openCliRecording, RECORD_OPTION, RECORD_USAGE } from "./record";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk flows NODE [--match SPEC] [--every SECONDS] [--for SECONDS] [--mode stream|exec]
                        [--json] [--inventory FILE] [--record DIR]
  Polls "flow --match SPEC" (default "flow -l") on NODE (a name, a comma list, role:compute, or all)
  every --every seconds (default 0.2) for --for seconds (default 10; Ctrl-C stops early and still
  prints what was collected). Streams one line per snapshot to stderr, then prints the flow entries
  seen (first/last seen, TCP flags, counters) to stdout, or everything as JSON with --json.
  --mode stream (default) runs one remote shell loop per node; exec runs one SSH exec per poll.
  The inventory (a JSON or YAML file) comes from --inventory or $PACKETWALK_INVENTORY.
  A node silent for longer than 2 intervals + 1 s is reported at once ("stopped answering"), and again
  when it comes back with the window lost; at the end a coverage line per node gives the seconds covered
  of the seconds asked.
  ${RECORD_USAGE} With --record, every snapshot (the raw flow output, the node's stamp, the arrival
  time) and gap is a record, the poll loop's own command is recorded too (its output kept up to 1 MiB),
  and the flow history is stored as tables/flow-history.arrow (Arrow IPC) at the end.
  Exit status: 0 every node answered throughout (no gap longer than 2 intervals + 1 s), 1 a node gave no
  snapshot or had such a gap (coverage fell short), 2 usage or inventory error.`;

const COLUMNS = ["node", "index", "rindex", "src", "dst", "proto", "vrf", "action", "tcp", "packets", "bytes", "first", "last", "seen", "gone"];

const command = defineCommand({
  name: "flows",
  usage,
  options: {
    match: { type: "string", short: "m" },
    every: { type: "string" },
    for: { type: "string" },
    mode: { type: "string" },
    json: { type: "boolean" },
    inventory: { type: "string", short: "i" },
    ...RECORD_OPTION,
  },
  async run({ values: v, positionals }, io: CommandIO): Promise<number> {
    if (positionals.length !== 1) throw new UsageError("expected one NODE argument");
    const everyS = v.every !== undefined ? Number(v.every) : 0.2;
    const forS = v.for !== undefined ? Number(v.for) : 10;
    const mode = v.mode ?? "stream";
    if (!(everyS > 0) || !(forS > 0) || (mode !== "stream" && mode !== "exec")) {
      throw new UsageError("--every and --for must be positive numbers of seconds, --mode stream or exec", { usage: false });
    }

    const { loadInventoryFrom, selectNodes } = await import("../../lib/remote/inventory.js");
    const { createRunner } = await import("../../lib/remote/dispatch-runner.js");
    const { FlowPoller } = await import("../../lib/flows/poller.js");
    const { FlowCollector } = await import("../../lib/flows/collector.js");
    const { textTable } = await import("../../lib/display/table.js");
    let inv, nodes: string[];
    try {
      inv = loadInventoryFrom({ file: v.inventory, env: io.env, cwd: io.cwd });
      nodes = selectNodes(inv, positionals[0]!);
    } catch (e) {
      io.stderr.write(`packetwalk flows: ${(e as Error).message}\n`);
      return 2;
    }

    const record = await openCliRecording(v.record, io, {
      command: "flows",
      inventory: inv,
      source: v.inventory ?? io.env.PACKETWALK_INVENTORY ?? "",
      parameters: { nodes, every: everyS, for: forS, mode, ...(v.match !== undefined ? { match: v.match } : {}) },
    });
    if (record === "error") return 2;
    const inventory = inv;
    const direct = createRunner(inv, { env: io.env });
    const { RecordingRunner } = await import("../../lib/investigation/recording-runner.js");
    const { ObservationRecorder } = await import("../../lib/walk/recording.js");
    const { FlowHistoryBuilder } = await import("../../lib/flows/history-table.js");
    // The poll loop itself is a command (recorded, its output bounded); its snapshots and gaps are records of their own.
    const runner = record ? new RecordingRunner(direct, record, { viaOf: (n) => inventory.nodes.find((x) => x.name === n)?.vrouter?.via }) : direct;
    const recorder = record ? new ObservationRecorder(record) : null;
    const history = record ? new FlowHistoryBuilder() : null;
    // Memory stays flat however long the poll: two minutes of snapshots in memory, the rest summarised.
    const collector = new FlowCollector({ windowMs: 120_000, maxGoneFlows: 100_000 });
    const poller = new FlowPoller({ runner, nodes, intervalMs: everyS * 1000, mode, collector, keepText: record !== null, ...(v.match !== undefined ? { match: v.match } : {}) });
    const width = Math.max(...nodes.map((n) => n.length));
    const { deadline } = await import("../../lib/cancel.js");
    const limit = deadline(forS * 1000, io.signal);
    try {
      await poller.run({
        signal: limit.signal,
        onSnapshot: (s) => {
          recorder?.snapshot(s);
          history?.add(s);
          io.stderr.write(`${s.node.padEnd(width)} #${String(s.seq).padEnd(4)} ${clock(s.at)}  ${s.entries.length} entries  (${poller.collector.flowCount} flows seen)\n`);
        },
        onGapStart: (g) => {
          io.stderr.write(`${g.node.padEnd(width)} stopped answering: no snapshot since ${clock(g.from)} (${(g.since / 1000).toFixed(1)} s): ${g.reason}\n`);
        },
        onGap: (g) => {
          recorder?.gap(g);
          io.stderr.write(`${g.node.padEnd(width)} gap ${clock(g.from)} → ${clock(g.to)} (${((g.to - g.from) / 1000).toFixed(1)} s lost): ${g.reason}\n`);
        },
      });
    } finally {
      limit.clear();
      direct.close();
      if (record) {
        try {
          const { storeTable } = await import("../../lib/investigation/tables.js");
          if (history) storeTable(record, "flow-history", history.table());
        } catch (e) {
          io.stderr.write(`packetwalk flows: could not store the flow history table: ${(e as Error).message}\n`);
        }
        record.close();
      }
    }

    const c = poller.collector;
    const seen = c.entriesSeen();
    if (v.json) {
      io.stdout.write(`${JSON.stringify({ nodes, snapshots: c.snapshotCount, gaps: c.gaps, flows: seen, timeline: c.timeline() }, null, 1)}\n`);
    } else {
      const rows = seen.map((f) => ({
        node: f.node,
        index: f.index,
        rindex: f.rindex,
        src: `${f.srcIp}:${f.srcPort}`,
        dst: `${f.dstIp}:${f.dstPort}`,
        proto: f.proto,
        vrf: f.vrf,
        action: f.action,
        tcp: f.firstTcpFlags === f.tcpFlags ? f.tcpFlags : `${f.firstTcpFlags}→${f.tcpFlags}`,
        packets: f.packets,
        bytes: f.bytes,
        first: clock(f.firstSeen),
        last: clock(f.lastSeen),
        seen: f.sightings,
        gone: f.gone ? "yes" : "",
      }));
      io.stdout.write(`${textTable(COLUMNS, rows)}\n(${rows.length} flows from ${c.snapshotCount} snapshots, ${c.gaps.length} gaps)\n`);
    }
    const coverage = poller.coverage();
    for (const cv of coverage) {
      const gaps = cv.gaps.length > 0 ? `, ${cv.gaps.length} gap${cv.gaps.length > 1 ? "s" : ""}, longest ${(cv.longestGapMs / 1000).toFixed(1)} s` : "";
      io.stderr.write(`coverage ${cv.node.padEnd(width)} ${(cv.coveredMs / 1000).toFixed(1)} of ${(cv.askedMs / 1000).toFixed(1)} s (${Math.floor(cv.ratio * 100)}%, ${cv.snapshots} snapshots${gaps})${cv.complete ? "" : " INCOMPLETE"}\n`);
    }
    const silent = coverage.filter((cv) => cv.snapshots === 0).map((cv) => cv.node);
    if (silent.length > 0) io.stderr.write(`packetwalk flows: no snapshot from ${silent.join(", ")}\n`);
    const incomplete = coverage.filter((cv) => !cv.complete).map((cv) => cv.node);
    if (incomplete.length > silent.length) io.stderr.write(`packetwalk flows: coverage fell short of the window asked on ${incomplete.join(", ")}\n`);
    return incomplete.length > 0 ? 1 : 0;
  },
});

/** `HH:MM:SS.mmm` (UTC) of an epoch-ms time. */
function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

export default command;
