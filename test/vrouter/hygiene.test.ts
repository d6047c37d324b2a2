/**
 * The text hygiene layer (lib/vrouter/hygiene.ts), class by class, on self-written examples of how people
 * paste vRouter output. Each test would fail without the rule it names.
 */
import { describe, expect, it } from "vitest";
import { cleanLines, cleanText, isElision, isProse, noteStart, parseShellLine, readTranscript, remapProblem } from "../../lib/vrouter/hygiene";
import { checkedInt, RANGES } from "../../lib/vrouter/values";
import { parseMpls } from "../../lib/vrouter/mpls";
import { parseNh } from "../../lib/vrouter/nh";
import { parseRt } from "../../lib/vrouter/rt";
import { parseVif } from "../../lib/vrouter/vif";
import { parseVxlan } from "../../lib/vrouter/vxlan";
import { parseDropstats } from "../../lib/vrouter/dropstats";
import { detectKind, parseTranscript } from "../../lib/vrouter/detect";

const MPLS = "MPLS Input Label Map\n\n   Label    NextHop\n-------------------\n      16        9\n";
const NH =
  "Id:21         Type:Tunnel         Fmly: AF_INET  Rid:0  Ref_cnt:2          Vrf:0\n" +
  "              Flags:Valid, MPLSoUDP, Etree Root,\n" +
  "              Oif:0 Len:14 Data:00 1b 21 bb f9 46 00 1b 21 bb f9 48 08 00\n" +
  "              Sip:10.0.0.2 Dip:10.0.0.3\n";
const VIF =
  "vif0/4      OS: tap1234 NH: 30\n" +
  "            Type:Virtual HWaddr:00:00:5e:00:01:00 IPaddr:10.1.1.4\n" +
  "            Vrf:2 Mcast Vrf:2 Flags:PL3L2DEr QOS:-1 Ref:6\n" +
  "            RX packets:10  bytes:840 errors:0\n" +
  "            TX packets:12  bytes:1008 errors:0\n" +
  "            Drops:1\n";
const RT =
  "Flags: L=Label Valid, P=Proxy ARP, T=Trap ARP, F=Flood ARP\n" +
  "vRouter inet4 routing table 0/2/unicast\n" +
  "Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)\n" +
  "10.1.1.4/32            32            P          -             30        2:0:0:0:0:1(12)\n" +
  "10.1.2.0/24             0           LP         25             21        -\n";

const kinds = (ws: { kind?: string }[]): (string | undefined)[] => ws.map((w) => w.kind);

describe("prompts of every shell", () => {
  const prompts = [
    "bash-5.1#",
    "sh-4.2#",
    "(contrail-tools)[root@x /]$",
    "(vrouter-agent-dpdk)[root@n /]$",
    "[prod] root@host:~ #",
    "[prod] root@host:~#",
    "root@host:/opt/contrail/utils#",
    "[heat-admin@overcloud-comp-0 ~]$",
    "compute-1:~ #",
    "(pyenv-openstack) [prod] root@m1:ansible#",
    "$",
    "#",
  ];
  for (const p of prompts) {
    it(`${p} mpls --dump: the command is recorded, its output read, nothing is an error`, () => {
      const r = parseMpls(`${p} mpls --dump\n${MPLS}`);
      expect(r.errors).toEqual([]);
      expect(r.rows).toEqual([{ line: 6, label: 16, nh: 9 }]);
      expect(r.commands).toEqual([{ line: 1, prompt: p, command: "mpls --dump", tool: "mpls" }]);
    });
  }

  it("a Junos prompt (`user@mx> show route …`) opens a section the vRouter parsers skip", () => {
    const r = parseMpls(`${MPLS}user@mx> show route table bgp.l3vpn.0\nbgp.l3vpn.0: 3 destinations, 3 routes\n`);
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.commands[0]).toMatchObject({ prompt: "user@mx>", tool: "junos-route" });
    expect(r.warnings.map((w) => w.message)).toEqual(["skipped 1 line(s) of `show route table bgp.l3vpn.0` output: not mpls"]);
  });

  it("a bare prompt at the end of the paste ends the output (no error)", () => {
    const r = parseNh(`${NH}[prod] root@i1-hyp:~ #\n`);
    expect(r.errors).toEqual([]);
    expect(r.rows[0].dip).toBe("10.0.0.3");
    expect(r.commands).toEqual([{ line: 5, prompt: "[prod] root@i1-hyp:~ #", command: "", tool: null }]);
  });

  it("recognises shell lines, tools behind wrappers and nhchain", () => {
    expect(parseShellLine("bash-5.1# nhchain --get 51")).toEqual({ prompt: "bash-5.1#", command: "nhchain --get 51", tool: "nh" });
    expect(parseShellLine("sh-4.2$ docker exec vrouter_vrouter-agent_1 vif --list")).toMatchObject({ tool: "vif" });
    expect(parseShellLine("kubectl exec -it vrouter-x -- rt --dump 0")).toBeNull(); // output text, not a prompt
    expect(parseShellLine("$utils/vxlan --dump")).toEqual({ prompt: "", command: "$utils/vxlan --dump", tool: "vxlan" });
    expect(parseShellLine("Id:21  Type:Tunnel")).toBeNull();
    expect(parseShellLine("vif0/3      OS: tap1")).toBeNull();
  });
});

describe("commands typed with an en dash or through a pipe", () => {
  it("`rt –dump 3 –family inet6` gives the table's VRF and family", () => {
    const r = parseRt("# rt \u2013dump 3 \u2013family inet6\nfd00::/64   0   T   -   5   -\n");
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ vrf: 3, family: "inet6", prefix: "fd00::/64", nh: 5 });
  });

  it("`vif –get 4` is a vif command (tool found behind the en dash)", () => {
    expect(readTranscript("# vif \u2013get 4\n").commands[0].tool).toBe("vif");
    expect(readTranscript("$ flow \u2013l\n").commands[0].tool).toBe("flow");
  });

  it("`| grep -A`: `--` separators are warnings, a record cut by the filter is a warning, not an error", () => {
    const text =
      "# vif --list | grep -A 3 tap\n" +
      "vif0/4      OS: tap1234 NH: 30\n            Type:Virtual HWaddr:00:00:5e:00:01:00 IPaddr:10.1.1.4\n" +
      "            Vrf:2 Mcast Vrf:2 Flags:PL3L2DEr QOS:-1 Ref:6\n            RX packets:10  bytes:840 errors:0\n" +
      "--\n" +
      "            TX packets:3  bytes:300 errors:0\n" +
      "vif0/5      OS: tap5678 NH: 31\n";
    const r = parseVif(text);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.name, x.vrf])).toEqual([["vif0/4", 2], ["vif0/5", null]]);
    expect(r.warnings.find((w) => w.line === 6)).toMatchObject({ kind: "grep-separator", column: 1 });
  });

  it("an nh record cut by `grep -B` (continuation lines without their `Id:`) is a warning", () => {
    const r = parseNh(`# nh --list | grep -B 1 Dip\n              Oif:0 Len:14 Data:00 1b\n              Sip:1.1.1.1 Dip:2.2.2.2\n--\n${NH}`);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => x.id)).toEqual([21]);
    expect(r.warnings.filter((w) => /partial record/.test(w.message)).map((w) => w.line)).toEqual([2, 3]);
  });

  it("`grep -n` prefixes are removed and the columns still point into the original line", () => {
    const r = parseMpls("# mpls --dump | grep -n 1\n5:      16        9\n6-junk\n");
    expect(r.rows).toEqual([{ line: 2, label: 16, nh: 9 }]);
    expect(r.errors).toEqual([{ line: 3, column: 3, message: "unexpected line: expected a `Label  NextHop` row of two numbers", text: "junk" }]);
  });
});

describe("a block indented as a whole", () => {
  const indent = (text: string, by: string): string =>
    text
      .split("\n")
      .map((l) => (l === "" ? l : by + l))
      .join("\n");

  for (const [name, by] of [
    ["Markdown 4 spaces", "    "],
    ["RST 1 space", " "],
    ["a tab", "\t"],
    ["8 spaces", "        "],
    ["e-mail quoting", "> "],
    ["nested e-mail quoting", "> > "],
  ] as const) {
    it(`${name}: nh records keep their own continuation indentation`, () => {
      const r = parseNh(indent(`$ nh --get 21\n${NH}`, by));
      expect(r.errors).toEqual([]);
      expect(r.rows).toHaveLength(1);
      expect(r.rows[0]).toMatchObject({ id: 21, line: 2, oif: 0, sip: "10.0.0.2", dip: "10.0.0.3", tunnelType: "MPLSoUDP" });
      expect(r.commands[0]).toMatchObject({ line: 1, command: "nh --get 21" });
    });
    it(`${name}: vif records and rt columns read as unindented`, () => {
      const v = parseVif(indent(VIF, by));
      expect(v.errors).toEqual([]);
      expect(v.rows[0]).toMatchObject({ name: "vif0/4", vrf: 2, drops: 1, txBytes: 1008 });
      const r = parseRt(indent(RT, by));
      expect(r.errors).toEqual([]);
      expect(r.rows.map((x) => [x.prefix, x.label, x.nh, x.stitchedIndex])).toEqual([["10.1.1.4/32", null, 30, 12], ["10.1.2.0/24", 25, 21, null]]);
    });
  }

  it("output indented under an unindented prompt line is dedented per command", () => {
    const v = parseVif(`$ vif --get 4\n${indent(VIF, "    ")}$ nh --get 21\n${indent(NH, "  ")}`);
    expect(v.errors).toEqual([]);
    expect(v.rows[0]).toMatchObject({ name: "vif0/4", line: 2, vrf: 2, drops: 1 });
    const n = parseNh(`$ vif --get 4\n${indent(VIF, "    ")}$ nh --get 21\n${indent(NH, "  ")}`);
    expect(n.errors).toEqual([]);
    expect(n.rows[0]).toMatchObject({ id: 21, line: 9, dip: "10.0.0.3" });
  });

  it("an error in an indented block names the column of the original line", () => {
    const r = parseMpls("    MPLS Input Label Map\n    junk here\n");
    expect(r.errors[0]).toMatchObject({ line: 2, column: 5 });
    expect(r.warnings).toEqual([]); // indentation is undone silently: nothing was skipped
  });

  it("lines the format indents by itself (a grep of continuation lines only) are not dedented past 8", () => {
    const t = readTranscript("            RX packets:10  bytes:840 errors:0\n            Drops:1\n");
    expect(t.offset).toEqual([0, 0]);
  });
});

describe("double spacing", () => {
  it("an empty line after every line is undone; 2+ empty lines still separate records", () => {
    const spaced = (s: string): string => s.split("\n").filter((l) => l !== "").join("\n\n") + "\n";
    const r = parseNh(`# nh --list\n\n${spaced(NH)}\n\n\n${spaced(NH.replace("Id:21", "Id:22"))}`);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.id, x.line, x.dip])).toEqual([[21, 3, "10.0.0.3"], [22, 13, "10.0.0.3"]]);
    const v = parseVif(spaced(VIF));
    expect(v.errors).toEqual([]);
    expect(v.rows[0]).toMatchObject({ vrf: 2, rxPackets: 10, drops: 1 });
  });
});

describe("elisions, comments, notes, prose, markup", () => {
  it("elisions of every shape are warnings", () => {
    for (const e of ["...", "\u2026", "[...]", "--- snip ---", "-- snip --", "<snip>", "..deleted..", "...deleted..", "<output omitted>", "[output truncated]", "(lines removed)"]) {
      expect(isElision(e), e).toBe(true);
      const r = parseMpls(`${MPLS}${e}\n      17       11\n`);
      expect(r.errors, e).toEqual([]);
      expect(r.rows.map((x) => x.label), e).toEqual([16, 17]);
      expect(kinds(r.warnings), e).toEqual(["elision"]);
    }
    expect(isElision("-------------------")).toBe(false);
    expect(isElision("snip")).toBe(false);
  });

  it("a `#` comment between outputs is a warning and never swallows the output after it", () => {
    const r = parseRt(`# here is VRF 2, taken on compute-3\n${RT}# and the same on compute-4:\n10.1.3.0/24             0           LP         26             22        -\n`);
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => x.prefix)).toEqual(["10.1.1.4/32", "10.1.2.0/24", "10.1.3.0/24"]);
    expect(r.warnings.map((w) => [w.line, w.kind])).toEqual([[1, "comment"], [7, "comment"]]);
    expect(r.commands).toEqual([]);
    expect(parseShellLine("#comment")).toBe("comment");
    expect(parseShellLine("# rt --dump 2")).toMatchObject({ tool: "rt" });
    expect(parseShellLine("# ip route show")).toMatchObject({ command: "ip route show", tool: null });
  });

  it("notes after the data (`---> x`, `<-- x`, `<== x`, `==> x`) are cut off and reported", () => {
    const r = parseVxlan("VXLAN Table\n\nVNID    NextHop\n----------------\n    4    14     <-- the VN\n    5    15 <== second\n    6    16 ==> third\n---> a note on its own\n");
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.vnid, x.nh])).toEqual([[4, 14], [5, 15], [6, 16]]);
    expect(r.warnings.map((w) => [w.line, w.column, w.kind, w.text])).toEqual([
      [5, 17, "note", "<-- the VN"],
      [6, 13, "note", "<== second"],
      [7, 13, "note", "==> third"],
      [8, 1, "note", "---> a note on its own"],
    ]);
    // Arrows the tools print themselves are no notes.
    expect(noteStart("FRR State: 0 -> 1 FRR Updates: 0")).toBe(-1);
    expect(noteStart("   263484<=>379480       1.1.1.252:1203")).toBe(-1);
    expect(noteStart("-------------------")).toBe(-1);
  });

  it("a sentence written between outputs is skipped with a warning; tool headers are not sentences", () => {
    const r = parseMpls(`The label map on compute-3 looks like this:\n${MPLS}`);
    expect(r.errors).toEqual([]);
    expect(kinds(r.warnings)).toEqual(["prose"]);
    expect(isProse("MPLS Input Label Map")).toBe(false);
    expect(isProse("Vrouter Interface Table")).toBe(false);
    expect(isProse("Nowhere to go                 0")).toBe(false);
    expect(isProse("Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)")).toBe(false);
  });

  it("Markdown fences, bold and a leading `|` are markup, removed without moving columns", () => {
    const r = parseNh("```\n" + NH.replace("Sip:10.0.0.2 Dip:10.0.0.3", "**Sip:10.0.0.2 Dip:10.0.0.3**") + "```\n");
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ sip: "10.0.0.2", dip: "10.0.0.3" });
    expect(kinds(r.warnings)).toEqual(["markup", "markup", "markup"]);
  });
});

describe("legends, BOM, ANSI, CRLF", () => {
  it("a legend line wrapped by the page is skipped with a warning", () => {
    const r = parseRt(
      "Flags: L=Label Valid, P=Proxy ARP, T=Trap ARP, F=Flood ARP, Ml=MAC-IP\nlearnt route\nvRouter inet4 routing table 0/2/unicast\n" +
        "Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)\n10.1.2.0/24             0           LP         25             21        -\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.warnings.map((w) => [w.line, w.kind])).toEqual([[2, "legend"]]);
  });

  it("a vif legend wrapped mid-item by the page: the fragment and the items after it are legend", () => {
    const r = parseVif(
      "Vrouter Interface Table\n\nFlags: P=Policy, X=Cross Connect, S=Service Chain, Mr=Receive\nMirror, Mt=Transmit Mirror, Tc=Transmit Checksum Offload, L3=Layer 3, L2=Layer\n2, D=DHCP, Vp=Vhost Physical\n\n" +
        VIF,
    );
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.warnings.map((w) => [w.line, w.kind])).toEqual([[4, "legend"], [5, "legend"]]);
  });

  it("BOM, ANSI colours and CRLF are invisible to the parser; line numbers stay the input's", () => {
    const text = "\uFEFF\x1b[1;32mbash-5.1#\x1b[0m mpls --dump\r\n" + MPLS.replace(/\n/g, "\r\n");
    const r = parseMpls(text);
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ line: 6, label: 16, nh: 9 }]);
    expect(r.commands[0]).toMatchObject({ prompt: "bash-5.1#", command: "mpls --dump" });
  });
});

describe("impossible values: a warning and null, never Infinity/NaN", () => {
  it("checkedInt", () => {
    expect(checkedInt("65535", RANGES.port)).toEqual({ value: 65535, problem: null });
    expect(checkedInt("65536", RANGES.port).value).toBeNull();
    expect(checkedInt("9".repeat(400), RANGES.count)).toMatchObject({ value: null });
    expect(checkedInt("-1", RANGES.count).value).toBeNull();
    expect(checkedInt("abc", RANGES.count)).toEqual({ value: null, problem: null });
  });

  it("in every parser", () => {
    const m = parseMpls("  2000000   9\n");
    expect(m.rows).toEqual([{ line: 1, label: null, nh: 9 }]);
    expect(m.warnings[0]).toMatchObject({ kind: "value", line: 1 });
    const x = parseVxlan("  16777216   9\n");
    expect(x.rows[0].vnid).toBeNull();
    const d = parseDropstats("Invalid NH    " + "9".repeat(30) + "\nPCOW fails    -3\n");
    expect(d.rows.map((r) => r.value)).toEqual([null, null]);
    expect(kinds(d.warnings)).toEqual(["value", "value"]);
    const r = parseRt("10.0.0.0/40    40   LP   5   7   -\nfd00::/129   0   -   8   -\n");
    expect(r.rows.map((x) => x.prefixLen)).toEqual([null, null]);
    expect(r.errors).toEqual([]);
    const n = parseNh("Id:5 Type:Tunnel Fmly: AF_INET Rid:0 Ref_cnt:1 Vrf:0\n   Flags:Valid, Vxlan,\n   Oif:0 Len:14 Data:00\n   Sip:1.1.1.1 Dip:2.2.2.2 Sport:70000 Dport:4789\n");
    expect(n.rows[0]).toMatchObject({ sport: null, dport: 4789 });
    expect(n.errors).toEqual([]);
    const v = parseVif(VIF.replace("packets:10", "packets:-10").replace("bytes:1008", `bytes:${"9".repeat(25)}`));
    expect(v.rows[0]).toMatchObject({ rxPackets: null, txBytes: null });
    expect(kinds(v.warnings)).toEqual(["value", "value"]);
    for (const res of [m, x, d, r, n, v]) expect(JSON.stringify(res.rows)).not.toMatch(/Infinity|NaN/);
  });
});

describe("the hook for whole-text parsers and the dispatchers", () => {
  it("cleanText gives the cleaned string and maps problems back to the original lines/columns", () => {
    const c = cleanText("    bash-5.1# flow -l\n    Flow table(size 1, entries 2)\n    ---snip---\n       12<=>34   1.1.1.1:1\n", "flow");
    expect(c.text).toBe("Flow table(size 1, entries 2)\n   12<=>34   1.1.1.1:1\n\n");
    expect(c.lineOf).toEqual([2, 4, 5]);
    expect(remapProblem(c, { line: 2, column: 4, message: "x", text: "" })).toMatchObject({ line: 4, column: 8 });
    expect(c.commands[0]).toMatchObject({ prompt: "bash-5.1#", tool: "flow" });
    expect(kinds(c.warnings)).toEqual(["elision"]);
  });

  it("cleanLines can leave indentation and legends to the parser", () => {
    const keep = cleanLines("  Flags:E=Evicted, N=New Flow\n  x\n", "flow", { dedent: false, legends: false });
    expect(keep.lines.filter((l) => !l.boundary).map((l) => l.text)).toEqual(["  Flags:E=Evicted, N=New Flow", "  x"]);
  });

  it("detectKind and parseTranscript read through the hygiene layer", () => {
    expect(detectKind("> bash-5.1# nhchain --get 51\n> Id:51 Type:Composite\n")).toBe("nh");
    expect(detectKind("    vif0/3      OS: tap1\n")).toBe("vif");
    expect(detectKind("# sample output\n Id:5  Type:Drop  Fmly: AF_INET\n")).toBe("nh");
    const t = parseTranscript(`sh-4.2# mpls --get 16\n${MPLS}# the next hop:\nsh-4.2# nh --get 21\n${NH}`);
    expect(Object.keys(t)).toEqual(["mpls", "nh"]);
    expect(t.mpls?.errors).toEqual([]);
    expect(t.nh?.rows).toHaveLength(1);
  });
});

describe("what authors and shells leave in a transcript", () => {
  const T =
    "  # on the compute node of the left VM\n" +
    "```\n" +
    "(venv) [prod] root@hyp-7:~ # ` mc_contrail rt --dump 7 --family inet | head `\n" +
    "Flags: L=Label Valid, P=Proxy ARP, T=Trap ARP, F=Flood ARP\n" +
    "vRouter inet4 routing table 0/7/unicast\n" +
    "Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)\n" +
    "0.1.0.0/16              0                       -              0        -\n" +
    ":\n" +
    "[prod] root@hyp-7:~ # ` mc_contrail rt --dump 7 --family inet | grep 10.9.9.3/32 `\n" +
    "10.9.9.3/32            32           LP         65             29:        -\n" +
    "[prod] root@hyp-7:~ # ` mc_contrail mpls --get 65 `\n" +
    "MPLS Input Label Map\n\n   Label    NextHop\n-------------------\n      65       110:\n" +
    "You have mail in /var/spool/mail/root\n" +
    "[prod] root@hyp-7:~ # ` mc_contrail nh --get 110 `\n" +
    "Id:110        Type:Encap          Fmly: AF_INET  Rid:0  Ref_cnt:13         Vrf:12\n" +
    "              Flags:Valid, Policy, Etree Root,\n" +
    "              EncapFmly:0806 Oif:9: Len:14\n" +
    "              Encap Data: 02 f5 71 51 39 f1 00 00 5e 00 01 00 08 00\n" +
    "Next-hop 110 \u2192 vif0/9 (the VM)\n" +
    "[prod] root@hyp-7:~ # ` vif --get 9 `\n" +
    "vif0/9      OS: tapf5715139-f1 NH: 110\n" +
    "            Type:Virtual HWaddr:00:00:5e:00:01:00 IPaddr:10.9.9.4:\n" +
    "            Vrf:12: Mcast Vrf:12 Flags:PL3L2DEr QOS:-1 Ref:6\n" +
    "```\n";

  it("backticked commands, `(venv) [tag]` prompts, pager `:`, shell mail notices, drawn arrows, stray `:` after numbers", () => {
    const t = parseTranscript(T);
    expect(Object.keys(t)).toEqual(["rt", "mpls", "nh", "vif"]);
    for (const r of Object.values(t)) expect(r?.errors).toEqual([]);
    expect(t.rt?.rows.map((x) => [(x as { prefix: string }).prefix, (x as { nh: number }).nh, (x as { vrf: number }).vrf])).toEqual([["0.1.0.0/16", 0, 7], ["10.9.9.3/32", 29, 7]]);
    expect(t.mpls?.rows).toEqual([{ line: 16, label: 65, nh: 110 }]);
    expect(t.nh?.rows[0]).toMatchObject({ id: 110, oif: 9, encapLen: 14 });
    expect(t.vif?.rows[0]).toMatchObject({ ipAddr: "10.9.9.4", vrf: 12 });
    const w = t.rt?.warnings ?? [];
    expect(w.filter((x) => x.kind !== undefined).map((x) => [x.line, x.kind])).toEqual([
      [1, "comment"], [2, "markup"], [8, "pager"], [10, "stray"], [28, "markup"],
    ]);
    expect(t.nh?.warnings.find((x) => x.line === 23)).toMatchObject({ kind: "prose" });
    expect(t.mpls?.warnings.find((x) => x.line === 17)).toMatchObject({ kind: "shell" });
    expect(readTranscript(T).commands[0]).toMatchObject({ prompt: "(venv) [prod] root@hyp-7:~ #", command: "mc_contrail rt --dump 7 --family inet | head", tool: "rt" });
  });

  it("stray colons are read only where a parser asks for it (a Junos `inet.0: 3 destinations` keeps its colon)", () => {
    const t = "inet.0: 3 destinations, 3 routes\n";
    expect(cleanLines(t, "junos-route").lines[0].text).toBe("inet.0: 3 destinations, 3 routes");
    expect(cleanLines(t, "junos-route", { strayColons: true }).lines[0].text).toBe("inet.0  3 destinations, 3 routes");
  });
});

describe("a prompt indented by a Markdown list item, a `'''` fence, a bold sentence", () => {
  it("the indented `user@host` prompt opens its command's section; `'''` is markup; `prose: \"punctuated\"` keeps bold sentences out", () => {
    const t = readTranscript("  [root@n1 /]$ mpls --dump\nMPLS Input Label Map\n  '''\n");
    expect(t.commands.map((c) => [c.line, c.command, c.tool])).toEqual([[1, "mpls --dump", "mpls"]]);
    expect(t.skipped[2]).toBe(true);
    // An indented bare `$ x` or `# x` stays output / a comment (a format may indent such a line).
    expect(readTranscript("  $ mpls --dump\nMPLS Input Label Map\n").commands).toEqual([]);
    const bold = cleanLines("**the labels of this node are below**\nnh --get 1\nId:1  Type:Drop\n", "nh", { prose: "punctuated" });
    expect(bold.warnings.map((w) => (w as { kind?: string }).kind)).toContain("prose");
    const plain = cleanLines("the labels of this node are below\n", "nh", { prose: "punctuated" });
    expect(plain.lines.filter((l) => !l.boundary).map((l) => l.text)).toEqual(["the labels of this node are below"]);
  });
});
