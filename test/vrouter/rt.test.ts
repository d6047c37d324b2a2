import { describe, expect, it } from "vitest";
import { parseRt } from "../../lib/vrouter/rt";
import { fixture } from "./helpers";

describe("parseRt", () => {
  it("S3 rt --dump 0 --family inet: PT/P flags, no label, a stitched MAC", () => {
    const r = parseRt(fixture("s3-1.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(11);
    expect(r.rows.map((x) => [x.prefix, x.ppl, x.flags, x.label, x.nh])).toEqual([
      ["105.105.105.1/32", 32, "PT", null, 13],
      ["105.105.105.2/32", 32, "PT", null, 13],
      ["105.105.105.3/32", 32, "P", null, 107],
      ["105.105.105.4/32", 32, "P", null, 106],
      ["115.115.115.1/32", 32, "PT", null, 13],
      ["115.115.115.2/32", 32, "PT", null, 13],
      ["115.115.115.3/32", 32, "P", null, 124],
      ["115.115.115.4/32", 32, "PT", null, 25],
      ["169.254.0.1/32", 32, "PT", null, 5],
      ["169.254.0.3/32", 32, "PT", null, 48],
      ["169.254.0.4/32", 32, "PT", null, 68],
    ]);
    expect(r.rows[7]).toMatchObject({ family: "inet", vrf: 0, address: "115.115.115.4", prefixLen: 32, proxyArp: true, trapArp: true, labelValid: false, stitchedMac: "52:54:0:f4:26:a1", stitchedIndex: 178584 });
  });

  it("S7 rt --get (LPM result, truncated row): label by column, VRF and match from the Match line", () => {
    const r = parseRt(fixture("s7-1.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ family: "inet", vrf: 2, match: "10.0.3.99/32", prefix: "10.0.3.0/24", ppl: 0, flags: "LP", labelValid: true, label: 23, nh: null });
    expect(r.warnings.map((w) => w.message)).toEqual(["skipped 7 line(s) of `vif --list | grep 10.0.1.10 -C 3` output: not rt", "route 10.0.3.0/24: no Nexthop column (truncated row?)"]);
  });

  it("S5 R2.x: empty inet table with a TAB header, old bridge table", () => {
    const r = parseRt(fixture("s5-1.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.family, x.vrf, x.index, x.mac, x.flags, x.dhcpFlood, x.labelValid, x.label, x.nh])).toEqual([
      ["bridge", 24, 19128, "ff:ff:ff:ff:ff:ff", "LDf", true, true, 38, 605],
      ["bridge", 24, 32880, "c:c4:7a:57:e:40", "Df", true, false, null, 3],
      ["bridge", 24, 203288, "2:fd:e:b3:63:b0", "Df", true, false, null, 587],
      ["bridge", 24, 228256, "2:4a:ec:30:b3:37", "LDf", true, true, 66, 121],
      ["bridge", 24, 250296, "0:0:5e:0:1:0", "Df", true, false, null, 3],
    ]);
  });

  it("S13 vtest grep output without a title: VRF from the command, T flag", () => {
    const r = parseRt(fixture("s13-1.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ prefix: "8.0.0.2/32", vrf: 0, ppl: 32, flags: "T", trapArp: true, label: null, nh: 10 });
    const r2 = parseRt(fixture("s13-2.txt"));
    expect(r2.rows[0]).toMatchObject({ prefix: "1.1.1.5/32", vrf: 0, flags: "P", nh: 51 });
  });

  it("empty Flags column, labels, IPv6 prefixes longer than the column, TF bridge rows with stats", () => {
    const r = parseRt(
      "Flags: L=Label Valid, P=Proxy ARP, T=Trap ARP, F=Flood ARP, Ml=MAC-IP learnt route\n" +
      "vRouter inet4 routing table 0/2/unicast\n" +
      "Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)\n" +
      "10.99.225.17/32        32           LP         38             21        -\n" +
      "10.47.0.0/12            0                       -              1        -\n" +
      "0.0.0.0/0               0           LP         20             61        -\n" +
      "vRouter inet6 routing table 0/2/unicast\n" +
      "Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)\n" +
      "fd00:1234:5678:9abc::10/128    0           LP         45             33        2:0:0:0:0:1(77)\n" +
      "vRouter bridge table 0/2\n" +
      "Index       DestMac                  Flags           Label/VNID      Nexthop           Stats\n" +
      "1544        2:c2:23:4c:d0:55                   L2c            38          44               7\n" +
      "98812       ff:ff:ff:ff:ff:ff                                 -           3                0\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.family, x.vrf, x.prefix ?? x.mac, x.ppl, x.flags, x.label, x.nh, x.packets, x.stitchedIndex])).toEqual([
      ["inet", 2, "10.99.225.17/32", 32, "LP", 38, 21, null, null],
      ["inet", 2, "10.47.0.0/12", 0, "", null, 1, null, null],
      ["inet", 2, "0.0.0.0/0", 0, "LP", 20, 61, null, null],
      ["inet6", 2, "fd00:1234:5678:9abc::10/128", 0, "LP", 45, 33, null, 77],
      ["bridge", 2, "2:c2:23:4c:d0:55", null, "L2c", 38, 44, 7, null],
      ["bridge", 2, "ff:ff:ff:ff:ff:ff", null, "", null, 3, 0, null],
    ]);
  });

  it("garbage and bad columns → errors with line/column", () => {
    const r = parseRt("10.0.0.0/8  x  y  z\nnot a route\n");
    expect(r.rows).toEqual([]);
    expect(r.errors).toEqual([
      { line: 1, column: 13, message: "route 10.0.0.0/8: columns do not match `PPL Flags Label Nexthop MAC`", text: "10.0.0.0/8  x  y  z" },
      { line: 2, column: 1, message: "unexpected line: expected a route row (`prefix/len  PPL  Flags  Label  Nexthop …`)", text: "not a route" },
    ]);
  });

  it("rt --get of an inet6 / SRv6 locator: the Match line, a prefix wider than the column, `--family inet6`", () => {
    const r = parseRt(
      "bash-5.1# rt --get fd00:bb01:400:e003::/128 --vrf 3 --family inet6\n" +
        "Match fd00:bb01:400:e003::/128 in vRouter inet6 table 0/3/unicast\n\n" +
        "Flags: L=Label Valid, P=Proxy ARP, T=Trap ARP, F=Flood ARP, Ml=MAC-IP learnt route\n" +
        "vRouter inet6 routing table 0/3/unicast\n" +
        "Destination           PPL        Flags        Label         Nexthop    Stitched MAC(Index)\n" +
        "fd00:bb01:400:e003::/64   0            T          -             32        -\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({ family: "inet6", vrf: 3, match: "fd00:bb01:400:e003::/128", prefix: "fd00:bb01:400:e003::/64", prefixLen: 64, ppl: 0, flags: "T", trapArp: true, label: null, nh: 32 });
  });

  it("the multicast table (`rt --dump 0 --table mcst`): (Src,Group) rows", () => {
    const r = parseRt("# rt --dump 0 --table mcst\n\nKernel IP routing table 0/0/multicast\n\n(Src,Group)                                  Nexthop\n\n0.0.0.0,255.255.255.255         7\n0.0.0.0,224.0.0.251\n");
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.prefix, x.vrf, x.nh])).toEqual([["0.0.0.0,255.255.255.255", 0, 7], ["0.0.0.0,224.0.0.251", 0, null]]);
    expect(r.warnings.map((w) => w.line)).toEqual([8]);
  });

  it("help text (`rt –help`) is skipped as a whole with one warning", () => {
    const r = parseRt("# rt \u2013help\nUsage: rt --dump <vrf>\n       rt --get <prefix>\n");
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([{ line: 2, column: 1, message: "skipped 2 line(s) of `rt \u2013help` output: help text", text: "rt \u2013help", kind: "help" }]);
  });
});
