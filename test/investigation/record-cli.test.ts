/**
 * `--record DIR` on the commands that reach nodes: `exec`, `flows` and `probe` record into an
 * investigation — created by the first, added to by the next, exactly as a notebook's
 * `openTarget(…, { record: DIR })` — and a notebook replaying that folder gets the same answers.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import execCommand from "../../kernel/commands/exec";
import flowsCommand from "../../kernel/commands/flows";
import probeCommand from "../../kernel/commands/probe";
import { investigationTables, openInvestigation, readInvestigationTable, type CommandRecord, type ProbeRecord, type SnapshotRecord } from "../../lib/investigation";
import type { Lab } from "../../lib/lab/lab";
import { openTarget } from "../../lib/notebook";
import { shellCommand } from "../../lib/remote/quote";
import { runCli } from "../remote/helpers/cli";
import { labFor } from "../walk/helpers";

let lab: Lab;
let dir: string;
let inventory: string;
beforeAll(async () => {
  lab = await labFor();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-record-cli-"));
  inventory = path.join(dir, "lab.json");
  fs.writeFileSync(inventory, JSON.stringify(lab.inventory), { mode: 0o600 });
}, 60_000);
afterAll(async () => {
  await lab?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("--record DIR on exec, flows and probe", () => {
  it("records into one investigation across commands, and a notebook replays what was recorded", async () => {
    const inv = path.join(dir, "incident");
    const a = await runCli(execCommand, ["cent222", "--inventory", inventory, "--record", inv, "--", "vif", "--list"]);
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/^recording into .*incident \(pw-\d{8}-\d{6}-[0-9a-f]{4}, new\)$/m);
    const b = await runCli(execCommand, ["cent222,cent333", "--inventory", inventory, "--record", inv, "--", "flow", "-l"]);
    expect(b.code).toBe(0);
    expect(b.stderr).not.toMatch(/, new\)/);
    const p = await runCli(probeCommand, ["http", "http://101.101.101.1/", "--host", "www.juniper.net", "--inventory", inventory, "--record", inv, "--repeat", "2", "--every", "0.2"]);
    expect(p.code).toBe(0);
    const f = await runCli(flowsCommand, ["cent222", "--inventory", inventory, "--record", inv, "--every", "0.2", "--for", "2.5"]);
    expect(f.code).toBe(0);
    const t = await runCli(probeCommand, ["tcp", "101.101.101.1", "80", "--inventory", inventory, "--record", inv, "--hold", "0.3", "--send", "GET / HTTP/1.0"]);
    expect([0, 1]).toContain(t.code);

    const read = openInvestigation(inv);
    expect(read.warnings).toEqual([]);
    expect(read.manifest.parameters).toMatchObject({ command: "exec", nodes: ["cent222"], words: ["vif", "--list"] });
    expect(read.manifest.target.nodes.map((n) => n.name)).toContain("cent222");
    // Numbered on across the commands: one log, no number twice.
    const seqs = read.records.map((r) => r.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const cmds = read.records.filter((r): r is CommandRecord => r.kind === "command");
    const vif = cmds.find((c) => c.command === shellCommand(["vif", "--list"]))!;
    expect(vif).toMatchObject({ node: "cent222", exitCode: 0 });
    expect(cmds.filter((c) => c.command === shellCommand(["flow", "-l"])).map((c) => c.node).sort()).toEqual(["cent222", "cent333"]);
    // The poll loop is a command of its own (output kept, bounded), beside its snapshots and the Arrow flow history.
    const loop = cmds.find((c) => c.node === "cent222" && /EPOCHREALTIME|while/.test(c.command));
    expect(loop).toBeDefined();
    expect(loop!.stdout.bytes).toBeGreaterThan(0);
    expect(loop!.stdout.bytes).toBeLessThanOrEqual(1 << 20);
    const snaps = read.records.filter((r): r is SnapshotRecord => r.kind === "snapshot");
    expect(snaps.length).toBeGreaterThanOrEqual(2);
    expect(investigationTables(read)).toEqual(["flow-history"]);
    // The probes' connections linger in the flow table (3 s in this lab): the history holds them, snapshot by snapshot.
    const history = readInvestigationTable(read, "flow-history")!;
    expect(new Set(history.array("snapshot") as number[]).size).toBeGreaterThan(1);
    expect(history.filter((d: { dstIp: string }) => d.dstIp === "101.101.101.1").numRows()).toBeGreaterThan(0);
    const probes = read.records.filter((r): r is ProbeRecord => r.kind === "probe");
    expect(probes.map((r) => r.purpose)).toEqual(["probe http", "probe http", "probe tcp"]);
    expect((probes[0]!.result as { status: number }).status).toBe(200);

    // A notebook opening the folder replays it: the same command on the same node, the same answer.
    const replay = await openTarget(inv);
    try {
      expect(replay.replay?.manifest.id).toBe(read.manifest.id);
      expect((await replay.runner.run("cent222", { script: shellCommand(["vif", "--list"]) })).stdout).toBe(a.stdout);
    } finally {
      await replay.close();
    }
  }, 120_000);

  it("refuses a folder it cannot record into before reaching any node", async () => {
    const file = path.join(dir, "not-a-folder");
    fs.writeFileSync(file, "x");
    const r = await runCli(execCommand, ["cent222", "--inventory", inventory, "--record", file, "--", "true"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/packetwalk exec: --record .*not-a-folder: /);
    const bad = path.join(dir, "bad-manifest");
    fs.mkdirSync(bad);
    fs.writeFileSync(path.join(bad, "manifest.json"), "{ cut");
    const q = await runCli(flowsCommand, ["cent222", "--inventory", inventory, "--record", bad, "--for", "1"]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/cannot record into .*bad-manifest: its manifest\.json does not read/);
  });
});
