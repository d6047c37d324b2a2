import { describe, expect, it } from "vitest";
import { parseNh, subNhList } from "../../lib/vrouter/nh";
import { fixture } from "./helpers";

const pick = <T extends object>(rows: T[], keys: (keyof T)[]): unknown[][] => rows.map((r) => keys.map((k) => r[k]));

describe("parseNh", () => {
  it("S3 nh --get 25 (TF, Flags on line 2, `Encap Data:` with trailing space), skipping the vif --get after it", () => {
    const r = parseNh(fixture("s3-4.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({
      line: 2,
      id: 25,
      type: "Encap",
      family: "AF_INET",
      rid: 0,
      refCount: 3,
      vrf: 0,
      flags: "Valid, Etree Root",
      valid: true,
      policy: false,
      oif: 0,
      encapFamily: "0806",
      encapLen: 14,
      encapData: "52 54 00 f4 26 a1 52 54 00 8e 10 34 08 00",
      encapDstMac: "52:54:00:f4:26:a1",
      encapSrcMac: "52:54:00:8e:10:34",
      tunnelType: null,
    });
    expect(r.warnings).toEqual([{ line: 8, column: 1, message: "skipped 16 line(s) of `vif --get 0` output: not nh", text: "vif --get 0" }]);
    expect(r.commands.map((c) => c.command)).toEqual(["nh --get 25", "vif --get 0"]);
  });

  it("S13 vtest nh --list: tunnel Sip/Dip, ECMP composite with labels", () => {
    const r = parseNh(fixture("s13-2.txt"));
    expect(r.errors).toEqual([]);
    expect(pick(r.rows, ["id", "type", "vrf", "refCount", "flags", "oif", "tunnelType", "sip", "dip", "subNhs", "subNhCount"])).toEqual([
      [0, "Drop", 0, 2805, "Valid", null, null, null, null, null, null],
      [5, "Encap", 0, 1, "Valid", 1, null, null, null, null, null],
      [10, "Receive", 1, 2, "Valid", 1, null, null, null, null, null],
      [16, "Encap", 0, 1, "Valid", 0, null, null, null, null, null],
      [21, "Encap", 2, 3, "Valid", 3, null, null, null, null, null],
      [50, "Tunnel", 0, 2, "Valid, MPLSoGRE", 0, "MPLSoGRE", "10.1.1.1", "20.1.1.1", null, null],
      [51, "Composite", 0, 2, "Valid, Ecmp", null, null, null, null, "21(0) 50(10)", 2],
    ]);
    expect(r.rows[6].ecmp).toBe(true);
    expect(subNhList(r.rows[6])).toEqual([
      { nh: 21, label: 0 },
      { nh: 50, label: 10 },
    ]);
  });

  it("S13 vtest: MPLSoUDP tunnel, Policy(R), and the other tools' sections skipped", () => {
    const r = parseNh(fixture("s13-1.txt"));
    expect(r.errors).toEqual([]);
    expect(pick(r.rows, ["id", "type", "flags", "policy", "tunnelType", "sip", "dip", "oif"])).toEqual([
      [0, "Drop", "Valid", false, null, null, null, null],
      [10, "Receive", "Valid, Policy(R), Etree Root", true, null, null, null, 1],
      [21, "Tunnel", "Valid, MPLSoUDP, Etree Root", false, "MPLSoUDP", "8.0.0.2", "8.0.0.3", 0],
      [38, "Encap", "Valid, Policy, Etree Root", true, null, null, null, 5],
      [44, "Encap", "Valid, Policy, Etree Root", true, null, null, null, 5],
    ]);
    expect(r.rows[4].family).toBe("AF_BRIDGE");
  });

  it("S5 R2.x: Flags on line 1, Vrf_Translate, Encap AF_BRIDGE, old tunnel lines with `Flags …` and `Vrf:0  Sip:…  Dip:…`", () => {
    const r = parseNh(fixture("s5-1.txt"));
    expect(r.errors).toEqual([]);
    expect(pick(r.rows, ["id", "type", "family", "flags", "vrf", "nhVrf", "oif", "encapLen", "encapDstMac", "sip", "dip", "tunnelType", "refCount"])).toEqual([
      [547, "Vrf_Translate", "AF_INET", "Valid, Vxlan", 24, 24, null, null, null, null, null, null, 2],
      [587, "Encap", "AF_BRIDGE", "Valid", 24, null, 72, 14, "02:fd:0e:b3:63:b0", null, null, null, 4],
      [121, "Tunnel", "AF_INET", "Valid, MPLSoGRE", 0, 0, 0, 14, "0c:c4:7a:57:14:f0", "172.25.155.35", "172.25.155.34", "MPLSoGRE", 141],
    ]);
  });

  it("S10 TechLibrary (doubled blank lines, Ref_cnt on a continuation line, `Vxlan Vrf` type, UDP tunnel ports)", () => {
    const r = parseNh(fixture("s10-2.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => x.id)).toEqual([0, 1, 4, 7, 10, 12, 13, 14, 15, 16, 19, 20]);
    expect(r.rows[2]).toMatchObject({ id: 4, type: "Receive", refCount: 2, oif: 1, flags: "Valid, Policy" });
    expect(r.rows[5]).toMatchObject({ id: 12, type: "Vxlan Vrf", nhVrf: 1 });
    expect(r.rows[4]).toMatchObject({ id: 10, encapLen: 0, encapData: null, family: "AF_BRIDGE" });
    expect(r.rows[6].subNhs).toBe("19(1027)");
    expect(r.rows[11]).toMatchObject({ id: 20, family: "AF_UNSPEC", flags: "Valid, Multi Proto", subNhs: "14(0) 15(0)" });
    const udp = parseNh(fixture("s10-3.txt"));
    expect(udp.rows[0]).toMatchObject({ id: 18, type: "Tunnel", tunnelType: "UDP", sip: "192.168.1.10", dip: "250.250.2.253", sport: 58818, dport: 8099, nhVrf: -1 });
  });

  it("S11 2014 format with the `Receieve` typo", () => {
    const r = parseNh(fixture("s11-1.txt"));
    expect(r.errors).toEqual([]);
    expect(pick(r.rows, ["id", "type", "refCount", "oif", "encapData"])).toEqual([
      [0, "Drop", 1, null, null],
      [1, "Resolve", 235, null, null],
      [2, "Encap", 1, 0, "00 00 00 00 00 01 00 25 90 c3 08 82 08 00"],
      [3, "Receieve", 4, 1, null],
      [4, "Receieve", 1, 1, null],
      [5, "Encap", 767, 2, "2c 21 72 a0 4a 80 00 25 90 c3 08 82 08 00"],
    ]);
  });

  it("wrapped composite member lists, -1 slots, `and N more`, IPv6 tunnel, unknown type and line", () => {
    const r = parseNh(
      "Id:60         Type:Composite      Fmly: AF_INET  Rid:0  Ref_cnt:2          Vrf:2\n" +
      "              Flags:Valid, Ecmp, \n" +
      "              Valid Hash Key Parameters: Proto,SrcIP,SrcPort,DstIp,DstPort\n" +
      "              Sub NH(label): 21(38) 50(38) -1 22(38) 23(38) 24(38) 25(38) 26(38) 27(38)\n" +
      "                             28(38) 29 and 3 more components...\n" +
      "\n" +
      "Id:61         Type:Tunnel         Fmly:AF_INET6  Rid:0  Ref_cnt:1          Vrf:0\n" +
      "              Flags:Valid, MPLSoUDP, \n" +
      "              Oif:0 Len:14 Data:00 1b 21 bb f9 46 00 1b 21 bb f9 48 86 dd \n" +
      "              Sip: fd00::1 Dip: fd00::2\n" +
      "\n" +
      "Id:62         Type:Wormhole       Fmly: AF_INET  Rid:0  Ref_cnt:1          Vrf:0\n" +
      "              Flags:Valid, Sparkly, \n" +
      "              Warp:9\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ subNhs: "21(38) 50(38) -1 22(38) 23(38) 24(38) 25(38) 26(38) 27(38) 28(38) 29", subNhCount: 11, moreComponents: 3, validHashKeys: "Proto,SrcIP,SrcPort,DstIp,DstPort" });
    expect(subNhList(r.rows[0])[2]).toEqual({ nh: -1, label: null });
    expect(r.rows[1]).toMatchObject({ family: "AF_INET6", sip: "fd00::1", dip: "fd00::2", tunnelType: "MPLSoUDP" });
    expect(r.rows[2]).toMatchObject({ type: "Wormhole", flags: "Valid, Sparkly", extra: "Warp:9" });
    expect(r.warnings.map((w) => [w.line, w.message])).toEqual([
      [12, "nh 62: unknown next hop type `Wormhole` kept raw"],
      [14, "nh 62: unknown line kept in `extra`"],
      [12, "nh 62: unknown flag `Sparkly` kept raw"],
    ]);
  });

  it("garbage → errors with line and column; a non-number id is an error", () => {
    const r = parseNh("Id:abc  Type:Drop  Fmly: AF_INET  Rid:0  Ref_cnt:1 Vrf:0\nhello world\n");
    expect(r.rows).toEqual([]);
    expect(r.errors).toEqual([
      { line: 1, column: 4, message: "expected a numeric next hop id after `Id:`", text: "Id:abc  Type:Drop  Fmly: AF_INET  Rid:0  Ref_cnt:1 Vrf:0" },
      { line: 2, column: 1, message: "unexpected line: expected a next hop record (`Id:n  Type:…`)", text: "hello world" },
    ]);
  });

  it("SRv6 tunnels (JCNR): SRv6 flag, IPv6 Sip, block, containers; several `Oif:` lines", () => {
    const r = parseNh(
      "bash-5.1# nh --get 23\n" +
        "Id:23         Type:Tunnel         Fmly:AF_INET6  Rid:0  Ref_cnt:2          Vrf:0\n" +
        "              Flags:Valid, Policy, Etree Root, SRv6,\n" +
        "              Oif:1 Len:14 Data:52 54 00 60 8b 33 52 54 00 c6 79 e8 86 dd\n" +
        "              Oif:2 Len:14 Data:52 54 00 60 8b 34 52 54 00 c6 79 e9 86 dd\n" +
        "              Sip: 2001:1:1:1::2\n" +
        "              Block Len:32 Block: 2001:db8::\n" +
        "              Number of Containers:2\n" +
        "              Container Dips:[1]: 2001:db8:4800:e001:: [2]: 2001:db8:4700:e001::\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows[0]).toMatchObject({
      id: 23,
      family: "AF_INET6",
      tunnelType: "SRv6",
      oif: 1,
      oifs: "1 2",
      encapDstMac: "52:54:00:60:8b:33",
      sip: "2001:1:1:1::2",
      dip: null,
      srv6BlockLen: 32,
      srv6Block: "2001:db8::",
      containerCount: 2,
      containerDips: "2001:db8:4800:e001:: 2001:db8:4700:e001::",
    });
  });

  it("next-hop chains (nhchain --get): Next NH, NH label, hit counts, weighted ECMP and FRR state; AF_MPLS tunnels", () => {
    const r = parseNh(
      "bash-5.1# nhchain --get 81\n" +
        "Id:81         Type:Indirect       Fmly: AF_INET  Rid:0  Ref_cnt:2          Vrf:0\n" +
        "              Next NH:77 NH Label:0 NH Hit Count:6509475\n" +
        "              Flags:Valid, Etree Root,\n\n" +
        "Id:77         Type:Composite      Fmly: AF_INET  Rid:0  Ref_cnt:2          Vrf:0\n" +
        "              Next NH:0 NH Label:0 NH Hit Count:6509475\n" +
        "              Flags:Valid, Policy, Weighted Ecmp, FRR, Etree Root,\n" +
        "              Sub NH(label): 61(34) 51(34) 74(34)\n" +
        "              ECMP Weights: 1, 1, 61440,\n" +
        "              FRR State: 0 -> 1 FRR Updates: 0\n" +
        "              FRR State Valid List: 1, 1, 1,\n\n" +
        "Id:61         Type:Tunnel         Fmly: AF_MPLS  Rid:0  Ref_cnt:6          Vrf:0\n" +
        "              Next NH:24 NH Label:16 NH Hit Count:750843155\n" +
        "              Flags:Valid, Policy, Etree Root, MPLS,\n" +
        "              Oif:3 Len:14 Data:3c 61 04 3a 7d a0 40 a6 b7 96 46 c9 88 47 Number of Transport Labels:0\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.commands[0]).toMatchObject({ command: "nhchain --get 81", tool: "nh" });
    expect(r.rows.map((x) => [x.id, x.type, x.nextNh, x.nextNhLabel, x.hitCount])).toEqual([
      [81, "Indirect", 77, 0, 6509475],
      [77, "Composite", 0, 0, 6509475],
      [61, "Tunnel", 24, 16, 750843155],
    ]);
    expect(r.rows[1]).toMatchObject({ subNhs: "61(34) 51(34) 74(34)", subNhCount: 3, ecmpWeights: "1 1 61440", frrState: "0 -> 1", frrUpdates: 0, frrValidList: "1 1 1" });
    expect(r.rows[2]).toMatchObject({ family: "AF_MPLS", tunnelType: "MPLS", oif: 3, transportLabelCount: 0, encapData: "3c 61 04 3a 7d a0 40 a6 b7 96 46 c9 88 47" });
  });

  it("a Vrf_Translate next hop with the author's note after `Vrf:1`", () => {
    const r = parseNh(
      "        root@compute01:~# nh --get 14\n" +
        "        Id:14         Type:Vrf_Translate  Fmly: AF_INET  Rid:0  Ref_cnt:2          Vrf:1\n" +
        "                    Flags:Valid, Vxlan, Unicast Flood,\n" +
        "                    Vrf:1                       -------> vrf id is 1\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ id: 14, type: "Vrf_Translate", nhVrf: 1, flags: "Valid, Vxlan, Unicast Flood" });
    expect(r.warnings.map((w) => [w.line, w.kind, w.text])).toEqual([[4, "note", "-------> vrf id is 1"]]);
  });
});
