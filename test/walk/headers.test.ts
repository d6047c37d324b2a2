/**
 * The packet at every hop, for the lab walk, against the reference scenario of
 * ../shared/docs/packet-walk.md: every address, port, tunnel, label and NAT of the chapter, hop by hop,
 * and every change named with its reason and evidence.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../../lib/lab/lab";
import { headerChart, headerHops, headerRows, headers, type HopHeaders } from "../../lib/walk/headers";
import { createContext } from "../../lib/walk";
import type { WalkReport } from "../../lib/walk/report";
import { SshRunner } from "../../lib/remote/runner";
import type { Inventory } from "../../lib/remote/inventory";
import { labFor, walkOn } from "./helpers";

// The chapter's values (packet-walk.md, "Cast").
const CLIENT = "15.15.15.2";
const FIP = "101.101.101.1";
const INGRESS = "10.47.255.238";
const SERVICE = "10.99.225.17";
const POD = "10.47.255.236";
const CENT222 = "10.169.25.20";
const CENT333 = "10.169.25.21";
const GW = "192.168.0.204";

let lab: Lab;
let report: WalkReport;
let hops: HopHeaders[];
beforeAll(async () => {
  lab = await labFor();
  report = await walkOn(lab);
  hops = report.headers();
}, 60_000);
afterAll(async () => {
  await lab?.stop();
});

const row = (h: HopHeaders) => [h.direction, h.stage, h.values.outerSrc, h.values.outerDst, h.values.tunnel, h.values.label, h.values.src, h.values.sport, h.values.dst, h.values.dport, h.values.connection];

describe("walk.headers: the packet at every hop", () => {
  it("matches the chapter's scenario hop by hop, forward and back", () => {
    expect(report.verdict).toBe("pass");
    const d = report.discovery;
    const s = lab.inventory.scenario;
    const cp = d.clientPort!;
    const hp = d.ingressPort!;
    expect(hops.map(row)).toEqual([
      ["forward", "client", null, null, null, null, CLIENT, cp, FIP, 80, "client"],
      ["forward", "gateway", GW, CENT222, "MPLSoGRE", s.labels.gatewayToNode, CLIENT, cp, FIP, 80, "client"],
      ["forward", "fip-nat", null, null, null, null, CLIENT, cp, INGRESS, 80, "client"],
      ["forward", "proxy", null, null, null, null, INGRESS, hp, SERVICE, 80, "haproxy"],
      ["forward", "overlay", CENT222, CENT333, "MPLSoUDP", 38, INGRESS, hp, SERVICE, 80, "haproxy"],
      ["forward", "service-nat", null, null, null, null, INGRESS, hp, POD, 80, "haproxy"],
      ["return", "backend", null, null, null, null, POD, 80, INGRESS, hp, "haproxy"],
      ["return", "return-overlay", CENT333, CENT222, "MPLSoUDP", expect.any(Number), SERVICE, 80, INGRESS, hp, "haproxy"],
      ["return", "return-proxy", null, null, null, null, INGRESS, 80, CLIENT, cp, "client"],
      ["return", "return-proxy", CENT222, GW, "MPLSoGRE", s.labels.nodeToGateway, FIP, 80, CLIENT, cp, "client"],
      ["return", "return-client", null, null, null, null, FIP, 80, CLIENT, cp, "client"],
    ]);
    // The return MPLSoUDP label is the ingress pod's label on cent222 (from the capture), not the service's 38.
    expect(hops[7].values.label).not.toBe(38);
  });

  it("names every NAT and label change with its reason and evidence", () => {
    const reasons = (i: number) => hops[i].changes.map((c) => `${c.field}: ${c.reason}`);
    const fipFlow = report.stage("fip-nat")!.evidence.find((e) => e.title.startsWith("FIP flow pair"))!.rows;
    const fwdIndex = fipFlow.find((r) => r.role === "FIP forward")!.index;
    const revIndex = fipFlow.find((r) => r.role === "FIP reverse")!.index;
    expect(hops[0].changes).toEqual([]);
    expect(hops[1].changed).toEqual(["outerSrc", "outerDst", "tunnel", "label"]);
    expect(reasons(1)[3]).toMatch(new RegExp(`MPLSoGRE to cent222 .*protocol next hop ${CENT222}, push label ${lab.inventory.scenario.labels.gatewayToNode}`));
    expect(hops[2].changed).toEqual(["outerSrc", "outerDst", "tunnel", "label", "dst"]);
    expect(hops[2].changes.find((c) => c.field === "dst")!.reason).toBe(`DNAT ${FIP} → ${INGRESS} (flow ${fwdIndex}, Action:N(D))`);
    expect(hops[2].changes.find((c) => c.field === "dst")!.evidence).toEqual({ stage: "fip-nat", title: "FIP flow pair on cent222" });
    expect(hops[3].changed).toEqual(["src", "sport", "dst", "connection"]);
    expect(reasons(3)[0]).toMatch(/haproxy proxies: a new TCP connection/);
    expect(hops[4].changed).toEqual(["outerSrc", "outerDst", "tunnel", "label"]);
    expect(reasons(4)[3]).toMatch(new RegExp(`route ${SERVICE}/32 in VRF 2: label 38, tunnel ${CENT222} → ${CENT333}`));
    expect(hops[4].evidence.label).toEqual({ stage: "overlay", title: `route to ${SERVICE} in VRF 2` });
    expect(hops[5].changes.find((c) => c.field === "dst")!.reason).toMatch(new RegExp(`^DNAT\\+DPAT ${SERVICE}:80 → ${POD}:80 \\(flow \\d+, Action:N\\(DPd\\)\\)$`));
    expect(hops[7].changes.find((c) => c.field === "src")!.reason).toMatch(new RegExp(`^SNAT\\+SPAT ${POD}:80 → ${SERVICE}:80 \\(flow \\d+, Action:N\\(SPs\\)\\)$`));
    expect(hops[9].changes.find((c) => c.field === "src")!.reason).toBe(`SNAT ${INGRESS} → ${FIP} (flow ${revIndex}, Action:N(S))`);
    expect(hops[9].changed).toEqual(["outerSrc", "outerDst", "tunnel", "label", "src"]);
    expect(hops[10].changed).toEqual(["outerSrc", "outerDst", "tunnel", "label"]);
    // Every changed cell names a stage and an evidence title of that stage.
    for (const h of hops) {
      for (const c of h.changes) {
        expect(c.evidence, `${h.hop} ${c.field}`).not.toBeNull();
        expect(report.stage(c.evidence!.stage)).toBeDefined();
      }
    }
  });

  it("renders as a table, a chart with tooltips, and in the report", () => {
    const rows = headerRows(hops);
    expect(rows[2].inner).toBe(`${CLIENT}:${hops[0].values.sport} → *${INGRESS}*:80`);
    expect(rows[2].why).toContain(`DNAT ${FIP} → ${INGRESS}`);
    const c = headerChart(hops);
    const layers = (c.spec as { layer: { encoding: { tooltip?: unknown[] } }[] }).layer;
    expect(layers.every((l) => Array.isArray(l.encoding.tooltip))).toBe(true);
    expect(report.headerChart()!.spec).toEqual(c.spec);
    expect(report.toHtml()).toContain("The packet at every hop");
    expect(report.toMarkdown()).toContain(`DNAT ${FIP} → ${INGRESS}`);
    expect((report.toJSON().headers as unknown[]).length).toBe(11);
    // The ladder, timeline and latency charts carry the full headers in their tooltips.
    const json = JSON.stringify([report.ladder?.spec, report.timeline?.spec, report.latency?.spec]);
    expect(json).toContain('"title":"full headers"');
    expect(json).toMatch(/outer 192\.168\.0\.204 → 10\.169\.25\.20 MPLSoGRE/);
    // Every mark of the ladder's arrows (rule, arrowhead, label, time) carries the tooltip.
    const ladder = report.ladder!.spec as { layer: { layer?: { encoding: { tooltip?: { field: string }[] } }[] }[] };
    for (const l of ladder.layer[1].layer!) expect(l.encoding.tooltip?.map((t) => t.field)).toContain("headers");
    const tl = report.timeline!.spec as { data: { values: { headers: string }[] } };
    expect(tl.data.values[0].headers).toMatch(/^flow \d+ .* Action:/);
    const lat = report.latency!.spec as { data: { values: { headers: string }[] } };
    expect(lat.data.values.every((v) => v.headers.length > 0)).toBe(true);
  });

  it("walk.headers(ctx) gives the same rows from a walk context", async () => {
    const inv = lab.inventory as unknown as Inventory;
    const runner = new SshRunner(inv);
    try {
      const s = lab.inventory.scenario;
      const ctx = createContext({ inventory: inv, runner, fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader, firstByteTimeoutMs: 3000 });
      const h = await headers(ctx);
      expect(h.hops.map((x) => [x.stage, x.changed])).toEqual(hops.map((x) => [x.stage, x.changed]));
      expect(h.table.numRows()).toBe(11);
      expect(h.text).toContain("DNAT");
      expect(headerHops({ params: ctx.params, discovery: ctx.discovery, stages: [] })).toHaveLength(11);
    } finally {
      runner.close();
    }
  }, 60_000);
});
