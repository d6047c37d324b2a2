/**
 * A flow history as one columnar table: one row per flow entry per snapshot (node, snapshot number,
 * the node's stamp, then the entry's 5-tuple, VRF, action, NAT flags, TCP flags and counters), what an
 * investigation stores as Arrow IPC so DuckDB, Polars or arquero query a long poll without reloading it.
 */
import * as aq from "arquero";
import type { FlowSnapshot } from "./snapshot";

/** The columns of {@link flowHistoryTable}, in order. */
export const FLOW_HISTORY_COLUMNS = [
  "node", "snapshot", "stampAt", "index", "rindex", "srcIp", "srcPort", "dstIp", "dstPort", "proto", "vrf",
  "action", "snat", "dnat", "spat", "dpat", "tcpFlags", "packets", "bytes",
] as const;

/**
 * Builds a flow history column by column as snapshots arrive (a long poll keeps columns of primitives,
 * not one object per entry), then gives it as an arquero table.
 *
 * @example
 * const h = new FlowHistoryBuilder();
 * poller.run({ signal, onSnapshot: (s) => h.add(s) });
 * storeTable(writer, "flow-history", h.table());
 */
export class FlowHistoryBuilder {
  private readonly cols: Record<(typeof FLOW_HISTORY_COLUMNS)[number], unknown[]> = Object.fromEntries(FLOW_HISTORY_COLUMNS.map((c) => [c, []])) as never;

  /** Rows so far. */
  get rows(): number {
    return this.cols.node.length;
  }

  /** Adds one snapshot's entries. */
  add(s: FlowSnapshot): void {
    const c = this.cols;
    for (const e of s.entries) {
      c.node.push(s.node);
      c.snapshot.push(s.seq);
      c.stampAt.push(s.at);
      c.index.push(e.index);
      c.rindex.push(e.rindex);
      c.srcIp.push(e.srcIp);
      c.srcPort.push(e.srcPort);
      c.dstIp.push(e.dstIp);
      c.dstPort.push(e.dstPort);
      c.proto.push(e.proto);
      c.vrf.push(e.vrf);
      c.action.push(e.action);
      c.snat.push(e.snat);
      c.dnat.push(e.dnat);
      c.spat.push(e.spat);
      c.dpat.push(e.dpat);
      c.tcpFlags.push(e.tcpFlags);
      c.packets.push(e.packets);
      c.bytes.push(e.bytes);
    }
  }

  /** The history so far as an arquero table. */
  table(): ReturnType<typeof aq.table> {
    return aq.table(this.cols);
  }
}

/**
 * The snapshots as one table, in the order given (absent values are null).
 *
 * @example
 * const t = flowHistoryTable(observation.snapshots);
 * t.filter((d) => d.dstPort === 80).groupby("node").count().objects();
 */
export function flowHistoryTable(snapshots: readonly FlowSnapshot[]): ReturnType<typeof aq.table> {
  const b = new FlowHistoryBuilder();
  for (const s of snapshots) b.add(s);
  return b.table();
}
