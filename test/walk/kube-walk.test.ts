/**
 * A walk where the compute nodes are reached only through the Kubernetes API (`vrouter.via: kubectl`,
 * no ssh section) gives the same stage verdicts as the walk over SSH, healthy and with faults; the
 * recording names how each command ran.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Lab } from "../../lib/lab/lab";
import { loadInventory, type Inventory } from "../../lib/remote/inventory";
import { createInvestigation, describeTarget, openInvestigation } from "../../lib/investigation";
import type { WalkReport } from "../../lib/walk/report";
import { labFor, walkOn } from "./helpers";

let lab: Lab;
let dir: string;
beforeAll(async () => {
  lab = await labFor();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kubewalk-"));
});
afterAll(async () => {
  await lab?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The lab inventory with every compute node reached only through kubectl. */
function kubectlOnly(): Inventory {
  const raw = JSON.parse(JSON.stringify(lab.inventory)) as { nodes: Record<string, unknown>[] };
  for (const n of raw.nodes) {
    if (n.role !== "compute") continue;
    delete n.ssh;
    n.vrouter = { via: "kubectl", namespace: "kube-system", selector: "app=contrail-agent", container: "contrail-vrouter-agent" };
  }
  return loadInventory(raw);
}

const verdicts = (r: WalkReport) => r.stages.map((s) => [s.id, s.verdict]);

describe("a walk through kubectl", () => {
  it.each([[[] as string[]], [["backend-down"]], [["wrong-label"]]])("gives the SSH walk's verdicts, faults %j", async (faults) => {
    for (const f of faults) lab.setFault(f, true);
    try {
      const ssh = await walkOn(lab);
      const inventory = kubectlOnly();
      const s = lab.inventory.scenario;
      const record = createInvestigation(path.join(dir, `inv-${faults.join("-") || "healthy"}`), {
        target: describeTarget(inventory, "lab", "default"), parameters: { fip: s.fip },
      });
      const kube = await walkOn(lab, { inventory, record });
      record.close();
      expect(verdicts(kube), kube.stages.map((x) => `${x.id}: ${x.reason}`).join("\n")).toEqual(verdicts(ssh));
      expect(kube.verdict).toBe(ssh.verdict);
      expect(kube.firstFailure?.id ?? null).toBe(ssh.firstFailure?.id ?? null);
      expect(kube.discovery.activeNode).toBe(ssh.discovery.activeNode);
      expect(kube.discovery.backendNode).toBe(ssh.discovery.backendNode);
      expect(kube.discovery.serviceLabel).toBe(ssh.discovery.serviceLabel);
      expect(Object.keys(kube.unreachable)).toEqual([]);
      if (faults.length === 0) expect(kube.verdict).toBe("pass");
      // The recording says how each command ran.
      const inv = openInvestigation(path.join(dir, `inv-${faults.join("-") || "healthy"}`));
      const cmds = inv.records.filter((r) => r.kind === "command") as { node: string; via?: string }[];
      const computes = cmds.filter((c) => c.node === "cent222" || c.node === "cent333");
      expect(computes.length).toBeGreaterThan(0);
      expect(computes.every((c) => c.via === "kubectl")).toBe(true);
      expect(inv.manifest.target.nodes.filter((n) => n.role === "compute").map((n) => n.via)).toEqual(["kubectl", "kubectl"]);
      // The captures (tcpdump -w - streamed back through the exec) hold pcap bytes from the compute nodes.
      const caps = inv.records.filter((r) => r.kind === "capture") as { node: string; bytes: number; error?: string }[];
      const computeCaps = caps.filter((c) => c.node === "cent222" || c.node === "cent333");
      expect(computeCaps.length, JSON.stringify(caps)).toBeGreaterThan(0);
      for (const c of computeCaps) {
        expect(c.error, c.node).toBeUndefined();
        expect(c.bytes, c.node).toBeGreaterThan(24);
      }
      expect(cmds.some((c) => (c as { command?: string }).command?.startsWith("tcpdump") && (c.node === "cent222" || c.node === "cent333") && c.via === "kubectl")).toBe(true);
    } finally {
      for (const f of faults) lab.setFault(f, false);
    }
  }, 180_000);
});
