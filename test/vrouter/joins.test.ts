import { describe, expect, it } from "vitest";
import { parseFlow } from "../../lib/vrouter/flow";
import { parseNh } from "../../lib/vrouter/nh";
import { parseRt } from "../../lib/vrouter/rt";
import { parseMpls } from "../../lib/vrouter/mpls";
import { parseVif } from "../../lib/vrouter/vif";
import { explainNat, followLabel, followPrefix, ipToBigInt, lookupRoute, pairFlows, pairOf } from "../../lib/vrouter/joins";
import { fixture, localFixture } from "./helpers";

const cent222 = localFixture("cent222-walk.txt");
const cent333 = localFixture("cent333-walk.txt");
const NODES = { "10.169.25.20": "cent222", "10.169.25.21": "cent333", "192.168.0.204": "gateway" };

describe("pairFlows / explainNat", () => {
  it("pairs the FIP flows on cent222 (forward = the DNAT one) and explains the NAT", () => {
    const flows = parseFlow(cent222);
    expect(flows.errors).toEqual([]);
    const { pairs, unpaired } = pairFlows(flows);
    expect(unpaired).toEqual([]);
    expect(pairs).toHaveLength(1);
    const { forward, reverse } = pairs[0];
    expect([forward.index, forward.srcIp, forward.dstIp, forward.vrf, forward.dvrf, forward.action]).toEqual([442380, "15.15.15.2", "101.101.101.1", 5, 2, "N(D)"]);
    expect([reverse.index, reverse.srcIp, reverse.action]).toEqual([114304, "10.47.255.238", "N(S)"]);
    const nat = explainNat(pairs[0]);
    expect(nat).toEqual({
      ok: true,
      text: "15.15.15.2:42612 → 101.101.101.1:80 is DNATed to 10.47.255.238 (VRF 5 → 2); replies 10.47.255.238:80 → 15.15.15.2:42612 are SNATed back to 101.101.101.1",
      translatedDst: "10.47.255.238",
      translatedSrc: null,
    });
  });

  it("explains the service NAT on cent333 (DNAT + DPAT one way, SNAT + SPAT back)", () => {
    const p = pairOf(parseFlow(cent333), 505888);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.forward.index).toBe(96516);
    expect(explainNat(p)).toMatchObject({
      ok: true,
      text: "10.47.255.238:51550 → 10.99.225.17:8888 is DNATed (address and port) to 10.47.255.236:80; replies 10.47.255.236:80 → 10.47.255.238:51550 are SNATed back to 10.99.225.17:8888",
      translatedDst: "10.47.255.236:80",
    });
  });

  it("real S1 link-local pair: both flows N(SD), forward is the one towards port 22", () => {
    const { pairs, unpaired } = pairFlows(parseFlow(fixture("s1-2.txt")));
    expect(unpaired).toEqual([]);
    expect(pairs).toHaveLength(6);
    const ll = pairs.find((p) => p.forward.proto === 6 && p.forward.dump === 0);
    expect(ll?.forward.index).toBe(292028);
    expect(ll && explainNat(ll)).toMatchObject({
      ok: true,
      text: "x.x.x.x:49494 → 169.254.0.4:22 is DNATed to 10.0.11.252 and its source SNATed to 10.0.11.253 (VRF 0 → 2); replies 10.0.11.252:22 → 10.0.11.253:49494 are SNATed back to 169.254.0.4 and DNATed back to x.x.x.x",
    });
    expect(pairs.find((p) => p.forward.proto === 1 && p.forward.dump === 0)).toBeDefined();
  });

  it("says what is missing when the chain breaks", () => {
    const only = parseFlow(cent222).rows.filter((r) => r.index === 442380);
    expect(pairFlows(only).unpaired).toEqual([{ flow: only[0], missing: "flow 442380: reverse flow 114304 not in the table (flow --get 114304)" }]);
    expect(pairOf(only, 442380)).toMatchObject({ ok: false, missing: "flow --get 114304: no entry (reverse of 442380)" });
    expect(pairOf(only, 1)).toEqual({ ok: false, missing: "flow --get 1: no entry", steps: [] });
    expect(explainNat({ forward: only[0] })).toMatchObject({ ok: false, missing: "flow --get 114304: reverse of 442380 not available" });
    const fx = parseFlow(fixture("s3-2.txt")).rows;
    const noNat = explainNat({ forward: fx[0], reverse: fx[1] });
    expect(noNat).toMatchObject({ ok: true, text: "115.115.115.4:242 → 105.105.105.3:0 is not NATed" });
  });
});

describe("followLabel", () => {
  const tables = { mpls: parseMpls(cent333), nh: parseNh(cent333), vif: parseVif(cent333) };

  it("label 38 on cent333 → nh 44 → Oif 5 → vif0/5 → the backend pod 10.47.255.236", () => {
    expect(followLabel(38, tables)).toEqual({
      ok: true,
      label: 38,
      nh: 44,
      nhType: "Encap",
      oif: 5,
      vif: "vif0/5",
      osName: "tapeth0-d92c1d",
      podIp: "10.47.255.236",
      podMac: "02:d9:2c:1d:67:87",
      vrf: 2,
      members: [{ nh: 44, vif: "vif0/5", podIp: "10.47.255.236" }],
      steps: ["label 38 → nh 44", "nh 44 (Encap) → Oif 5", "vif0/5 tapeth0-d92c1d 10.47.255.236"],
    });
  });

  it("reports the missing link", () => {
    expect(followLabel(39, tables)).toEqual({ ok: false, missing: "mpls --get 39: no entry", steps: [] });
    expect(followLabel(38, { ...tables, nh: [] })).toMatchObject({ ok: false, missing: "nh --get 44: no entry", steps: ["label 38 → nh 44"] });
    expect(followLabel(38, { ...tables, vif: [] })).toMatchObject({ ok: false, missing: "vif --get 5: no entry" });
    const vt = { mpls: parseMpls(fixture("s13-1.txt")), nh: parseNh(fixture("s13-1.txt")), vif: [] };
    expect(followLabel(42, vt)).toMatchObject({ ok: false, missing: "vif --get 5: no entry" });
  });

  it("follows an ECMP composite through its members and refuses a tunnel", () => {
    const nh = parseNh(fixture("s13-2.txt"));
    const vif = parseVif("vif0/3      OS: tap3 NH: 21\n            Type:Virtual HWaddr:00:00:5e:00:01:00 IPaddr:1.1.1.5\n            Vrf:2 Mcast Vrf:2 Flags:PL3L2DEr QOS:-1 Ref:6\n");
    const r = followLabel(10, { mpls: [{ line: 1, label: 10, nh: 51 }], nh, vif });
    expect(r).toMatchObject({ ok: true, nh: 51, nhType: "Composite", vif: "vif0/3", podIp: "1.1.1.5", members: [{ nh: 21, vif: "vif0/3", podIp: "1.1.1.5" }] });
    expect(followLabel(11, { mpls: [{ line: 1, label: 11, nh: 50 }], nh, vif })).toMatchObject({
      ok: false,
      missing: "nh 50 is a Tunnel (MPLSoGRE 10.1.1.1 → 20.1.1.1): label 11 leaves this node",
    });
  });
});

describe("followPrefix", () => {
  const rt = parseRt(cent222);
  const nh = parseNh(cent222);

  /** What followPrefix finds for the service IP on cent222, with the far end's node as given. */
  const serviceRoute = (node: string | null) => ({
    ok: true,
    route: "10.99.225.17/32",
    vrf: 2,
    label: 38,
    nh: 21,
    nhType: "Tunnel",
    local: false,
    oif: 0,
    tunnelType: "MPLSoUDP",
    sip: "10.169.25.20",
    dip: "10.169.25.21",
    node,
    endpoints: [{ nh: 21, label: 38, tunnelType: "MPLSoUDP", sip: "10.169.25.20", dip: "10.169.25.21", node }],
  });

  it("10.99.225.17 in VRF 2 on cent222 → label 38, MPLSoUDP tunnel to cent333", () => {
    expect(followPrefix("10.99.225.17", { rt, nh, vrf: 2, nodes: NODES })).toEqual({
      ...serviceRoute("cent333"),
      steps: ["10.99.225.17 → route 10.99.225.17/32 (label 38, nh 21)", "nh 21 (Tunnel MPLSoUDP) → 10.169.25.21", "10.169.25.21 is cent333"],
      notes: [],
    });
  });

  it("keeps the route, label and tunnel when the tunnel's Dip is not in the nodes map (node unknown, with a note)", () => {
    for (const nodes of [{}, new Map([["10.169.25.99", "cent999"]])]) {
      expect(followPrefix("10.99.225.17", { rt, nh, vrf: 2, nodes })).toEqual({
        ...serviceRoute(null),
        steps: ["10.99.225.17 → route 10.99.225.17/32 (label 38, nh 21)", "nh 21 (Tunnel MPLSoUDP) → 10.169.25.21"],
        notes: ["no node with fabric IP 10.169.25.21 in the nodes map: the tunnel's far end is not a known node"],
      });
    }
    // Without a map there is nothing to miss: node null, no note.
    expect(followPrefix("10.99.225.17", { rt, nh, vrf: 2 })).toMatchObject({ ok: true, dip: "10.169.25.21", node: null, notes: [] });
    // ECMP: each member whose Dip is unknown is named; the known ones keep their node.
    const ecmp = followPrefix("1.1.1.5", { rt: parseRt(fixture("s13-2.txt")), nh: parseNh(fixture("s13-2.txt")), nodes: {} });
    expect(ecmp).toMatchObject({ ok: true, nhType: "Composite", label: 10, dip: "20.1.1.1", node: null, endpoints: [{ nh: 50, dip: "20.1.1.1", node: null }] });
    expect(ecmp.ok && ecmp.notes).toEqual(["no node with fabric IP 20.1.1.1 in the nodes map: the far end of ECMP member nh 50 is not a known node"]);
  });

  it("longest prefix match like rt --get, local next hops, ECMP composites", () => {
    const s3 = parseRt(fixture("s3-1.txt"));
    expect(lookupRoute(s3, "115.115.115.4")?.nh).toBe(25);
    const local = followPrefix("115.115.115.4/32", { rt: s3, nh: parseNh(fixture("s3-4.txt")) });
    expect(local).toMatchObject({ ok: true, local: true, nh: 25, nhType: "Encap", oif: 0, node: null });
    const ecmp = followPrefix("1.1.1.5", { rt: parseRt(fixture("s13-2.txt")), nh: parseNh(fixture("s13-2.txt")), nodes: new Map([["20.1.1.1", "nodeB"]]) });
    expect(ecmp).toMatchObject({ ok: true, nhType: "Composite", label: 10, tunnelType: "MPLSoGRE", dip: "20.1.1.1", node: "nodeB", endpoints: [{ nh: 50, label: 10, dip: "20.1.1.1", node: "nodeB" }] });
    const v6 = parseRt("vRouter inet6 routing table 0/3/unicast\nfd00::/64              0           LP         12              9        -\n");
    expect(lookupRoute(v6, "fd00::25")?.prefix).toBe("fd00::/64");
    expect(lookupRoute(v6, "fd01::25")).toBeNull();
    expect(ipToBigInt("::ffff:10.0.0.1")?.value).toBe(0xffff0a000001n);
  });

  it("reports the missing link", () => {
    expect(followPrefix("10.99.225.99", { rt, nh, vrf: 3, nodes: NODES })).toEqual({ ok: false, missing: "rt --get 10.99.225.99/32 --vrf 3: no route", steps: [] });
    expect(followPrefix("10.99.225.17", { rt, nh: [], vrf: 2 })).toMatchObject({ ok: false, missing: "nh --get 21: no entry" });
    expect(followPrefix("10.0.3.99", { rt: parseRt(fixture("s7-1.txt")), nh })).toMatchObject({ ok: false, missing: "route 10.0.3.0/24: no next hop in the rt output" });
  });
});
