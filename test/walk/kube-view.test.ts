/**
 * The walk's Kubernetes view on the lab, read from the lab's own Kubernetes API (its inventory's
 * `kubernetes` section): the API's chain beside the forwarding evidence. Healthy: the endpoint is ready,
 * the walked pod, its route local on its node, no finding; recorded, the replay shows the same view.
 * `backend-down`: the API lists the pod not ready, the flows still reach it, and the view says so.
 * Without a `kubernetes` section the walk says there is no view; an expired token or a namespace-bound
 * user: unavailable or partial, with what was refused named.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createInvestigation, describeTarget, openInvestigation } from "../../lib/investigation";
import { loadInventory, type Inventory } from "../../lib/remote/inventory";
import { runWalk } from "../../lib/walk";
import { labFor, walkOn } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kubeview-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("the Kubernetes view beside the stages (the lab's API)", () => {
  it("healthy lab: the chain, the walked endpoint with its local route, no finding; recorded and replayed the same", async () => {
    const lab = await labFor();
    try {
      const inventory = lab.inventory as unknown as Inventory;
      expect(lab.inventory.kubernetes?.kubeconfig).toBeTruthy();
      const s = lab.inventory.scenario;
      const params = { fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader };
      const record = createInvestigation(path.join(tmp, "inv"), { target: describeTarget(loadInventory(inventory), "lab", "default"), parameters: params });
      const report = await walkOn(lab, { record });
      record.close();
      expect(report.verdict).toBe("pass");
      const v = report.kubernetes!;
      expect(v.errors).toEqual([]);
      expect(v.status).toBe("ok");
      expect(v.note).toMatch(/^Kubernetes view from https:\/\/127\.0\.0\.1:\d+ \(context packetwalk-lab\) read at /);
      expect(`${v.chain?.ingress?.namespace}/${v.chain?.ingress?.name} → ${v.chain?.service?.name} ${v.chain?.service?.clusterIp}`).toBe("ns-user-1/webservice-ingress → webservice 10.99.225.17");
      expect(v.chain?.statusHasFip).toBe(true);
      expect(v.endpoints).toHaveLength(1);
      expect(v.endpoints[0]).toMatchObject({ ip: "10.47.255.236", port: 80, ready: true, node: "cent333", nodeIp: "10.169.25.21", walked: true });
      expect(v.endpoints[0].flows).toBeGreaterThan(0);
      expect(v.endpoints[0].route).toMatch(/^ok: 10\.47\.255\.236\/32 → nh \d+ Encap → vif \d+/);
      expect(v.findings).toEqual([]);
      expect(report.toString()).toContain("the API and the forwarding agree");
      expect(report.toHtml()).toContain("<h4>Kubernetes view</h4>");
      expect(JSON.parse(JSON.stringify(report.toJSON())).kubernetes.endpoints[0].ip).toBe("10.47.255.236");
      await lab.stop();
      // Offline: the lab and its API are gone; the recording answers.
      const inv = openInvestigation(path.join(tmp, "inv"));
      expect(inv.warnings).toEqual([]);
      expect(inv.records.filter((r) => r.kind === "kube").map((r) => (r as { resource: string }).resource)).toEqual(["nodes", "pods", "services", "endpointslices", "endpoints", "ingresses"]);
      const replayed = await runWalk({ ...params, inventory: loadInventory(inv.manifest.target.inventory!), replay: inv });
      const r = replayed.kubernetes!;
      expect(r.note).toContain("(replayed from the recording)");
      expect({ endpoints: r.endpoints, findings: r.findings, chain: r.chain }).toEqual({ endpoints: v.endpoints, findings: v.findings, chain: v.chain });
    } finally {
      await lab.stop();
    }
  }, 120_000);

  it("backend-down: the API lists the pod not ready, the flows still reach it", async () => {
    const lab = await labFor({ faults: ["backend-down"] });
    try {
      const report = await walkOn(lab);
      expect(report.verdict).toBe("fail");
      const v = report.kubernetes!;
      expect(v.status).toBe("ok");
      expect(v.endpoints[0]).toMatchObject({ ip: "10.47.255.236", ready: false, podReady: "False", walked: true });
      expect(v.findings.map((f) => f.id)).toEqual(["service-no-ready-endpoints", "unready-endpoint-reached"]);
      expect(v.findings[1].message).toMatch(/^the API lists 10\.47\.255\.236 on cent333 as not ready \(pod Ready=False, Running\), yet the walk's flows reached it \(\d+ flows? on cent333, \d+ packets\)$/);
      expect(report.toString()).toMatch(/✘ error: the API lists 10\.47\.255\.236 on cent333 as not ready/);
    } finally {
      await lab.stop();
    }
  }, 120_000);

  it("the large topology: three endpoints on three nodes, each route local; fewer requests than endpoints leave one unreached (info)", async () => {
    const lab = await labFor({ topology: "large" });
    try {
      const v = (await walkOn(lab)).kubernetes!;
      expect(v.endpoints.map((e) => `${e.ip} ${e.node}`).sort()).toEqual(["10.47.255.234 cent444", "10.47.255.235 cent222", "10.47.255.236 cent333"]);
      expect(v.endpoints.every((e) => e.route.startsWith("ok: "))).toBe(true);
      expect(v.endpoints.filter((e) => e.walked)).toHaveLength(1);
      const unreached = v.findings.filter((f) => f.id === "endpoint-not-reached");
      expect(unreached.length).toBeGreaterThanOrEqual(1);
      expect(unreached.every((f) => f.severity === "info" && /\(2 probes for 3 ready endpoints/.test(f.message))).toBe(true);
      expect(v.findings.filter((f) => f.severity !== "info")).toEqual([]);
    } finally {
      await lab.stop();
    }
  }, 120_000);

  it("no kubernetes section: no view, said so; an expired token or an API that does not answer: unavailable, named; a namespace-bound user: partial, the chain still joined", async () => {
    const lab = await labFor();
    try {
      const { kubernetes, ...bare } = lab.inventory as unknown as Inventory & { kubernetes: { kubeconfig: string } };
      const plain = await walkOn(lab, { inventory: bare as Inventory });
      expect(plain.kubernetes?.status).toBe("off");
      expect(plain.toString()).toContain("Kubernetes view: no Kubernetes view: the inventory has no `kubernetes` section");
      const expired = await walkOn(lab, { inventory: { ...bare, kubernetes: { ...kubernetes, context: "packetwalk-lab-expired" } } as Inventory });
      expect(expired.verdict).toBe("pass");
      expect(expired.kubernetes?.status).toBe("unavailable");
      expect(expired.kubernetes?.note).toMatch(/^no Kubernetes view: unauthorized \(401\) to list nodes: the API refused the credentials/);
      // An API that does not answer: a copy of the kubeconfig pointing at a closed loopback port.
      const closed = path.join(tmp, "closed.kubeconfig");
      fs.writeFileSync(closed, fs.readFileSync(kubernetes.kubeconfig, "utf8").replace(/server: \S+/, "server: https://127.0.0.1:1"));
      const down = await walkOn(lab, { inventory: { ...bare, kubernetes: { kubeconfig: closed } } as Inventory });
      expect(down.verdict).toBe("pass");
      expect(down.kubernetes?.status).toBe("unavailable");
      expect(down.kubernetes?.note).toMatch(/^no Kubernetes view: cannot reach https:\/\/127\.0\.0\.1:1 \(connection refused\) to list nodes/);
      const tenant = await walkOn(lab, { inventory: { ...bare, kubernetes: { ...kubernetes, context: "packetwalk-lab-tenant" } } as Inventory });
      const t = tenant.kubernetes!;
      expect(t.status).toBe("partial");
      expect(t.errors.map((e) => `${e.resource}${e.namespace ? `@${e.namespace}` : ""} ${e.status}`)).toContain("nodes 403");
      expect(t.errors.find((e) => e.resource === "nodes")?.message).toMatch(/^forbidden to list nodes: nodes is forbidden: User "[^"]+" cannot list resource "nodes"/);
      // Read in the context's namespace: the chain is whole, the node IPs unknown.
      expect(t.endpoints[0]).toMatchObject({ ip: "10.47.255.236", ready: true, node: "cent333", nodeIp: null, walked: true });
      expect(t.findings.map((f) => f.id)).toEqual(["api-incomplete"]);
    } finally {
      await lab.stop();
    }
  }, 180_000);
});
