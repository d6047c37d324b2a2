import { describe, expect, it } from "vitest";
import { FlowCollector } from "../../lib/flows/collector";
import type { FlowSnapshot } from "../../lib/flows/snapshot";
import type { FlowEntryCore } from "../../lib/vrouter/types";

// A flow entry with the fields the collector reads.
function entry(i: number, port: number, packets: number, tcpFlags: string): FlowEntryCore {
  return { index: i, rindex: i + 1, srcIp: "15.15.15.2", srcPort: port, dstIp: "101.101.101.1", dstPort: 80, proto: 6, vrf: 5, action: "N(D)", tcpFlags, packets, bytes: packets * 100 } as unknown as FlowEntryCore;
}

// An hour at 5 Hz on `nodes` nodes: 20 long-lived flows whose counters move every poll, and a new short
// connection every second on each node (churn).
function* hour(nodes = 4): Generator<FlowSnapshot> {
  const seq = new Map<string, number>();
  for (let t = 0; t < 3600 * 5; t++) {
    const at = 1_700_000_000_000 + t * 200;
    for (let n = 0; n < nodes; n++) {
      const node = `cent${n}`;
      const entries = [];
      for (let k = 0; k < 20; k++) entries.push(entry(1000 + k, 40000 + k, t + k, "SSrEEr"));
      const churn = Math.floor(t / 5);
      entries.push(entry(5000 + (churn % 4000), 50000 + (churn % 10000), 3, t % 5 < 2 ? "S" : "SSrEEr"));
      const s = seq.get(node) ?? 0;
      seq.set(node, s + 1);
      yield { node, at, seq: s, entries };
    }
  }
}

describe("FlowCollector with a window", () => {
  it("keeps memory bounded over an hour at 5 Hz on two nodes, spilling what leaves the window", () => {
    let spilled = 0;
    const c = new FlowCollector({ windowMs: 60_000, spill: () => spilled++, maxGoneFlows: 2000 });
    let maxSnapshots = 0;
    let maxFlows = 0;
    let maxTimeline = 0;
    let i = 0;
    for (const s of hour(2)) {
      c.add(s);
      if (++i % 4000 === 0) {
        maxSnapshots = Math.max(maxSnapshots, c.snapshots.length);
        maxFlows = Math.max(maxFlows, c.flowCount);
        maxTimeline = Math.max(maxTimeline, c.timeline().length);
      }
    }
    expect(c.snapshotCount).toBe(36_000);
    expect(spilled + c.snapshots.length).toBe(36_000);
    expect(maxSnapshots).toBeLessThanOrEqual(60 * 5 * 2 + 2); // one window
    expect(maxFlows).toBeLessThanOrEqual(2000 + 2 * 21); // the gone limit plus what is present
    // Counter-only points older than the window are dropped: the timeline grows with connections, not with polls.
    expect(maxTimeline).toBeLessThan(60_000);
    // What stays for the long-lived flows: their first appearance, and the summary.
    const longLived = c.entriesSeen().filter((f) => f.srcPort === 40000);
    expect(longLived.map((f) => [f.node, f.sightings, f.packets])).toEqual([0, 1].map((n) => [`cent${n}`, 18_000, 17_999]));
    expect(c.timeline((f) => f.srcPort === 40000 && f.node === "cent0")[0]).toMatchObject({ event: "appeared", at: 1_700_000_000_000 });
  });

  it("keeps every action and TCP-state change even outside the window", () => {
    const c = new FlowCollector({ windowMs: 1000 });
    const at = (k: number) => 1_700_000_000_000 + k * 200;
    c.add({ node: "n", at: at(0), seq: 0, entries: [entry(1, 1, 1, "S")] });
    c.add({ node: "n", at: at(1), seq: 1, entries: [entry(1, 1, 2, "SSrEEr")] });
    for (let k = 2; k < 100; k++) c.add({ node: "n", at: at(k), seq: k, entries: [entry(1, 1, k + 1, "SSrEEr")] });
    const tl = c.timeline();
    expect(tl.slice(0, 2).map((e) => [e.event, e.tcpFlags])).toEqual([
      ["appeared", "S"],
      ["changed", "SSrEEr"],
    ]);
    expect(tl.length).toBeLessThan(20);
    expect(c.snapshots.length).toBeLessThanOrEqual(6);
  });

  it("without options keeps everything, as before", () => {
    const c = new FlowCollector();
    let i = 0;
    for (const s of hour(1)) {
      c.add(s);
      if (++i === 3000) break;
    }
    expect(c.snapshots.length).toBe(3000);
    expect(c.snapshotCount).toBe(3000);
  });
});
