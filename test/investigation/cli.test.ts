import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import noteCommand from "../../kernel/commands/note";
import packCommand from "../../kernel/commands/pack";
import { createInvestigation, openInvestigation } from "../../lib/investigation";
import { runCli } from "../remote/helpers/cli";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-inv-cli-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("packetwalk note and pack", () => {
  it("adds timestamped notes to an investigation folder, then packs it into one file that reads back", async () => {
    const inv = path.join(dir, "inv");
    createInvestigation(inv, { target: { kind: "lab", source: "default", nodes: [] } }).close();
    const a = await runCli(noteCommand, [inv, "gateway answers in brief form only", "--stage", "gateway", "--author", "noc"]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^note 1 added to pw-\d{8}-\d{6}-[0-9a-f]{4} at \d{4}-\d\d-\d\dT/);
    expect((await runCli(noteCommand, [inv, "flows reach only one endpoint", "--evidence", "record 12"])).code).toBe(0);
    const bad = await runCli(noteCommand, [inv, "x", "--stage", "gatway"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown stage "gatway" \(stages: client, gateway, /);
    expect((await runCli(noteCommand, [dir, "x"])).stderr).toMatch(/is not an investigation folder/);

    const file = path.join(dir, "incident.tgz");
    const p = await runCli(packCommand, [inv, "-o", file]);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/incident\.tgz: 2 files, \d+ bytes/);
    const back = openInvestigation(file);
    expect(back.records.map((r) => [r.kind, (r as { text?: string }).text, (r as { stage?: string }).stage])).toEqual([
      ["note", "gateway answers in brief form only", "gateway"],
      ["note", "flows reach only one endpoint", undefined],
    ]);
    expect((await runCli(packCommand, [inv, "-o", path.join(dir, "x.zip")])).code).toBe(2);
    expect((await runCli(noteCommand, [file, "x"])).stderr).toMatch(/a packed file is read-only/);
  });
});
