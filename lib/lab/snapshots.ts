/**
 * A {@link FlowSnapshotSource} that reads the lab's flow tables in-process (no SSH): the same snapshots
 * the SSH poller would produce from `flow -l` on the lab's nodes, for notebooks and tests that run the
 * lab in the same process.
 */
import type { FlowSnapshot, FlowSnapshotSource, SnapshotGap } from "../flows/snapshot";
import type { FlowEntryCore } from "../vrouter/types";
import type { FlowEntry } from "./flowtable";
import type { LabState } from "./state";
import { actionText, tcpLetters } from "./render/flow";

/**
 * The {@link FlowEntryCore} view of a lab flow entry (what the `flow -l` parser would return).
 *
 * @example
 * toFlowEntryCore(entry); // { index: 292028, rindex: 398064, srcIp: "15.15.15.2", ..., action: "N(D)", tcpFlags: "SSrEEr" }
 */
export function toFlowEntryCore(e: FlowEntry): FlowEntryCore {
  return {
    index: e.index,
    rindex: e.rindex >= 0 ? e.rindex : null,
    srcIp: e.sip,
    srcPort: e.sport,
    dstIp: e.dip,
    dstPort: e.dport,
    proto: e.proto,
    vrf: e.vrf,
    action: actionText(e),
    snat: !!e.nat.s,
    dnat: !!e.nat.d,
    spat: !!e.nat.ps,
    dpat: !!e.nat.pd,
    tcpFlags: e.proto === 6 ? tcpLetters(e.tcp) : "",
    packets: e.packets,
    bytes: e.bytes,
  };
}

/**
 * Polls the lab's flow tables of some compute nodes every `everyMs` until the signal aborts.
 *
 * @example
 * const src = new LabFlowSource(lab.state, ["cent222", "cent333"], 200);
 * await src.run({ signal: AbortSignal.timeout(2000), onSnapshot: (s) => console.log(s.node, s.entries.length) });
 */
export class LabFlowSource implements FlowSnapshotSource {
  constructor(
    private readonly state: LabState,
    private readonly nodes: string[],
    private readonly everyMs = 200,
  ) {}

  run(opts: { signal: AbortSignal; onSnapshot: (s: FlowSnapshot) => void; onGap?: (g: SnapshotGap) => void }): Promise<void> {
    const seq = new Map<string, number>();
    return new Promise<void>((resolve) => {
      if (opts.signal.aborted) return resolve();
      const poll = () => {
        const at = Date.now();
        for (const node of this.nodes) {
          const c = this.state.model.computes.get(node);
          if (!c) {
            opts.onGap?.({ node, from: at, to: at, reason: `${node} is not a compute node of the lab` });
            continue;
          }
          const n = seq.get(node) ?? 0;
          seq.set(node, n + 1);
          try {
            opts.onSnapshot({ node, at, seq: n, entries: c.flows.entries().map(toFlowEntryCore) });
          } catch {
            /* a consumer's problem never stops the source */
          }
        }
      };
      const timer = setInterval(poll, this.everyMs);
      const stop = () => {
        clearInterval(timer);
        resolve();
      };
      opts.signal.addEventListener("abort", stop, { once: true });
      poll();
      if (opts.signal.aborted) stop();
    });
  }
}
