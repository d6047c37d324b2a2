import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import * as path from "node:path";
import parse from "../../kernel/commands/parse";
import { SHARED_FIXTURES, LOCAL_FIXTURES, fixture } from "./helpers";

async function run(argv: string[], stdinText?: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  if (stdinText !== undefined) stdin.end(stdinText);
  else stdin.end();
  const code = await parse.run(argv, { stdout, stderr, stdin, signal: new AbortController().signal, env: {}, cwd: SHARED_FIXTURES });
  return { code, out, err };
}

describe("packetwalk parse", () => {
  it("has the command contract", () => {
    expect(parse.name).toBe("parse");
    expect(parse.usage).toMatch(/^usage: packetwalk parse KIND \[FILE\|-\] \[--json\]/);
  });

  it("--json prints {kind, rows, warnings, errors} and exits 0", async () => {
    const { code, out, err } = await run(["nh", "s3-4.txt", "--json"]);
    expect(code).toBe(0);
    expect(err).toBe("");
    const j = JSON.parse(out) as { kind: string; rows: { id: number; encapDstMac: string }[]; warnings: unknown[]; errors: unknown[] };
    expect(Object.keys(j)).toEqual(["kind", "rows", "warnings", "errors"]);
    expect(j.kind).toBe("nh");
    expect(j.rows.map((r) => [r.id, r.encapDstMac])).toEqual([[25, "52:54:00:f4:26:a1"]]);
    expect(j.warnings).toHaveLength(1);
    expect(j.errors).toEqual([]);
  });

  it("prints an aligned table by default, with the summary on stderr", async () => {
    const { code, out, err } = await run(["mpls", "s10-4.txt"]);
    expect(code).toBe(0);
    expect(out).toBe("label  nh\n-----  --\n   16   9\n   17  11\n");
    expect(err).toBe("s10-4.txt: mpls: 2 row(s), 0 error(s), 0 warning(s)\n");
  });

  it("reads stdin for `-` (and with no FILE), and guesses the kind with `auto`", async () => {
    const a = await run(["flow", "-", "--json"], fixture("s3-2.txt"));
    expect(a.code).toBe(0);
    expect((JSON.parse(a.out) as { rows: unknown[] }).rows).toHaveLength(2);
    const b = await run(["auto"], fixture("s3-1.txt"));
    expect(b.code).toBe(0);
    expect(b.out.split("\n")[0]).toBe("family  vrf  prefix            index  mac  ppl  flags  label   nh  stitchedMac");
    expect(b.err).toBe("<stdin>: rt: 11 row(s), 0 error(s), 0 warning(s)\n");
  });

  it("exits 1 on parse errors, still printing what parsed, errors as FILE:LINE:COL", async () => {
    const { code, out, err } = await run(["mpls", "-"], "MPLS Input Label Map\n\n   Label    NextHop\n-------------------\n      38        44\ngarbage\n");
    expect(code).toBe(1);
    expect(out).toBe("label  nh\n-----  --\n   38  44\n");
    expect(err).toBe(
      "<stdin>:6:1: error: unexpected line: expected a `Label  NextHop` row of two numbers: garbage\n" +
      "<stdin>: mpls: 1 row(s), 1 error(s), 0 warning(s)\n",
    );
  });

  it("exits 2 on usage and file errors, naming the file", async () => {
    const missing = await run(["vif", "no-such-file.txt"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^packetwalk parse: cannot read no-such-file.txt: ENOENT/);
    expect((await run([])).code).toBe(2);
    expect((await run(["bogus", "x"])).err).toMatch(/unknown kind "bogus"/);
    expect((await run(["nh", "a", "b"])).code).toBe(2);
    expect((await run(["nh", "--frob"])).code).toBe(2);
    expect((await run(["auto", "-"], "hello\n")).code).toBe(2);
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("usage: packetwalk parse");
  });

  it("parses the self-authored Junos fixture by absolute path; --all shows every column", async () => {
    const { code, out } = await run(["junos-route", path.join(LOCAL_FIXTURES, "junos-route-detail.txt"), "--all"]);
    expect(code).toBe(0);
    const header = out.split("\n")[0];
    expect(header).toContain("protocolNextHop");
    expect(header).toContain("routeDistinguisher");
    expect(out).toContain("10.169.25.20");
  });

  it("--json carries the flow table's header counters (flow only: the other tools print none)", async () => {
    const { code, out } = await run(["flow", "s3-2.txt", "--json"]);
    expect(code).toBe(0);
    const j = JSON.parse(out) as { header: { created: number | null } | null; headers: unknown[] };
    expect(Object.keys(j)).toEqual(["kind", "rows", "warnings", "errors", "header", "headers"]);
    expect(j.header).not.toBeNull();
    expect(typeof j.header?.created).toBe("number");
    expect(j.headers).toHaveLength(1);
  });

  it("exits 0 when every data line was read, however much was skipped with a warning; 1 when a data line was not", async () => {
    const pasted =
      "    # the label map, as seen on compute-3:\n" +
      "    bash-5.1# mpls \u2013dump\n" +
      "    MPLS Input Label Map\n\n       Label    NextHop\n    -------------------\n" +
      "          16        9     <-- the VM\n    ...\n          17       11\n" +
      "          99999999   12\n";
    const ok = await run(["mpls", "-", "--json"], pasted);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.out) as { rows: { label: number | null }[]; warnings: { line: number; kind?: string }[]; errors: unknown[] };
    expect(j.rows.map((r) => r.label)).toEqual([16, 17, null]);
    expect(j.warnings.map((w) => [w.line, w.kind])).toEqual([[1, "comment"], [7, "note"], [8, "elision"], [10, "value"]]);
    expect(j.errors).toEqual([]);
    const bad = await run(["mpls", "-"], `${pasted}          18  x11\n`);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("<stdin>:11:11: error: unexpected line");
  });
});

describe("packetwalk parse flow: pasted output, exit status, rates", () => {
  const entry =
    "   7<=>8       10.1.1.1:1000                                       6 (3)\n" +
    "                         10.1.1.2:80\n" +
    "(Gen: 1, K(nh):5, Action:F, Flags:, TCP:SSrEEr, QOS:-1, S(nh):5,  Stats:3/180,\n" +
    " SPort 60000, TTL 0, Sinfo 0.0.0.0)\n";
  it("a paste with prompts, comments, grep separators and double spacing exits 0 with warnings; a broken data line exits 1", async () => {
    const pasted = `  # on compute-1\n  bash-5.1# flow \u2013l | grep -A3 10.1.1.1\n${entry.replace(/^/gm, "  ")}  --\n`;
    const ok = await run(["flow", "-", "--json"], pasted);
    expect(ok.code).toBe(0);
    const j = JSON.parse(ok.out) as { rows: { index: number; line: number }[]; warnings: { line: number }[]; errors: unknown[] };
    expect(j.rows.map((r) => [r.index, r.line])).toEqual([[7, 3]]);
    expect(j.errors).toEqual([]);
    expect(j.warnings.map((w) => w.line)).toEqual([1, 7]);
    const bad = await run(["flow", "-", "--json"], `${pasted}   9<=>10   10.1.1.1:zz   6 (3)\n`);
    expect(bad.code).toBe(1);
  });

  it("flow -r: --json carries `rates`, exit 0", async () => {
    const { code, out } = await run(["flow", "-", "--json"], "# flow \u2013r\nNew =    2, Flow setup rate =    3 flows/sec, Flow rate =    3 flows/sec, for last  548 ms\n");
    expect(code).toBe(0);
    const j = JSON.parse(out) as { rows: unknown[]; rates: { newFlows: number; periodMs: number }[] };
    expect(j.rows).toEqual([]);
    expect(j.rates.map((r) => [r.newFlows, r.periodMs])).toEqual([[2, 548]]);
  });
});
