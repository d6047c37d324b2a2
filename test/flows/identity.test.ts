import { describe, expect, it } from "vitest";
import { FLOW_KEYS, FlowTracker, flowKey, identityOf } from "../../lib/flows/identity";
import type { FlowSnapshot } from "../../lib/flows/snapshot";
import { joinProbesToFlows } from "../../lib/probe/join";
import type { FlowEntryCore } from "../../lib/vrouter/types";
import { baselineFlows, seenFlows } from "../../lib/walk/select";
import { FlowCollector } from "../../lib/flows/collector";

const e = (o: Partial<FlowEntryCore>): FlowEntryCore => ({
  index: 1001, rindex: null, srcIp: "15.15.15.2", srcPort: 51000, dstIp: "101.101.101.1", dstPort: 80, proto: 6, vrf: 5, action: "N(D)",
  snat: false, dnat: true, spat: false, dpat: false, tcpFlags: "S", packets: 1, bytes: 60, ...o,
});

describe("flowKey variants", () => {
  it("builds node [vrfN | #index] proto src:port>dst:port, IPv6 in brackets; vrf+tuple by default", () => {
    const x = e({});
    expect(flowKey("cent222", x)).toBe("cent222 vrf5 6 15.15.15.2:51000>101.101.101.1:80");
    expect(flowKey("cent222", x, "vrf+tuple")).toBe("cent222 vrf5 6 15.15.15.2:51000>101.101.101.1:80");
    expect(flowKey("cent222", x, "index+tuple")).toBe("cent222 #1001 6 15.15.15.2:51000>101.101.101.1:80");
    expect(flowKey("cent222", x, "tuple")).toBe("cent222 6 15.15.15.2:51000>101.101.101.1:80");
    expect(flowKey("n", e({ srcIp: "fd00::2", dstIp: "fd00::1" }), "tuple")).toBe("n 6 [fd00::2]:51000>[fd00::1]:80");
    expect(Object.keys(FLOW_KEYS)).toEqual(["vrf+tuple", "index+tuple", "tuple"]);
  });

  it("differ exactly where their users need: a re-created entry (new index) and the same tuple in another VRF", () => {
    const recreated = [e({ index: 1001 }), e({ index: 2002 })];
    const twoVrfs = [e({ vrf: 5 }), e({ vrf: 7, index: 3003 })];
    const count = (by: keyof typeof FLOW_KEYS, es: FlowEntryCore[]) => new Set(es.map((x) => flowKey("n", x, by))).size;
    // The collector: a flow re-created in another slot is the same flow; another VRF is another flow.
    expect([count("vrf+tuple", recreated), count("vrf+tuple", twoVrfs)]).toEqual([1, 2]);
    // The walk: one table entry, so a new slot is a new entry.
    expect([count("index+tuple", recreated), count("index+tuple", twoVrfs)]).toEqual([2, 2]);
    // The probe join: the probe's connection, wherever the vRouter put it.
    expect([count("tuple", recreated), count("tuple", twoVrfs)]).toEqual([1, 1]);
  });
});

describe("FlowTracker", () => {
  const snaps: FlowSnapshot[] = [
    { node: "n", at: 300, seq: 2, entries: [e({ tcpFlags: "SSrEEr", packets: 5, bytes: 400 })] },
    { node: "n", at: 100, seq: 0, entries: [e({ tcpFlags: "S", packets: 1, bytes: 60 }), e({ srcPort: 9, tcpFlags: "" })] },
    { node: "n", at: 200, seq: 1, entries: [e({ tcpFlags: "S", packets: 2, bytes: 120 })] },
    { node: "n", at: 400, seq: 3, entries: [e({ tcpFlags: "SSrEErF", packets: 4, bytes: 300 })] },
  ];

  it("follows a key over snapshots in time order: first/last seen and entry, sightings, TCP states, largest counters", () => {
    const t = FlowTracker.over(snaps, "vrf+tuple");
    expect(t.size).toBe(2);
    const [f, g] = t.values();
    expect([f.key, f.firstSeen, f.lastSeen, f.sightings, f.first.tcpFlags, f.entry.tcpFlags]).toEqual(["n vrf5 6 15.15.15.2:51000>101.101.101.1:80", 100, 400, 4, "S", "SSrEErF"]);
    expect(f.tcpStates).toEqual(["S", "SSrEEr", "SSrEErF"]);
    expect([f.packets, f.bytes, f.entry.packets]).toEqual([5, 400, 4]);
    expect([f.previous?.tcpFlags, f.previous?.packets]).toEqual(["SSrEEr", 5]);
    expect([g.tcpStates, g.sightings, g.previous]).toEqual([[], 1, null]);
    expect(t.get(t.keyOf("n", e({})))).toBe(f);
    expect(snaps.map((s) => s.seq)).toEqual([2, 0, 1, 3]); // the input is not reordered
  });

  it("maps and picks entries", () => {
    const t = FlowTracker.over(snaps, "tuple", { pick: (x) => x.srcPort === 9, map: (x) => ({ ...x, action: "F" }) });
    expect(t.values().map((f) => [f.key, f.entry.action])).toEqual([["n 6 15.15.15.2:9>101.101.101.1:80", "F"]]);
  });

  it("gives the identity fields as a flat row", () => {
    expect(identityOf(e({ rindex: 7 }))).toEqual({ index: 1001, rindex: 7, srcIp: "15.15.15.2", srcPort: 51000, dstIp: "101.101.101.1", dstPort: 80, proto: 6, vrf: 5 });
  });
});

describe("the three users over one eviction", () => {
  // The entry of 15.15.15.2:51000 → FIP is evicted and the connection's next packets re-create it in another slot.
  const snaps: FlowSnapshot[] = [
    { node: "cent222", at: 1000, seq: 0, entries: [e({ index: 1001, tcpFlags: "SSrEEr", packets: 5 })] },
    { node: "cent222", at: 1200, seq: 1, entries: [e({ index: 2002, tcpFlags: "SSrEEr", packets: 1 })] },
  ];

  it("the collector sees one flow whose index changed; the walk two entries; the probe join one connection", () => {
    const c = new FlowCollector();
    for (const s of snaps) c.add(s);
    expect(c.entriesSeen().map((r) => [r.index, r.sightings])).toEqual([[2002, 2]]);
    expect(c.timeline().map((x) => x.event)).toEqual(["appeared", "changed"]);
    expect(seenFlows(snaps).map((f) => [f.entry.index, f.sightings])).toEqual([[1001, 1], [2002, 1]]);
    // The entry in slot 1001 predates a probe started at 1100; the re-created one does not.
    expect(baselineFlows(snaps, 1100)).toEqual(new Set([flowKey("cent222", e({ index: 1001 }), "index+tuple")]));
    const probe = { startedAt: 900, endedAt: 1300, ok: true, local: { address: "15.15.15.2", port: 51000 }, remote: { address: "101.101.101.1", port: 80 }, dialed: null, error: null };
    const [j] = joinProbesToFlows([probe as never], snaps);
    expect(j.tracks.map((t) => [t.role, t.index, t.sightings])).toEqual([["client-forward", 2002, 2]]);
  });
});

