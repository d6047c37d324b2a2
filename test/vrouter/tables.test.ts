import { describe, expect, it } from "vitest";
import { parseMpls } from "../../lib/vrouter/mpls";
import { parseVxlan } from "../../lib/vrouter/vxlan";
import { parseDropstats } from "../../lib/vrouter/dropstats";
import { fixture } from "./helpers";

describe("parseMpls", () => {
  it("S13 vtest mpls --dump inside a transcript", () => {
    const r = parseMpls(fixture("s13-1.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ line: 66, label: 42, nh: 44 }]);
  });
  it("S10 TechLibrary `mpls –dump` (en dash, doubled blank lines, indented rule)", () => {
    const r = parseMpls(fixture("s10-4.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      { line: 11, label: 16, nh: 9 },
      { line: 13, label: 17, nh: 11 },
    ]);
    expect(r.commands[0]).toMatchObject({ prompt: "#", command: "mpls \u2013dump", tool: "mpls" });
  });
  it("garbage → error with line/column", () => {
    const r = parseMpls("MPLS Input Label Map\n\n   Label    NextHop\n-------------------\n      38    x44\n");
    expect(r.rows).toEqual([]);
    expect(r.errors).toEqual([{ line: 5, column: 7, message: "unexpected line: expected a `Label  NextHop` row of two numbers", text: "38    x44" }]);
  });
});

describe("parseVxlan", () => {
  it("S5 vxlan --get 38", () => {
    const r = parseVxlan(fixture("s5-1.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([{ line: 6, vnid: 38, nh: 547 }]);
  });
});

describe("parseDropstats", () => {
  it("S10 dropstats (DPDK, R2008+) and dropstats --debug", () => {
    const r = parseDropstats(fixture("s10-5.txt"));
    expect(r.errors).toEqual([]);
    expect(r.rows).toHaveLength(49);
    expect(r.rows.find((x) => x.counter === "Invalid NH")).toEqual({ line: 25, counter: "Invalid NH", value: 2 });
    expect(r.rows.find((x) => x.counter === "Jumbo Mcast Pkt with DF Bit")?.value).toBe(0);
    expect(r.rows[r.rows.length - 1]).toEqual({ line: 59, counter: "Cloned Original", value: 0 });
    expect(r.commands.map((c) => c.command)).toEqual(["dropstats", "dropstats --debug"]);
  });
});
