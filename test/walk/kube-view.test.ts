/**
 * The walk's Kubernetes view on the lab: the API's chain beside the forwarding evidence. Healthy: the
 * endpoint is ready, the walked pod, its route local on its node, no finding. `backend-down`: the API lists
 * the pod not ready, the flows still reach it, and the view says so. Without a `kubernetes` section the
 * walk says there is no view; recorded, the replay shows the same view.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createInvestigation, describeTarget, openInvestigation } from "../../lib/investigation";
import { loadInventory, type Inventory } from "../../lib/remote/inventory";
import { runWalk } from "../../lib/walk";
import { startFixtureApi, fixtureLists } from "../kube/fixture-api";
import { labFor, walkOn } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kubeview-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The API's objects as the lab's cluster would show them (backend-down: the pod's readiness probe fails). */
async function apiFor(faults: string[]) {
  const lists = fixtureLists();
  if (faults.includes("backend-down")) {
    for (const e of (lists.endpointslices.items[0] as { endpoints: { conditions: Record<string, boolean> }[] }).endpoints) e.conditions = { ready: false, serving: false, terminating: false };
    const pod = lists.pods.items.find((p) => (p.metadata as { name: string }).name.startsWith("webservice")) as { status: { conditions: { type: string; status: string }[] } };
    for (const c of pod.status.conditions) if (c.type === "Ready" || c.type === "ContainersReady") c.status = "False";
  }
  return startFixtureApi({ lists });
}

describe("the Kubernetes view beside the stages", () => {
  it("healthy lab: the chain, the walked endpoint with its local route, no finding; recorded and replayed the same", async () => {
    const lab = await labFor();
    const api = await apiFor([]);
    try {
      const inventory = { ...(lab.inventory as unknown as Inventory), kubernetes: { kubeconfig: api.kubeconfig(tmp) } } as Inventory;
      const s = lab.inventory.scenario;
      const params = { fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader };
      const record = createInvestigation(path.join(tmp, "inv"), { target: describeTarget(loadInventory(inventory), "lab", "default"), parameters: params });
      const report = await walkOn(lab, { inventory, record });
      record.close();
      expect(report.verdict).toBe("pass");
      const v = report.kubernetes!;
      expect(v.status).toBe("ok");
      expect(`${v.chain?.ingress?.namespace}/${v.chain?.ingress?.name} → ${v.chain?.service?.name}`).toBe("ns-user-1/webservice-ingress → webservice");
      expect(v.endpoints).toHaveLength(1);
      expect(v.endpoints[0]).toMatchObject({ ip: "10.47.255.236", ready: true, node: "cent333", walked: true });
      expect(v.endpoints[0].flows).toBeGreaterThan(0);
      expect(v.endpoints[0].route).toMatch(/^ok: 10\.47\.255\.236\/32 → nh \d+ Encap → vif \d+/);
      expect(v.findings).toEqual([]);
      expect(report.toString()).toContain("the API and the forwarding agree");
      expect(report.toHtml()).toContain("<h4>Kubernetes view</h4>");
      expect(JSON.parse(JSON.stringify(report.toJSON())).kubernetes.endpoints[0].ip).toBe("10.47.255.236");
      await api.close();
      await lab.stop();
      // Offline: the API and the lab are gone; the recording answers.
      const inv = openInvestigation(path.join(tmp, "inv"));
      expect(inv.warnings).toEqual([]);
      const replayed = await runWalk({ ...params, inventory: loadInventory(inv.manifest.target.inventory!), replay: inv });
      const r = replayed.kubernetes!;
      expect(r.note).toContain("(replayed from the recording)");
      expect({ endpoints: r.endpoints, findings: r.findings, chain: r.chain }).toEqual({ endpoints: v.endpoints, findings: v.findings, chain: v.chain });
    } finally {
      await api.close().catch(() => {});
      await lab.stop();
    }
  }, 120_000);

  it("backend-down: the API lists the pod not ready, the flows still reach it", async () => {
    const lab = await labFor({ faults: ["backend-down"] });
    const api = await apiFor(["backend-down"]);
    try {
      const inventory = { ...(lab.inventory as unknown as Inventory), kubernetes: { kubeconfig: api.kubeconfig(tmp) } } as Inventory;
      const report = await walkOn(lab, { inventory });
      expect(report.verdict).toBe("fail");
      const v = report.kubernetes!;
      expect(v.findings.map((f) => f.id)).toEqual(["service-no-ready-endpoints", "unready-endpoint-reached"]);
      expect(v.findings[1].message).toMatch(/^the API lists 10\.47\.255\.236 on cent333 as not ready \(pod Ready=False, Running\), yet the walk's flows reached it \(\d+ flows? on cent333, \d+ packets\)$/);
      expect(report.toString()).toMatch(/✘ error: the API lists 10\.47\.255\.236 on cent333 as not ready/);
    } finally {
      await api.close();
      await lab.stop();
    }
  }, 120_000);

  it("no kubernetes section: the walk says there is no view; an unreachable API: unavailable, named", async () => {
    const lab = await labFor();
    try {
      const plain = await walkOn(lab);
      expect(plain.kubernetes?.status).toBe("off");
      expect(plain.toString()).toContain("Kubernetes view: no Kubernetes view: the inventory has no `kubernetes` section");
      const api = await startFixtureApi();
      const kubeconfig = api.kubeconfig(tmp);
      await api.close();
      const inventory = { ...(lab.inventory as unknown as Inventory), kubernetes: { kubeconfig } } as Inventory;
      const down = await walkOn(lab, { inventory });
      expect(down.verdict).toBe("pass");
      expect(down.kubernetes?.status).toBe("unavailable");
      expect(down.kubernetes?.note).toMatch(/^no Kubernetes view: cannot reach http:\/\/127\.0\.0\.1:\d+ \(connection refused\) to list nodes/);
    } finally {
      await lab.stop();
    }
  }, 120_000);
});
