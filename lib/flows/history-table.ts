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
 * The snapshots as one table, in the order given (absent values are null).
 *
 * @example
 * const t = flowHistoryTable(observation.snapshots);
 * t.filter((d) => d.dstPort === 80).groupby("node").count().objects();
 */
export function flowHistoryTable(snapshots: readonly FlowSnapshot[]): ReturnType<typeof aq.table> {
  const cols: Record<(typeof FLOW_HISTORY_COLUMNS)[number], unknown[]> = Object.fromEntries(FLOW_HISTORY_COLUMNS.map((c) => [c, []])) as never;
  for (const s of snapshots) {
    for (const e of s.entries) {
      cols.node.push(s.node);
      cols.snapshot.push(s.seq);
      cols.stampAt.push(s.at);
      cols.index.push(e.index);
      cols.rindex.push(e.rindex);
      cols.srcIp.push(e.srcIp);
      cols.srcPort.push(e.srcPort);
      cols.dstIp.push(e.dstIp);
      cols.dstPort.push(e.dstPort);
      cols.proto.push(e.proto);
      cols.vrf.push(e.vrf);
      cols.action.push(e.action);
      cols.snat.push(e.snat);
      cols.dnat.push(e.dnat);
      cols.spat.push(e.spat);
      cols.dpat.push(e.dpat);
      cols.tcpFlags.push(e.tcpFlags);
      cols.packets.push(e.packets);
      cols.bytes.push(e.bytes);
    }
  }
  return aq.table(cols);
}
