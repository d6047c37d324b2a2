import { describe, expect, it } from "vitest";
import { detectKind, parseAny, parseTranscript } from "../../lib/vrouter/detect";
import { formatTable, toTable, columnNames } from "../../lib/vrouter/table";
import { parseFlow } from "../../lib/vrouter/flow";
import { parseNh } from "../../lib/vrouter/nh";
import { parsePromptLine } from "../../lib/vrouter/text";
import { fixture, localFixture, sharedFixtureNames } from "./helpers";

describe("detectKind", () => {
  it("recognises every real fixture from its prompt line or headers", () => {
    const kinds = Object.fromEntries(sharedFixtureNames().map((f) => [f, detectKind(fixture(f))]));
    expect(kinds).toEqual({
      "s1-1.txt": "vif",
      "s1-2.txt": "flow",
      "s10-1.txt": "vif",
      "s10-2.txt": "nh",
      "s10-3.txt": "nh",
      "s10-4.txt": "mpls",
      "s10-5.txt": "dropstats",
      "s10-6.txt": "vif",
      "s11-1.txt": "nh",
      "s13-1.txt": "nh",
      "s13-2.txt": "nh",
      "s2-1.txt": "vif",
      "s3-1.txt": "rt",
      "s3-2.txt": "flow",
      "s3-3.txt": "flow",
      "s3-4.txt": "nh",
      "s5-1.txt": "vxlan",
      "s7-1.txt": "vif",
    });
    expect(detectKind(localFixture("junos-route-detail.txt"))).toBe("junos-route");
    expect(detectKind(localFixture("junos-route-detail.json"))).toBe("junos-route");
    expect(detectKind("   1<=>2  1.1.1.1:1  6 (0)\n")).toBe("flow");
    expect(detectKind("hello\n")).toBeNull();
  });

  it("every real fixture parses without errors with its detected kind", () => {
    for (const f of sharedFixtureNames()) {
      const text = fixture(f);
      const kind = detectKind(text);
      expect(kind, f).not.toBeNull();
      if (kind === null) continue;
      const r = parseAny(kind, text);
      expect(r.errors, f).toEqual([]);
      expect(r.rows.length, f).toBeGreaterThan(0);
    }
  });
});

describe("prompts", () => {
  it("recognises the prompts seen in real pastes and leaves output lines alone", () => {
    const p = (l: string): [string, string, string | null] | null => {
      const r = parsePromptLine(l);
      return r ? [r.prompt, r.command, r.tool] : null;
    };
    expect(p("# flow -l")).toEqual(["#", "flow -l", "flow"]);
    expect(p("(contrail-tools)[root@worker2 /]$ nh --get 25")).toEqual(["(contrail-tools)[root@worker2 /]$", "nh --get 25", "nh"]);
    expect(p("root@brg-ct1-compute2:/opt/contrail/utils# vxlan --get 38")).toEqual(["root@brg-ct1-compute2:/opt/contrail/utils#", "vxlan --get 38", "vxlan"]);
    expect(p("[root@ip-172-31-12-55 ~]#")).toEqual(["[root@ip-172-31-12-55 ~]#", "", null]);
    expect(p("bash$ vif --list")).toEqual(["bash$", "vif --list", "vif"]);
    expect(p("$utils/rt --sock-dir $sock --dump 0")).toEqual(["", "$utils/rt --sock-dir $sock --dump 0", "rt"]);
    expect(p("[root@n1 ~]# docker exec vrouter_vrouter-agent_1 flow -l")).toEqual(["[root@n1 ~]#", "docker exec vrouter_vrouter-agent_1 flow -l", "flow"]);
    expect(p("user@mx> show route table a.inet.0 1.1.1.1/32 detail")?.[2]).toBe("junos-route");
    for (const out of ["(Created Flows/CPU: 49 49 73 0)(oflows 0)", "(Gen: 1, K(nh):25, Action:F,", "vif0/0      OS: eth0", "Flow table(size 1, entries 2)", "17191-vif0/72     OS: tap"]) {
      expect(parsePromptLine(out), out).toBeNull();
    }
  });
});

describe("parseTranscript", () => {
  it("parses every command's output of a mixed paste with its own parser", () => {
    const r = parseTranscript(localFixture("cent333-walk.txt"));
    expect(Object.keys(r)).toEqual(["flow", "mpls", "nh", "vif"]);
    expect(r.flow?.rows).toHaveLength(2);
    expect(r.mpls?.rows).toEqual([{ line: 31, label: 38, nh: 44 }]);
    expect(r.vif?.rows).toHaveLength(1);
    const s5 = parseTranscript(fixture("s5-1.txt"));
    expect(Object.keys(s5)).toEqual(["vxlan", "nh", "vif", "rt"]);
    expect(Object.values(s5).every((x) => x.errors.length === 0)).toBe(true);
  });
});

describe("toTable / formatTable", () => {
  it("makes an arquero table with one column per field", () => {
    const t = toTable(parseFlow(fixture("s1-2.txt")));
    expect(t.numRows()).toBe(12);
    expect(t.columnNames().slice(0, 8)).toEqual(["index", "rindex", "srcIp", "srcPort", "dstIp", "dstPort", "proto", "vrf"]);
    expect(t.array("bytes")).toEqual([0, 4704, 33993, 98, 40078, 4704, 0, 7546, 35501, 98, 45240, 7546]);
    const nat = t.filter((d: { snat: boolean }) => d.snat).numRows();
    expect(nat).toBe(4);
  });

  it("includes --get-only columns (filled with null) when rows mix -l and --get", () => {
    const rows = [...parseFlow(fixture("s3-2.txt")).rows, ...parseFlow(fixture("s3-3.txt")).rows];
    const t = toTable(rows);
    expect(t.numRows()).toBe(3);
    expect(t.array("egressVif")).toEqual([null, null, "vif0/0"]);
    expect(columnNames([{ a: 1 }, { b: 2, a: 3 }])).toEqual(["a", "b"]);
    expect(toTable([]).numRows()).toBe(0);
  });

  it("formats an aligned text table that truncates wide cells", () => {
    const nh = parseNh(fixture("s13-2.txt"));
    const out = formatTable(nh.rows, { columns: ["id", "type", "flags", "encapData", "sip"], maxCellWidth: 20 });
    expect(out).toBe(
      [
        "id  type       flags            encapData             sip",
        "--  ---------  ---------------  --------------------  --------",
        " 0  Drop       Valid            -                     -",
        " 5  Encap      Valid            00 1b 21 bb f9 46 0…  -",
        "10  Receive    Valid            -                     -",
        "16  Encap      Valid            90 e2 ba 84 48 88 0…  -",
        "21  Encap      Valid            02 c2 23 4c d0 55 0…  -",
        "50  Tunnel     Valid, MPLSoGRE  08 e2 ba 84 48 88 0…  10.1.1.1",
        "51  Composite  Valid, Ecmp      -                     -",
        "",
      ].join("\n"),
    );
    expect(formatTable([], { columns: ["a"] })).toBe("(no rows)\n");
    expect(formatTable([{ ok: true, n: null }])).toBe("ok   n\n---  -\nyes  -\n");
  });
});

describe("sections of a transcript", () => {
  it("skips the output of commands that are not the parser's tool (including non-vRouter commands)", () => {
    const text =
      "[root@cent333 ~]# kubectl exec -n contrail vrouter-x -c vrouter-agent -- mpls --get 38\n" +
      "MPLS Input Label Map\n\n   Label    NextHop\n-------------------\n      38        44\n" +
      "[root@cent333 ~]# ls /tmp\n" +
      "capture.pcap\n" +
      "notes 12 13\n";
    const r = parseAny("mpls", text);
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ line: 6, label: 38, nh: 44 }]);
    expect(r.warnings).toEqual([{ line: 8, column: 1, message: "skipped 2 line(s) of `ls /tmp` output: not mpls", text: "ls /tmp" }]);
    const f = parseAny("flow", text);
    expect(f.errors).toEqual([]);
    expect(f.warnings.map((w) => w.message)).toEqual([
      "skipped 5 line(s) of `kubectl exec -n contrail vrouter-x -c vrouter-agent -- mpls --get 38` output: not flow",
      "skipped 2 line(s) of `ls /tmp` output: not flow",
    ]);
  });
});

describe("detectKind: Junos route output and flow -r without a prompt", () => {
  it("recognises inet.0 / mpls.0 tables, the terse header, XML and JSON; flow -r and a bare `Flow table`", () => {
    expect(detectKind("inet.0: 9 destinations, 11 routes (9 active, 0 holddown, 1 hidden)\n")).toBe("junos-route");
    expect(detectKind("mpls.0: 5 destinations, 5 routes (5 active, 0 holddown, 0 hidden)\n")).toBe("junos-route");
    expect(detectKind("\nA V Destination        P Prf   Metric 1   Metric 2  Next hop        AS path\n")).toBe("junos-route");
    expect(detectKind('<rpc-reply>\n<route-information xmlns="http://xml.juniper.net/junos/21.4R3/junos-routing">\n')).toBe("junos-route");
    expect(detectKind('{\n    "route-information" : [\n')).toBe("junos-route");
    expect(detectKind("New =    2, Flow setup rate =    3 flows/sec, Flow rate =    3 flows/sec, for last  548 ms\n")).toBe("flow");
    expect(detectKind("Flow table\n   Index        Source:Port                   Destination:Port   Proto(V)\n")).toBe("flow");
  });
});
