import { describe, expect, it } from "vitest";
import { parseFlow, parseFlowStream } from "../../lib/vrouter/flow";
import { decodeNat, decodeTcpFlags, describeTcpFlags, tcpState, actionFromWords, tcpLettersFromWords } from "../../lib/vrouter/flow/letters";
import { fixture } from "./helpers";

describe("parseFlow on real flow -l output (S1: TF R2011, two dumps)", () => {
  const r = parseFlow(fixture("s1-2.txt"));

  it("parses every entry of both dumps without errors", () => {
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows).toHaveLength(12);
    expect(r.rows.map((x) => x.dump)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]);
  });

  it("reads the header counters, including the run-together `Changed 332Processed`", () => {
    expect(r.headers).toHaveLength(2);
    expect(r.header).toMatchObject({
      sizeBytes: 161218560,
      slots: 629760,
      created: 171,
      added: 171,
      deleted: 332,
      changed: 332,
      processed: 171,
      overflowEntries: 0,
      createdPerCpu: [49, 49, 73, 0],
      holdOverflows: 0,
      match: null,
    });
  });

  it("records the prompt lines it skipped", () => {
    expect(r.commands.map((c) => [c.line, c.prompt, c.command, c.tool])).toEqual([
      [1, "$", "flow -l", "flow"],
      [45, "$", "flow -l", "flow"],
    ]);
  });

  it("decodes a NAT + VRF-translated TCP entry whose block wraps after S(nh)", () => {
    const f = r.rows[2];
    expect(f).toMatchObject({
      index: 292028,
      rindex: 398064,
      srcIp: "x.x.x.x",
      srcPort: 49494,
      dstIp: "169.254.0.4",
      dstPort: 22,
      proto: 6,
      protoName: "TCP",
      vrf: 0,
      dvrf: 2,
      vrfTranslated: true,
      gen: 1,
      keyNh: 5,
      action: "N(SD)",
      actionCode: "N",
      snat: true,
      dnat: true,
      spat: false,
      dpat: false,
      linkLocal: false,
      flowFlags: "",
      tcpFlags: "SSrEEr",
      tcpSyn: true,
      tcpSynR: true,
      tcpEstablished: true,
      tcpEstablishedR: true,
      tcpFin: false,
      tcpState: "established",
      tcpDescription: "SYN both ways, established both ways",
      qos: -1,
      rpfNh: 10,
      packets: 429,
      bytes: 33993,
      udpSrcPort: 60311,
      ttl: 0,
      sinfo: "0.0.0.0",
      line: 24,
      source: "list",
      family: "inet",
    });
    expect(r.rows[8]).toMatchObject({ index: 292028, packets: 458, bytes: 35501 });
  });

  it("handles the wrap after `SPort …,` (ICMP, no TCP field) and after `Stats:…,`", () => {
    expect(r.rows[0]).toMatchObject({ index: 77264, rindex: 305912, proto: 1, dstPort: 0, rpfNh: 14, packets: 0, bytes: 0, udpSrcPort: 60461, ttl: 0, tcpFlags: "", tcpState: null });
    expect(r.rows[1]).toMatchObject({ index: 255132, packets: 48, bytes: 4704, udpSrcPort: 50815, sinfo: "4.0.0.0" });
    expect(r.rows[4]).toMatchObject({ index: 398064, vrf: 2, dvrf: 0, srcIp: "10.0.11.252", srcPort: 22, dstIp: "10.0.11.253", dstPort: 49494 });
  });
});

describe("parseFlow on flow -l --match (S3)", () => {
  const r = parseFlow(fixture("s3-2.txt"));
  it("reads the match filter and both entries (trailing spaces after ports and Stats)", () => {
    expect(r.errors).toEqual([]);
    expect(r.header?.match).toBe("[115.115.115.4]:*");
    expect(r.header).toMatchObject({ created: 681942, deleted: 510594, changed: 534969, processed: 681942, createdPerCpu: [216112, 212877, 37255, 215698] });
    expect(r.rows.map((x) => [x.index, x.rindex, x.srcIp, x.srcPort, x.dstIp, x.dstPort, x.gen, x.keyNh, x.rpfNh, x.packets, x.bytes, x.udpSrcPort, x.sinfo])).toEqual([
      [159376, 409632, "115.115.115.4", 242, "105.105.105.3", 0, 21, 107, 25, 2, 168, 64703, "0.0.0.0"],
      [409632, 159376, "105.105.105.3", 242, "115.115.115.4", 0, 22, 107, 107, 2, 196, 54480, "6.0.0.0"],
    ]);
    expect(r.commands[0]).toMatchObject({ prompt: "(contrail-tools)[root@worker2 /]$", command: "flow -l --match 115.115.115.4", tool: "flow" });
  });
});

describe("parseFlow on vtest output (S13: reflowed, no leading space on the wrapped line, wrapped Entries line)", () => {
  const r = parseFlow(fixture("s13-1.txt"));
  it("skips the nh/rt/mpls sections and parses the flows", () => {
    expect(r.errors).toEqual([]);
    expect(r.rows.map((x) => [x.index, x.rindex, x.srcIp, x.dstIp, x.vrf, x.keyNh, x.rpfNh, x.packets, x.bytes, x.udpSrcPort, x.sinfo])).toEqual([
      [255616, 410748, "1.1.1.3", "1.1.1.5", 5, 38, 38, 0, 0, 60847, "0.0.0.0"],
      [410748, 255616, "1.1.1.5", "1.1.1.3", 5, 38, 21, 1, 42, 50789, "8.0.0.3"],
    ]);
    expect(r.header).toMatchObject({ sizeBytes: 80609280, created: 0, added: 2, deleted: 0, changed: 1, processed: 0, overflowEntries: 0 });
    expect(r.header?.createdPerCpu).toHaveLength(11);
    expect(r.warnings.every((w) => w.message.startsWith("skipped"))).toBe(true);
  });
});

describe("parseFlow on flow --get (S3)", () => {
  const r = parseFlow(fixture("s3-3.txt"));
  it("builds one row with the core fields and the --get details", () => {
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.rows[0]).toMatchObject({
      source: "get",
      index: 409632,
      gen: 22,
      rindex: 159376,
      vrf: 0,
      dvrf: 0,
      srcIp: "105.105.105.3",
      srcPort: 242,
      dstIp: "115.115.115.4",
      dstPort: 0,
      proto: 1,
      action: "F",
      udpSrcPort: 54480,
      packets: 2,
      bytes: 196,
      rpfNh: 107,
      expectedSrcNh: 107,
      expectedSrcNhType: "ENCAP",
      ingressVif: "vif0/6",
      ingressOs: "tapeth0-2a2230",
      srcMatchingRoute: "105.105.105.3/32",
      srcNh: 107,
      dstMatchingRoute: "115.115.115.4/32",
      dstNh: 25,
      dstNhType: "ENCAP",
      egressVif: "vif0/0",
      egressOs: "ens3",
      dstMac: "52:54:0:f4:26:a1",
      systemDrops: 239948,
      reversePathFailures: 0,
      flowBlockDrops: 1064,
      flowFlags: "",
    });
  });

  it("decodes NAT / DROP / TCP words of --get and survives a clear-screen escape and CRLF", () => {
    const text =
      "\x1b[H\x1b[2JFlow Index:                   7\r\n" +
      "Flow Generation ID:           1\r\n" +
      "Reverse Flow Index:           -1\r\n" +
      "VRF:                          5\r\n" +
      "Destination VRF:              2\r\n" +
      "Flow Source:                  [15.15.15.2]:42612\r\n" +
      "Flow Destination:             [101.101.101.1]:80   \r\n" +
      "Flow Protocol:                TCP\r\n" +
      "Flow Action:                  NAT: DestinationNAT, \r\n" +
      "                              NAT(Source, Destination): [15.15.15.2]:42612, [10.47.255.238]:80\r\n" +
      "Flow Flags:                   NEW MODIFIED\r\n" +
      "TCP FLAGS:                    SYN, SYN(REVERSE), ESTABLISHED, ESTABLISHED(REVERSE),\r\n" +
      "UDP Source Port:              0\r\n" +
      "\r\n" +
      "Flow Statistics:              10/600\r\n";
    const g = parseFlow(text);
    expect(g.errors).toEqual([]);
    expect(g.rows[0]).toMatchObject({
      index: 7,
      rindex: null,
      vrf: 5,
      dvrf: 2,
      vrfTranslated: true,
      proto: 6,
      action: "N(D)",
      dnat: true,
      snat: false,
      natSrc: "[15.15.15.2]:42612",
      natDst: "[10.47.255.238]:80",
      flowFlags: "NM",
      newFlow: true,
      modified: true,
      tcpFlags: "SSrEEr",
      tcpState: "established",
      packets: 10,
      bytes: 600,
    });
    expect(actionFromWords("DROP:                              SG")).toBe("D(SG)");
  });
});

describe("parseFlow on every layout of the format history", () => {
  it("R3.0: no QOS, no Sinfo, no commas after SPort/TTL", () => {
    const r = parseFlow(
      "   512<=>1024      10.1.1.3:33000                                   6 (3)\n" +
      "                         10.1.1.4:80\n" +
      "(Gen: 2, K(nh):20, Action:F, Flags:, TCP:SSrEEr, S(nh):20,  Stats:5/300,  SPort 51000 TTL 0)\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ index: 512, rindex: 1024, gen: 2, qos: null, rpfNh: 20, packets: 5, bytes: 300, udpSrcPort: 51000, ttl: 0, sinfo: null, tcpState: "established" });
  });

  it("R3.1: QOS, D(SG), TCP:S", () => {
    const r = parseFlow(
      "     33<=>-1        10.0.0.3:1234                                    6 (2)\n" +
      "                         10.0.0.5:22\n" +
      "(Gen: 21, K(nh):291, Action:D(SG), Flags:, TCP:S, QOS:-1, S(nh):291,  Stats:2/148,  SPort 52811 TTL 0)\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ rindex: null, action: "D(SG)", actionCode: "D", dropReason: "SG", tcpFlags: "S", tcpState: "syn", tcpDescription: "SYN forward only", qos: -1, keyNh: 291 });
  });

  it("R2.x single-line layout with `Statistics:` and `UdpSrcPort`", () => {
    const r = parseFlow(
      "   448<=>376      10.10.10.3:36208    10.10.20.3:80      6 (1)\n" +
      "(K(nh):104, Action:D(Policy), S(nh):104,  Statistics:4/296 UdpSrcPort 64614)\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ index: 448, rindex: 376, srcIp: "10.10.10.3", dstIp: "10.10.20.3", dstPort: 80, action: "D(Policy)", dropReason: "Policy", keyNh: 104, rpfNh: 104, packets: 4, bytes: 296, udpSrcPort: 64614, gen: null });
  });

  it("R1.x: `(Action:F, S(nh):91,  Statistics:22/1848)`", () => {
    const r = parseFlow("     4  10.1.1.252:1025  10.1.1.253:22  6 (1)\n(Action:F, S(nh):91,  Statistics:22/1848)\n");
    expect(r.errors).toEqual([]);
    expect(r.rows[0]).toMatchObject({ index: 4, rindex: null, action: "F", rpfNh: 91, packets: 22, bytes: 1848 });
  });

  it("R1912+: E:, Mirror Index, UnderlayEcmpIdx, HbsLeft, N(DPdL), Flags EcM, Oflow entries, IPv6 without brackets", () => {
    const r = parseFlow(
      "    42<=>43         fe80::1:5000                                      17 (2)\n" +
      "                         2001:db8::25:53    \n" +
      "(Gen: 3, K(nh):12, Action:N(DPdL), Flags:EcM, E:1, QOS:-1, S(nh):12,  Stats:1/70, \n" +
      " Mirror Index : 1, 2,  SPort 49999, TTL 64, UnderlayEcmpIdx:0, HbsLeft, Sinfo 10.0.0.1)\n" +
      "     Oflow entries:\n" +
      "\t 7 9\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows[0]).toMatchObject({
      family: "inet6",
      srcIp: "fe80::1",
      srcPort: 5000,
      dstIp: "2001:db8::25",
      dstPort: 53,
      dnat: true,
      dpat: true,
      linkLocal: true,
      snat: false,
      evictCandidate: true,
      modified: true,
      evicted: false,
      ecmpIndex: 1,
      mirrorIndex: 1,
      secondaryMirrorIndex: 2,
      ttl: 64,
      underlayEcmpIndex: 0,
      hbs: "left",
      sinfo: "10.0.0.1",
      oflowEntries: "7 9",
      tcpState: null,
    });
  });

  it("keeps unknown attributes raw with a warning", () => {
    const r = parseFlow(
      "   10<=>11       1.1.1.1:1                                   17 (0)\n" +
      "                         2.2.2.2:2\n" +
      "(Gen: 1, K(nh):1, Action:F, Flags:, Frobnicate:7, QOS:-1, S(nh):1,  Stats:0/0, SPort 1, TTL 0, Sinfo 0.0.0.0)\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.rows[0].extra).toBe("Frobnicate:7");
    expect(r.rows[0].qos).toBe(-1);
    expect(r.warnings).toEqual([{ line: 3, column: 37, message: "unknown flow attribute kept in `extra`", text: "Frobnicate:7" }]);
  });
});

describe("parseFlow headers of older releases", () => {
  it("R3.0/R3.1 `Entries:` line without Deleted/Changed; R2.20 legend with `M=Mirror Index`; --show-evicted flags", () => {
    const r = parseFlow(
      "Flow table(size 80609280, entries 629760)\n\n" +
        "Entries: Created 12 Added 12 Processed 12 Used Overflow entries 0\n" +
        "(Created Flows/CPU: 3 3 3 3)(oflows 0)\n\n" +
        "Action:F=Forward, D=Drop N=NAT(S=SNAT, D=DNAT, Ps=SPAT, Pd=DPAT, L=Link Local Port)\n" +
        " Other:K(nh)=Key_Nexthop, S(nh)=RPF_Nexthop, M=Mirror Index\n" +
        " Flags:E=Evicted, Ec=Evict Candidate, N=New Flow, M=Modified Dm=Delete Marked\n" +
        "TCP(r=reverse):S=SYN, F=FIN, R=RST, C=HalfClose, E=Established, D=Dead\n\n" +
        "    Index                Source:Port/Destination:Port                      Proto(V)\n" +
        "-----------------------------------------------------------------------------------\n" +
        "       12<=>13           10.0.0.1:5555                                     6 (1)\n" +
        "                         10.0.0.2:80   \n" +
        "(Gen: 1, K(nh):9, Action:H, Flags:EDm, TCP:SSrEErFFrC, QOS:-1, S(nh):9,  Stats:9/900, \n" +
        " SPort 50001, TTL 0, Sinfo 0.0.0.0)\n",
    );
    expect(r.errors).toEqual([]);
    expect(r.header).toMatchObject({ created: 12, added: 12, deleted: null, changed: null, processed: 12, overflowEntries: 0, createdPerCpu: [3, 3, 3, 3] });
    expect(r.rows[0]).toMatchObject({ action: "H", actionCode: "H", evicted: true, deleteMarked: true, evictCandidate: false, tcpState: "closed", tcpDescription: "SYN both ways, established both ways, FIN both ways, half-closed" });
  });
});

describe("parseFlow errors", () => {
  it("reports garbage with line and column and keeps what parsed", () => {
    const text =
      fixture("s3-2.txt") +
      "\nthis is not a flow\n" +
      "   123<=>456       1.2.3.4:x    6 (0)\n";
    const r = parseFlow(text);
    expect(r.rows).toHaveLength(2);
    expect(r.errors).toEqual([
      { line: 26, column: 1, message: "unexpected line: expected a flow entry (`index<=>rindex  sip:sport  proto (vrf)`)", text: "this is not a flow" },
      { line: 27, column: 28, message: "expected a port number after `:`", text: "123<=>456       1.2.3.4:x    6 (0)" },
    ]);
  });

  it("reports an unterminated attribute block and resumes at the next entry", () => {
    const r = parseFlow(
      "    1<=>2       1.1.1.1:1                                   17 (0)\n" +
      "                         2.2.2.2:2\n" +
      "(Gen: 1, K(nh):1, Action:F, Flags:, QOS:-1, S(nh):1,\n" +
      "\n" +
      "    2<=>1       2.2.2.2:2                                   17 (0)\n" +
      "                         1.1.1.1:1\n" +
      "(Gen: 1, K(nh):1, Action:F, Flags:, QOS:-1, S(nh):1,  Stats:3/9, SPort 1, TTL 0, Sinfo 0.0.0.0)\n",
    );
    expect(r.rows.map((x) => [x.index, x.rpfNh, x.packets])).toEqual([
      [1, 1, 0],
      [2, 1, 3],
    ]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ line: 3, column: 1, message: "attribute block not closed by `)`" });
  });
});

describe("flow decoders", () => {
  it("decode NAT letters in bit order", () => {
    expect(decodeNat("SPsDPd")).toEqual({ snat: true, spat: true, dnat: true, dpat: true, linkLocal: false });
    expect(decodeNat("DPdL")).toEqual({ snat: false, spat: false, dnat: true, dpat: true, linkLocal: true });
  });
  it("describe TCP flags", () => {
    expect(describeTcpFlags(decodeTcpFlags("SSrEErFFrCD"))).toBe("SYN both ways, established both ways, FIN both ways, half-closed, dead");
    expect(tcpState(decodeTcpFlags("SSrEErR"))).toBe("reset");
    expect(tcpState(decodeTcpFlags("SSrEErF"))).toBe("closing");
    expect(tcpState(decodeTcpFlags("SSr"))).toBe("syn-both");
    expect(tcpState(decodeTcpFlags(""))).toBe("none");
    expect(tcpLettersFromWords("SYN, FIN(REVERSE), RESET, HALFCLOSED, DEAD,")).toBe("SFrRCD");
  });
});

describe("parseFlowStream", () => {
  it("gives the same rows as parseFlow whatever the chunking (strings and bytes, CRLF split across chunks)", async () => {
    const text = fixture("s1-2.txt").replace(/\n/g, "\r\n");
    const whole = parseFlow(text);
    for (const size of [1, 7, 64, 1000]) {
      const bytes = Buffer.from(text, "utf8");
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const s = await parseFlowStream(chunks);
      expect(s.rows).toEqual(whole.rows);
      expect(s.errors).toEqual([]);
      expect(s.headers).toEqual(whole.headers);
    }
  });

  it("hands rows to onEntry without keeping them", async () => {
    const seen: number[] = [];
    const s = await parseFlowStream([fixture("s3-2.txt")], { onEntry: (row) => seen.push(row.index) });
    expect(seen).toEqual([159376, 409632]);
    expect(s.rows).toEqual([]);
  });
});
