/**
 * The lab's two doors agree: for every compute node, with and without faults, the rows the introspect
 * readers give from the lab's introspect XML equal the rows the utility parsers give from the lab's CLI
 * text, on every field the introspect carries (INTROSPECT_FIELDS), with the agent's documented blind
 * spots checked explicitly (DPAT, Policy(R), the Stats vif type).
 */
import { describe, expect, it } from "vitest";
import { INTROSPECT_FIELDS, parseIntrospectFlow, parseIntrospectMpls, parseIntrospectNh, parseIntrospectRt, parseIntrospectVif } from "../../lib/introspect";
import { runTool, type ToolResult } from "../../lib/lab/commands";
import { TCP } from "../../lib/lab/flowtable";
import { answerIntrospect } from "../../lib/lab/introspect";
import { FAULTS } from "../../lib/lab/model";
import { LabState } from "../../lib/lab/state";
import { loadTopology } from "../../lib/lab/topology";
import { parseFlow, parseMpls, parseNh, parseRt, parseVif } from "../../lib/vrouter";

function cli(s: LabState, node: string, argv: string[]): string {
  const r = runTool(s, node, "compute", argv) as ToolResult;
  expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

function xml(s: LabState, node: string, p: string): string {
  const r = answerIntrospect(s, node, p);
  expect(r.status).toBe(200);
  return r.body;
}

function pick<R extends object>(rows: R[], fields: readonly string[]): Record<string, unknown>[] {
  return rows.map((r) => Object.fromEntries(fields.map((f) => [f, (r as Record<string, unknown>)[f]])));
}

function withFlows(s: LabState, node: string): void {
  const t = s.model.computes.get(node)!.flows;
  const base = { keyNh: 51, qos: -1, rpfNh: 23, sinfo: "10.169.25.21", tcp: 0 };
  t.addPair(
    { ...base, sip: "15.15.15.2", sport: 40000, dip: "101.101.101.1", dport: 80, proto: 6, vrf: 5, dvrf: 2, action: "N", nat: { d: true } },
    { ...base, sip: "10.47.255.238", sport: 80, dip: "15.15.15.2", dport: 40000, proto: 6, vrf: 2, dvrf: 5, action: "N", nat: { s: true } },
  );
  const [f] = t.addPair(
    { ...base, sip: "10.47.255.238", sport: 40984, dip: "10.99.225.17", dport: 80, proto: 6, vrf: 2, action: "N", nat: { d: true, pd: true } },
    { ...base, sip: "10.47.255.236", sport: 8080, dip: "10.47.255.238", dport: 40984, proto: 6, vrf: 2, action: "N", nat: { s: true, ps: true } },
  );
  t.setTcp(f.index, TCP.SYN | TCP.SYN_R | TCP.ESTABLISHED | TCP.ESTABLISHED_R);
  t.count(f.index, 1500);
  t.add({ ...base, sip: "15.15.15.9", sport: 5555, dip: "101.101.101.1", dport: 80, proto: 6, vrf: 5, action: "D", nat: {}, dropReason: "Policy" });
  t.add({ ...base, sip: "10.47.255.238", sport: 53000, dip: "10.96.0.10", dport: 53, proto: 17, vrf: 2, action: "F", nat: {} });
}

const scenarios: { name: string; faults: string[] }[] = [{ name: "no fault", faults: [] }, ...FAULTS.map((f) => ({ name: f, faults: [f] }))];

describe("the lab's introspect and the lab's CLI give equal rows", () => {
  for (const sc of scenarios) {
    it(`${sc.name}: vif, nh, rt, mpls and flow on every compute node`, () => {
      const s = new LabState(loadTopology("default"));
      for (const f of sc.faults) s.setFault(f, true);
      for (const node of s.model.computes.keys()) {
        withFlows(s, node);
        // vif
        const vc = parseVif(cli(s, node, ["vif", "--list"]));
        const vi = parseIntrospectVif(xml(s, node, "/Snh_KInterfaceReq?if_id=-1"));
        expect(vi.errors).toEqual([]);
        expect(vi.rows.length).toBe(vc.rows.length);
        const vfields = INTROSPECT_FIELDS.vif.filter((f) => f !== "type");
        expect(pick(vi.rows, vfields)).toEqual(pick(vc.rows, vfields));
        // The agent names no Stats type: those are null (with a warning), every other type agrees.
        vi.rows.forEach((r, i) => {
          if (r.type === null) expect(vc.rows[i]!.type).toBe("Stats");
          else expect(r.type).toBe(vc.rows[i]!.type);
        });
        // nh
        const nc = parseNh(cli(s, node, ["nh", "--list"]));
        const ni = parseIntrospectNh(xml(s, node, "/Snh_KNHReq?nh_id=-1"));
        expect(ni.errors).toEqual([]);
        const nfields = INTROSPECT_FIELDS.nh.filter((f) => f !== "policy");
        expect(pick(ni.rows, nfields)).toEqual(pick(nc.rows, nfields));
        // `Policy(R)` (relaxed policy) is not the POLICY flag the agent reports.
        ni.rows.forEach((r, i) => expect(r.policy).toBe(nc.rows[i]!.flags.split(", ").includes("Policy")));
        // rt: every VRF dumped, and a --get
        const vrfs = [...s.model.computes.get(node)!.routes.keys()];
        for (const v of vrfs) {
          const rc = parseRt(cli(s, node, ["rt", "--dump", String(v)]));
          const ri = parseIntrospectRt(xml(s, node, `/Snh_KRouteReq?vrf_id=${v}&family=inet`));
          expect(ri.errors).toEqual([]);
          expect(pick(ri.rows, INTROSPECT_FIELDS.rt)).toEqual(pick(rc.rows, INTROSPECT_FIELDS.rt));
        }
        const svc = s.topology.services[0]!.ip;
        for (const v of vrfs) {
          const rc = parseRt(cli(s, node, ["rt", "--get", `${svc}/32`, "--vrf", String(v)]));
          const ri = parseIntrospectRt(xml(s, node, `/Snh_KRouteGetReq?vrf_id=${v}&prefix=${svc}&prefix_len=32`), { match: `${svc}/32` });
          expect(pick(ri.rows, INTROSPECT_FIELDS.rt)).toEqual(pick(rc.rows, INTROSPECT_FIELDS.rt));
        }
        // mpls
        const mc = parseMpls(cli(s, node, ["mpls", "--dump"]));
        const mi = parseIntrospectMpls(xml(s, node, "/Snh_KMplsReq?mpls_label=-1"));
        expect(pick(mi.rows, INTROSPECT_FIELDS.mpls)).toEqual(pick(mc.rows, INTROSPECT_FIELDS.mpls));
        // flow
        const fc = parseFlow(cli(s, node, ["flow", "-l"]));
        const fi = parseIntrospectFlow(xml(s, node, "/Snh_KFlowReq?flow_idx=-1"));
        expect(fi.errors).toEqual([]);
        expect(fi.rows.length).toBe(fc.rows.length);
        const ffields = INTROSPECT_FIELDS.flow.filter((f) => f !== "action");
        expect(pick(fi.rows, ffields)).toEqual(pick(fc.rows, ffields));
        // The agent never reports DPAT: the same action but for `Pd`, and dpat false.
        fi.rows.forEach((r, i) => {
          expect(r.action).toBe(fc.rows[i]!.action.replace("Pd", ""));
          expect(r.dpat).toBe(false);
        });
        expect(fc.rows.some((r) => r.dpat)).toBe(true);
      }
    });
  }

  it("pages a flow table of more than 100 entries with flow_handle, as the agent does", () => {
    const s = new LabState(loadTopology("default"));
    const node = [...s.model.computes.keys()][0]!;
    const t = s.model.computes.get(node)!.flows;
    for (let i = 0; i < 250; i++) t.add({ keyNh: 5, qos: -1, rpfNh: 5, sinfo: "0.0.0.0", sip: "10.0.0.1", sport: 1000 + i, dip: "10.0.0.2", dport: 80, proto: 6, vrf: 2, action: "F", nat: {} });
    const rows = [];
    let next: string | null = "Snh_KFlowReq?flow_idx=-1";
    let pages = 0;
    while (next) {
      const r = parseIntrospectFlow(xml(s, node, `/${next}`));
      expect(r.errors).toEqual([]);
      rows.push(...r.rows);
      next = r.next;
      pages++;
    }
    expect(pages).toBe(3);
    expect(rows.map((r) => r.index)).toEqual(parseFlow(cli(s, node, ["flow", "-l"])).rows.map((r) => r.index));
  });
});
