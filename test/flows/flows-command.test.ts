import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import flowsCommand from "../../kernel/commands/flows";
import { runCli, writeInventory } from "../remote/helpers/cli";
import { startTestSshServer, type TestSshServer } from "../remote/helpers/ssh-server";
import { FIXTURES, fakeVrouterBin } from "./helpers";

let srv: TestSshServer;
let bin: ReturnType<typeof fakeVrouterBin>;
let file: string;

beforeAll(async () => {
  bin = fakeVrouterBin();
  fs.copyFileSync(path.join(FIXTURES, "s3-2.txt"), bin.flowFile);
  srv = await startTestSshServer({ path: bin.bin });
  file = writeInventory({ cent222: srv });
});

afterAll(async () => {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  await srv.close();
  bin.dispose();
});

describe("packetwalk flows", () => {
  it("streams a line per snapshot to stderr and prints the flows seen", async () => {
    const r = await runCli(flowsCommand, ["cent222", "--inventory", file, "--match", "115.115.115.4", "--every", "0.05", "--for", "2"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^cent222 #0 {4}\d\d:\d\d:\d\d\.\d{3} {2}2 entries {2}\(2 flows seen\)$/m);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^node\s+index\s+rindex\s+src\s+dst\s+proto\s+vrf\s+action\s+tcp/);
    expect(lines.slice(2, 4).map((l) => l.split(/\s+/).slice(0, 5))).toEqual([
      ["cent222", "159376", "409632", "115.115.115.4:242", "105.105.105.3:0"],
      ["cent222", "409632", "159376", "105.105.105.3:242", "115.115.115.4:0"],
    ]);
    expect(lines.at(-1)).toMatch(/^\(2 flows from \d+ snapshots, 0 gaps\)$/);
    expect(srv.execs.some((c) => c.includes("flow --match 115.115.115.4"))).toBe(true);
  });

  it("prints JSON with --json, in exec mode too", async () => {
    const r = await runCli(flowsCommand, ["cent222", "--inventory", file, "--every", "0.1", "--for", "2", "--json", "--mode", "exec"]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.snapshots).toBeGreaterThan(0);
    expect(j.flows.map((f: { index: number }) => f.index)).toEqual([159376, 409632]);
  });

  it("stops early on the signal and still prints what it collected", async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 2000);
    const r = await runCli(flowsCommand, ["cent222", "--inventory", file, "--every", "0.05", "--for", "600"], {}, ac.signal);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(2 flows from \d+ snapshots/);
  });

  it("exits 2 on bad options", async () => {
    expect((await runCli(flowsCommand, ["cent222", "--inventory", file, "--every", "0"])).code).toBe(2);
    expect((await runCli(flowsCommand, ["--inventory", file])).code).toBe(2);
    expect((await runCli(flowsCommand, ["cent222", "--inventory", file, "--mode", "push"])).code).toBe(2);
  });
});
