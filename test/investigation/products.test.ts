/**
 * What a recorded walk leaves beside its evidence log: the frames the stages used, as a pcapng whose
 * packet comments name the stage and the reason (tshark reads them), and the large tables as Arrow IPC
 * (arquero reads them back; the reader checks them against their hashes like every other file).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../kernel/cli";
import { buildFrame, eth, ipv4, tcp } from "../../lib/capture/build";
import { writePcapng } from "../../lib/capture/file/writer";
import { readRecords } from "../../lib/capture/read";
import { FLOW_HISTORY_COLUMNS } from "../../lib/flows/history-table";
import { investigationTables, openInvestigation, readInvestigationTable, type ExportRecord, type SnapshotRecord } from "../../lib/investigation";
import { parseFlow } from "../../lib/vrouter";
import { evidenceFrameMarks } from "../../lib/walk/evidence-frames";
import type { StageResult } from "../../lib/walk/types";
import { findTshark } from "../capture/helpers";
import { captureIO } from "../helpers/io";

const tshark = findTshark();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-inv-products-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function tsharkFields(file: string, fields: string[]): string[][] {
  const out = execFileSync(tshark!, ["-r", file, "-T", "fields", "-E", "separator=\t", "-E", "aggregator=|", ...fields.flatMap((f) => ["-e", f])], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  return out.split("\n").filter((l) => l !== "").map((l) => l.split("\t"));
}

describe("pcapng with packet comments and named interfaces", () => {
  const frames = [1, 2, 3].map((k) => ({ data: buildFrame([eth(), ipv4("15.15.15.2", "101.101.101.1"), tcp(40000 + k, 80, { flags: "SYN", seq: k })]), time: { sec: 1732457000, nsec: k * 1000 } }));
  const bytes = writePcapng(
    [
      { ...frames[0]!, comment: "stage 1 client PASS — the request left" },
      { ...frames[1]!, iface: 1, comment: ["stage 2 gateway PASS — label 20", "stage 4 proxy PASS — the new connection"] },
      { ...frames[2]!, iface: 1 },
    ],
    { interfaces: [{ name: "internet-host:eth0" }, { name: "cent222:ens3" }], tsresol: 9 },
  );

  it("reads back in packetwalk's own reader: every frame, its interface and timestamp", async () => {
    const got = [];
    for await (const r of readRecords(bytes)) got.push([r.no, r.iface, r.tsNsec, r.data.length]);
    expect(got).toEqual(frames.map((f, i) => [i + 1, i === 0 ? 0 : 1, f.time.nsec, f.data.length]));
  });

  it("refuses a frame on an interface that was not described", () => {
    expect(() => writePcapng([{ ...frames[0]!, iface: 2 }], { interfaces: [{ name: "a" }] })).toThrow(/interface 2 is not one of the 1 interfaces/);
  });

  it.skipIf(!tshark)(`shows the comments and interface names in tshark${tshark ? "" : " (skipped: tshark not installed)"}`, () => {
    const file = path.join(tmp, "commented.pcapng");
    fs.writeFileSync(file, bytes);
    expect(tsharkFields(file, ["frame.number", "frame.interface_name", "frame.comment"])).toEqual([
      ["1", "internet-host:eth0", "stage 1 client PASS — the request left"],
      ["2", "cent222:ens3", "stage 2 gateway PASS — label 20|stage 4 proxy PASS — the new connection"],
      ["3", "cent222:ens3", ""],
    ]);
  });
});

describe("evidenceFrameMarks", () => {
  it("collects the frames named by evidence rows, one comment per stage and evidence table, in stage order", () => {
    const stage = (step: number, id: string, rows: Record<string, string | number>[], title = "frames"): StageResult =>
      ({ id, step, title: id, direction: "forward", node: "cent222", verdict: step === 3 ? "fail" : "pass", reason: `reason ${step}`, summary: "", evidence: [{ title, node: "cent222", command: null, at: 0, rows }], notes: [], startedAt: 0, durationMs: 0 }) as unknown as StageResult;
    const marks = evidenceFrameMarks([
      stage(2, "gateway", [{ node: "cent222", iface: "ens3", frame: 4 }, { node: "cent222", iface: "ens3", frame: 5 }], "MPLSoGRE frames"),
      stage(3, "fip-nat", [{ node: "cent222", iface: "ens3", frame: 4 }, { node: "cent222", iface: "ens3", frame: 0 }, { node: "cent222", frame: 9 }]),
    ]);
    expect(marks).toEqual([
      { node: "cent222", iface: "ens3", frame: 4, comments: ["stage 2 gateway PASS — MPLSoGRE frames: reason 2", "stage 3 fip-nat FAIL — frames: reason 3"] },
      { node: "cent222", iface: "ens3", frame: 5, comments: ["stage 2 gateway PASS — MPLSoGRE frames: reason 2"] },
    ]);
  });
});

describe("a recorded walk's evidence frames and Arrow tables", () => {
  it("writes exports/evidence-frames.pcapng and tables/*.arrow into OUT/investigation, links them from the report, and a replay exports the same frames", async () => {
    const out = path.join(tmp, "walk");
    const t = captureIO();
    const code = await main(["walk", "--lab", "--out", out, "--no-notebooks"], t.io);
    expect(t.out()).toContain("all 10 stages pass");
    expect(code).toBe(0);
    const inv = openInvestigation(path.join(out, "investigation"));
    expect(inv.warnings).toEqual([]);

    // The frames: every stage that used captured frames comments them, and tshark shows the comments.
    const exp = inv.records.find((r): r is ExportRecord => r.kind === "export")!;
    expect(exp).toMatchObject({ what: "evidence frames", file: "exports/evidence-frames.pcapng" });
    expect(exp.items).toBeGreaterThan(10);
    expect(fs.readFileSync(path.join(out, "walk.html"), "utf8")).toContain('href="investigation/exports/evidence-frames.pcapng"');
    const walkJson = JSON.parse(fs.readFileSync(path.join(out, "walk.json"), "utf8")) as { stages: StageResult[] };
    const marks = evidenceFrameMarks(walkJson.stages);
    expect(marks.length).toBe(exp.items);
    if (tshark) {
      const rows = tsharkFields(path.join(out, "investigation", exp.file), ["frame.interface_name", "frame.comment"]);
      expect(rows.length).toBe(exp.items);
      const comments = rows.flatMap((r) => r[1]!.split("|"));
      for (const id of ["client", "gateway", "proxy", "return-client"]) expect(comments.some((c) => new RegExp(`^stage \\d+ ${id} PASS — `).test(c))).toBe(true);
      // The healthy walk decides from the client's and the active node's frames (the backend's serve a failing stage).
      expect(new Set(rows.map((r) => r[0]))).toEqual(new Set(["internet-host:eth0", "cent222:ens3"]));
    }

    // The tables: listed in the log, checked against their hashes, read back by arquero.
    expect(investigationTables(inv)).toEqual(["flow-history", "frames-cent222-ens3", "frames-cent333-ens3", "frames-internet-host-eth0"]);
    const history = readInvestigationTable(inv, "flow-history")!;
    expect(history.columnNames()).toEqual([...FLOW_HISTORY_COLUMNS]);
    const snapshots = inv.records.filter((r) => r.kind === "snapshot").length;
    expect(new Set(history.array("snapshot") as number[]).size).toBeGreaterThan(1);
    expect(history.filter((d: { dstPort: number }) => d.dstPort === 80).numRows()).toBeGreaterThan(0);
    // One row per entry per snapshot: as many rows as the recorded snapshots' entries.
    const entries = inv.records.filter((r): r is SnapshotRecord => r.kind === "snapshot").reduce((n, r) => n + parseFlow(inv.text(r.output) ?? "").rows.length, 0);
    expect(history.numRows()).toBe(entries);
    expect(snapshots).toBeGreaterThan(5);
    const frames = readInvestigationTable(inv, "frames-cent222-ens3")!;
    expect(frames.numRows()).toBeGreaterThan(10);
    expect(new Set(frames.array("tunnel") as string[])).toEqual(new Set(["mplsogre", "mplsoudp"]));
    // A table altered after the fact is refused, with a warning naming it.
    const file = path.join(out, "investigation", "tables", "frames-cent333-ens3.arrow");
    fs.appendFileSync(file, Buffer.from([0]));
    const altered = openInvestigation(path.join(out, "investigation"));
    expect(readInvestigationTable(altered, "frames-cent333-ens3")).toBeNull();
    expect(altered.warnings.join("\n")).toMatch(/tables\/frames-cent333-ens3\.arrow does not match its hash/);
    fs.truncateSync(file, fs.statSync(file).size - 1);

    // Replayed: the same frames, with the same comments, beside the replay's report.
    const again = path.join(tmp, "replayed");
    const r = captureIO();
    expect(await main(["walk", "--replay", path.join(out, "investigation"), "--out", again, "--no-notebooks"], r.io)).toBe(0);
    if (tshark) {
      const a = tsharkFields(path.join(out, "investigation", exp.file), ["frame.time_epoch", "frame.comment"]);
      const b = tsharkFields(path.join(again, "evidence-frames.pcapng"), ["frame.time_epoch", "frame.comment"]);
      expect(b.length).toBe(a.length);
      expect(b.map((x) => x[1]!.replace(/\d+ ms/g, ""))).toEqual(a.map((x) => x[1]!.replace(/\d+ ms/g, "")));
    }
  }, 120_000);
});
