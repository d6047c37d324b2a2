/**
 * `packetwalk drill`: seeded drills are repeatable; the task names the symptom, never the fault; the
 * inventory holds no answer; `drill check` grades right / wrong with a hint that is never the answer,
 * lists the valid stages and causes for unknown ones, refuses a lab that is not a drill and a seed that
 * does not exist; attempts are recorded (JSONL + investigation notes of stage "drill"); `reveal` shows
 * the answer.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../kernel/cli";
import { startLab } from "../../lib/lab";
import { DRILL_CAUSES, DRILL_LEVELS, DRILL_SEED_MAX, DrillSession, planDrill, type DrillLevel } from "../../lib/lab/drill";
import { attemptPaths, check, start, type StartedDrill } from "../../lib/lab/drill-client";
import { openInvestigation } from "../../lib/investigation";
import { STAGE_IDS } from "../../lib/walk/types";
import { captureIO } from "../helpers/io";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-drill-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const t = captureIO({ cwd: tmp });
  const code = await main(args, t.io);
  return { code, out: t.out(), err: t.err() };
}

/** The first seed of a level whose drill is exactly these faults. */
function seedFor(level: DrillLevel, faults: string[]): number {
  for (let s = 1; s <= DRILL_SEED_MAX; s++) if (planDrill(s, level).faults.join() === faults.join()) return s;
  throw new Error(`no seed for ${faults}`);
}

describe("seeded drills", () => {
  it("are repeatable, and every level gives what it promises", () => {
    for (const level of DRILL_LEVELS) {
      for (let seed = 1; seed <= DRILL_SEED_MAX; seed += 37) {
        const a = planDrill(seed, level);
        expect(planDrill(seed, level)).toEqual(a);
        if (level === 1) expect(a.faults).toHaveLength(1);
        if (level === 3) expect(a.faults.length === 2 || ["mtu-blackhole", "return-sg-drop"].includes(a.faults[0])).toBe(true);
      }
    }
    // The seeds spread over the catalogue.
    expect(new Set(Array.from({ length: 200 }, (_, i) => planDrill(i + 1, 2).faults[0])).size).toBe(DRILL_CAUSES.length);
  });

  it("refuses a seed or level that does not exist in this version", async () => {
    expect(() => planDrill(0, 1)).toThrow(/seed 0 does not exist in this version \(seeds are whole numbers 1-999\)/);
    expect(() => planDrill(1.5, 1)).toThrow(/does not exist/);
    for (const args of [["--seed", "5000"], ["--seed", "abc"], ["--seed", "3", "--level", "4"]]) {
      const r = await cli(["drill", ...args]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/does not exist/);
    }
  });

  it("grades right and wrong with hints that never name the answer", () => {
    const s = new DrillSession({ seed: 1, level: 1, faults: ["wrong-label"] });
    const early = s.check({ stage: "gateway", cause: "policy-drop" });
    expect(early).toMatchObject({ correct: false, stageCorrect: false, attempt: 1 });
    expect(early.hint).toMatch(/got past stage 2 .*look at the next stage, fip-nat/);
    const late = s.check({ stage: "return-client", cause: "mtu-blackhole" });
    expect(late.hint).toMatch(/look earlier/);
    const cause = s.check({ stage: "service-nat", cause: "backend-down" });
    expect(cause).toMatchObject({ correct: false, stageCorrect: true });
    expect(cause.hint).toMatch(/mpls --get LABEL/);
    for (const v of [early, late, cause]) expect(`${v.message} ${v.hint}`).not.toContain("wrong-label");
    expect(() => s.check({ stage: "nat", cause: "wrong-label" })).toThrow(`unknown stage nat (stages: ${STAGE_IDS.join(", ")})`);
    expect(() => s.check({ stage: "service-nat", cause: "broken" })).toThrow(`unknown cause broken (causes: ${DRILL_CAUSES.join(", ")})`);
    expect(s.check({ stage: "service-nat", cause: "wrong-label" })).toMatchObject({ correct: true, remaining: 0, attempt: 4 });
    expect(s.reveal()).toMatchObject({ attempts: 4, faults: [{ cause: "wrong-label", stage: "service-nat", found: true }] });
  });
});

describe("packetwalk drill against a running drill lab", () => {
  let d: StartedDrill;
  let inv: string;
  const seed = seedFor(1, ["policy-drop"]);
  beforeAll(async () => {
    inv = path.join(tmp, "drill.json");
    d = await start({ seed, level: 1, inventoryOut: inv, ssh: false });
  });
  afterAll(async () => {
    await d?.stop();
  });

  it("prints the symptom, never the fault, and the inventory holds no answer", () => {
    expect(d.task).toContain("does not answer at all");
    const text = fs.readFileSync(inv, "utf8");
    for (const c of [...DRILL_CAUSES, "haproxy-failover"]) {
      expect(d.task.split("\nCauses:")[0]).not.toContain(c); // the list of all causes is the only place a name appears
      expect(text).not.toContain(c);
    }
    expect(JSON.parse(text)).toMatchObject({ drill: { seed, level: 1 }, scenario: { faults: [] } });
  });

  it("hides the faults from the control socket", async () => {
    const r = await cli(["lab", "faults", "--inventory", inv]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("this lab runs a drill: its faults are hidden");
    expect((await cli(["lab", "fault", "policy-drop", "off", "--inventory", inv])).code).toBe(2);
  });

  it("drill check: wrong with a hint (exit 1), bad input lists the valid values (exit 2), right (exit 0); attempts recorded", async () => {
    const wrong = await cli(["drill", "check", "--inventory", inv, "--stage", "client", "--cause", "backend-down", "--evidence", "curl -v hangs"]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatch(/✘ not right \(attempt 1\)\nhint: the packet got past stage 1 .*look at the next stage, gateway/);
    const badStage = await cli(["drill", "check", "--inventory", inv, "--stage", "nat", "--cause", "policy-drop"]);
    expect(badStage.code).toBe(2);
    expect(badStage.err).toContain(`unknown stage nat (stages: ${STAGE_IDS.join(", ")})`);
    const badCause = await cli(["drill", "check", "--inventory", inv, "--stage", "fip-nat", "--cause", "nope"]);
    expect(badCause.code).toBe(2);
    expect(badCause.err).toContain(`unknown cause nope (causes: ${DRILL_CAUSES.join(", ")})`);
    const half = await check({ inventory: inv, stage: "fip-nat", cause: "fip-nat-missing", evidence: ["flow --match 15.15.15.2"] });
    expect(half).toMatchObject({ correct: false, stageCorrect: true, attempt: 2 });
    const right = await cli(["drill", "check", "--inventory", inv, "--stage", "fip-nat", "--cause", "policy-drop"]);
    expect(right.code).toBe(0);
    expect(right.out).toMatch(/^✔ right: policy-drop at stage fip-nat .*solved in 3 attempt/);
    const p = attemptPaths(inv);
    const lines = fs.readFileSync(p.jsonl, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.stage, l.cause, l.correct])).toEqual([["client", "backend-down", false], ["fip-nat", "fip-nat-missing", false], ["fip-nat", "policy-drop", true]]);
    expect(lines[0]).toMatchObject({ seed, level: 1, evidence: ["curl -v hangs"], attempt: 1 });
    const notes = openInvestigation(p.investigation).records.filter((r) => r.kind === "note");
    expect(notes).toHaveLength(3);
    expect(notes.every((n) => n.kind === "note" && n.stage === "drill")).toBe(true);
  });

  it("drill status and reveal show the progress and the answer", async () => {
    const st = await cli(["drill", "status", "--inventory", inv]);
    expect(st.out).toBe(`drill level 1, seed ${seed}: 1 of 1 fault(s) found, 3 attempt(s)\n`);
    const r = await cli(["drill", "reveal", "--inventory", inv, "--no-walk"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("✔ found  stage fip-nat (Floating IP NAT on the active node): policy-drop — a security group");
  });

  it("drill check against a lab that is not a drill says so", async () => {
    const lab = await startLab({ ssh: false });
    try {
      const file = path.join(tmp, "plain.json");
      fs.writeFileSync(file, JSON.stringify(lab.inventory));
      const r = await cli(["drill", "check", "--inventory", file, "--stage", "fip-nat", "--cause", "policy-drop"]);
      expect(r.code).toBe(2);
      expect(r.err).toContain("this lab is not a drill");
      expect(fs.existsSync(attemptPaths(file).jsonl)).toBe(false);
    } finally {
      await lab.stop();
    }
  });
});

describe("packetwalk drill (foreground)", () => {
  it("starts a seeded drill, prints the task and the inventory path, stops on Ctrl-C", async () => {
    const t = captureIO({ cwd: tmp });
    const seed = seedFor(1, ["backend-down"]);
    const run = main(["drill", "--seed", String(seed), "--level", "1", "--inventory-out", "fg.json"], t.io);
    for (let i = 0; i < 200 && !t.err().includes("drill: running"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(t.out()).toContain(`Drill (level 1, seed ${seed}). Users say www.juniper.net (101.101.101.1) answers at once with "503 Service Unavailable".`);
    expect(t.out()).toContain("packetwalk drill check --inventory fg.json --stage ID --cause NAME");
    expect(t.out().split("\nCauses:")[0]).not.toContain("backend-down");
    const v = await check({ inventory: path.join(tmp, "fg.json"), stage: "backend", cause: "backend-down" });
    expect(v.correct).toBe(true);
    t.abort();
    expect(await run).toBe(0);
  }, 30_000);
});
