/**
 * parseFlowColumns (the byte scanner into columns) against parseFlow (the line scanner into rows): the
 * same rows, errors, warnings, commands and headers for every real sample, for edge cases of every
 * field, for bytes, Buffers and strings, and for a thousand mutated inputs; the arquero table equal to
 * toTable(parseFlow(text)); the columns themselves compact.
 */
import { describe, expect, it } from "vitest";
import { parseFlow } from "../../lib/vrouter/flow";
import { parseFlowColumns } from "../../lib/vrouter/flow";
import { FlowColumns } from "../../lib/vrouter/flow/columns";
import { IpColumn, NumColumn, StringDict } from "../../lib/vrouter/flow/column-kinds";
import { toTable } from "../../lib/vrouter/table";
import { generateFlowDump } from "../bench/parse";
import { prng } from "../helpers/prng";
import { fixture, sharedFixtureNames } from "./helpers";

/** Asserts that both parsers agree on `text` (given as a string and as bytes). */
function same(text: string, ctx = ""): ReturnType<typeof parseFlowColumns> {
  const want = parseFlow(text);
  for (const input of [text, new TextEncoder().encode(text), Buffer.from(text, "utf8")]) {
    const got = parseFlowColumns(input);
    expect(got.columns.rows(), ctx).toStrictEqual(want.rows);
    expect(got.errors, ctx).toStrictEqual(want.errors);
    expect(got.warnings, ctx).toStrictEqual(want.warnings);
    expect(got.commands, ctx).toStrictEqual(want.commands);
    expect(got.headers, ctx).toStrictEqual(want.headers);
    expect(got.header, ctx).toStrictEqual(want.header);
  }
  return parseFlowColumns(text);
}

const ENTRY = (over: Partial<Record<"index" | "src" | "proto" | "vrf" | "dst" | "block", string>> = {}): string =>
  `${over.index ?? "   292028<=>398064"}       ${over.src ?? "10.0.11.252:46338"}                                   ${over.proto ?? "6"} ${over.vrf ?? "(2)"}\n` +
  `                         ${over.dst ?? "10.0.11.251:80"}\n` +
  `${over.block ?? "(Gen: 1, K(nh):30, Action:N(SD), Flags:, TCP:SSrEEr, QOS:-1, S(nh):30,\n Stats:294/40078,  SPort 55557, TTL 0, Sinfo 4.0.0.0)"}\n\n`;

describe("parseFlowColumns", () => {
  it("gives parseFlow's result for every real sample, values included", () => {
    let entries = 0;
    for (const name of sharedFixtureNames()) {
      const r = same(fixture(name), name);
      entries += r.columns.length;
    }
    expect(entries).toBeGreaterThan(10);
    // Spot values from s1-2 (TF master layout): scanned by the byte scanner, not the line scanner.
    const c = parseFlowColumns(fixture("s1-2.txt")).columns;
    const first = c.row(0);
    expect(first).toMatchObject({ index: 77264, rindex: 305912, srcIp: "10.0.11.254", srcPort: 39170, dstIp: "10.0.11.251", dstPort: 0, proto: 1, vrf: 2, gen: 1, keyNh: 25, action: "F", qos: -1, rpfNh: 14, packets: 0, bytes: 0, udpSrcPort: 60461, ttl: 0, sinfo: "0.0.0.0", line: 14 });
    const nat = c.rows().find((r) => r.index === 292028)!;
    expect(nat).toMatchObject({ srcIp: "x.x.x.x", dvrf: 2, vrfTranslated: true, snat: true, dnat: true, tcpState: "established", packets: 429, bytes: 33993 });
  });

  it("agrees with parseFlow on a generated million-entry layout (a 5,000-entry slice) and its table", () => {
    const text = generateFlowDump(5000, 3);
    const r = same(text);
    expect(r.columns.length).toBe(5000);
    const want = toTable(parseFlow(text));
    const got = r.columns.toTable();
    expect(got.columnNames()).toStrictEqual(want.columnNames());
    expect(got.objects()).toStrictEqual(want.objects());
  });

  it("agrees on every field's edge cases (each either scanned fast or handed to the line scanner)", () => {
    const cases: string[] = [
      ENTRY(),
      ENTRY({ index: "        0<=>-1", src: "0.0.0.0:0" }),
      ENTRY({ index: "999999999<=>0" }),
      ENTRY({ index: "9999999999<=>1" }), // past Int32
      ENTRY({ index: "12<=>-0" }),
      ENTRY({ index: "1234567890123456<=>1" }), // past 15 digits: an error, not a NaN index
      ENTRY({ index: "12" }), // no reverse index
      ENTRY({ src: "fd00::a:1:443", dst: "fd00::b:2:51000" }), // IPv6
      ENTRY({ src: "10.0.11.01:5" }), // leading zero: kept as printed
      ENTRY({ src: "256.1.1.1:5" }),
      ENTRY({ src: "255.255.255.255:5", dst: "255.255.255.255:67" }),
      ENTRY({ src: "1.2.3:5" }),
      ENTRY({ src: "10.1.1.1:99999999999" }), // port past Int32
      ENTRY({ src: "10.1.1.1:" }),
      ENTRY({ src: ":80" }),
      ENTRY({ proto: "17", vrf: "(0->2)" }),
      ENTRY({ vrf: "(3) trailing" }),
      ENTRY({ vrf: "(3" }),
      ENTRY({ dst: "10.0.0.1:80 extra" }),
      ENTRY({ dst: "(Gen: 1)" }),
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:D(SG), Flags:EcM, E:3, QOS:0, S(nh):0, Stats:1/2, SPort 1, TTL 64, Sinfo fe80::1)" }),
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-0, S(nh):0, Stats:1/2, SPort -1, TTL -0, Sinfo 0.0.0.0)" }),
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):0, Stats:99999999999999/999999999999999, SPort 1, TTL 0, Sinfo 0.0.0.0)" }),
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):0,\n Stats:1/2,\n SPort 1,\n TTL 0,\n Sinfo 0.0.0.0)" }),
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):0, Stats:1/2, SPort 1, TTL 0, Sinfo 0.0.0.0)   x" }),
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):0, Stats:1/2, SPort 1, TTL 0, Sinfo 0.0.0.0)\nOflow entries:\n\t 5 6 7" }),
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):0, Stats:1/2, SPort 1, TTL 0, Mirror Index : 1, 2, Sinfo 0.0.0.0)" }),
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):0, Stats:1/2, SPort 1, TTL 0, Sinfo 0.0.0.0" }),
      ENTRY({ block: "(K(nh):5, Action:F, Flags:, Stats:1/2)" }), // older layout
      ENTRY({ block: "(Gen: 1, K(nh):5, Action:N(\u00e9), Flags:, QOS:-1, S(nh):0, Stats:1/2, SPort 1, TTL 0, Sinfo 0.0.0.0)" }),
      ENTRY({ block: "" }),
      "   1<=>2   1.1.1.1:1   2.2.2.2:80   6 (0)\n(Action:F, Stats:1/60)\n\n", // R1.x single-line layout
      "\t1<=>2\t1.1.1.1:1\t6 (0)\n\t2.2.2.2:80\n(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):0, Stats:1/2, SPort 1, TTL 0, Sinfo 0.0.0.0)\n\n",
      ENTRY().replace(/\n/g, "\r\n"),
      `\x1b[H\x1b[2J${ENTRY()}`,
      `[root@cent222 ~]# flow -l\n${fixture("s1-2.txt").split("\n").slice(1).join("\n")}[root@cent222 ~]# nh --get 5\nId:5 Type:Encap\n\n${ENTRY()}`,
      ENTRY() + ENTRY({ index: "   7<=>8" }).replace("\n\n", "\n") + ENTRY({ index: "   9<=>10" }), // no blank line between entries
      `Flow table(size 1, entries 2)\n\n${ENTRY()}Flow table(size 1, entries 2)\n\n${ENTRY({ index: "  5<=>6" })}`,
      ENTRY().slice(0, 150),
      ENTRY().slice(0, -3),
    ];
    for (const [i, text] of cases.entries()) same(text, `case ${i}: ${JSON.stringify(text.slice(0, 80))}`);
  });

  it("agrees with parseFlow on 1,000 mutations of the samples and of generated dumps", () => {
    const r = prng(0xf10c);
    const bases = [...sharedFixtureNames().map((n) => fixture(n)).filter((t) => t.includes("Gen:")), generateFlowDump(40, 11)];
    const JUNK = ["(", ")", ":", ",", "<=>", "->", "\n", "\n\n", " ", "\t", "\r", "-", "0", "9999999999", "Oflow entries:", "Flow Index:", "\u00e9", "$ flow -l\n", "Gen: "];
    for (let round = 0; round < 1000; round++) {
      let t = bases[Math.floor(r() * bases.length)];
      for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
        const at = Math.floor(r() * (t.length + 1));
        const op = Math.floor(r() * 3);
        if (op === 0) t = t.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)] + t.slice(at);
        else if (op === 1) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 8));
        else t = t.slice(0, at) + String.fromCharCode(32 + Math.floor(r() * 95)) + t.slice(at + 1);
      }
      same(t, `round ${round}`);
    }
  });

  it("never throws on bytes that are not text", () => {
    const r = prng(5);
    for (let k = 0; k < 200; k++) {
      const u = new Uint8Array(1 + Math.floor(r() * 400)).map(() => Math.floor(r() * 256));
      expect(() => parseFlowColumns(u)).not.toThrow();
      expect(() => parseFlowColumns(u.subarray(1)).columns.rows()).not.toThrow();
    }
  });

  it("keeps flow --get detail columns, and tables with no rows", () => {
    const get = fixture("s3-3.txt");
    const r = same(get);
    expect(r.columns.toTable().columnNames()).toStrictEqual(toTable(parseFlow(get)).columnNames());
    expect(parseFlowColumns("").columns.toTable().numRows()).toBe(0);
  });

  it("stores a million-entry table in a fraction of the rows' memory (typed columns, IPv4 as uint32)", () => {
    const c = parseFlowColumns(generateFlowDump(2000, 9)).columns;
    expect([c.index.width, c.proto.width, c.vrf.width, c.packets.width]).toStrictEqual(["int32", "int8", "int16", "float64"]);
    expect(c.srcIp.values).toBeInstanceOf(Uint32Array);
    expect(c.srcIp.others.size).toBe(0); // every address stored as a number
    expect(c.action.dict.values.length).toBeLessThan(10);
  });
});

describe("column building blocks", () => {
  it("NumColumn widens int8 → int16 → int32 as values need, keeping nulls apart from the values at each width's edge", () => {
    const c = new NumColumn(6, "int8");
    c.setInts(0, new Int32Array([1, -2147483648, -128, 127]), 0, 1, 4);
    expect([c.width, c.get(0), c.get(1), c.get(2), c.get(3)]).toStrictEqual(["int16", 1, null, -128, 127]);
    c.set(4, -32768);
    c.set(5, null);
    expect([c.width, c.get(2), c.get(4), c.get(5)]).toStrictEqual(["int32", -128, -32768, null]);
    c.set(5, 0.5);
    expect([c.width, c.get(1), c.get(5)]).toStrictEqual(["float64", null, 0.5]);
  });

  it("NumColumn widens to Float64 for values past Int32, -0 and fractions, keeping earlier values and nulls", () => {
    const c = new NumColumn(4);
    c.set(0, 5);
    c.set(1, null);
    c.set(2, -0);
    c.set(3, 2 ** 40);
    expect([c.get(0), c.get(1), Object.is(c.get(2), -0), c.get(3)]).toStrictEqual([5, null, true, 2 ** 40]);
    c.grow(8);
    expect(c.get(7)).toBeNull();
  });

  it("StringDict finds strings by bytes and by text alike, across rehashes", () => {
    const d = new StringDict();
    const enc = new TextEncoder();
    for (let i = 0; i < 1000; i++) expect(d.code(`v${i}`)).toBe(i);
    for (let i = 0; i < 1000; i++) {
      const b = enc.encode(`[v${i}]`);
      expect(d.codeOfBytes(b, 1, b.length - 1)).toBe(i);
    }
    expect(d.code("\u00e9")).toBe(1000);
    expect(d.codeOfBytes(enc.encode("new"), 0, 3)).toBe(1001);
  });

  it("IpColumn keeps canonical IPv4 as numbers and everything else as text", () => {
    const c = new IpColumn(4);
    c.setString(0, "10.47.255.238");
    c.setString(1, "10.047.1.1");
    c.setString(2, "fd00::1");
    c.setString(3, null);
    expect([c.get(0), c.get(1), c.get(2), c.get(3)]).toStrictEqual(["10.47.255.238", "10.047.1.1", "fd00::1", null]);
    c.setString(1, "255.255.255.255");
    c.setV4(2, 0xffffffff);
    expect([c.get(1), c.get(2)]).toStrictEqual(["255.255.255.255", "255.255.255.255"]);
    expect(c.values[0]).toBe(0x0a2fffee);
  });

  it("FlowColumns.row refuses an index outside the table", () => {
    expect(() => new FlowColumns().row(0)).toThrow(/out of range/);
  });
});
