/**
 * One walk, recorded once, replayed anywhere: the replayed walk gives the same stage verdicts, reasons
 * and evidence as the live one, on the healthy lab and with faults; and `packetwalk walk` runs its
 * notebooks against the recording, so they speak of the same connection as the report.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createInvestigation, describeTarget, openInvestigation, packInvestigation } from "../../lib/investigation";
import type { Inventory } from "../../lib/remote/inventory";
import { loadInventory } from "../../lib/remote/inventory";
import { runWalk } from "../../lib/walk";
import type { WalkReport } from "../../lib/walk/report";
import { labFor, walkOn } from "./helpers";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

// What must not differ between a live walk and its replay: verdicts, reasons, evidence (minus clock times).
function story(r: WalkReport): unknown {
  return {
    verdict: r.verdict,
    discovery: r.discovery,
    stages: r.stages.map((s) => ({ id: s.id, verdict: s.verdict, node: s.node, reason: s.reason, notes: s.notes, evidence: s.evidence.map((e) => ({ title: e.title, node: e.node, command: e.command, rows: e.rows, error: e.error ?? null })) })),
  };
}

describe("a recorded walk replays to the same story", () => {
  it.each([[[] as string[]], [["backend-down"]], [["wrong-label"]]])("live and replayed agree, faults %j", async (faults) => {
    const lab = await labFor({ faults });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-replay-"));
    dirs.push(dir);
    try {
      const inventory = lab.inventory as unknown as Inventory;
      const s = lab.inventory.scenario;
      const params = { fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader, largePath: "/download/20000" };
      const record = createInvestigation(path.join(dir, "inv"), { target: describeTarget(loadInventory(inventory), "lab", "default"), parameters: params });
      const live = await walkOn(lab, { record });
      record.close();
      await lab.stop();
      // Offline now: the lab is gone; only the recording answers.
      const inv = openInvestigation(path.join(dir, "inv"));
      expect(inv.warnings).toEqual([]);
      const replayed = await runWalk({ ...params, inventory: loadInventory(inv.manifest.target.inventory!), replay: inv, firstByteTimeoutMs: 3000, commandTimeoutMs: 5000 });
      expect(story(replayed)).toEqual(story(live));
      // And from the packed file, without unpacking by hand.
      const file = path.join(dir, "inv.tgz");
      packInvestigation(path.join(dir, "inv"), file);
      const fromPack = await runWalk({ ...params, inventory: loadInventory(inv.manifest.target.inventory!), replay: openInvestigation(file) });
      expect(story(fromPack)).toEqual(story(live));
    } finally {
      await lab.stop();
    }
  }, 120_000);
});
