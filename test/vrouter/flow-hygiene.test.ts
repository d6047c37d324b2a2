/**
 * Issue #11 items 1, 2 and 4 for `flow`: pasted output read through the one text hygiene layer
 * (lib/vrouter/hygiene.ts via lib/vrouter/flow/paste.ts), one class of input per test, from our own
 * examples; every skipped line is a warning naming its line (of the original input), errors are only for
 * lines that look like data and could not be read. `flow -r` and `flow --get` with both routes.
 */
import { describe, expect, it } from "vitest";
import { parseFlow, parseFlowColumns } from "../../lib/vrouter/flow";
import { fixture } from "./helpers";

const E1 =
  "   345212<=>493600       10.0.0.10:45                                        1 (2)\n" +
  "                         20.0.0.12:0\n" +
  "(Gen: 1, K(nh):2, Action:F, Flags:, QOS:-1, S(nh):20,  Stats:182/17836,\n" +
  " SPort 52076, TTL 0, Sinfo 7.0.0.0)\n";
const E2 =
  "   493600<=>345212       20.0.0.12:45                                        1 (2)\n" +
  "                         10.0.0.10:0\n" +
  "(Gen: 1, K(nh):2, Action:F, Flags:, QOS:-1, S(nh):23,  Stats:182/15288,\n" +
  " SPort 64915, TTL 0, Sinfo 0.0.0.0)\n";
const HEADER =
  "Flow table(size 161218560, entries 629760)\n\n" +
  "Entries: Created 6 Added 6 Deleted 10 Changed 10Processed 6 Used Overflow entries 0\n" +
  "(Created Flows/CPU: 0 0 6)(oflows 0)\n\n" +
  "Action:F=Forward, D=Drop N=NAT(S=SNAT, D=DNAT, Ps=SPAT, Pd=DPAT, L=Link Local Port)\n" +
  " Other:K(nh)=Key_Nexthop, S(nh)=RPF_Nexthop\n" +
  " Flags:E=Evicted, Ec=Evict Candidate, N=New Flow, M=Modified Dm=Delete Marked\n" +
  "TCP(r=reverse):S=SYN, F=FIN, R=RST, C=HalfClose, E=Established, D=Dead\n" +
  " Stats:Packets/Bytes\n\n" +
  "    Index                Source:Port/Destination:Port                      Proto(V)\n" +
  "-----------------------------------------------------------------------------------\n";

/** The two entries' index, packets and (original) line. */
function summary(text: string) {
  const r = parseFlow(text);
  return { rows: r.rows.map((x) => [x.index, x.packets, x.rpfNh, x.line]), errors: r.errors, r };
}

describe("flow pastes through the hygiene layer", () => {
  it("prompts of every shell, with `flow –l` (en dash) and `flow --match`: commands, no errors", () => {
    for (const prompt of [
      "bash-5.1# flow –l",
      "sh-4.2# flow -l",
      "(contrail-tools)[root@x /]$ flow -l",
      "(vrouter-agent-dpdk)[root@n /]$ flow --match 10.0.0.10",
      "[prod] root@host:~ # flow -l",
      "root@host:/opt/contrail/utils# flow -l",
      "$ docker exec vrouter_vrouter-agent_1 flow -l",
      "# flow -l",
    ]) {
      const { rows, errors, r } = summary(`${prompt}\n${HEADER}${E1}\n${E2}`);
      expect(errors, prompt).toEqual([]);
      expect(rows.map((x) => x[0]), prompt).toEqual([345212, 493600]);
      expect(r.commands[0].line, prompt).toBe(1);
      expect(r.commands[0].tool, prompt).toBe("flow");
      expect(r.header?.created, prompt).toBe(6);
    }
  });

  it("a block indented as a whole (spaces or a tab), under an unindented prompt too: original lines", () => {
    for (const pad of ["    ", "\t", "  "]) {
      const body = `${HEADER}${E1}\n${E2}`.split("\n").map((l) => (l === "" ? l : pad + l)).join("\n");
      const a = summary(body);
      expect(a.errors, JSON.stringify(pad)).toEqual([]);
      expect(a.rows.map((x) => x[1])).toEqual([182, 182]);
      const b = summary(`root@host:~# flow -l\n${body}`);
      expect(b.errors).toEqual([]);
      expect(b.rows.map((x) => x[3])).toEqual(a.rows.map((x) => (x[3] as number) + 1));
    }
  });

  it("double spacing (an empty line after every line) reads as the plain output", () => {
    const plain = `${HEADER}${E1}\n${E2}`;
    const doubled = plain.split("\n").join("\n\n");
    const r = summary(doubled);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x[0], x[1], x[2]])).toEqual(summary(plain).rows.map((x) => [x[0], x[1], x[2]]));
    // Lines are the doubled input's.
    expect(doubled.split("\n")[(r.rows[0][3] as number) - 1]).toContain("345212<=>493600");
  });

  it("`| grep -A`: `--` separators and partial records are warnings, never errors", () => {
    const text =
      "root@host:~# flow -l | grep -A3 10.0.0.10\n" +
      E1 +
      "--\n" +
      // A partial record: grep cut the entry line and the destination away.
      "(Gen: 1, K(nh):2, Action:F, Flags:, QOS:-1, S(nh):23,  Stats:182/15288,\n" +
      " SPort 64915, TTL 0, Sinfo 0.0.0.0)\n" +
      "--\n" +
      E2.split("\n").slice(0, 2).join("\n") +
      "\n";
    const r = parseFlow(text);
    expect(r.errors).toEqual([]);
    // The cut record (no attribute block) is kept with what it printed, and reported as a warning.
    expect(r.rows.map((x) => x.index)).toEqual([345212, 493600]);
    expect(r.warnings.some((w) => w.line === 10 && w.message.startsWith("partial record"))).toBe(true);
    const kinds = r.warnings.map((w) => [w.line, (w as { kind?: string }).kind ?? w.message.slice(0, 20)]);
    expect(kinds).toContainEqual([6, "grep-separator"]);
    expect(kinds).toContainEqual([9, "grep-separator"]);
    expect(r.warnings.some((w) => w.line === 7 && w.message.startsWith("partial record"))).toBe(true);
  });

  it("`#` comments, notes after data and elisions: skipped with a warning each (line and kind)", () => {
    const text =
      "# the forward flow\n" +
      E1.replace("1 (2)\n", "1 (2)   <-- the ping\n") +
      "\n...\n\n" +
      "# and the reverse one\n" +
      E2 +
      "--- snip ---\n";
    const r = parseFlow(text);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.index, x.vrf, x.extra])).toEqual([
      [345212, 2, null],
      [493600, 2, null],
    ]);
    const kinds = r.warnings.map((w) => [w.line, (w as { kind?: string }).kind]);
    expect(kinds).toEqual([
      [1, "comment"],
      [2, "note"],
      [7, "elision"],
      [9, "comment"],
      [14, "elision"],
    ]);
  });

  it("a wrapped legend: its continuation lines skipped (a pushed-down end of an item gives a warning)", () => {
    const text =
      "Action:F=Forward, D=Drop N=NAT(S=SNAT, D=DNAT, Ps=SPAT, Pd=DPAT, L=Link\n" +
      "Local Port)\n" +
      " Flags:E=Evicted, Ec=Evict Candidate, N=New Flow, M=Modified\n" +
      "Dm=Delete Marked\n" +
      E1;
    const r = parseFlow(text);
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
  });

  it("BOM, ANSI and CRLF together with a prompt and an indented block", () => {
    const text = `\ufeff\x1b[32mbash-5.1#\x1b[0m flow -l\r\n${`${E1}\n${E2}`.replace(/^/gm, "  ").replace(/\n/g, "\r\n")}`;
    const r = parseFlow(text);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.index, x.line])).toEqual([
      [345212, 2],
      [493600, 7],
    ]);
    expect(parseFlowColumns(Buffer.from(text)).columns.rows()).toStrictEqual(r.rows);
  });

  it("output as the tool prints it is read as before (no hygiene warnings)", () => {
    const r = parseFlow(`${HEADER}${E1}\n${E2}`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.header?.processed).toBe(6);
  });

  it("a line that looks like data and cannot be read stays an error (exit 1)", () => {
    const r = parseFlow(`bash-5.1# flow -l\n${E1}\n   123<=>456       1.2.3.4:x    6 (0)\n`);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([[7, "expected a port number after `:`"]]);
  });

  it("impossible values: a port above 65535 or an overflowing counter gives a warning, never Infinity or NaN", () => {
    const r = parseFlow(E1.replace("10.0.0.10:45", "10.0.0.10:99999").replace("Stats:182/17836", "Stats:182/99999999999999999999"));
    const row = r.rows[0];
    for (const v of Object.values(row)) if (typeof v === "number") expect(Number.isFinite(v)).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [1, "source port is out of range 0–65535"],
      [3, "unknown flow attribute kept in `extra`"],
    ]);
    expect(parseFlowColumns(E1.replace("10.0.0.10:45", "10.0.0.10:99999")).warnings).toHaveLength(1);
  });
});

describe("flow -r (flow setup rate)", () => {
  it("R1.x form, en-dash command, negative differences as printed", () => {
    const r = parseFlow(
      "# flow –r  \n" +
        "New =    2, Flow setup rate =    3 flows/sec, Flow rate =    3 flows/sec, for last  548 ms  \n" +
        "New =   -2, Flow setup rate =   -3 flows/sec, Flow rate =   -3 flows/sec, for last  541 ms  \n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([]);
    expect(r.rates.map((x) => [x.line, x.newFlows, x.setupRate, x.flowRate, x.periodMs])).toEqual([
      [2, 2, 3, 3, 548],
      [3, -2, -3, -3, 541],
    ]);
  });

  it("TF master form (flow_rate()), an overflowing number null with a warning", () => {
    const r = parseFlow(
      "2024-03-26 10:00:00.123:  Entries =      120 Rate =     40 (Fwd =       20 Rev =       20 Del =        0) Hold =        0 Free Burst Tokens =     1000 Total Hold Entries        0\n" +
        "2024-03-26 10:00:00.623:  Entries = 99999999999999999999 Rate =     40 (Fwd =       20 Rev =       20 Del =        0) Hold =        0 Free Burst Tokens =     1000 Total Hold Entries        0\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rates.map((x) => [x.time, x.entries, x.rate, x.fwd, x.freeBurstTokens])).toEqual([
      ["2024-03-26 10:00:00.123", 120, 40, 20, 1000],
      ["2024-03-26 10:00:00.623", null, 40, 20, 1000],
    ]);
    expect(r.warnings.map((w) => w.line)).toEqual([2]);
    expect(parseFlowColumns(Buffer.from("New = 1, Flow setup rate = 2 flows/sec, Flow rate = 2 flows/sec, for last 500 ms\n")).rates[0].flowRate).toBe(2);
  });
});

describe("flow --get with both routes", () => {
  it("the destination next hop is the Layer 3 route's; the Layer 2 route's is kept in extra", () => {
    const text = fixture("s3-3.txt").replace(
      "                              DestinationMAC: 52:54:0:f4:26:a1\n",
      "                              DestinationMAC: 52:54:0:f4:26:a1\n                              NextHop(Index, VRF, Type): 44, 0, L2_RECEIVE\n",
    );
    const r = parseFlow(text);
    expect(r.errors).toEqual([]);
    expect(r.rows[0].dstNh).toBe(25);
    expect(r.rows[0].dstNhType).toBe("ENCAP");
    expect(r.rows[0].extra).toContain("Destination Layer 2 NextHop: 44, 0, L2_RECEIVE");
    // Only a Layer 2 route printed (a bridged flow): its next hop stands in.
    const l2only = text.replace(/Layer 3 Route Information\n\s+Matching Route: 115\.115\.115\.4\/32\n\s+NextHop\(Index, VRF, Type\): 25, 0, ENCAP\n/, "");
    expect(parseFlow(l2only).rows[0].dstNh).toBe(44);
  });
});

describe("flow pasted into Markdown", () => {
  it("a bold sentence, a fence (or the `'''` typed for one), a prompt indented by a list item, other tools after", () => {
    const text =
      "**these entries show the ping both ways**\n" +
      "\n" +
      "  ```\n" +
      "  [root@node1 /]$ flow -l --match 10.0.0.10\n" +
      `${HEADER}${E1}\n${E2}\n` +
      "[root@node1 /]$ nh --get 20\n" +
      "Id:20         Type:Encap          Fmly: AF_INET  Rid:0  Ref_cnt:3          Vrf:2\n" +
      "  '''\n";
    const r = parseFlow(text);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => x.index)).toEqual([345212, 493600]);
    expect(r.commands.map((c) => [c.line, c.command])).toEqual([
      [4, "flow -l --match 10.0.0.10"],
      [28, "nh --get 20"],
    ]);
    const kinds = r.warnings.map((w) => (w as { kind?: string }).kind ?? "other");
    expect(kinds).toEqual(["markup", "prose", "markup", "other", "markup"]);
    // The same sentence, unbolded and without a full stop, is not skipped: it could be garbage.
    expect(parseFlow(`these entries show the ping both ways\n${E1}`).errors).toHaveLength(1);
  });
});

describe("flow output as test docstrings and wiki pages print it", () => {
  it("a vtest transcript: `----` under each command, `$utils/flow` behind a prompt, a legend and `Entries:` wrapped, continuation lines unindented, other tools after", () => {
    const text =
      "flow -l\n-------\n" +
      "[root@c0ffee vtest_py]# $utils/flow --sock-dir $sock -l\n" +
      "Flow table(size 161218560, entries 629760)\n\n" +
      "Entries: Created 0 Added 2 Deleted 0 Changed 1Processed 0\nUsed Overflow entries 3\n" +
      "(Created Flows/CPU: 0 0 0)(oflows 0)\n\n" +
      "Action:F=Forward, D=Drop \\\nN=NAT(S=SNAT, D=DNAT, Ps=SPAT, Pd=DPAT,\nL=Link Local Port)\n" +
      "Other:K(nh)=Key_Nexthop, S(nh)=RPF_Nexthop\n\n" +
      "Index                Source:Port/Destination:Port                  Proto(V)\n" +
      "---------------------------------------------------------------------------\n" +
      "7764<=>38530         1.0.0.3:4145                                   1 (5)\n" +
      "                     1.0.0.5:0\n" +
      "(Gen: 1, K(nh):38, Action:F, Flags:, QOS:-1, S(nh):38,  Stats:2/84,\n" +
      "SPort 52018, TTL 0, Sinfo 0.0.0.0)\n\n" +
      "mpls --dump\n-----------\n" +
      "[root@c0ffee vtest_py]# $utils/mpls --sock-dir $sock --dump\n" +
      "MPLS Input Label Map\n\n   Label    NextHop\n-------------------\n      42        44\n";
    const r = parseFlow(text);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.index, x.rindex, x.packets, x.udpSrcPort, x.line])).toEqual([[7764, 38530, 2, 52018, 17]]);
    expect([r.header?.processed, r.header?.overflowEntries]).toEqual([0, 3]);
    expect(r.commands.map((c) => c.tool)).toEqual(["flow", "flow", "mpls", "mpls"]);
  });

  it("an RST block indented by one space: `flow -l | grep -A 1`, the R2.x layout, the legend pasted as `#` comments", () => {
    const text =
      " flow -l | grep -A 1  10.9.8.7\n\n" +
      " Index              Source:Port           Destination:Port      Proto(V)\n" +
      " -----------------------------------------------------------------------\n" +
      " 4242            10.9.8.7:5555         10.9.8.1:443       6 (12)\n" +
      " (K(nh):17, Action:D(SG), S(nh):17,  Statistics:3/180 UdpSrcPort 61000)\n\n" +
      " # Action:F=Forward, D=Drop N=NAT(S=SNAT, D=DNAT, Ps=SPAT, Pd=DPAT, L=Link Local Port)\n" +
      " # Other:K(nh)=Key_Nexthop, S(nh)=RPF_Nexthop\n";
    const r = parseFlow(text);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.index, x.dstPort, x.action, x.packets, x.udpSrcPort, x.line])).toEqual([[4242, 443, "D(SG)", 3, 61000, 5]]);
    expect(r.warnings.map((w) => [w.line, (w as { kind?: string }).kind])).toEqual([
      [8, "comment"],
      [9, "comment"],
    ]);
  });
});

describe("flow --get pasted", () => {
  const get = fixture("s3-3.txt");
  for (const [name, text, firstLine] of [
    ["e-mail quoted (read as nothing at all without the hygiene: `>` taken for prompts)", get.replace(/^/gm, "> "), 2],
    ["double spaced", get.split("\n").join("\n\n"), 3],
    ["indented by a tab", get.replace(/^/gm, "\t"), 2],
    ["in a Markdown fence", `\`\`\`\n${get}\`\`\`\n`, 3],
  ] as const) {
    it(`${name}: the entry, its next hops, its original line`, () => {
      const r = parseFlow(text);
      expect(r.errors).toEqual([]);
      expect(r.rows.map((x) => [x.index, x.dstNh, x.expectedSrcNh, x.packets, x.line])).toEqual([[409632, 25, 107, 2, firstLine]]);
      expect(parseFlowColumns(Buffer.from(text)).columns.rows()).toStrictEqual(r.rows);
    });
  }
});
