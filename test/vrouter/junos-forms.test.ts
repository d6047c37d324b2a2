/**
 * Junos `show route` in every form: brief (the default), terse, detail/extensive, `| display json` and
 * `| display xml`, with the pasting accidents of the field (prompts, banners, pager lines, indentation,
 * CRLF, lines wrapped by a terminal). Fixtures are self-authored from published outputs (see
 * fixtures/README.md).
 */
import { describe, expect, it } from "vitest";
import { parseJunosRoute, junosNextHops, looksLikeJunosRoute } from "../../lib/vrouter/junos";
import { parseJunosNextHop, formatJunosNextHop } from "../../lib/vrouter/junos-nexthop";
import { ageToSeconds, tableParts, mplsPrefix } from "../../lib/vrouter/junos-row";
import { classifyJunosPasteLine } from "../../lib/vrouter/junos-paste";
import { LabState } from "../../lib/lab/state";
import { loadTopology } from "../../lib/lab/topology";
import { runTool, type ToolResult } from "../../lib/lab/commands";
import { localFixture } from "./helpers";

const byPrefix = <R extends { prefix: string }>(rows: R[], p: string): R[] => rows.filter((r) => r.prefix === p);

/** Wraps every line longer than `width` as a terminal does (cut mid-word). */
function terminalWrap(text: string, width = 80): string {
  return text
    .split("\n")
    .flatMap((l) => {
      const out: string[] = [];
      while (l.length > width) {
        out.push(l.slice(0, width));
        l = l.slice(width);
      }
      out.push(l);
      return out;
    })
    .join("\n");
}

/** Rows without their line numbers (which move when lines are added). */
const sansLines = (rows: object[]) => rows.map((r) => ({ ...r, line: 0 }));

describe("brief (the default `show route`)", () => {
  const r = parseJunosRoute(localFixture("junos-route-brief.txt"));

  it("reads every entry of every table: inet, inet.3, a VRF's inet and inet6, mpls.0", () => {
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(25);
    expect([...new Set(r.rows.map((x) => x.table))]).toEqual(["inet.0", "inet.3", "CUST-A.inet.0", "CUST-A.inet6.0", "mpls.0"]);
    expect(r.rows.every((x) => x.form === "brief")).toBe(true);
    expect(r.commands[0]).toMatchObject({ prompt: "lab@mx-gw1>", command: "show route", tool: "junos-route" });
    expect(r.warnings).toEqual([{ line: 40, column: 1, message: "pager line skipped", text: "---(more)---" }]);
  });

  it("age, preference(s), metric, MED, local preference, from, AS path, validation state", () => {
    const [bgp] = byPrefix(r.rows, "172.16.0.0/12");
    expect(bgp).toMatchObject({ line: 13, active: true, protocol: "BGP", preference: 170, age: "1w1d 17:34:37", ageSeconds: 754477, med: 10, localPref: 180, source: "198.51.100.7", asPath: "64510 64511 I", validationState: "unverified", family: "inet", instance: null });
    expect(byPrefix(r.rows, "10.10.0.0/16")[0]).toMatchObject({ protocol: "OSPF", preference: 150, preference2: 10, metric: 20 });
  });

  it("secondary entries of a prefix (no prefix printed) are inactive rows of the same prefix", () => {
    const rows = byPrefix(r.rows, "172.16.0.0/12");
    expect(rows.map((x) => [x.protocol, x.preference, x.active, x.source])).toEqual([
      ["BGP", 170, true, "198.51.100.7"],
      ["BGP", 170, false, "198.51.100.8"],
      ["Static", 200, false, null],
    ]);
  });

  it("several next hops on continuation lines, `>` the selected one", () => {
    const [def] = byPrefix(r.rows, "0.0.0.0/0");
    expect(def).toMatchObject({ nextHopCount: 2, nextHopTo: "192.0.2.1", nextHopVia: "ge-0/0/0.0", nextHops: ">to 192.0.2.1 via ge-0/0/0.0; to 192.0.2.5 via ge-0/0/1.0" });
    expect(junosNextHops(def).map((h) => [h.selected, h.to, h.via])).toEqual([
      [true, "192.0.2.1", "ge-0/0/0.0"],
      [false, "192.0.2.5", "ge-0/0/1.0"],
    ]);
  });

  it("GRE (gr- interface), tunnel composite UDP with its ends, label stacks, LSP names", () => {
    expect(byPrefix(r.rows, "10.47.255.236/32")[0]).toMatchObject({ nextHopVia: "gr-1/0/0.32779", labelOperation: "Push 16", label: 16, tunnelType: "GRE", source: "10.169.25.19" });
    expect(byPrefix(r.rows, "10.47.255.237/32")[0]).toMatchObject({
      nextHopType: "Tunnel Composite",
      tunnelType: "UDP",
      tunnelSource: "192.168.0.204",
      tunnelDestination: "10.169.25.21",
      protocolNextHop: "10.169.25.21",
      label: 21,
    });
    expect(byPrefix(r.rows, "10.100.2.0/24")[0]).toMatchObject({ labelOperation: "Push 16, Push 299792(top)", label: 16, labels: "16 299792", nextHopTo: "192.0.2.1" });
    expect(byPrefix(r.rows, "10.255.0.3/32")[0]).toMatchObject({ table: "inet.3", protocol: "RSVP", preference: 7, preference2: 1, lsp: "gw1-to-pe3", label: 299792 });
  });

  it("Local, Discard, Unusable (hidden `[BGP ]`), MultiRecv, Indirect, and a last-active EVPN entry", () => {
    expect(byPrefix(r.rows, "192.0.2.2/32")[0]).toMatchObject({ protocol: "Local", nextHopType: "Local", nextHopVia: "ge-0/0/0.0", nextHops: "Local via ge-0/0/0.0" });
    expect(byPrefix(r.rows, "192.168.0.0/16")[0]).toMatchObject({ protocol: "Aggregate", nextHopType: "Discard" });
    expect(byPrefix(r.rows, "198.51.100.0/24")[0]).toMatchObject({ hidden: true, active: false, preference: null, nextHopType: "Unusable", asPath: "64530 I" });
    expect(byPrefix(r.rows, "224.0.0.5/32")[0]).toMatchObject({ nextHopType: "MultiRecv" });
    expect(byPrefix(r.rows, "10.100.9.0/24")[0]).toMatchObject({ protocol: "EVPN", active: false, lastActive: true, nextHopType: "Indirect" });
  });

  it("inet6: a long prefix on its own line, its entry on the next", () => {
    expect(byPrefix(r.rows, "2001:db8:47:ffff:ffff:ffff:ffff:ff01/128")[0]).toMatchObject({ line: 64, family: "inet6", instance: "CUST-A", label: 17, tunnelType: "GRE" });
  });

  it("mpls.0: labels as prefixes, (S=0), Receive, Pop, Swap, to table, an interface prefix", () => {
    const m = r.rows.filter((x) => x.table === "mpls.0");
    expect(m.map((x) => [x.prefix, x.inLabel, x.bottomOfStack, x.family])).toEqual([
      ["0", 0, true, "mpls"],
      ["16", 16, true, "mpls"],
      ["19", 19, true, "mpls"],
      ["19(S=0)", 19, false, "mpls"],
      ["299808", 299808, true, "mpls"],
      ["ge-0/0/3.600", null, null, "mpls"],
    ]);
    expect(m[0].nextHopType).toBe("Receive");
    expect(m[1]).toMatchObject({ nextHopType: "Table", labelOperation: "Pop", label: null, nextHops: ">to table CUST-A.inet.0, Pop" });
    expect(m[3]).toMatchObject({ labelOperation: "Pop", nextHopTo: "192.0.2.1" });
    expect(m[4]).toMatchObject({ labelOperation: "Swap 299792", labels: "299792", label: null });
    expect(m[5]).toMatchObject({ protocol: "L2CKT", label: 299840, metric2: 1 });
  });

  it("the lab gateway's brief answer gives the walk its protocol next hop's label and tunnel", () => {
    const s = new LabState(loadTopology("default"));
    const out = (runTool(s, "gateway", "gateway", ["cli", "-c", "show route 101.101.101.1/32 exact"]) as ToolResult).stdout;
    const g = parseJunosRoute(out);
    expect(g.errors).toEqual([]);
    expect(g.rows[0]).toMatchObject({ prefix: "101.101.101.1/32", active: true, protocol: "BGP", label: 20, tunnelType: "GRE", form: "brief" });
  });
});

describe("terse", () => {
  const r = parseJunosRoute(localFixture("junos-route-terse.txt"));

  it("reads the columns, with and without the V column", () => {
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows).toHaveLength(12);
    expect(r.rows.every((x) => x.form === "terse")).toBe(true);
    expect(r.rows[0]).toMatchObject({ prefix: "0.0.0.0/0", protocol: "Static", preference: 5, active: true, nextHops: ">to 192.0.2.1; to 192.0.2.5", nextHopCount: 2 });
    expect(r.rows[10]).toMatchObject({ table: "inet.0", prefix: "1.0.0.1/32", protocol: "OSPF", preference: 10, metric: 1, nextHopTo: "10.0.0.2" });
    expect(r.rows[11]).toMatchObject({ prefix: "192.168.64.0/21", protocol: "BGP", localPref: 100, asPath: "65000 I", nextHopTo: "192.168.70.1" });
  });

  it("secondary entries, Metric 1/Metric 2 by column, the validation line that carries the next hop", () => {
    expect(r.rows[2]).toMatchObject({ prefix: "10.2.0.0/16", active: false, preference: 7, nextHopTo: "10.0.41.0" });
    expect(r.rows[3]).toMatchObject({ prefix: "10.1.0.2/31", protocol: "BGP", localPref: 100, med: 0, metric: 100, metric2: 0, asPath: "?", validationState: "unverified", nextHopTo: "10.0.0.3" });
    expect(r.rows[4]).toMatchObject({ prefix: "10.23.33.0/24", validationState: "valid", asPath: "64500 I", metric2: null, nextHopTo: "10.12.11.2" });
    expect(r.rows[8]).toMatchObject({ prefix: "198.18.100.0/24", protocol: "EVPN", metric: null, metric2: 3, nextHopCount: 2 });
  });

  it("interfaces and words as next hops: >ge-…, >gr-… (GRE), Local, Reject", () => {
    expect(r.rows[5]).toMatchObject({ protocol: "Direct", nextHopVia: "ge-0/0/0.0" });
    expect(r.rows[6]).toMatchObject({ protocol: "Local", nextHopType: "Local", asPath: null });
    expect(r.rows[7]).toMatchObject({ nextHopVia: "gr-1/0/0.32779", tunnelType: "GRE", asPath: "?" });
    expect(r.rows[9]).toMatchObject({ protocol: "Local", nextHopType: "Reject" });
  });
});

describe("detail and extensive", () => {
  const r = parseJunosRoute(localFixture("junos-route-extensive.txt"));

  it("extensive: TSI lines skipped, the tunnel composite next hop, and the protocol next hop's resolution", () => {
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows).toHaveLength(3);
    expect(r.rows.every((x) => x.form === "extensive")).toBe(true);
    expect(r.rows[0]).toMatchObject({ prefix: "10.47.255.237/32", nextHopType: "Tunnel Composite", nextHopIndex: 612, tunnelType: "UDP", tunnelDestination: "10.169.25.21", tunnelSource: "192.168.0.204", label: 21, protocolNextHop: "10.169.25.21", nextHopCount: 1, ageSeconds: 4200 });
    // No forwarding next hop under the entry: the resolution's (printed twice) is the route's.
    expect(r.rows[1]).toMatchObject({ protocolNextHop: "12.122.120.7", nextHopTo: "12.0.1.1", nextHopVia: "em0.0", nextHopCount: 1, peerAs: 7018, ageSeconds: 2541530, validationState: "unknown" });
  });

  it("a hidden entry (`BGP  /-101`, State <Hidden … Delete>): hidden, deleted, no preference", () => {
    expect(r.rows[2]).toMatchObject({ active: false, hidden: true, deleted: true, preference: null, preference2: -101, nextHopType: "Unusable", ageSeconds: 12 });
  });

  it("detail with several next hops, each with its label operation and LSP", () => {
    const d = parseJunosRoute(
      [
        "ASUS.inet.0: 37 destinations, 41 routes (37 active, 0 holddown, 0 hidden)",
        "77.3.0.11/32 (1 entry, 1 announced)",
        "        *BGP    Preference: 170/-101",
        "                Next hop type: Router, Next hop index: 1048582",
        "                Next hop: 10.1.0.26 via ge-0/0/1.0 weight 0x1",
        "                Label-switched-path pe2-to-pe1",
        "                Label operation: Push 18, Push 299776(top)",
        "                Next hop: 10.1.0.30 via ge-0/0/2.0 weight 0x1, selected",
        "                Label-switched-path pe2-to-pe1-b",
        "                Label operation: Push 18, Push 299808(top)",
        "                Protocol next hop: 10.255.0.1",
        "                Label operation: Push 18",
        "                VPN Label: 18",
      ].join("\n"),
    );
    expect(d.errors).toEqual([]);
    expect(d.rows[0]).toMatchObject({ nextHopCount: 2, nextHopTo: "10.1.0.30", nextHopVia: "ge-0/0/2.0", lsp: "pe2-to-pe1-b", labels: "18 299808", label: 18, labelOperation: "Push 18, Push 299808(top)" });
    expect(junosNextHops(d.rows[0]).map((h) => [h.selected, h.lsp, h.labels])).toEqual([
      [false, "pe2-to-pe1", [18, 299776]],
      [true, "pe2-to-pe1-b", [18, 299808]],
    ]);
  });
});

describe("EVPN, flow, long terse destinations, receive-protocol / advertising-protocol", () => {
  const r = parseJunosRoute(localFixture("junos-route-misc.txt"));

  it("reads every route with no errors or warnings", () => {
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows.map((x) => [x.form, x.table, x.prefix])).toEqual([
      ["terse", "CUST-A.inet6.0", "2001:db8:47:ffff:ffff:ffff:ffff:ff01/128"],
      ["terse", "CUST-A.inet6.0", "fe80::/64"],
      ["brief", "CUST-A.evpn.0", "2:10.255.0.1:100::0::fa:16:3e:aa:bb:cc/304 MAC/IP"],
      ["brief", "CUST-A.evpn.0", "5:10.255.0.2:100::0::10.1.1.0::24/248"],
      ["brief", "inetflow.0", "172.16.0.0/29,*/term:1"],
      ["bgp", "inet.0", "10.1.1.2/32"],
      ["bgp", "inet.0", "1.1.1.0/24"],
      ["bgp", "inet.0", "10.6.0.0/16"],
      ["bgp", "inetflow.0", "172.16.0.0/29,*/term:1"],
      ["detail", "bgp.l3vpn.0", "10.255.0.2:100:10.100.2.0/24"],
    ]);
  });

  it("a terse destination too long for its column, its entry on the next line", () => {
    expect(r.rows[0]).toMatchObject({ line: 7, active: true, protocol: "BGP", preference: 170, localPref: 100, nextHopVia: "gr-1/0/0.32779", tunnelType: "GRE", asPath: "?" });
  });

  it("EVPN and flow routes", () => {
    expect(r.rows[2]).toMatchObject({ family: "evpn", protocol: "EVPN", nextHopType: "Indirect" });
    expect(r.rows[3]).toMatchObject({ source: "10.255.0.2", label: 299776 });
    expect(r.rows[4]).toMatchObject({ family: "inetflow", protocol: "Flow", nextHopType: "Fictitious" });
  });

  it("the peer's routes: BGP next hop, MED and local preference by column, AS path; the detail form", () => {
    expect(r.rows[5]).toMatchObject({ active: true, protocol: "BGP", protocolNextHop: "fe80::e20:51ff:fed2:1", med: null, localPref: null, asPath: "65001 I" });
    expect(r.rows[6]).toMatchObject({ active: false, protocolNextHop: "192.168.12.253", asPath: "1620 111 I" });
    expect(r.rows[7]).toMatchObject({ med: 0, localPref: 100, asPath: "I" });
    expect(r.rows[8]).toMatchObject({ active: true, protocolNextHop: "Self", asPath: "I" });
    expect(r.rows[9]).toMatchObject({ active: true, protocol: "BGP", protocolNextHop: "10.255.0.2", label: 16, med: 0, localPref: 100, routeDistinguisher: "10.255.0.2:100", communities: "target:64512:100" });
  });
});

describe("| display xml", () => {
  const r = parseJunosRoute(localFixture("junos-route.xml"));

  it("reads route-information → route-table → rt → rt-entry → nh, namespaces and comments ignored", () => {
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows).toHaveLength(6);
    expect(r.rows.every((x) => x.form === "xml")).toBe(true);
    expect(r.rows[0]).toMatchObject({ line: 14, table: "inet.0", prefix: "0.0.0.0/0", protocol: "Static", preference: 5, ageSeconds: 2002269, nextHopCount: 2, nextHops: ">to 192.0.2.1 via ge-0/0/0.0; to 192.0.2.5 via ge-0/0/1.0" });
    expect(r.rows[1]).toMatchObject({ table: "CUST-A.inet.0", active: true, source: "10.169.25.19", asPath: "?", label: 16, tunnelType: "GRE", localPref: 100 });
    expect(r.rows[2]).toMatchObject({ active: false, source: "10.169.25.18" });
    expect(r.rows[3]).toMatchObject({ prefix: "10.47.255.238/32", nextHopType: "Local", nextHopVia: "irb.10" });
    expect(r.rows[4]).toMatchObject({ prefix: "19(S=0)", inLabel: 19, bottomOfStack: false, labelOperation: "Pop" });
    expect(r.rows[5]).toMatchObject({ prefix: "299808", lsp: "gw1-to-pe3", labels: "299792" });
  });

  it("a reply filtered down to rt-entry elements, entities, CDATA", () => {
    const x = parseJunosRoute(
      '<rt-entry xmlns:junos="http://xml.juniper.net/junos/12.3R3/junos">\n<active-tag>*</active-tag>\n<protocol-name>Static</protocol-name>\n' +
        "<preference>5</preference>\n<age junos:seconds=\"60\">00:01:00</age>\n<nh><selected-next-hop/><to>172.25.1.1</to><via><![CDATA[me0.0]]></via></nh>\n" +
        "<as-path>65000 &amp; I</as-path>\n</rt-entry>\n",
    );
    expect(x.errors).toEqual([]);
    expect(x.rows[0]).toMatchObject({ prefix: "", protocol: "Static", ageSeconds: 60, nextHopVia: "me0.0", nextHopTo: "172.25.1.1", asPath: "65000 & I" });
  });

  it("XML without any route element is an error; cut XML still gives the routes read", () => {
    expect(parseJunosRoute("<rpc-reply><foo/></rpc-reply>").errors).toHaveLength(1);
    const cut = localFixture("junos-route.xml").slice(0, 2400);
    const c = parseJunosRoute(cut);
    expect(c.errors).toEqual([]);
    expect(c.rows.length).toBeGreaterThan(0);
    expect(c.warnings.some((w) => /not closed/.test(w.message))).toBe(true);
  });
});

describe("| display json", () => {
  it("several next hops, learned-from, age seconds, a tunnel composite printed in `via`", () => {
    const nh = (sel: boolean, via: string, label?: string) => `{${sel ? '"selected-next-hop":[{"data":[null]}],' : ""}"via":[{"data":"${via}"}]${label ? `,"mpls-label":[{"data":"${label}"}]` : ""}}`;
    const j = parseJunosRoute(
      `{"route-information":[{"route-table":[{"table-name":[{"data":"vrf1.inet.0"}],"rt":[{"rt-destination":[{"data":"20.0.0.0/24"}],"rt-entry":[{"active-tag":[{"data":"*"}],"protocol-name":[{"data":"BGP"}],"preference":[{"data":"170"}],` +
        `"age":[{"data":"00:08:30","attributes":{"junos:seconds":"510"}}],"learned-from":[{"data":"1.1.1.2"}],"nh":[${nh(true, "Tunnel Composite, UDP (src 1.1.1.1 dest 1.1.1.2)", "Push 21")},${nh(false, "gr-0/0/0.32769", "Push 22")}]}]}]}]}]}\n{master}\n`,
    );
    expect(j.errors).toEqual([]);
    expect(j.rows[0]).toMatchObject({ form: "json", source: "1.1.1.2", ageSeconds: 510, tunnelType: "UDP", tunnelDestination: "1.1.1.2", label: 21, nextHopCount: 2, protocolNextHop: null });
    expect(junosNextHops(j.rows[0])[1]).toMatchObject({ selected: false, via: "gr-0/0/0.32769", tunnelType: "GRE", labels: [22] });
  });
});

describe("pasted text", () => {
  for (const name of ["junos-route-brief.txt", "junos-route-terse.txt", "junos-route-extensive.txt", "junos-route-misc.txt", "junos-route.xml", "junos-route-detail.txt", "junos-route-detail.json"]) {
    it(`${name}: the same rows when indented, with CRLF, and wrapped by an 80-column terminal`, () => {
      const text = localFixture(name);
      const base = parseJunosRoute(text);
      const variants = [
        text.split("\n").map((l) => "    " + l).join("\r\n"),
        terminalWrap(text),
        terminalWrap(text).split("\n").map((l) => "\t" + l).join("\r\n"),
      ];
      for (const v of variants) {
        const p = parseJunosRoute(v);
        expect(p.errors).toEqual([]);
        expect(sansLines(p.rows)).toEqual(sansLines(base.rows));
      }
    });
  }

  it("prompts, banners, [edit], pager lines, fences and author notes are skipped (warned), not errors", () => {
    const r = parseJunosRoute(
      [
        "```",
        "[edit]",
        "lab@mx# run show route table vrf1.inet.0",
        "",
        "vrf1.inet.0: 1 destinations, 1 routes (1 active, 0 holddown, 0 hidden)",
        "+ = Active Route, - = Last Active, * = Both",
        "",
        "# the route to the pod",
        "10.0.0.0/24        *[Direct/0] 00:13:02",
        "                    >  via jvknet1-509adaa",
        "---(more 45%)---",
        "...deleted...",
        "{master}[edit]",
        "```",
      ].join("\n"),
    );
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.commands).toEqual([{ line: 3, prompt: "lab@mx#", command: "run show route table vrf1.inet.0", tool: "junos-route" }]);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [1, "fence line skipped"],
      [8, "comment line skipped"],
      [11, "pager line skipped"],
      [12, "elision line skipped"],
      [14, "fence line skipped"],
    ]);
  });

  it("a table header wrapped before its `)`, a command line without a prompt", () => {
    const r = parseJunosRoute("show route 142.0.0.1\ninet.0: 720109 destinations, 762150 routes (720109 active, 0 holddown, 14 hidden\n)\n+ = Active Route, - = Last Active, * = Both\n142.0.0.0/20 *[BGP/170] 1w1d 17:34:37, localpref 180\n   AS path: 1299 13576 I, validation-state: unverified\n   > to 62.115.15.6 via ae3.0\n");
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ prefix: "142.0.0.0/20", localPref: 180, nextHopVia: "ae3.0" });
    expect(r.commands[0]).toMatchObject({ prompt: "", command: "show route 142.0.0.1" });
  });

  it("rows printed by `show route … hidden` are hidden", () => {
    const r = parseJunosRoute("user@host> show route hidden\ninet.0: 25 destinations, 26 routes (24 active, 0 holddown, 1 hidden)\nRestart Complete\n+ = Active Route, - = Last Active, * = Both\n127.0.0.1/32        [Direct/0] 04:26:38\n                    > via lo0.0\n");
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ prefix: "127.0.0.1/32", hidden: true, preference: 0 });
  });
});

describe("impossible values give a warning and null", () => {
  it("labels above 2^20-1, preferences and ages that cannot be", () => {
    const r = parseJunosRoute(
      "v.inet.0: 1 destinations, 1 routes (1 active, 0 holddown, 0 hidden)\n" +
        "10.0.0.0/24        *[BGP/99999999999] 25:99:99, localpref 99999999999999999999, from 1.1.1.2\n" +
        "                    > via gr-0/0/0.1, Push 99999999\n" +
        "10.0.0.0/99        *[BGP/170] 00:00:01\n" +
        "2001:db8::/129     *[BGP/170] 00:00:01\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings.filter((w) => /prefix length/.test(w.message)).map((w) => [w.line, w.message])).toEqual([
      [4, "prefix length 99 is above 32"],
      [5, "prefix length 129 is above 128"],
    ]);
    expect(r.rows[0]).toMatchObject({ preference: null, localPref: null, label: null, labels: null, ageSeconds: null, age: "25:99:99" });
    expect(r.warnings.map((w) => w.message)).toEqual(expect.arrayContaining([expect.stringMatching(/99999999999 is outside/), expect.stringMatching(/MPLS label 99999999/)]));
    for (const row of r.rows) for (const v of Object.values(row)) if (typeof v === "number") expect(Number.isFinite(v)).toBe(true);
  });
});

describe("helpers", () => {
  it("next hop notation round-trips", () => {
    for (const s of [">to 10.0.0.2 via ge-0/0/0.0, Push 16, Push 299792(top)", ">via Tunnel Composite, UDP (src 1.1.1.1 dest 1.1.1.2), Push 21", "Local via irb.10", "Discard", ">to table CUST-A.inet.0, Pop", "to 10.0.0.1 via ge-0/0/1.0 weight 0x1, Swap 20, label-switched-path a-b"]) {
      const h = parseJunosNextHop(s, () => {});
      expect(h).not.toBeNull();
      expect(formatJunosNextHop(h!)).toBe(s);
    }
  });

  it("ages, table names, mpls.0 prefixes, paste lines", () => {
    expect(ageToSeconds("2d 07:03:17")).toBe(198197);
    expect(ageToSeconds("1:10")).toBe(70);
    expect(ageToSeconds("3w2d")).toBe(1987200);
    expect(ageToSeconds("1d 25:00:00")).toBeNull();
    expect(tableParts("bgp.l3vpn.0")).toEqual({ family: "l3vpn", instance: null });
    expect(tableParts("__juniper_private1__.inet.0")).toEqual({ family: "inet", instance: "__juniper_private1__" });
    expect(mplsPrefix("299776(S=0)")).toEqual({ label: 299776, bottom: false });
    expect(mplsPrefix("9999999")).toBeNull();
    expect(classifyJunosPasteLine("{primary:node0}")).toMatchObject({ kind: "banner" });
    expect(classifyJunosPasteLine("10.0.0.0/24  *[Direct/0] 00:13:02")).toBeNull();
    expect(classifyJunosPasteLine("# = Forwarding Use Only")).toBeNull();
    expect(classifyJunosPasteLine("# ? 0.0.0.0/0          M 255                       >10.0.0.1")).toBeNull();
    expect(classifyJunosPasteLine("# the gateway's table")).toMatchObject({ kind: "comment" });
    expect(classifyJunosPasteLine("re0:")).toMatchObject({ kind: "banner" });
    expect(looksLikeJunosRoute("mpls.0: 6 destinations, 6 routes (6 active, 0 holddown, 0 hidden)")).toBe(true);
    expect(looksLikeJunosRoute("vif0/0      OS: eth0")).toBe(false);
  });
});
