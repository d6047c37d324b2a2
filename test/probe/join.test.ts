import { describe, expect, it } from "vitest";
import type { FlowSnapshot } from "../../lib/flows/snapshot";
import { joinProbesToFlows, probeFlowRows } from "../../lib/probe/join";
import type { ProbeLike } from "../../lib/probe/types";
import type { FlowEntryCore } from "../../lib/vrouter/types";

const e = (p: Partial<FlowEntryCore>): FlowEntryCore => ({
  index: 0, rindex: null, srcIp: "", srcPort: 0, dstIp: "", dstPort: 0, proto: 6, vrf: 0, action: "F",
  snat: false, dnat: false, spat: false, dpat: false, tcpFlags: "", packets: 0, bytes: 0, ...p,
});

// The book's walk: client port 51234 on 15.15.15.2; haproxy's own connection uses port 40000.
const T = 1_700_000_000_000;
const fwd = (flags: string, packets: number) =>
  e({ index: 356, rindex: 412, srcIp: "15.15.15.2", srcPort: 51234, dstIp: "101.101.101.1", dstPort: 80, vrf: 5, action: "N(D)", dnat: true, tcpFlags: flags, packets, bytes: packets * 60 });
const rev = (flags: string) =>
  e({ index: 412, rindex: 356, srcIp: "10.47.255.238", srcPort: 80, dstIp: "15.15.15.2", dstPort: 51234, vrf: 2, action: "N(S)", snat: true, tcpFlags: flags });
const hap = e({ index: 500, rindex: 501, srcIp: "10.47.255.238", srcPort: 40000, dstIp: "10.99.225.17", dstPort: 80, vrf: 2, tcpFlags: "SSrEEr" });
const hapRev = e({ index: 501, rindex: 500, srcIp: "10.99.225.17", srcPort: 80, dstIp: "10.47.255.238", dstPort: 40000, vrf: 2, tcpFlags: "SSrEEr" });
const svc = e({ index: 77, rindex: 78, srcIp: "10.47.255.238", srcPort: 40000, dstIp: "10.99.225.17", dstPort: 80, vrf: 3, action: "N(DPd)", dnat: true, dpat: true, tcpFlags: "SSrEEr" });
const svcRev = e({ index: 78, rindex: 77, srcIp: "10.47.255.236", srcPort: 80, dstIp: "10.47.255.238", dstPort: 40000, vrf: 3, action: "N(SPs)", snat: true, spat: true, tcpFlags: "SSrEEr" });
const noise = e({ index: 9, srcIp: "10.1.1.1", srcPort: 51234, dstIp: "10.2.2.2", dstPort: 443, tcpFlags: "SSrEEr" });

const snaps: FlowSnapshot[] = [
  { node: "cent222", at: T + 10, seq: 0, entries: [fwd("S", 1), rev("S"), noise] },
  { node: "cent222", at: T + 210, seq: 1, entries: [fwd("SSrEEr", 4), rev("SSrEEr"), hap, hapRev] },
  { node: "cent333", at: T + 220, seq: 0, entries: [svc, svcRev] },
  { node: "cent222", at: T + 410, seq: 2, entries: [fwd("SSrEErFFr", 6), rev("SSrEErFFr")] },
  { node: "cent222", at: T + 9000, seq: 3, entries: [e({ ...hap, srcPort: 40001, index: 600, rindex: null })] },
];

const probe: ProbeLike = {
  ok: true,
  remote: { address: "101.101.101.1", port: 80 },
  dialed: { address: "127.0.0.1", port: 41234 },
  local: { address: "127.0.0.1", port: 51234 },
  startedAt: T,
  endedAt: T + 400,
  error: null,
};

describe("joinProbesToFlows", () => {
  it("follows the book's walk: FIP pair by port and rindex, haproxy's connection by time", () => {
    const [j] = joinProbesToFlows([probe], snaps);
    const roles = j!.tracks.map((t) => `${t.node} ${t.role} ${t.linkedBy} ${t.srcIp}:${t.srcPort}->${t.dstIp}:${t.dstPort}`);
    expect(roles).toEqual([
      "cent222 client-forward port 15.15.15.2:51234->101.101.101.1:80",
      "cent222 client-reverse rindex 10.47.255.238:80->15.15.15.2:51234",
      "cent222 proxy-forward time 10.47.255.238:40000->10.99.225.17:80",
      "cent222 proxy-reverse time 10.99.225.17:80->10.47.255.238:40000",
      "cent333 proxy-forward time 10.47.255.238:40000->10.99.225.17:80",
      "cent333 proxy-reverse time 10.47.255.236:80->10.47.255.238:40000",
    ]);
    const client = j!.tracks[0]!;
    expect(client.tcpStates).toEqual(["S", "SSrEEr", "SSrEErFFr"]);
    expect(client.firstSeen).toBe(T + 10);
    expect(client.lastSeen).toBe(T + 410);
    expect(client.packets).toBe(6);
    expect(j!.nat.map((n) => n.words)).toEqual([
      "DNAT 101.101.101.1:80 → 10.47.255.238:80 on cent222",
      "DNAT+DPAT 10.99.225.17:80 → 10.47.255.236:80 on cent333",
    ]);
    expect(j!.nat[1]!.linkedBy).toBe("time");
  });

  it("makes flat rows", () => {
    const rows = probeFlowRows([probe], joinProbesToFlows([probe], snaps));
    expect(rows[0]).toEqual({
      probe: 0,
      startedAt: T,
      endedAt: T + 400,
      ok: true,
      status: null,
      error: null,
      localPort: 51234,
      remote: "101.101.101.1:80",
      dialed: "127.0.0.1:41234",
      found: true,
      nodes: "cent222,cent333",
      firstSeen: T + 10,
      lastSeen: T + 410,
      tcpStates: "S → SSrEEr → SSrEErFFr",
      nat: "DNAT 101.101.101.1:80 → 10.47.255.238:80 on cent222; DNAT+DPAT 10.99.225.17:80 → 10.47.255.236:80 on cent333 (linked by time)",
      packets: 6,
      bytes: 360,
      flows: 2,
      linkedByTime: 4,
    });
  });

  it("finds the reverse entry by tuple when rindex is missing", () => {
    const s: FlowSnapshot[] = [{ node: "n", at: T + 5, seq: 0, entries: [{ ...fwd("SSrEEr", 2), rindex: null }, { ...rev("SSrEEr"), rindex: null }] }];
    const [j] = joinProbesToFlows([probe], s);
    expect(j!.tracks.map((t) => `${t.role}/${t.linkedBy}`)).toEqual(["client-forward/port", "client-reverse/port"]);
    expect(j!.nat[0]!.words).toBe("DNAT 101.101.101.1:80 → 10.47.255.238:80 on n");
  });

  it("keeps reused client ports apart by time, and handles probes that never connected", () => {
    const p2: ProbeLike = { ...probe, startedAt: T + 5000, endedAt: T + 5400 };
    const failed: ProbeLike = { ...probe, ok: false, local: null, error: { kind: "refused", message: "x" } };
    const s: FlowSnapshot[] = [
      { node: "n", at: T + 10, seq: 0, entries: [fwd("S", 1)] },
      { node: "n", at: T + 5010, seq: 1, entries: [fwd("SSrEEr", 9)] },
    ];
    const joins = joinProbesToFlows([probe, p2, failed], s);
    expect(joins[0]!.tracks[0]!.lastSeen).toBe(T + 10);
    expect(joins[1]!.tracks[0]!.firstSeen).toBe(T + 5010);
    expect(joins[2]!.tracks).toEqual([]);
    const rows = probeFlowRows([probe, p2, failed], joins);
    expect(rows.map((r) => r.found)).toEqual([true, true, false]);
    expect(rows[2]!.error).toBe("refused: x");
  });

  it("restricts to nodes", () => {
    const [j] = joinProbesToFlows([probe], snaps, { nodes: ["cent333"] });
    expect(j!.tracks).toEqual([]);
  });
});
