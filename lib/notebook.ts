/**
 * Notebook conveniences: open the target a runbook works on (an inventory file, or the embedded lab
 * when none is given) and show a stage's verdict with its evidence tables.
 */
import * as aq from "arquero";
import { JUPYTER_DISPLAY, type DisplayBundle } from "./display/bundle";
import { show } from "./display/show";
import { tableBundle } from "./display/table";
import { startLab, type Lab } from "./lab";
import { loadInventory, type Inventory } from "./remote";
import { SshRunner } from "./remote/runner";
import type { StageResult } from "./walk/types";

/** What a notebook works on. */
export interface Target {
  inventory: Inventory;
  /** One kept SSH connection per node. */
  runner: SshRunner;
  /** The embedded lab when the notebook started one, else null. */
  lab: Lab | null;
  /** Where the inventory came from. */
  source: string;
  /** Closes the SSH connections and stops a lab this target started. */
  close(): Promise<void>;
}

/**
 * Opens the target: the inventory file when `inventoryPath` is set (what `packetwalk walk` passes to
 * every notebook), else a fresh embedded lab on 127.0.0.1. The returned object renders as a table of
 * its nodes.
 *
 * @example
 * const t = await openTarget(inventory);        // "" → starts the lab
 * const r = await t.runner.run("cent222", ["flow", "-l"]);
 * await t.close();
 */
export async function openTarget(inventoryPath = "", opts: { topology?: string; faults?: string[] } = {}): Promise<Target> {
  let lab: Lab | null = null;
  let raw: object;
  let source: string;
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
  const runner = new SshRunner(inventory);
  const target: Target & { [JUPYTER_DISPLAY](): DisplayBundle } = {
    inventory,
    runner,
    lab,
    source,
    async close() {
      runner.close();
      await lab?.stop();
    },
    [JUPYTER_DISPLAY]() {
      const rows = inventory.nodes.map((n) => ({ node: n.name, role: n.role, ssh: `${n.ssh.user ?? ""}@${n.ssh.host}:${n.ssh.port ?? 22}` }));
      return tableBundle(aq.from(rows), { title: `target: ${source}` });
    },
  };
  return target;
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
