/**
 * The filter language: semantics on the sample capture and errors naming the position.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { FilterSyntaxError } from "../../lib/capture/errors";
import { compileFilter, filterFrames } from "../../lib/capture/filter";
import type { FrameTable } from "../../lib/capture/table/frame-table";
import { readCapture } from "../../lib/capture/read";
import { execFileSync } from "node:child_process";
import { findTshark, fixture } from "./helpers";

let t: FrameTable;
beforeAll(async () => {
  t = await readCapture(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
});

const nos = (expr: string) => [...filterFrames(t, expr).rows()].map((r) => r.no);
const count = (expr: string) => filterFrames(t, expr).length;

// counts checked against `tshark -r contrail-mplsogre-mplsoudp-http.pcap -Y EXPR | wc -l` where the
// syntax is shared (the live test below repeats that when tshark is installed)
describe("compileFilter(expr) semantics", () => {
  it.each([
    ["mpls.label==38 && tcp.port==80", 16],
    ["mpls.label==38", 16],
    ["mpls.label == 16", 10], // any label of the stack
    ["mpls.bottom == 20", 30],
    ["tunnel==mplsoudp", 34],
    ["tunnel == mplsogre", 62],
    ["tunnel==vxlan", 10],
    ["tunnel==none", 0],
    ["ip.addr==10.47.255.238", 34],
    ["ip.addr==10.169.25.21", 34],
    ["outer.addr==10.169.25.21", 34],
    ["inner.addr==10.169.25.21", 0],
    ["ip.addr==10.47.0.0/16", 44],
    ["ip.src==2001:db8::15", 5],
    ["ip.addr == 2001:db8:0:0::15", 10],
    ["vxlan.vni==5001", 10],
    ["vlan.id==100", 10],
    ["vlan", 10],
    ["http", 20],
    ["http.request", 10],
    ["http.response && http.status >= 400", 3],
    ['http.method=="POST"', 1],
    ["http.method==get", 9],
    ['http.path contains "/api"', 2],
    ['http.host=="10.99.225.17"', 3],
    ["tcp.flags.syn && !tcp.flags.ack", 10],
    ["tcp.flags.syn and not tcp.flags.ack", 10],
    ["tcp.flags == 0x012", 10],
    ["tcp.srcport==40000 || tcp.dstport==40000", 10],
    ["tcp.len > 0", 25],
    ["udp", 44],
    ["udp.port==6635", 0], // udp.* are the innermost transport
    ["ipv6", 10],
    ["frame.number <= 10", 10],
    ["frame.len > 700", 9],
    ["!(tunnel==mplsogre) && !(tunnel==mplsoudp)", 10],
    ["truncated || malformed", 0],
  ])("%s → %i frames", (expr, n) => {
    expect(count(expr)).toBe(n);
  });

  it("selects the probe's connection both ways", () => {
    expect(nos("ip.addr==15.15.15.2 && tcp.port==40000")).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("keeps operator precedence: && binds tighter than ||", () => {
    expect(count("tunnel==vxlan || tunnel==mplsoudp && http.request")).toBe(10 + 3);
    expect(count("(tunnel==vxlan || tunnel==mplsoudp) && http.request")).toBe(1 + 3);
  });
});

describe("compileFilter(expr) errors name the position", () => {
  it.each([
    ["", 0, "empty filter"],
    ["tcp.port == ", 12, "expected a value after '=='"],
    ["tcp.prot == 80", 0, "unknown field 'tcp.prot'"],
    ["tcp.port = 80", 9, "use '==' to compare"],
    ["(tcp.port == 80", 15, "expected ')'"],
    ["tcp.port == 80)", 14, "unexpected ')'"],
    ["tunnel == mplsoverudp", 10, "unknown tunnel 'mplsoverudp'"],
    ["ip.addr == 10.1.1", 11, "bad address '10.1.1'"],
    ["ip.addr == 10.0.0.0/40", 11, "bad IPv4 prefix"],
    ["mpls.label == abc", 14, "'mpls.label' needs a number, found 'abc'"],
    ['http.path == "abc', 13, "unterminated string"],
    ["http.host < 3", 12, "'<' needs a number"],
    ["tcp.port == 80 &&", 17, "expected a field name at the end"],
    ["&& tcp", 0, "expected a field name, found '&'"],
  ])("%j → position %i: %s", (expr, pos, msg) => {
    let err: unknown;
    try { compileFilter(expr); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(FilterSyntaxError);
    expect((err as FilterSyntaxError).position).toBe(pos);
    expect((err as FilterSyntaxError).message).toContain(msg);
    expect((err as FilterSyntaxError).message).toContain(`at position ${pos}`);
  });
});

describe("compileFilter(expr) against tshark -Y (needs tshark)", () => {
  const shared = [
    // (not "http" or "http.response": tshark marks the frame completing a reassembled message)
    "mpls.label==38 && tcp.port==80", "mpls.label==16", "http.request", "tcp.len > 0", "frame.len > 700",
    "ip.addr==10.47.0.0/16", "vxlan.vni==5001 || vlan.id==100", "tcp.flags.syn==1 && tcp.flags.ack==0",
  ];
  it.skipIf(!findTshark())("same frame numbers as tshark for the shared syntax" + (findTshark() ? "" : " (skipped: tshark not installed)"), () => {
    for (const expr of shared) {
      const out = execFileSync("tshark", ["-r", fixture("contrail-mplsogre-mplsoudp-http.pcap"), "-Y", expr, "-T", "fields", "-e", "frame.number"],
        { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      const want = out.split("\n").filter(Boolean).map(Number);
      expect(nos(expr), expr).toEqual(want);
    }
  }, 180_000);
});
