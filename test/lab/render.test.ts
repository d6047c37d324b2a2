import { beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { FlowTable, TCP, type FlowEntry } from "../../lib/lab/flowtable";
import { renderFlowEntry, renderFlowList, parseFlowMatch } from "../../lib/lab/render/flow";
import { renderRouteRow } from "../../lib/lab/render/rt";
import { LabState } from "../../lib/lab/state";
import { loadTopology } from "../../lib/lab/topology";
import { runTool, type ToolResult } from "../../lib/lab/commands";

const FIX = path.resolve(__dirname, "../vrouter/fixtures/real");
const root = path.resolve(__dirname, "../..");

/** Loads a project parser if its module exists yet (others write lib/vrouter in parallel). */
async function parser(mod: string, fn: string): Promise<((text: string) => { rows: unknown[]; errors: unknown[] }) | undefined> {
  const file = path.join(root, "lib/vrouter", mod + ".ts");
  if (!fs.existsSync(file)) return undefined;
  const m = (await import(file)) as Record<string, unknown>;
  return typeof m[fn] === "function" ? (m[fn] as (t: string) => { rows: unknown[]; errors: unknown[] }) : undefined;
}

function entry(p: Partial<FlowEntry>): FlowEntry {
  return {
    index: 0, gen: 1, rindex: -1, sip: "", sport: 0, dip: "", dport: 0, proto: 1, vrf: 2, keyNh: 0, action: "F", nat: {},
    flags: [], tcp: 0, qos: -1, rpfNh: 0, packets: 0, bytes: 0, udpSport: 0, ttl: 0, sinfo: "0.0.0.0", createdAt: 0, updatedAt: 0,
    ...p,
  };
}

const trimEnds = (s: string) => s.split("\n").map((l) => l.trimEnd()).join("\n");

function run(s: LabState, node: string, cmd: string[]): ToolResult {
  const role = node === "gateway" ? "gateway" : node === "internet-host" ? "internet-host" : "compute";
  return runTool(s, node, role, cmd) as ToolResult;
}

describe("flow renderer reproduces the real tool byte for byte", () => {
  const sample = fs.readFileSync(path.join(FIX, "s1-2.txt"), "utf8");
  it("wraps the attribute block like print_new_line_if_required (S1 entries)", () => {
    const a = renderFlowEntry(
      entry({ index: 77264, rindex: 305912, sip: "10.0.11.254", sport: 39170, dip: "10.0.11.251", dport: 0, keyNh: 25, rpfNh: 14, udpSport: 60461 }),
    );
    const b = renderFlowEntry(
      entry({
        index: 398064, rindex: 292028, sip: "10.0.11.252", sport: 22, dip: "10.0.11.253", dport: 49494, proto: 6, vrf: 2, dvrf: 0,
        keyNh: 30, action: "N", nat: { s: true, d: true }, tcp: TCP.SYN | TCP.SYN_R | TCP.ESTABLISHED | TCP.ESTABLISHED_R,
        rpfNh: 30, packets: 294, bytes: 40078, udpSport: 55557, sinfo: "4.0.0.0",
      }),
    );
    const c = renderFlowEntry(
      entry({ index: 255132, rindex: 512820, sip: "10.0.11.252", sport: 46338, dip: "10.0.11.251", keyNh: 30, rpfNh: 30, packets: 48, bytes: 4704, udpSport: 50815, sinfo: "4.0.0.0" }),
    );
    for (const r of [a, b, c]) expect(sample).toContain(trimEnds(r).trimEnd());
  });

  it("prints the header, legend and rule exactly", () => {
    const t = new FlowTable();
    const out = renderFlowList(t);
    const lines = out.split("\n");
    expect(lines[0]).toBe("Flow table(size 161218560, entries 629760)");
    expect(lines[2]).toBe("Entries: Created 0 Added 0 Deleted 0 Changed 0Processed 0 Used Overflow entries 0");
    expect(sample).toContain(lines.slice(5, 12).join("\n"));
  });

  it("prints the --match filter line", () => {
    const t = new FlowTable();
    const m = parseFlowMatch("115.115.115.4");
    expect(typeof m).toBe("object");
    expect(renderFlowList(t, m as Exclude<typeof m, string>)).toContain("Listing flows matching ([115.115.115.4]:*)\n\n");
    expect(parseFlowMatch("1.1.1.1:20 & proto tcp & vrf 5")).toEqual({ endpoints: [{ ip: "1.1.1.1", port: 20 }], proto: 6, vrf: 5 });
    expect(typeof parseFlowMatch("1.1.1.1:20 & proto foo")).toBe("string");
  });
});

describe("rt rows", () => {
  it("match the column layout of S3", () => {
    const s3 = fs.readFileSync(path.join(FIX, "s3-1.txt"), "utf8");
    expect(s3).toContain(renderRouteRow({ vrf: 0, prefix: "105.105.105.3", plen: 32, ppl: 32, flags: "P", label: null, nh: 107 }));
    expect(s3).toContain(
      renderRouteRow({ vrf: 0, prefix: "115.115.115.4", plen: 32, ppl: 32, flags: "PT", label: null, nh: 25, mac: { mac: "52:54:0:f4:26:a1", index: 178584 } }),
    );
  });
});

describe("reference scenario state", () => {
  const s = new LabState(loadTopology("default"));
  it("cent222 routes the service with label 38 over an MPLSoUDP tunnel to cent333", () => {
    const rt = run(s, "cent222", ["rt", "--get", "10.99.225.17/32", "--vrf", "2"]).stdout;
    const row = rt.split("\n").find((l) => l.startsWith("10.99.225.17/32"))!;
    const [, , flags, label, nh] = row.split(/\s+/);
    expect(flags).toBe("LP");
    expect(label).toBe("38");
    const nhOut = run(s, "cent222", ["nh", "--get", nh]).stdout;
    expect(nhOut).toMatch(/Type:Tunnel/);
    expect(nhOut).toMatch(/MPLSoUDP/);
    expect(nhOut).toContain("Sip:10.169.25.20 Dip:10.169.25.21");
  });
  it("label 38 on cent333 resolves to the backend pod's vif", () => {
    const mpls = run(s, "cent333", ["mpls", "--get", "38"]).stdout;
    const m = /^\s+38\s+(\d+)\s*$/m.exec(mpls)!;
    const nh = run(s, "cent333", ["nh", "--get", m[1]]).stdout;
    const oif = /Oif:(\d+)/.exec(nh)![1];
    const vif = run(s, "cent333", ["vif", "--get", oif]).stdout;
    expect(vif).toContain("IPaddr:10.47.255.236");
    expect(vif).toContain("tapeth0-038fe1");
  });
  it("RPF nh 61 on cent222 is the MPLSoGRE tunnel to the gateway", () => {
    const nh = run(s, "cent222", ["nh", "--get", "61"]).stdout;
    expect(nh).toMatch(/^Id:61\s+Type:Tunnel\s+Fmly: AF_INET/);
    expect(nh).toContain("Flags:Valid, MPLSoGRE, ");
    expect(nh).toContain("Sip:10.169.25.20 Dip:192.168.0.204");
  });
  it("the gateway pushes the FIP label toward cent222", () => {
    const out = run(s, "gateway", ["cli", "-c", "show route table k8s-ns-user-1-public.inet.0 101.101.101.1/32 detail"]).stdout;
    expect(out).toContain("Protocol next hop: 10.169.25.20");
    expect(out).toContain("Label operation: Push 20");
    const json = JSON.parse(
      run(s, "gateway", ["cli", "-c", "show route table k8s-ns-user-1-public.inet.0 101.101.101.1/32 detail | display json"]).stdout,
    );
    expect(json["route-information"][0]["route-table"][0].rt[0]["rt-destination"][0].data).toBe("101.101.101.1/32");
    expect(run(s, "cent222", ["mpls", "--get", "20"]).stdout).toMatch(/^\s+20\s+\d+$/m);
  });
  it("the gateway prints nothing for a prefix no route in the table matches (no table header)", () => {
    const table = "show route table k8s-ns-user-1-public.inet.0";
    for (const prefix of ["101.101.101.9/32", "101.101.101.9", "15.15.15.2/32"]) {
      expect(run(s, "gateway", ["cli", "-c", `${table} ${prefix} detail`])).toEqual({ stdout: "", stderr: "", code: 0 });
      expect(run(s, "gateway", ["cli", "-c", `${table} ${prefix}`]).stdout).toBe("");
      expect(run(s, "gateway", ["cli", "-c", `show route ${prefix}`]).stdout).toBe("");
      // JSON: the bare reply, no route table.
      const json = JSON.parse(run(s, "gateway", ["cli", "-c", `${table} ${prefix} detail | display json`]).stdout);
      expect(json).toEqual({ "route-information": [{ attributes: { xmlns: "http://xml.juniper.net/junos/21.4R0/junos-routing" } }] });
    }
    // The FIP itself: the header, then the route.
    expect(run(s, "gateway", ["cli", "-c", `${table} 101.101.101.1 detail`]).stdout).toMatch(/^\nk8s-ns-user-1-public\.inet\.0: \d+ destinations.*\n101\.101\.101\.1\/32 \(1 entry, 1 announced\)\n/);
    // The brief form (what the walk asks to find the VRF): header, legend, the route and its next hop.
    for (const cmd of ["show route 101.101.101.1/32", "show route 101.101.101.1/32 exact"]) {
      const brief = run(s, "gateway", ["cli", "-c", cmd]).stdout;
      expect(brief).toMatch(/^\nk8s-ns-user-1-public\.inet\.0: \d+ destinations, \d+ routes \(\d+ active, 0 holddown, 0 hidden\)\n\+ = Active Route, - = Last Active, \* = Both\n\n101\.101\.101\.1\/32 +\*\[BGP\/170\] [\dd: ]+, localpref 100, from \S+\n +AS path: .*\n +> +via \S+, Push 20\n$/);
    }
    expect(run(s, "gateway", ["cli", "-c", "show route 101.101.101.9/32 exact"]).stdout).toBe("");
    // A whole table (no prefix) still starts with its header.
    expect(run(s, "gateway", ["cli", "-c", table]).stdout).toMatch(/^\nk8s-ns-user-1-public\.inet\.0: /);
  });
  it("unknown tools fail like sh", () => {
    expect(run(s, "cent222", ["foo"])).toEqual({ stdout: "", stderr: "sh: 1: foo: not found\n", code: 127 });
    expect(run(s, "internet-host", ["flow", "-l"]).code).toBe(127);
    expect(run(s, "internet-host", ["ip", "route"]).stdout).toContain("default via 15.15.15.1 dev eth0");
  });
});

type Parser = (text: string) => { rows: unknown[]; errors: unknown[] };
let parseFlow: Parser | undefined;
const others: [string, string, string[]][] = [
  ["nh", "parseNh", ["nh", "--list"]],
  ["rt", "parseRt", ["rt", "--dump", "2"]],
  ["mpls", "parseMpls", ["mpls", "--dump"]],
  ["vif", "parseVif", ["vif", "--list"]],
];
let otherParsers: (Parser | undefined)[] = [];
let parseJunos: Parser | undefined;
beforeAll(async () => {
  parseJunos = await parser("junos", "parseJunosRoute");
  parseFlow = await parser("flow", "parseFlow");
  otherParsers = await Promise.all(others.map(([m, f]) => parser(m, f)));
});

describe("round trip through the project's parsers (lib/vrouter)", () => {
  const s = new LabState(loadTopology("default"));
  const c = s.model.computes.get("cent222")!;
  c.flows.addPair(
    { sip: "15.15.15.2", sport: 40000, dip: "101.101.101.1", dport: 80, proto: 6, vrf: 5, dvrf: 2, keyNh: 21, action: "N", nat: { d: true }, rpfNh: 61, sinfo: "192.168.0.204" },
    { sip: "10.47.255.238", sport: 80, dip: "15.15.15.2", dport: 40000, proto: 6, vrf: 2, dvrf: 5, keyNh: 20, action: "N", nat: { s: true }, rpfNh: 20, sinfo: "0.0.0.0" },
  );
  for (const e of c.flows.entries()) {
    c.flows.setTcp(e.index, TCP.SYN | TCP.SYN_R | TCP.ESTABLISHED | TCP.ESTABLISHED_R);
    c.flows.count(e.index, 1234);
  }
  
  it("flow -l, --match and --get parse back to the same entries", (ctx) => {
    if (!parseFlow) return ctx.skip("lib/vrouter/flow.ts not present");
    const out = run(s, "cent222", ["flow", "-l"]).stdout;
    const r = parseFlow!(out) as { rows: Record<string, unknown>[]; errors: unknown[] };
    expect(r.errors).toEqual([]);
    expect(r.rows.length).toBe(2);
    const fwd = r.rows.find((x) => x.srcIp === "15.15.15.2")!;
    expect(fwd).toMatchObject({ dstIp: "101.101.101.1", dstPort: 80, proto: 6, vrf: 5, action: "N(D)", dnat: true, tcpFlags: "SSrEEr", rpfNh: 61, packets: 1, bytes: 1234 });
    const rev = r.rows.find((x) => x.srcIp === "10.47.255.238")!;
    expect(rev).toMatchObject({ vrf: 2, action: "N(S)", snat: true, index: fwd.rindex, rindex: fwd.index });
    const m = parseFlow!(run(s, "cent222", ["flow", "--match", "15.15.15.2:40000"]).stdout) as { rows: unknown[]; errors: unknown[] };
    expect(m.errors).toEqual([]);
    expect(m.rows.length).toBe(2);
    const g = parseFlow!(run(s, "cent222", ["flow", "--get", String(fwd.index)]).stdout) as { rows: Record<string, unknown>[]; errors: unknown[] };
    expect(g.errors).toEqual([]);
    expect(g.rows[0]).toMatchObject({ index: fwd.index, srcIp: "15.15.15.2", dstPort: 80, dnat: true });
  });
  others.forEach(([, , cmd], i) => {
    it(`${cmd.join(" ")} parses without errors`, (ctx) => {
      const p = otherParsers[i];
      if (!p) return ctx.skip(`lib/vrouter/${others[i][0]}.ts not present`);
      const r = p!(run(s, "cent222", cmd).stdout);
      expect(r.errors).toEqual([]);
      expect(r.rows.length).toBeGreaterThan(0);
    });
  });
  it("the gateway's Junos route (text and | display json) parses to the FIP route via cent222 with label 20", (ctx) => {
    if (!parseJunos) return ctx.skip("lib/vrouter/junos.ts not present");
    const cmd = "show route table k8s-ns-user-1-public.inet.0 101.101.101.1/32 detail";
    for (const c of [cmd, cmd + " | display json"]) {
      const r = parseJunos(run(s, "gateway", ["cli", "-c", c]).stdout) as { rows: Record<string, unknown>[]; errors: unknown[] };
      expect(r.errors).toEqual([]);
      expect(r.rows[0]).toMatchObject({ prefix: "101.101.101.1/32", active: true, protocol: "BGP", protocolNextHop: "10.169.25.20", label: 20, tunnelType: "GRE" });
    }
  });
  it("the gateway's answer for a prefix it has no route for parses to no routes and no errors", (ctx) => {
    if (!parseJunos) return ctx.skip("lib/vrouter/junos.ts not present");
    const cmd = "show route table k8s-ns-user-1-public.inet.0 101.101.101.9/32 detail";
    for (const c of [cmd, cmd + " | display json"]) {
      expect(parseJunos(run(s, "gateway", ["cli", "-c", c]).stdout)).toMatchObject({ rows: [], errors: [] });
    }
  });
});
