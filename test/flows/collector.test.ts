import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { FlowCollector } from "../../lib/flows/collector";
import { flowKey } from "../../lib/flows/identity";
import { parseFlow } from "../../lib/vrouter/flow";
import { FIXTURES, flowDump } from "./helpers";

// The packet walk's FIP NAT pair on cent222 (packet-walk.md stage 3), at three moments.
const fwd = { index: 1001, rindex: 2002, src: "15.15.15.2:51000", dst: "101.101.101.1:80", proto: 6, vrf: "5", action: "N(D)" };
const rev = { index: 2002, rindex: 1001, src: "10.47.255.238:80", dst: "15.15.15.2:51000", proto: 6, vrf: "2", action: "N(S)" };
const syn = flowDump([{ ...fwd, tcp: "S", stats: "1/60" }, { ...rev, tcp: "Sr", stats: "0/0" }]);
const est = flowDump([{ ...fwd, tcp: "SSrEEr", stats: "5/400" }, { ...rev, tcp: "SSrEEr", stats: "4/900" }]);
const empty = flowDump([]);

function snap(node: string, at: number, seq: number, text: string) {
  return { node, at, seq, entries: parseFlow(text).rows };
}

describe("FlowCollector", () => {
  it("parses the real S1 fixture into flows seen (the parser's rows feed it as is)", () => {
    const c = new FlowCollector();
    c.add(snap("cent222", 1000, 0, fs.readFileSync(path.join(FIXTURES, "s1-2.txt"), "utf8")));
    const seen = c.entriesSeen();
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(seen.find((f) => f.index === 292028)).toMatchObject({ proto: 6, dstIp: "169.254.0.4", dstPort: 22, action: "N(SD)", tcpFlags: "SSrEEr", firstSeen: 1000, lastSeen: 1000 });
  });

  it("tracks first/last seen, the TCP-state timeline, and flows that went away", () => {
    const c = new FlowCollector();
    c.add(snap("cent222", 1000, 0, syn));
    c.add(snap("cent222", 1200, 1, syn));
    c.add(snap("cent222", 1400, 2, est));
    c.add(snap("cent222", 1600, 3, empty));
    const seen = c.entriesSeen();
    expect(seen.map((f) => [f.srcIp, f.firstTcpFlags, f.tcpFlags, f.firstSeen, f.lastSeen, f.sightings, f.gone])).toEqual([
      ["15.15.15.2", "S", "SSrEEr", 1000, 1400, 3, true],
      ["10.47.255.238", "Sr", "SSrEEr", 1000, 1400, 3, true],
    ]);
    const tl = c.timeline((f) => f.index === 1001);
    expect(tl.map((e) => [e.at, e.event, e.tcpFlags, e.packets])).toEqual([
      [1000, "appeared", "S", 1],
      [1400, "changed", "SSrEEr", 5],
      [1600, "gone", "SSrEEr", 5],
    ]);
    expect(c.timelineTable().numRows()).toBe(6);
    expect(c.entriesTable().numRows()).toBe(2);
  });

  it("matchTuple finds the probe's flow, and the NAT'd partner through rindex", () => {
    const c = new FlowCollector();
    c.add(snap("cent222", 1000, 0, est));
    c.add(snap("cent333", 1000, 0, flowDump([{ index: 7, rindex: 8, src: "10.47.255.238:40000", dst: "10.99.225.17:80", proto: 6, vrf: "2", action: "N(DPd)", tcp: "SSrEEr", stats: "3/200" }])));
    const m = c.matchTuple({ srcIp: "15.15.15.2", srcPort: 51000, dstIp: "101.101.101.1", dstPort: 80, proto: "tcp" });
    expect(m.map((r) => [r.node, r.direction, r.srcIp, r.action])).toEqual([
      ["cent222", "forward", "15.15.15.2", "N(D)"],
      ["cent222", "partner", "10.47.255.238", "N(S)"],
    ]);
    expect(c.matchTuple({ srcIp: "101.101.101.1", srcPort: 80, dstIp: "15.15.15.2", proto: 6 }).map((r) => r.direction)).toEqual(["reverse", "partner"]);
    expect(c.matchTuple({ dstIp: "10.99.225.17" }).map((r) => r.node)).toEqual(["cent333"]);
    expect(c.matchTuple({ srcIp: "1.2.3.4" })).toEqual([]);
  });

  it("keys flows by node, VRF, protocol and both endpoints", () => {
    const e = parseFlow(est).rows[0]!;
    expect(flowKey("cent222", e)).toBe("cent222 vrf5 6 15.15.15.2:51000>101.101.101.1:80");
  });

  it("keeps gaps", () => {
    const c = new FlowCollector();
    c.addGap({ node: "cent222", from: 1, to: 2, reason: "dropped" });
    expect(c.gapsTable().objects()).toEqual([{ node: "cent222", from: 1, to: 2, reason: "dropped" }]);
  });
});
