import { describe, expect, it } from "vitest";
import { parseJunosRoute } from "../../lib/vrouter/junos";
import { localFixture } from "./helpers";

// The Junos fixtures are self-authored (no real capture was available), modelled on Junos 18.x
// `show route … detail` output for an L3VPN route learnt from a Contrail control node over a dynamic GRE tunnel.
describe("parseJunosRoute", () => {
  it("text `detail`: the active and the inactive BGP entry, protocol next hop, label, GRE tunnel", () => {
    const r = parseJunosRoute(localFixture("junos-route-detail.txt"));
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows).toHaveLength(2);
    expect(r.rows[0]).toMatchObject({
      line: 5,
      table: "k8s-ns-user-1-fip.inet.0",
      prefix: "101.101.101.1/32",
      active: true,
      protocol: "BGP",
      preference: 170,
      preference2: -101,
      routeDistinguisher: "10.169.25.20:5",
      nextHopType: "Router",
      nextHopIndex: 606,
      nextHopVia: "gr-0/0/0.32769",
      nextHopCount: 1,
      labelOperation: "Push 44",
      label: 44,
      protocolNextHop: "10.169.25.20",
      tunnelType: "GRE",
      tunnelDestination: "10.169.25.20",
      state: "Secondary Active Int Ext ProtectionCand",
      localAs: 64512,
      peerAs: 64512,
      age: "1:02:33",
      task: "BGP_64512.10.169.25.19",
      asPath: "?",
      localPref: 100,
      routerId: "10.169.25.19",
      source: "10.169.25.19",
      primaryTable: "bgp.l3vpn.0",
    });
    expect(r.rows[1]).toMatchObject({ active: false, source: "10.169.25.18", state: "Secondary NotBest Int Ext ProtectionCand" });
    expect(r.commands[0]).toMatchObject({ prompt: "root@mx204>", tool: "junos-route" });
  });

  it("`| display json`: same fields from route-information → route-table → rt → rt-entry", () => {
    const r = parseJunosRoute(localFixture("junos-route-detail.json"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({
      table: "k8s-ns-user-1-fip.inet.0",
      prefix: "101.101.101.1/32",
      active: true,
      protocol: "BGP",
      preference: 170,
      preference2: -101,
      routeDistinguisher: "10.169.25.20:5",
      nextHopType: "Router",
      nextHopIndex: 606,
      nextHopVia: "gr-0/0/0.32769",
      label: 44,
      labelOperation: "Push 44",
      protocolNextHop: "10.169.25.20",
      tunnelType: "GRE",
      tunnelDestination: "10.169.25.20",
      localPref: 100,
      communities: "target:64512:8000007 encapsulation:gre(0x2)",
      source: "10.169.25.19",
      primaryTable: "bgp.l3vpn.0",
    });
  });

  it("a tunnel-composite next hop (UDP dynamic tunnel) gives tunnel type and endpoints", () => {
    const r = parseJunosRoute(
      "vrf1.inet.0: 3 destinations, 3 routes (3 active, 0 holddown, 0 hidden)\n" +
      "10.47.255.236/32 (1 entry, 1 announced)\n" +
      "        *BGP    Preference: 170/-101\n" +
      "                Next hop type: Tunnel Composite, Next hop index: 612\n" +
      "                Next hop: , selected\n" +
      "                Tunnel type: UDP, nhid: 0, Reference-count: 4, tunnel id: 0\n" +
      "                Destination address: 10.169.25.21, Source address: 192.168.0.204\n" +
      "                Label operation: Push 38\n" +
      "                Protocol next hop: 10.169.25.21\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ nextHopType: "Tunnel Composite", tunnelType: "UDP", tunnelDestination: "10.169.25.21", tunnelSource: "192.168.0.204", label: 38, protocolNextHop: "10.169.25.21" });
  });

  it("errors: broken JSON with line/column; garbage text; unknown attributes kept raw", () => {
    const j = parseJunosRoute('{\n  "route-information": [\n    { "route-table": [ }\n  ]\n}\n');
    expect(j.rows).toEqual([]);
    expect(j.errors).toHaveLength(1);
    expect(j.errors[0]).toMatchObject({ line: 3, column: 24, message: expect.stringMatching(/^invalid JSON/) });
    const t = parseJunosRoute("hello\nx.inet.0: 1 destinations, 1 routes (1 active, 0 holddown, 0 hidden)\n1.1.1.1/32 (1 entry, 1 announced)\n        *Static Preference: 5\n                Frobnication: high\n");
    expect(t.errors).toEqual([{ line: 1, column: 1, message: "unexpected line: expected a routing table, prefix or route entry", text: "hello" }]);
    expect(t.rows[0]).toMatchObject({ protocol: "Static", preference: 5, extra: "Frobnication: high" });
    expect(t.warnings).toEqual([{ line: 5, column: 17, message: "unknown route attribute kept in `extra`", text: "Frobnication: high" }]);
  });
});

describe("Junos pastes: the hygiene layer's elisions and notes", () => {
  it("`<output omitted>`, `=== snip ===` and a note alone on its line are skipped with a warning, rows kept", () => {
    const r = parseJunosRoute(
      "user@mx> show route table inet.0 terse\n\n" +
        "inet.0: 9 destinations, 11 routes (9 active, 0 holddown, 1 hidden)\n" +
        "+ = Active Route, - = Last Active, * = Both\n\n" +
        "A V Destination        P Prf   Metric 1   Metric 2  Next hop        AS path\n" +
        "* ? 10.0.0.0/24        D   0                       >ge-0/0/0.0\n" +
        "<output omitted>\n" +
        "=== snip ===\n" +
        "<-- the default route below\n" +
        "* ? 0.0.0.0/0          S   5                       >10.0.0.1\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => x.prefix)).toEqual(["10.0.0.0/24", "0.0.0.0/0"]);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [8, "elision line skipped"],
      [9, "elision line skipped"],
      [10, "note line skipped"],
    ]);
  });
});
