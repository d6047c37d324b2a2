/**
 * `packetwalk drill [--seed N] [--level 1|2|3] [--inventory-out FILE]`: starts the embedded lab with
 * faults chosen from the seed and hidden, prints the learner's task (the symptom a user would report),
 * writes the inventory and runs until Ctrl-C.
 * `packetwalk drill check --inventory FILE --stage ID --cause NAME [--evidence TEXT]...` grades a
 * diagnosis (right / wrong with a hint) and records the attempt beside the inventory;
 * `packetwalk drill reveal --inventory FILE` shows the answer and what the walk saw;
 * `packetwalk drill status --inventory FILE` the progress.
 *
 * The answer lives only in the drill's lab process and is asked over its control socket: the printed
 * inventory has the seed and level, never the faults.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { defineDispatcher, readCommandArgs, UsageError } from "./args";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk drill [--seed N] [--level 1|2|3] [--inventory-out FILE] [--topology default|large|FILE]
       packetwalk drill check --inventory FILE --stage ID --cause NAME [--evidence TEXT]...
       packetwalk drill reveal --inventory FILE [--no-walk]
       packetwalk drill status --inventory FILE
  Starts the embedded lab with hidden faults chosen from the seed (1-999; random when absent, and
  printed) and the level (1: one fault on the forward path, default; 2: any one fault; 3: two faults, or
  one that shows only on the return path or for large responses), prints the task, writes the
  inventory (default drill.json) and runs until Ctrl-C. Diagnose with packetwalk walk --inventory FILE,
  then answer with "drill check": the walk stage where the packet is first not seen and the cause.
  A wrong answer gets a hint of where to look next. Attempts are recorded beside the inventory
  (FILE.attempts.jsonl and the FILE.investigation/ folder). --inventory defaults to $PACKETWALK_INVENTORY.
  Exit status: check 0 right, 1 wrong; 2 usage errors, unknown stage/cause/seed, or a lab that is not a drill.`;

const START_OPTIONS = {
  seed: { type: "string", short: "s" },
  level: { type: "string", short: "l" },
  "inventory-out": { type: "string", short: "o" },
  topology: { type: "string", short: "t" },
} as const;
const CHECK_OPTIONS = {
  inventory: { type: "string", short: "i" },
  stage: { type: "string" },
  cause: { type: "string" },
  evidence: { type: "string", multiple: true },
} as const;
const REVEAL_OPTIONS = { inventory: { type: "string", short: "i" }, "no-walk": { type: "boolean" } } as const;
const STATUS_OPTIONS = { inventory: { type: "string", short: "i" } } as const;

function inventoryFile(v: { inventory?: string }, io: CommandIO): string {
  const f = v.inventory ?? io.env.PACKETWALK_INVENTORY;
  if (!f) throw new UsageError("--inventory FILE (the drill's inventory, or $PACKETWALK_INVENTORY) is needed", { usage: false });
  return path.resolve(io.cwd, f);
}

/** Runs a library call; drill errors (bad input, not a drill) print and exit 2. */
async function guarded(io: CommandIO, fn: () => Promise<number>): Promise<number> {
  const { DrillError, NotADrillError } = await import("../../lib/lab/drill-client.js");
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DrillError || e instanceof NotADrillError) {
      io.stderr.write(`packetwalk drill: ${(e as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`packetwalk drill: ${(e as Error).message}\n`);
    return 1;
  }
}

async function runCheck(argv: string[], io: CommandIO): Promise<number> {
  const { values: v, positionals } = readCommandArgs(argv, { options: CHECK_OPTIONS, prog: "packetwalk drill check" });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const file = inventoryFile(v, io);
  if (!v.stage || !v.cause) throw new UsageError("--stage ID and --cause NAME are both needed", { usage: false });
  return guarded(io, async () => {
    const d = await import("../../lib/lab/drill-client.js");
    const r = await d.check({ inventory: file, stage: v.stage!, cause: v.cause!, evidence: v.evidence ?? [] });
    if (r.correct) io.stdout.write(`✔ ${r.message}\n`);
    else io.stdout.write(`✘ ${r.message} (attempt ${r.attempt})\nhint: ${r.hint}\n`);
    return r.correct ? 0 : 1;
  });
}

async function runReveal(argv: string[], io: CommandIO): Promise<number> {
  const { values: v } = readCommandArgs(argv, { options: REVEAL_OPTIONS, positionals: false, prog: "packetwalk drill reveal" });
  const file = inventoryFile(v, io);
  return guarded(io, async () => {
    const d = await import("../../lib/lab/drill-client.js");
    const r = await d.reveal(file);
    io.stdout.write(`drill level ${r.level}, seed ${r.seed}: ${r.faults.length} fault(s), ${r.attempts} attempt(s)\n`);
    for (const f of r.faults) {
      io.stdout.write(`  ${f.found ? "✔ found" : "✘ not found"}  stage ${f.stage} (${f.stageTitle}): ${f.cause} — ${f.explanation}\n`);
    }
    if (v["no-walk"]) return 0;
    // What the walk sees now (faults already found were repaired).
    const { runWalk } = await import("../../lib/walk/run.js");
    const inv = JSON.parse(fs.readFileSync(file, "utf8"));
    const s = inv.scenario;
    const report = await runWalk({ inventory: inv, fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader, largePath: "/download/20000", firstByteTimeoutMs: 4000 });
    io.stdout.write(`\nwhat the walk sees: ${report.headline()}\n`);
    return 0;
  });
}

async function runStatus(argv: string[], io: CommandIO): Promise<number> {
  const { values: v } = readCommandArgs(argv, { options: STATUS_OPTIONS, positionals: false, prog: "packetwalk drill status" });
  const file = inventoryFile(v, io);
  return guarded(io, async () => {
    const d = await import("../../lib/lab/drill-client.js");
    const r = await d.status(file);
    io.stdout.write(`drill level ${r.level}, seed ${r.seed}: ${r.found} of ${r.faults} fault(s) found, ${r.attempts} attempt(s)\n`);
    return 0;
  });
}

async function runStart(argv: string[], io: CommandIO): Promise<number> {
  const { values: v } = readCommandArgs(argv, { options: START_OPTIONS, positionals: false });
  const d = await import("../../lib/lab/drill-client.js");
  const level = v.level === undefined ? 1 : Number(v.level);
  const seed = v.seed === undefined ? d.randomSeed() : /^\d+$/.test(v.seed) ? Number(v.seed) : v.seed;
  const problem = d.drillInputProblem(seed, level);
  if (problem) throw new UsageError(problem, { usage: false });
  if (io.signal.aborted) return 0;
  const out = path.resolve(io.cwd, v["inventory-out"] ?? "drill.json");
  let drill;
  try {
    drill = await d.start({
      seed: seed as number, level: level as 1 | 2 | 3, inventoryOut: out,
      topology: v.topology === undefined || ["default", "large"].includes(v.topology) ? v.topology : path.resolve(io.cwd, v.topology),
      log: (l) => io.stderr.write(`lab: ${l}\n`),
    });
  } catch (e) {
    io.stderr.write(`packetwalk drill: ${(e as Error).message}\n`);
    return /topology|standby/.test((e as Error).message) ? 2 : 1;
  }
  const rel = path.relative(io.cwd, out) || out;
  io.stdout.write(`${drill.task}\n\nInventory: ${rel}\n  walk it:   packetwalk walk --inventory ${rel} --fip ${drill.inventory.scenario.fip} --port ${drill.inventory.scenario.fipPort} --host ${drill.inventory.scenario.hostHeader} --no-notebooks\n  answer:    packetwalk drill check --inventory ${rel} --stage ID --cause NAME\n  give up:   packetwalk drill reveal --inventory ${rel}\n`);
  io.stderr.write("drill: running; Ctrl-C stops\n");
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) return resolve();
    io.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await drill.stop();
  io.stderr.write("drill: stopped\n");
  return 0;
}

const command = defineDispatcher({
  name: "drill",
  usage,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === "check") return runCheck(rest, io);
    if (sub === "reveal") return runReveal(rest, io);
    if (sub === "status") return runStatus(rest, io);
    if (sub !== undefined && !sub.startsWith("-")) throw new UsageError(`unknown drill subcommand ${sub} (check, reveal, status, or options to start one)`);
    return runStart(argv, io);
  },
});

export default command;
