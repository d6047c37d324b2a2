/**
 * The learner's side of a drill: start one in-process (a notebook), grade an answer, reveal it, over
 * the drill lab's control socket, and record every attempt beside the drill's inventory (a JSONL file
 * and an investigation folder, one note record with stage `drill` per attempt) so a teacher can review
 * them. The answer stays in the lab process (`drill.ts`): nothing here or in the inventory holds it.
 *
 * @example
 * import { lab } from "packetwalk";
 * const d = await lab.drill.start({ seed: 7, level: 1, inventoryOut: "drill.json" });
 * console.log(d.task);
 * const v = await lab.drill.check({ inventory: "drill.json", stage: "fip-nat", cause: "policy-drop" });
 * v.correct ? "solved" : v.hint;
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { appendToInvestigation, createInvestigation } from "../investigation/writer";
import { FILES } from "../investigation/layout";
import { answerProblem, DrillError, type DrillLevel, type DrillReveal, type DrillVerdict } from "./drill";
import { CONTROL_NODE, startLab, type Lab, type LabInventory, type LabOptions } from "./lab";

export {
  DRILL_CAUSES, DRILL_FAULTS, DRILL_LEVELS, DRILL_SEED_MAX, DrillError, DrillSession, drillsOfLevel, planDrill, randomSeed, drillInputProblem, answerProblem,
  type DrillAnswer, type DrillCause, type DrillFault, type DrillLevel, type DrillPlan, type DrillReveal, type DrillVerdict,
} from "./drill";

/** A drill's inventory: the object, or the path of its JSON file. */
export type DrillTarget = LabInventory | string;

/** The lab does not run a drill (code 3 from the control socket), or is not a lab at all. */
export class NotADrillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotADrillError";
  }
}

function inventoryOf(t: DrillTarget): { inv: Partial<LabInventory>; file: string | null } {
  if (typeof t !== "string") return { inv: t, file: null };
  let inv: Partial<LabInventory>;
  try {
    inv = JSON.parse(fs.readFileSync(t, "utf8")) as Partial<LabInventory>;
  } catch (e) {
    throw new DrillError(`cannot read the drill inventory ${t}: ${(e as Error).message}`);
  }
  return { inv, file: path.resolve(t) };
}

/**
 * Sends one control command to a lab's tool socket (`{"node":"@lab","argv":[…]}`, framed answer): the
 * one client of the lab's control protocol, for `packetwalk lab fault …` and the drills.
 *
 * @example
 * await controlLab("/tmp/pwlab-1-x/tools.sock", ["drill", "status"]); // { stdout: '{"seed":7,…}\n', stderr: "", code: 0 }
 */
export function controlLab(sock: string, argv: string[], timeoutMs = 5000): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const c = net.connect(sock);
    let buf = Buffer.alloc(0);
    let stdout = "";
    let stderr = "";
    let code = 1;
    const timer = setTimeout(() => {
      stderr += `the lab at ${sock} did not answer within ${timeoutMs} ms\n`;
      c.destroy();
    }, timeoutMs);
    c.on("error", (e) => {
      clearTimeout(timer);
      resolve({ stdout, stderr: `cannot reach the lab at ${sock}: ${e.message} (is it still running?)\n`, code: 1 });
    });
    c.on("connect", () => c.write(JSON.stringify({ node: CONTROL_NODE, argv }) + "\n"));
    c.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 5) {
        const n = buf.readUInt32BE(1);
        if (buf.length < 5 + n) break;
        const t = buf[0];
        const p = buf.subarray(5, 5 + n);
        buf = buf.subarray(5 + n);
        if (t === 1) stdout += p.toString();
        else if (t === 2) stderr += p.toString();
        else code = p.readInt32BE(0);
      }
    });
    c.on("close", () => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

async function ask<T>(t: DrillTarget, argv: string[]): Promise<T> {
  const { inv, file } = inventoryOf(t);
  const sock = inv.lab?.toolSocket;
  if (!sock) throw new NotADrillError(`${file ?? "this inventory"} is not a lab inventory (no lab.toolSocket), so not a drill`);
  const r = await controlLab(sock, ["drill", ...argv]);
  if (r.code === 3) throw new NotADrillError(r.stderr.trim());
  if (r.code === 2) throw new DrillError(r.stderr.trim());
  if (r.code !== 0) throw new Error(r.stderr.trim() || `the lab answered with code ${r.code}`);
  return JSON.parse(r.stdout) as T;
}

/**
 * Where a drill's attempts are kept, beside its inventory file.
 *
 * @example
 * attemptPaths("/tmp/drill.json"); // { jsonl: "/tmp/drill.attempts.jsonl", investigation: "/tmp/drill.investigation" }
 */
export function attemptPaths(inventoryFile: string): { jsonl: string; investigation: string } {
  const base = inventoryFile.replace(/\.json$/i, "");
  return { jsonl: `${base}.attempts.jsonl`, investigation: `${base}.investigation` };
}

/** One recorded attempt. */
export interface DrillAttempt {
  at: string;
  seed: number | null;
  level: number | null;
  stage: string;
  cause: string;
  evidence: string[];
  correct: boolean;
  stageCorrect: boolean;
  hint: string | null;
  remaining: number;
  attempt: number;
}

/**
 * Records an attempt beside the drill inventory: one JSONL line, and one note record (stage `drill`)
 * in the drill's investigation folder (created on the first attempt).
 *
 * @example
 * recordAttempt("drill.json", attempt); // drill.attempts.jsonl + drill.investigation/
 */
export function recordAttempt(inventoryFile: string, a: DrillAttempt, inv?: Partial<LabInventory>): void {
  const p = attemptPaths(inventoryFile);
  fs.appendFileSync(p.jsonl, JSON.stringify(a) + "\n");
  const w = fs.existsSync(path.join(p.investigation, FILES.manifest))
    ? appendToInvestigation(p.investigation)
    : createInvestigation(p.investigation, {
        title: `drill (level ${a.level ?? "?"}, seed ${a.seed ?? "?"})`,
        parameters: { seed: a.seed, level: a.level },
        target: { kind: "lab", source: inv?.scenario?.topology ?? "lab", nodes: (inv?.nodes ?? []).map((n) => ({ name: n.name, role: n.role })) },
      });
  w.note(
    `attempt ${a.attempt}: stage ${a.stage}, cause ${a.cause}: ${a.correct ? "right" : "wrong"}${a.hint ? ` (hint: ${a.hint})` : ""}${a.remaining && a.correct ? `; ${a.remaining} more to find` : ""}`,
    { stage: "drill", evidence: a.evidence.length ? a.evidence.join("; ") : undefined, author: "learner" },
  );
}

/**
 * Grades a diagnosis against the running drill named by its inventory, and records the attempt beside
 * the inventory file (when it is a file). Throws {@link DrillError} for an unknown stage or cause (with
 * the valid ones), {@link NotADrillError} when the lab is not a drill.
 *
 * @example
 * const v = await check({ inventory: "drill.json", stage: "overlay", cause: "service-no-route", evidence: ["rt --get 10.99.225.17/32 --vrf 2"] });
 * v.correct; v.hint;
 */
export async function check(o: { inventory: DrillTarget; stage: string; cause: string; evidence?: string[] }): Promise<DrillVerdict> {
  const problem = answerProblem(o);
  if (problem) throw new DrillError(problem);
  const evidence = (o.evidence ?? []).map((e) => e.replace(/\s+/g, " ").trim()).filter(Boolean);
  const v = await ask<DrillVerdict>(o.inventory, ["check", o.stage, o.cause, ...evidence]);
  const { inv, file } = inventoryOf(o.inventory);
  if (file) {
    recordAttempt(file, {
      at: new Date().toISOString(), seed: inv.drill?.seed ?? null, level: inv.drill?.level ?? null, stage: o.stage, cause: o.cause, evidence,
      correct: v.correct, stageCorrect: v.stageCorrect, hint: v.hint, remaining: v.remaining, attempt: v.attempt,
    }, inv);
  }
  return v;
}

/**
 * The answer of the running drill and what it breaks.
 *
 * @example
 * (await reveal("drill.json")).faults.map((f) => `${f.stage}: ${f.cause}`);
 */
export function reveal(inventory: DrillTarget): Promise<DrillReveal> {
  return ask<DrillReveal>(inventory, ["reveal"]);
}

/**
 * The drill's progress (faults, found, attempts), without the answer.
 *
 * @example
 * (await status("drill.json")).found;
 */
export function status(inventory: DrillTarget): Promise<{ seed: number; level: number; faults: number; found: number; attempts: number }> {
  return ask(inventory, ["status"]);
}

/** A drill started in this process. */
export interface StartedDrill {
  lab: Lab;
  inventory: LabInventory;
  /** Where the inventory was written (attempts are recorded beside it), or null. */
  inventoryFile: string | null;
  /** The learner's task: the symptom and how to answer. */
  task: string;
  stop(): Promise<void>;
}

/**
 * Starts a drill lab in this process (a notebook's kernel): faults from the seed and level, hidden.
 * With `inventoryOut`, writes the inventory there (attempts are then recorded beside it).
 *
 * @example
 * const d = await start({ seed: 7, level: 1, inventoryOut: "out/drill.json" });
 * d.task; // "Drill (level 1, seed 7). Users say www.juniper.net (101.101.101.1) …"
 * await d.stop();
 */
export async function start(o: { seed: number; level: DrillLevel; inventoryOut?: string } & Omit<LabOptions, "drill" | "faults">): Promise<StartedDrill> {
  const { seed, level, inventoryOut, ...labOpts } = o;
  const lab = await startLab({ ...labOpts, drill: { seed, level } });
  const task = lab.state.drill!.task();
  let file: string | null = null;
  if (inventoryOut) {
    file = path.resolve(inventoryOut);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(lab.inventory, null, 2) + "\n", { mode: 0o600 });
  }
  return { lab, inventory: lab.inventory, inventoryFile: file, task, stop: () => lab.stop() };
}
