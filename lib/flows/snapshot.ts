/**
 * The flow-snapshot contract between the poller (`lib/flows/`) and its consumers (the probe loop in
 * `lib/probe/`, the walk). A source pushes one {@link FlowSnapshot} per poll per node until its signal
 * aborts; consumers join snapshots to probes by 5-tuple.
 */
import type { FlowEntryCore } from "../vrouter/types";

/** One poll of one node's flow table. */
export interface FlowSnapshot {
  /** The inventory name of the node (`cent222`). */
  node: string;
  /**
   * When the table read had completed, epoch milliseconds (stamped on the node, just after `flow`
   * exited, where possible): every entry in the snapshot existed at `at` or before. This is the time
   * to put the snapshot on a timeline.
   */
  at: number;
  /** When the read began (just before `flow` started), when the source knows it; `at - startedAt` is the read's duration. */
  startedAt?: number;
  /** Sequence number of this snapshot for this node, from 0. */
  seq: number;
  entries: FlowEntryCore[];
  /** The raw `flow` output, when the source was asked to keep it (to record it). */
  text?: string;
  /** What `text` is when it is not `flow` output: `introspect` (a JSON array of the agent's `KFlowResp` pages, lib/introspect). */
  format?: string;
}

/** A gap in the snapshots of a node (connection dropped, poll failed), kept so a timeline can show it. */
export interface SnapshotGap {
  node: string;
  from: number;
  to: number;
  reason: string;
}

/** A node that stopped answering: reported while the silence lasts, before the gap it opens is closed. */
export interface GapStart {
  node: string;
  /** The last snapshot's time (or the run's start): where the lost window begins. */
  from: number;
  /** How long the node had been silent when this was reported, ms. */
  since: number;
  reason: string;
}

/** Anything that produces flow snapshots: the SSH poller, or a test double. */
export interface FlowSnapshotSource {
  /**
   * Streams snapshots to `onSnapshot` (and gaps to `onGap`) until `signal` aborts, then resolves.
   * It never rejects for a node's failure: failures become gaps.
   */
  run(opts: {
    signal: AbortSignal;
    onSnapshot: (s: FlowSnapshot) => void;
    onGap?: (g: SnapshotGap) => void;
    /** A node stopped answering (sources that watch for silence call it while the silence lasts). */
    onGapStart?: (g: GapStart) => void;
  }): Promise<void>;
}
