/**
 * The learner's notebook runs headless against a seeded drill, with the answer filled in from the seed,
 * and ends with the graded answer (right) and the attempt recorded beside the drill's inventory.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../kernel/cli";
import { DRILL_FAULTS, planDrill } from "../../lib/lab/drill";
import { captureIO } from "../helpers/io";
import { requireBuilt, ROOT } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-drill-nb-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("notebooks/drills/drill.ipynb", () => {
  it("runs headless against a seeded drill and grades the answer from the seed", async () => {
    requireBuilt(); // the notebook runs in packetwalk's kernel from dist/
    const seed = 7;
    const cause = planDrill(seed, 1).faults[0];
    const stage = DRILL_FAULTS[cause].stage;
    const inv = path.join(tmp, "drill.json");
    const out = path.join(tmp, "drill.out.ipynb");
    const t = captureIO({ cwd: tmp });
    const code = await main(
      ["run", path.join(ROOT, "notebooks", "drills", "drill.ipynb"), "--param", `seed=${seed}`, "--param", "level=1", "--param", `answerStage=${stage}`,
        "--param", `answerCause=${cause}`, "--param", "answerEvidence=the walk's first failing stage", "--param", `inventoryOut=${inv}`, "--out", out, "--html", path.join(tmp, "drill.html")],
      t.io,
    );
    expect(code, t.err()).toBe(0);
    const nb = JSON.parse(fs.readFileSync(out, "utf8")) as { cells: { id: string; outputs?: { data?: Record<string, unknown> }[] }[] };
    const answer = nb.cells.find((c) => c.id === "drill-answer")!;
    expect(String(answer.outputs?.[0]?.data?.["text/plain"])).toContain(`✔ right: ${cause} at stage ${stage}`);
    const lines = fs.readFileSync(inv.replace(/\.json$/, ".attempts.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({ seed, level: 1, stage, cause, correct: true, evidence: ["the walk's first failing stage"] })]);
    // The headers table was shown, and the task never named the fault.
    const html = fs.readFileSync(path.join(tmp, "drill.html"), "utf8");
    expect(html).toContain("headers at every hop");
    const task = JSON.stringify(nb.cells.find((c) => c.id === "drill-start")!.outputs);
    expect(task.split("Causes:")[0]).not.toContain(cause);
  }, 120_000);
});
