/**
 * Drills: the lab with faults chosen from a seed and hidden, a task in the words a user would use, and
 * graded diagnoses. This module is the catalogue (each fault with the walk stage that diagnoses it,
 * the symptom and the hints), the seeded choice ({@link planDrill}) and the grader ({@link DrillSession}),
 * which lives in the lab process: the answer never leaves it until `reveal`. Clients ask over the lab's
 * control socket (`drill check STAGE CAUSE`, `drill reveal`, `drill status`; see `drill-client.ts`).
 */
import { STAGES, STAGE_IDS, type StageId } from "../walk/types";
import type { FaultName } from "./model";

/** The faults a drill can hide (every lab fault that breaks the walk; `haproxy-failover` still delivers). */
export const DRILL_CAUSES = [
  "backend-down",
  "service-no-route",
  "fip-nat-missing",
  "policy-drop",
  "wrong-label",
  "mtu-blackhole",
  "return-sg-drop",
  "standby-answers",
  "stale-flow",
] as const satisfies readonly FaultName[];
/** One cause a learner can name. */
export type DrillCause = (typeof DRILL_CAUSES)[number];

/** What the catalogue knows of a fault. */
export interface DrillFault {
  /** The walk stage where `packetwalk walk` first fails with this fault. */
  stage: StageId;
  /** Where it shows: on the request, only on the response, or only for responses larger than one MTU. */
  path: "forward" | "return" | "large";
  /** What a user reports (never the fault's name). */
  symptom: string;
  /** What the cause is, in words (shown by `reveal`). */
  explanation: string;
  /** When the stage is right but the cause is not: what evidence tells the causes of this stage apart. */
  evidenceHint: string;
}

const SITE = "www.juniper.net (101.101.101.1)";

/** The catalogue. */
export const DRILL_FAULTS: Readonly<Record<DrillCause, DrillFault>> = {
  "backend-down": {
    stage: "backend", path: "forward",
    symptom: `Users say ${SITE} answers at once with "503 Service Unavailable".`,
    explanation: "nothing listens on the backend pod's target port: the pod refuses haproxy's connection (TCP reset)",
    evidenceHint: "look at the TCP state of the service NAT pair on the backend node: did the pod answer, or reset?",
  },
  "service-no-route": {
    stage: "overlay", path: "forward",
    symptom: `Users say ${SITE} answers "503 Service Unavailable" after a short wait.`,
    explanation: "the ingress node's pod VRF has no /32 route for the service IP: haproxy's connection is dropped D(NoDstRt)",
    evidenceHint: "look at haproxy's flow on the ingress node (its Action) and at `rt --get SERVICE/32 --vrf VRF` there",
  },
  "fip-nat-missing": {
    stage: "fip-nat", path: "forward",
    symptom: `Users say ${SITE} does not answer at all: the browser spins until it gives up.`,
    explanation: "the floating IP is not bound to the ingress pod's interface: no /32 in the FIP VRF, the client's flow is D(NoDstRt)",
    evidenceHint: "look at the drop reason in the client's flow on the active node, and at `rt --get FIP/32` in the FIP VRF",
  },
  "policy-drop": {
    stage: "fip-nat", path: "forward",
    symptom: `Users say ${SITE} does not answer at all: the browser spins until it gives up.`,
    explanation: "a security group / network policy denies the client: the FIP flow pair is D(Policy)",
    evidenceHint: "look at the drop reason in the client's flow pair on the active node (`flow --match CLIENT:PORT`)",
  },
  "wrong-label": {
    stage: "service-nat", path: "forward",
    symptom: `Users say ${SITE} answers "503 Service Unavailable" after a short wait.`,
    explanation: "the ingress node pushes a stale MPLS label toward the backend node, which no longer knows it: the packets die on arrival",
    evidenceHint: "follow the label the ingress node pushes (`rt --get`) to the backend node: what does `mpls --get LABEL` say there?",
  },
  "mtu-blackhole": {
    stage: "return-client", path: "large",
    symptom: `Users say ${SITE}'s home page loads, but downloads (e.g. /download/200000) hang and never finish.`,
    explanation: "segments larger than the path MTU are lost between the active node and the Internet host (an MTU black hole)",
    evidenceHint: "compare a small and a large response: how many bytes left the active node, how many reached the client?",
  },
  "return-sg-drop": {
    stage: "return-overlay", path: "return",
    symptom: `Users say ${SITE} answers "503 Service Unavailable" after a short wait.`,
    explanation: "a security group on the backend pod's node drops the pod's replies: the service reverse flow is D(Policy)",
    evidenceHint: "look at the Action of the pod's reply flow on the backend node: is it translated back, or dropped?",
  },
  "stale-flow": {
    stage: "fip-nat", path: "forward",
    symptom: `Users say ${SITE} does not answer at all: the browser spins until it gives up.`,
    explanation: "a stale half flow entry on the active node: the client's flow still NATs to the ingress pod, but its reverse entry is gone (rindex -1), so nothing can come back",
    evidenceHint: "look at the client's flow pair on the active node: do the two entries name each other (Index <=> RIndex)?",
  },
  "standby-answers": {
    stage: "proxy", path: "forward",
    symptom: `Users say ${SITE} answers at once with "503 Service Unavailable"; nobody touched the backends.`,
    explanation: "the gateway sends the floating IP to the standby haproxy's node, and that haproxy has no backends: it answers every request itself",
    evidenceHint: "which node does the gateway send the floating IP to, and does haproxy there open any connection to a service?",
  },
};

/** Drill levels. */
export const DRILL_LEVELS = [1, 2, 3] as const;
/** One level: 1 one fault on the forward path; 2 any one fault; 3 two faults, or one that shows only on the return path or for large responses. */
export type DrillLevel = (typeof DRILL_LEVELS)[number];
/** The seeds of this version: 1 to this number. */
export const DRILL_SEED_MAX = 999;

/** A bad drill request (unknown level, seed, stage or cause): the message lists what is valid. */
export class DrillError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DrillError";
  }
}

const stageIndex = (c: DrillCause) => STAGE_IDS.indexOf(DRILL_FAULTS[c].stage);

/**
 * Every drill of a level, in a fixed order (what a seed picks from). Two-fault drills (level 3) pair
 * faults at different stages, the earlier one first: the walk finds the first, and once it is
 * diagnosed (and repaired) the second.
 *
 * @example
 * drillsOfLevel(1).length; // 6
 */
export function drillsOfLevel(level: DrillLevel): DrillCause[][] {
  const single = (p: (f: DrillFault) => boolean) => DRILL_CAUSES.filter((c) => p(DRILL_FAULTS[c])).map((c) => [c]);
  if (level === 1) return single((f) => f.path === "forward");
  if (level === 2) return single(() => true);
  const pairs: DrillCause[][] = [];
  const pairable = DRILL_CAUSES.filter((c) => c !== "standby-answers"); // it moves the active node and hides the rest
  for (const a of pairable) for (const b of pairable) if (stageIndex(a) < stageIndex(b)) pairs.push([a, b]);
  return [...single((f) => f.path !== "forward"), ...pairs];
}

/** A drill: which faults, from which seed and level. */
export interface DrillPlan {
  seed: number;
  level: DrillLevel;
  /** In walk order: the first is what the walk meets first. */
  faults: DrillCause[];
}

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Checks a seed and a level; returns the problem in words, or null.
 *
 * @example
 * drillInputProblem(5000, 1); // "seed 5000 does not exist in this version (seeds are whole numbers 1-999)"
 */
export function drillInputProblem(seed: unknown, level: unknown): string | null {
  if (!(DRILL_LEVELS as readonly unknown[]).includes(level)) return `level ${JSON.stringify(level)} does not exist (levels: ${DRILL_LEVELS.join(", ")})`;
  if (!(typeof seed === "number" && Number.isInteger(seed) && seed >= 1 && seed <= DRILL_SEED_MAX)) {
    return `seed ${typeof seed === "number" ? seed : JSON.stringify(seed)} does not exist in this version (seeds are whole numbers 1-${DRILL_SEED_MAX})`;
  }
  return null;
}

/**
 * The drill a seed and level give: always the same for the same pair (in this version). Throws a
 * {@link DrillError} for a seed or level that does not exist (never silently changed).
 *
 * @example
 * planDrill(7, 1).faults; // e.g. ["wrong-label"]: the same every time
 */
export function planDrill(seed: number, level: DrillLevel): DrillPlan {
  const problem = drillInputProblem(seed, level);
  if (problem) throw new DrillError(problem);
  const list = drillsOfLevel(level);
  const rnd = mulberry32(seed * 2654435761 + level);
  rnd();
  const faults = [...list[Math.floor(rnd() * list.length)]].sort((a, b) => stageIndex(a) - stageIndex(b));
  return { seed, level, faults };
}

/**
 * A random seed of this version (for a drill started without `--seed`; printed so it can be replayed).
 *
 * @example
 * const seed = randomSeed(); // 1..999
 */
export function randomSeed(): number {
  return 1 + Math.floor(Math.random() * DRILL_SEED_MAX);
}

/** A learner's diagnosis. */
export interface DrillAnswer {
  /** A walk stage id (`fip-nat`). */
  stage: string;
  /** A cause from {@link DRILL_CAUSES}. */
  cause: string;
  /** What the learner looked at (free text, recorded). */
  evidence?: string[];
}

/** The grade of one answer. */
export interface DrillVerdict {
  correct: boolean;
  stageCorrect: boolean;
  /** Faults still hidden after this answer (0: the drill is solved). */
  remaining: number;
  /** Plain words: right/wrong and what to do next. */
  message: string;
  /** When wrong: where to look next (never the answer). */
  hint: string | null;
  /** Attempts so far, this one included. */
  attempt: number;
}

/** What `reveal` shows. */
export interface DrillReveal {
  seed: number;
  level: DrillLevel;
  faults: { cause: DrillCause; stage: StageId; stageTitle: string; path: DrillFault["path"]; explanation: string; found: boolean }[];
  attempts: number;
}

const titleOf = (id: StageId) => STAGES.find((s) => s.id === id)!.title;

/**
 * Checks an answer's stage and cause against the valid ones: null when both exist, else the message
 * listing the valid values.
 *
 * @example
 * answerProblem({ stage: "nat", cause: "policy-drop" }); // "unknown stage nat (stages: client, gateway, …)"
 */
export function answerProblem(a: Partial<DrillAnswer>): string | null {
  const problems: string[] = [];
  if (!(STAGE_IDS as readonly string[]).includes(String(a.stage))) problems.push(`unknown stage ${a.stage ?? "(none)"} (stages: ${STAGE_IDS.join(", ")})`);
  if (!(DRILL_CAUSES as readonly string[]).includes(String(a.cause))) problems.push(`unknown cause ${a.cause ?? "(none)"} (causes: ${DRILL_CAUSES.join(", ")})`);
  return problems.length ? problems.join("; ") : null;
}

/**
 * One running drill, in the lab process: grades answers and, when a fault is found and another
 * remains, repairs the found one (through `repair`) so the walk can reach the next.
 *
 * @example
 * const s = new DrillSession(planDrill(7, 1), (f) => lab.setFault(f, false));
 * s.check({ stage: "gateway", cause: "policy-drop" }).hint; // "the packet got past stage 2 (…): look at stage 3 …"
 */
export class DrillSession {
  readonly plan: DrillPlan;
  private readonly found = new Set<DrillCause>();
  private attempts = 0;
  private readonly repair: (f: DrillCause) => void;

  constructor(plan: DrillPlan, repair: (f: DrillCause) => void = () => undefined) {
    this.plan = plan;
    this.repair = repair;
  }

  /** The learner's task: the symptom a user reports, what to find and how to answer. */
  task(): string {
    const first = DRILL_FAULTS[this.plan.faults[0]];
    const many = this.plan.level === 3 ? " At this level more than one thing may be wrong (the walk finds one at a time), or it may show only on the way back or for large responses." : "";
    return (
      `Drill (level ${this.plan.level}, seed ${this.plan.seed}). ${first.symptom}\n` +
      `Find the first stage where the packet is not seen, and why.${many}\n` +
      `Answer with: packetwalk drill check --inventory FILE --stage ID --cause NAME [--evidence TEXT]\n` +
      `Stages: ${STAGE_IDS.join(", ")}\nCauses: ${DRILL_CAUSES.join(", ")}`
    );
  }

  /** The fault the learner should find now (the earliest not yet found). */
  private current(): DrillCause | undefined {
    return this.plan.faults.find((f) => !this.found.has(f));
  }

  /**
   * Grades an answer. Throws {@link DrillError} for an unknown stage or cause (listing the valid ones).
   * A wrong answer gets a hint of the next place to look: the next stage toward the fault when the
   * learner stopped too early, an earlier stage when too late, the evidence that tells causes apart
   * when only the cause is wrong.
   */
  check(a: DrillAnswer): DrillVerdict {
    const problem = answerProblem(a);
    if (problem) throw new DrillError(problem);
    this.attempts++;
    const cur = this.current();
    if (!cur) return { correct: true, stageCorrect: true, remaining: 0, message: "this drill is already solved (packetwalk drill reveal shows it)", hint: null, attempt: this.attempts };
    const want = DRILL_FAULTS[cur];
    const stage = a.stage as StageId;
    const stageCorrect = stage === want.stage;
    const correct = stageCorrect && a.cause === cur;
    if (correct) {
      this.found.add(cur);
      const left = this.plan.faults.filter((f) => !this.found.has(f)).length;
      if (left > 0) this.repair(cur);
      return {
        correct, stageCorrect, remaining: left, hint: null, attempt: this.attempts,
        message: left > 0 ? `right: ${a.cause} at stage ${stage}. It is repaired now, but the site is still not right: walk again, ${left} more to find.` : `right: ${a.cause} at stage ${stage} (${titleOf(stage)}). Drill solved in ${this.attempts} attempt(s).`,
      };
    }
    const si = STAGE_IDS.indexOf(stage);
    const wi = STAGE_IDS.indexOf(want.stage);
    let hint: string;
    if (stageCorrect) hint = `the stage is right, the cause is not: ${want.evidenceHint}`;
    else if (si < wi) {
      const next = STAGE_IDS[si + 1];
      hint = `the packet got past stage ${si + 1} (${titleOf(stage)}): look at the next stage, ${next} (${titleOf(next)}), and beyond`;
    } else {
      const prev = STAGE_IDS[si - 1];
      hint = `the packet never got as far as stage ${si + 1} (${titleOf(stage)}) in a healthy way: look earlier, from ${prev ?? "the start"}${prev ? ` (${titleOf(prev)})` : ""} back toward the client; the walk's first failing stage is the place`;
    }
    return { correct: false, stageCorrect, remaining: this.plan.faults.length - this.found.size, message: `not right${stageCorrect ? " (the stage is right)" : ""}`, hint, attempt: this.attempts };
  }

  /** The answer and what each fault breaks. */
  reveal(): DrillReveal {
    return {
      seed: this.plan.seed, level: this.plan.level, attempts: this.attempts,
      faults: this.plan.faults.map((c) => ({
        cause: c, stage: DRILL_FAULTS[c].stage, stageTitle: titleOf(DRILL_FAULTS[c].stage), path: DRILL_FAULTS[c].path,
        explanation: DRILL_FAULTS[c].explanation, found: this.found.has(c),
      })),
    };
  }

  /**
   * Answers a control command from the lab's socket: `check STAGE CAUSE [EVIDENCE…]`, `reveal`,
   * `status`, `task` (JSON on stdout; code 2 with the message for bad input).
   */
  control(argv: string[]): { stdout: string; stderr: string; code: number } {
    const [cmd, ...rest] = argv;
    try {
      if (cmd === "check") {
        const [stage, cause, ...evidence] = rest;
        return { stdout: JSON.stringify(this.check({ stage, cause, evidence })) + "\n", stderr: "", code: 0 };
      }
      if (cmd === "reveal") return { stdout: JSON.stringify(this.reveal()) + "\n", stderr: "", code: 0 };
      if (cmd === "status") return { stdout: JSON.stringify({ seed: this.plan.seed, level: this.plan.level, faults: this.plan.faults.length, found: this.found.size, attempts: this.attempts }) + "\n", stderr: "", code: 0 };
      if (cmd === "task") return { stdout: JSON.stringify({ task: this.task() }) + "\n", stderr: "", code: 0 };
    } catch (e) {
      return { stdout: "", stderr: `${(e as Error).message}\n`, code: 2 };
    }
    return { stdout: "", stderr: "usage: drill check STAGE CAUSE [EVIDENCE…] | reveal | status | task\n", code: 2 };
  }
}
