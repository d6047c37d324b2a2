/**
 * Flow snapshots: the 5 Hz poller (one remote shell loop per node), the collector that turns
 * snapshots into flows seen, a TCP-state timeline, and "which flows carried my probe", and the one
 * definition of "the same flow across snapshots" (`flowKey` variants, `FlowTracker`) that the
 * collector, the probe join and the walk share.
 *
 * @example
 * import { pollFlows } from "packetwalk/lib/flows";
 * const flows = await pollFlows({ runner, nodes: ["cent222"], match: "15.15.15.2", durationMs: 10_000 });
 * flows.matchTuple({ srcIp: "15.15.15.2", srcPort: 51000, dstIp: "101.101.101.1", dstPort: 80, proto: "tcp" });
 */
export type { FlowSnapshot, FlowSnapshotSource, GapStart, SnapshotGap } from "./snapshot";
export { FLOW_KEYS, FlowTracker, flowKey, identityOf } from "./identity";
export type { FlowIdentityFields, FlowKeyFields, FlowKeyVariant, FlowSpan, TrackedFlow } from "./identity";
export { FlowCollector } from "./collector";
export type { FlowMatchRow, FlowSeenRow, FlowTimelineRow, FlowTuple } from "./collector";
export { FlowPoller, pollFlows } from "./poller";
export type { FlowPollProgress, FlowPollerOptions, FlowPollRunner, NodeCoverage, PollFlowsOptions } from "./poller";
export { END_MARK, SNAP_MARK, SnapshotFrameReader, flowLoopScript, loopShellCommand, newNonce, parseSnapshotFrames } from "./loop-script";
export type { FlowLoopOptions, SnapshotFrame } from "./loop-script";
export { flowHistoryTable, FlowHistoryBuilder, FLOW_HISTORY_COLUMNS } from "./history-table";
