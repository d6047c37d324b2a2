import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseFlow } from "../../lib/vrouter";
import type { FlowSnapshot } from "../../lib/flows/snapshot";
import { flowKey } from "../../lib/flows/identity";
import { baselineFlows, fipFlow, flowBrief, natText, normalizeEntry, pairSeen, proxyFlow, seenFlows, serviceNatFlow } from "../../lib/walk/select";
import { WalkReport } from "../../lib/walk/report";
import { ladderArrows } from "../../lib/walk/charts";
import { createContext, emptyDiscovery } from "../../lib/walk/context";
import { STAGE_CHECKS, STAGE_TABLE } from "../../lib/walk/run";
import { hostRoute } from "../../lib/walk/stages-forward";
import { STAGE_IDS, STAGE_INFO, type StageResult, type Verdict } from "../../lib/walk/types";

const text = fs.readFileSync(path.join(__dirname, "fixtures/cent222-flows.txt"), "utf8");
const entries = parseFlow(text).rows;
const snaps: FlowSnapshot[] = [
  { node: "cent222", at: 1000, seq: 0, entries: entries.map((e) => ({ ...e, tcpFlags: "SSrEEr", packets: 3 })) },
  { node: "cent222", at: 1200, seq: 1, entries },
];

describe("flow selection", () => {
  const flows = seenFlows(snaps);

  it("follows each entry across snapshots", () => {
    expect(flows).toHaveLength(4);
    const f = flows.find((x) => x.entry.index === 400196)!;
    expect(f.firstSeen).toBe(1000);
    expect(f.lastSeen).toBe(1200);
    expect(f.sightings).toBe(2);
    expect(f.tcpStates).toEqual(["SSrEEr", "SSrEErFFrCD"]);
    expect(f.packets).toBe(6);
  });

  it("finds the FIP pair by client port and explains its NAT", () => {
    const f = fipFlow(flows, { fip: "101.101.101.1", fipPort: 80, clientPort: 42962 })!;
    expect(f.node).toBe("cent222");
    expect(fipFlow(flows, { fip: "101.101.101.1", fipPort: 80, clientPort: 1 })).toBeUndefined();
    const p = pairSeen(flows, f);
    expect(p.forward.entry.index).toBe(400196);
    expect(p.reverse?.entry.index).toBe(152869);
    expect(natText(p)).toBe(
      "15.15.15.2:42962 → 101.101.101.1:80 is DNATed to 10.47.255.238 (VRF 5 → 2); replies 10.47.255.238:80 → 15.15.15.2:42962 are SNATed back to 101.101.101.1",
    );
    expect(flowBrief(p.forward)).toBe("flow 400196 15.15.15.2:42962 → 101.101.101.1:80 N(D) TCP:SSrEErFFrCD");
  });

  it("finds haproxy's new connection in the probe window, oriented toward the service", () => {
    const f = proxyFlow(flows, { node: "cent222", podIp: "10.47.255.238", podPort: 80, clientIp: "15.15.15.2", from: 900, to: 1300 })!;
    const p = pairSeen(flows, f);
    expect(p.forward.entry.index).toBe(390641);
    expect(p.forward.entry.dstIp).toBe("10.99.225.17");
    expect(p.reverse?.entry.sinfo).toBe("10.169.25.21");
    expect(proxyFlow(flows, { node: "cent222", podIp: "10.47.255.238", podPort: 80, clientIp: "15.15.15.2", from: 2000, to: 3000 })).toBeUndefined();
    // No DNAT on the ingress node: the service NAT happens elsewhere.
    expect(serviceNatFlow(flows, { podIp: "10.47.255.238", port: 40984, serviceIp: "10.99.225.17", servicePort: 80 })).toBeUndefined();
  });
});

function stage(id: (typeof STAGE_IDS)[number], verdict: Verdict, reason: string, node: string | null = "n"): StageResult {
  return {
    id, step: STAGE_IDS.indexOf(id) + 1, title: STAGE_INFO[id].title, direction: STAGE_INFO[id].direction, node, verdict, reason,
    summary: "", evidence: [{ title: "t", node, command: "flow -l", at: 0, rows: [{ a: 1 }] }], notes: [], startedAt: 0, durationMs: 1,
  };
}

describe("baselineFlows (flows that predate the probes)", () => {
  const [a, b] = entries;
  it("holds a snapshot's entries when its read completed before the probe, even if the next one came after", () => {
    // Snapshot times are the end of the table read: the read of seq 1 ended 100 ms before the probe
    // started, so `b` was in the table before the probe and is not the probe's flow.
    const probeStart = 10_000;
    const snapshots: FlowSnapshot[] = [
      { node: "cent222", at: probeStart - 500, startedAt: probeStart - 650, seq: 0, entries: [a!] },
      { node: "cent222", at: probeStart - 100, startedAt: probeStart - 250, seq: 1, entries: [a!, b!] },
      { node: "cent222", at: probeStart + 300, startedAt: probeStart + 150, seq: 2, entries: [a!, b!] },
    ];
    const base = baselineFlows(snapshots, probeStart);
    expect(base).toEqual(new Set([flowKey("cent222", a!, "index+tuple"), flowKey("cent222", b!, "index+tuple")]));
    expect(baselineFlows(snapshots, probeStart - 200)).toEqual(new Set([flowKey("cent222", a!, "index+tuple")]));
    expect(baselineFlows(snapshots, probeStart - 500).size).toBe(0);
  });
});

describe("core-only snapshot entries", () => {
  it("get the decoded fields the stages read", () => {
    const core = { index: 7, rindex: null, srcIp: "15.15.15.2", srcPort: 5000, dstIp: "101.101.101.1", dstPort: 80, proto: 6, vrf: 5, action: "D(Policy)", snat: false, dnat: false, spat: false, dpat: false, tcpFlags: "SR", packets: 1, bytes: 60 };
    const e = normalizeEntry(core);
    expect([e.actionCode, e.dropReason, e.dvrf, e.vrfTranslated, e.tcpRst]).toEqual(["D", "Policy", 5, false, true]);
    expect(normalizeEntry({ ...core, action: "N(D)", tcpFlags: "SSrEEr" })).toMatchObject({ actionCode: "N", dropReason: null, tcpRst: false });
  });
});

describe("WalkReport", () => {
  const params = { fip: "101.101.101.1", fipPort: 80, hostHeader: "www.juniper.net" };
  const stages = [
    stage("client", "pass", "ok", "internet-host"),
    stage("gateway", "pass", "ok", "gateway"),
    stage("fip-nat", "pass", "ok", "cent222"),
    stage("proxy", "pass", "ok", "cent222"),
    stage("overlay", "pass", "ok", "cent222"),
    stage("service-nat", "fail", "cent333 has no flow for 10.47.255.238:40984 → 10.99.225.17:80", "cent333"),
    stage("backend", "unknown", "not reached", "cent333"),
  ];
  const r = new WalkReport({ params, stages, discovery: emptyDiscovery(), startedAt: 0, endedAt: 1 });

  it("names the first failure and the last stage that saw the packet", () => {
    expect(r.firstFailure?.id).toBe("service-nat");
    expect(r.lastSeen?.id).toBe("overlay");
    expect(r.verdict).toBe("fail");
    expect(r.headline()).toBe(
      "✘ 101.101.101.1:80 (Host: www.juniper.net): the packet stopped at stage 6 (Service NAT to the backend pod) on cent333: " +
        "cent333 has no flow for 10.47.255.238:40984 → 10.99.225.17:80. Last seen: stage 5 (Ingress pod → service IP (MPLSoUDP) on cent222).",
    );
  });

  it("is unknown, not pass, when a stage could not be decided", () => {
    const u = new WalkReport({ params, stages: [stage("client", "pass", "ok"), stage("gateway", "unknown", "gateway unreachable")], discovery: emptyDiscovery(), startedAt: 0, endedAt: 1 });
    expect(u.verdict).toBe("unknown");
    expect(u.firstFailure).toBeNull();
    expect(u.headline()).toMatch(/^\? .*first: stage 2, Gateway → active haproxy node \(MPLSoGRE\): gateway unreachable/);
  });

  it("renders markdown with escaped pipes, html with the failing row highlighted, and a table", () => {
    const md = r.toMarkdown();
    expect(md.split("\n")[2]).toBe("| # | stage | dir | node | evidence | verdict | reason |");
    expect(md).toContain("| 6 | Service NAT to the backend pod | forward | cent333 | t | ✘ fail | cent333 has no flow");
    expect(r.toHtml()).toContain('<tr style="background:#ffebee"><td>6</td>');
    expect(r.toTable().numRows()).toBe(7);
    expect(r.toTable().array("verdict")).toEqual(["pass", "pass", "pass", "pass", "pass", "fail", "unknown"]);
    const j = r.toJSON() as { firstFailure: { step: number; id: string } };
    expect(j.firstFailure).toEqual({ step: 6, id: "service-nat", node: "cent333", reason: "cent333 has no flow for 10.47.255.238:40984 → 10.99.225.17:80" });
  });
});

describe("ladder", () => {
  it("orders copies of one segment along the path, and names the lanes from discovery", () => {
    const d = { ...emptyDiscovery(), clientIp: "15.15.15.2", activeNode: "cent222", ingressPodIp: "10.47.255.238", backendNode: "cent333", backendPodIp: "10.47.255.236", ingressPort: 40984, fabricIps: { "10.169.25.20": "cent222" } };
    const pk = (node: string, tunnel: "MPLSoGRE" | "MPLSoUDP" | null, src: string, sp: number, dst: string, dp: number, at: number, flags: string, outerSrc = "", labels: number[] = []) =>
      ({ node, iface: "x", at, src, dst, srcPort: sp, dstPort: dp, tunnel, labels, outerSrc, outerDst: "", info: "", payload: 0, flags });
    const packets = [
      pk("cent222", "MPLSoGRE", "15.15.15.2", 5000, "101.101.101.1", 80, 10, "S", "192.168.0.204", [20]),
      pk("internet-host", null, "15.15.15.2", 5000, "101.101.101.1", 80, 10, "S"),
      pk("cent222", "MPLSoGRE", "101.101.101.1", 80, "15.15.15.2", 5000, 11, "S.", "10.169.25.20", [299808]),
      pk("internet-host", null, "101.101.101.1", 80, "15.15.15.2", 5000, 11, "S."),
      pk("cent222", "MPLSoUDP", "10.47.255.238", 40984, "10.99.225.17", 80, 12, "S", "10.169.25.20", [38]),
    ];
    const f = { packets, probe: { local: { address: "127.0.0.1", port: 5000 } } } as never;
    expect(ladderArrows(f, d, "internet-host").map((a) => [a.ms, a.from, a.to, a.label])).toEqual([
      [0, "client 15.15.15.2", "gateway", "[S]"],
      [0, "gateway", "haproxy 10.47.255.238", "[S] GRE[20]"],
      [1, "haproxy 10.47.255.238", "gateway", "[S.] GRE[299808]"],
      [1, "gateway", "client 15.15.15.2", "[S.]"],
      [2, "haproxy 10.47.255.238", "pod 10.47.255.236", "[S] UDP[38]"],
    ]);
  });
});

describe("the stage table", () => {
  it("runs each stage's own check: the id a check reports is the id it is filed under, in walk order", async () => {
    const aborted = new AbortController();
    aborted.abort();
    const ctx = createContext({ inventory: { nodes: [] } as never, runner: {} as never, fip: "101.101.101.1", fipPort: 80, hostHeader: "h", signal: aborted.signal });
    expect(STAGE_TABLE.map((s) => s.id)).toEqual([...STAGE_IDS]);
    for (const s of STAGE_TABLE) {
      // An aborted context makes runStage return at once, without running the check's body.
      const r = await s.check(ctx);
      expect([r.id, r.step, r.title, r.direction, r.verdict]).toEqual([s.id, s.step, STAGE_INFO[s.id].title, STAGE_INFO[s.id].direction, "unknown"]);
      expect(STAGE_CHECKS[s.id]).toBe(s.check);
    }
  });
});

describe("the Internet host's route to the FIP (stage 1)", () => {
  const lab = "default via 15.15.15.1 dev eth0 proto static \n15.15.15.0/24 dev eth0 proto kernel scope link src 15.15.15.2 \n";
  it("is the kernel's choice: the longest prefix, not the first line that covers the FIP", () => {
    expect(hostRoute("internet-host", "101.101.101.1", lab)).toEqual({
      rows: [
        { destination: "default", via: "15.15.15.1", dev: "eth0", line: "default via 15.15.15.1 dev eth0 proto static" },
        { destination: "15.15.15.0/24", via: null, dev: "eth0", line: "15.15.15.0/24 dev eth0 proto kernel scope link src 15.15.15.2" },
      ],
      text: "internet-host routes 101.101.101.1 via 15.15.15.1 (default via 15.15.15.1 dev eth0 proto static)",
      missing: null,
    });
    const specific = hostRoute("h", "101.101.101.1", lab + "101.101.101.0/24 via 15.15.15.9 dev eth0 \n");
    expect(specific.text).toBe("h routes 101.101.101.1 via 15.15.15.9 (101.101.101.0/24 via 15.15.15.9 dev eth0)");
  });
  it("names what is missing: no covering route, or a blackhole / unreachable route that wins", () => {
    expect(hostRoute("h", "101.101.101.1", "15.15.15.0/24 dev eth0 proto kernel scope link src 15.15.15.2 \n")).toMatchObject({ text: null, missing: "no default route" });
    expect(hostRoute("h", "101.101.101.1", lab + "unreachable 101.101.0.0/16 \n").missing).toBe("unreachable route 101.101.0.0/16: unreachable 101.101.0.0/16");
    expect(hostRoute("h", "101.101.101.1", "").missing).toBe("no default route");
  });
});
