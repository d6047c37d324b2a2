/**
 * Notebook conveniences: open the target a runbook works on (an inventory file, or the embedded lab
 * when none is given) and show a stage's verdict with its evidence tables.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as aq from "arquero";
import { appendToInvestigation, describeTarget, LIVE_FLUSH_MS, recordInto, newInvestigationId, openInvestigation, PACKED_NAME, RecordingRunner, ReplayRunner, type Investigation, type InvestigationWriter } from "./investigation";
import { JUPYTER_DISPLAY, type DisplayBundle } from "./display/bundle";
import { show } from "./display/show";
import { tableBundle } from "./display/table";
import { onKernelReset } from "./kernel-reset";
import { startLab, type Lab } from "./lab";
import { loadInventory, type Inventory } from "./remote";
import { type CommandRunner } from "./remote/runner";
import { createRunner, type InventoryRunner } from "./remote/dispatch-runner";
import type { StageResult } from "./walk/types";

/** What a notebook works on. */
export interface Target {
  inventory: Inventory;
  /** One kept SSH connection per node (recording every command when `record` is open), or a replay of a recording. */
  runner: CommandRunner;
  /** The investigation this target records into, or null (replaying, or `record: false`). */
  record: InvestigationWriter | null;
  /** The recording this target replays, or null (live). */
  replay: Investigation | null;
  /** What a walk needs of this target: `walk.runWalk({ ...t.walkOptions, fip, fipPort, hostHeader })`. */
  walkOptions: { inventory: Inventory; runner: CommandRunner; record?: InvestigationWriter; replay?: Investigation };
  /** The embedded lab when the notebook started one, else null. */
  lab: Lab | null;
  /** Where the inventory came from. */
  source: string;
  /** Closes the SSH connections and stops a lab this target started. */
  close(): Promise<void>;
}

/** Options of {@link openTarget}. */
export interface OpenTargetOptions {
  /** Lab topology (when no inventory is given). */
  topology?: string;
  /** Lab faults (when no inventory is given). */
  faults?: string[];
  /**
   * Where to record the investigation: a folder (created, or added to when it already holds one), or
   * `false` for none. Default: `$PACKETWALK_RECORD`
   * (`off` for none), else `investigations/<id>` under the working directory. Ignored when replaying.
   */
  record?: string | false;
  /** Parameters written into the investigation's manifest (the notebook's). */
  parameters?: Record<string, unknown>;
}

let current: Target | null = null;
/** Targets opened and not closed yet: a kernel reused for the next notebook closes them (as a fresh process would end them). */
const open = new Set<Target>();
onKernelReset(async () => {
  current = null;
  const left = [...open];
  open.clear();
  await Promise.all(left.map((t) => t.close().catch(() => undefined)));
});

/** Tracks a target until it is closed. */
function tracked<T extends Target>(t: T): T {
  const close = t.close.bind(t);
  t.close = async () => {
    open.delete(t);
    await close();
  };
  open.add(t);
  return t;
}

/**
 * Opens the target: an investigation (a folder or packed `.tar`/`.tgz` file, replayed: every command
 * and the walk's observation come back as recorded), the inventory file when `inventoryPath` is set
 * (what `packetwalk walk` passes), else a fresh embedded lab on 127.0.0.1. A live target records every
 * command into an investigation unless told not to. The returned object renders as a table of its nodes.
 *
 * @example
 * const t = await openTarget(inventory);        // "" → starts the lab, records into investigations/<id>
 * const r = await t.runner.run("cent222", ["flow", "-l"]);
 * const again = await openTarget("investigations/pw-20261202-093000-3fa1"); // the same answers, offline
 * await t.close();
 */
export async function openTarget(inventoryPath = "", opts: OpenTargetOptions = {}): Promise<Target> {
  let lab: Lab | null = null;
  let raw: object;
  let source: string;
  if (inventoryPath && isInvestigation(inventoryPath)) return (current = tracked(replayTarget(inventoryPath)));
  if (inventoryPath) {
    try {
      // JSON or YAML; relative key and known_hosts paths resolve against the file's folder.
      raw = loadInventory(inventoryPath);
    } catch (e) {
      throw new Error(`cannot read the inventory ${inventoryPath}: ${(e as Error).message}`);
    }
    source = inventoryPath;
  } else {
    lab = await startLab({ topology: opts.topology, faults: opts.faults ?? [] });
    raw = lab.inventory;
    source = `embedded lab (${lab.inventory.scenario.topology} topology)`;
  }
  const inventory = loadInventory(raw);
  const ssh = createRunner(inventory);
  const where = opts.record ?? (process.env.PACKETWALK_RECORD === "off" ? false : process.env.PACKETWALK_RECORD);
  let record: InvestigationWriter | null = null;
  if (where !== false) {
    const id = newInvestigationId();
    // A folder that already holds an investigation is added to (numbering on); else one is created.
    record = recordInto(where || path.join("investigations", id), {
      id,
      target: describeTarget(inventory, lab ? "lab" : "inventory", lab ? `embedded lab (${lab.inventory.scenario.topology})` : source),
      parameters: opts.parameters ?? {},
      flushMs: LIVE_FLUSH_MS,
    });
  }
  const runner: CommandRunner = record ? new RecordingRunner(ssh, record, { viaOf: (n) => inventory.nodes.find((x) => x.name === n)?.vrouter?.via }) : ssh;
  const target: Target & { [JUPYTER_DISPLAY](): DisplayBundle } = {
    inventory,
    runner,
    record,
    replay: null,
    walkOptions: { inventory, runner, ...(record ? { record } : {}) },
    lab,
    source,
    async close() {
      ssh.close();
      record?.close();
      await lab?.stop();
    },
    [JUPYTER_DISPLAY]() {
      const rows = inventory.nodes.map((n) => ({ node: n.name, role: n.role, ssh: n.ssh ? `${n.ssh.user ?? ""}@${n.ssh.host}:${n.ssh.port ?? 22}` : `(${n.vrouter?.via ?? "none"})` }));
      return tableBundle(aq.from(rows), { title: `target: ${source}` });
    },
  };
  current = tracked(target);
  return target;
}

/** Whether a path names an investigation: a folder holding a manifest, or a packed `.tar`/`.tar.gz`/`.tgz` file. */
function isInvestigation(p: string): boolean {
  if (PACKED_NAME.test(p)) return true;
  try {
    return fs.statSync(p).isDirectory() && fs.existsSync(path.join(p, "manifest.json"));
  } catch {
    return false;
  }
}

function replayTarget(p: string): Target & { [JUPYTER_DISPLAY](): DisplayBundle } {
  const inv = openInvestigation(p);
  const recorded = inv.manifest.target.inventory;
  if (!recorded) throw new Error(`cannot replay ${p}: its manifest holds no inventory (recorded by an older packetwalk?)`);
  const inventory = loadInventory(recorded);
  // While the walk that made the recording still runs (packetwalk walk sets PACKETWALK_LIVE_INVENTORY for
  // its notebooks), a command the recording lacks runs live and is added to the recording.
  let fallback: CommandRunner | undefined;
  let live: InventoryRunner | undefined;
  let appended: InvestigationWriter | undefined;
  const liveFile = process.env.PACKETWALK_LIVE_INVENTORY;
  if (liveFile && inv.dir) {
    const liveInv = loadInventory(liveFile);
    live = createRunner(liveInv);
    appended = appendToInvestigation(inv.dir);
    fallback = new RecordingRunner(live, appended, { viaOf: (n) => liveInv.nodes.find((x) => x.name === n)?.vrouter?.via });
  }
  const runner = new ReplayRunner(inv, fallback ? { fallback } : {});
  const source = `recording ${inv.manifest.id}${inv.warnings.length ? ` (${inv.warnings.length} problem${inv.warnings.length > 1 ? "s" : ""}: ${inv.warnings.join("; ")})` : ""}`;
  return {
    inventory,
    runner,
    record: null,
    replay: inv,
    walkOptions: { inventory, runner, replay: inv },
    lab: null,
    source,
    async close() {
      live?.close();
      appended?.close();
    },
    [JUPYTER_DISPLAY]() {
      const rows = inventory.nodes.map((n) => ({ node: n.name, role: n.role, via: n.vrouter?.via ?? "direct" }));
      return tableBundle(aq.from(rows), { title: `target: ${source}` });
    },
  };
}

/**
 * Adds a timestamped note to the investigation of the target opened last (a live target's recording,
 * or the replayed one's folder), optionally about a stage or a piece of evidence. Returns the note's
 * record number; throws when no investigation is open or the replay is a packed file.
 *
 * @example
 * note("gateway answers in brief form only (no | display json rights)", { stage: "gateway" });
 */
export function note(text: string, opts: { stage?: string; evidence?: string } = {}): number {
  const t = current;
  if (t?.record) return t.record.note(text, opts).seq;
  if (t?.replay?.dir) {
    const w = appendToInvestigation(t.replay.dir);
    try {
      return w.note(text, opts).seq;
    } finally {
      w.close();
    }
  }
  throw new Error(t?.replay ? `cannot add a note to the packed file ${t.replay.source}: unpack it, or note in the folder it came from` : "no investigation is open: openTarget(…) first (and not with record: false)");
}

const MARK: Record<string, string> = { pass: "PASS", fail: "FAIL", unknown: "UNKNOWN" };

/**
 * Shows one stage: a headline with its verdict and reason, the evidence digest and notes, then every
 * evidence table with its command and node as provenance.
 *
 * @example
 * showStage(await walk.checkGateway(ctx));
 */
export function showStage(stage: StageResult): void {
  const esc = (s: string) => s.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`);
  const color = stage.verdict === "pass" ? "#27ae60" : stage.verdict === "fail" ? "#c0392b" : "#b7950b";
  const head = `${stage.step}. ${stage.title} — ${MARK[stage.verdict] ?? stage.verdict}${stage.node ? ` on ${stage.node}` : ""}`;
  const lines = [stage.reason, stage.summary ? `evidence: ${stage.summary}` : "", ...stage.notes.map((n) => `note: ${n}`)].filter(Boolean);
  show({
    [JUPYTER_DISPLAY]: () => ({
      "text/html":
        `<div style="border-left:4px solid ${color};padding:.3em .8em"><b style="color:${color}">${esc(head)}</b>` +
        lines.map((l) => `<div>${esc(l)}</div>`).join("") + `</div>`,
      "text/markdown": `**${head}**\n\n${lines.map((l) => `- ${l}`).join("\n")}`,
      "text/plain": [head, ...lines.map((l) => `  ${l}`)].join("\n"),
    }),
  }, { provenance: { what: `stage ${stage.id}`, where: stage.node ?? undefined } });
  for (const ev of stage.evidence) {
    const title = `${ev.title}${ev.command ? ` — \`${ev.command}\`` : ""}${ev.node ? ` on ${ev.node}` : ""}`;
    if (ev.error) show(`${title}: ${ev.error}`, { provenance: { what: ev.command ?? ev.title, where: ev.node ?? undefined, at: new Date(ev.at).toISOString() } });
    else if (ev.rows.length) show(aq.from(ev.rows), { title, provenance: { what: ev.command ?? ev.title, where: ev.node ?? undefined, at: new Date(ev.at).toISOString() } });
    else show(`${title}: (no rows)`, { provenance: { what: ev.command ?? ev.title, where: ev.node ?? undefined } });
  }
}
