/**
 * Done-when of discovery, on the lab: `packetwalk discover` reads the lab's Kubernetes API and, with the
 * lab's inventory as `--base` (the gateway and Internet host, the address map), writes an inventory
 * whose compute nodes are reached only through the API (kubectl access); `packetwalk walk --inventory`
 * on it passes, with the Kubernetes view; with `backend-down` the walk shows the API/flow disagreement.
 * Refusals: a namespace-bound user (partial, exit 1, what was refused named), an expired token (exit 2).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../kernel/cli";
import type { Lab } from "../../lib/lab/lab";
import { captureIO } from "../helpers/io";
import { labFor } from "../walk/helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-discover-lab-"));
let lab: Lab;
let kubeconfig: string;
let base: string;
beforeAll(async () => {
  lab = await labFor();
  kubeconfig = lab.inventory.kubernetes!.kubeconfig;
  base = path.join(tmp, "lab", "lab-inventory.json");
  fs.mkdirSync(path.dirname(base), { recursive: true });
  fs.writeFileSync(base, JSON.stringify(lab.inventory, null, 2));
}, 60_000);
afterAll(async () => {
  await lab?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const t = captureIO({ cwd: tmp });
  const code = await main(args, t.io);
  return { code, out: t.out(), err: t.err() };
}

describe("packetwalk discover on the lab", () => {
  it("discover → walk --inventory passes through kubectl access, with the Kubernetes view; backend-down shows the disagreement", async () => {
    const d = await cli(["discover", "--kubeconfig", kubeconfig, "--base", base, "-o", "cluster.yaml"]);
    expect(d.err).not.toContain("packetwalk discover:");
    expect(d.code).toBe(0);
    expect(d.out).toMatch(/cent222 +10\.169\.25\.20 +agent kube-system\/contrail-agent-\w+ -c contrail-vrouter-agent/);
    expect(d.out).toMatch(/ingress ns-user-1\/webservice-ingress: www\.juniper\.net \/ → webservice:80 \(status 10\.47\.255\.238, 101\.101\.101\.1\)/);
    const text = fs.readFileSync(path.join(tmp, "cluster.yaml"), "utf8");
    expect(text).toContain("# Nothing left to complete.");
    const inv = parse(text);
    expect(inv.baseDir).toBe("lab");
    expect(inv.kubernetes).toEqual({ kubeconfig, context: "packetwalk-lab" });
    const computes = inv.nodes.filter((n: { role: string }) => n.role === "compute");
    expect(computes.map((n: { name: string }) => n.name)).toEqual(["cent222", "cent333"]);
    for (const n of computes) {
      expect(n.ssh).toBeUndefined(); // reached only through the API
      expect(n.vrouter).toMatchObject({ via: "kubectl", namespace: "kube-system", container: "contrail-vrouter-agent" });
      expect(n.fabricInterface).toBe("ens3");
    }
    const s = lab.inventory.scenario;
    const walkArgs = ["walk", "--inventory", "cluster.yaml", "--fip", s.fip, "--port", String(s.fipPort), "--host", s.hostHeader, "--no-notebooks"];
    const w = await cli([...walkArgs, "--out", "out-ok"]);
    expect(w.out).toContain("all 10 stages pass");
    expect(w.out).toContain("the API and the forwarding agree");
    expect(w.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(tmp, "out-ok", "walk.json"), "utf8"));
    expect(json.kubernetes.status).toBe("ok");
    expect(json.kubernetes.endpoints[0]).toMatchObject({ ip: "10.47.255.236", ready: true, walked: true });

    lab.setFault("backend-down", true);
    try {
      const f = await cli([...walkArgs, "--out", "out-down"]);
      expect(f.code).toBe(1);
      expect(f.out).toMatch(/endpoint 10\.47\.255\.236:80 NOT READY pod ns-user-1\/webservice-\S+ on cent333 \[walked\]: \d+ flows?/);
      expect(f.out).toMatch(/✘ error: the API lists 10\.47\.255\.236 on cent333 as not ready \(pod Ready=False, Running\), yet the walk's flows reached it/);
      const down = JSON.parse(fs.readFileSync(path.join(tmp, "out-down", "walk.json"), "utf8"));
      expect(down.kubernetes.findings.map((x: { id: string }) => x.id)).toEqual(["service-no-ready-endpoints", "unready-endpoint-reached"]);
    } finally {
      lab.setFault("backend-down", false);
    }
  }, 240_000);

  it("a namespace-bound user: partial (exit 1), every refusal named, what could be read kept", async () => {
    const d = await cli(["discover", "--kubeconfig", kubeconfig, "--context", "packetwalk-lab-tenant", "-o", "tenant.yaml"]);
    expect(d.code).toBe(1);
    expect(d.err).toMatch(/packetwalk discover: forbidden to list nodes: nodes is forbidden: User "[^"]+" cannot list resource "nodes"/);
    expect(d.err).toMatch(/packetwalk discover: forbidden to list pods: /);
    expect(d.out).toMatch(/partial: nodes, .*could not be read/);
    // The app namespace was read (the context's namespace): its service and ingress are in the summary.
    expect(d.out).toMatch(/ingress ns-user-1\/webservice-ingress/);
    expect(fs.readFileSync(path.join(tmp, "tenant.yaml"), "utf8")).toMatch(/# TO COMPLETE[\s\S]*the API listed no nodes/);
  }, 60_000);

  it("an expired token: exit 2, 401 named, no file", async () => {
    const d = await cli(["discover", "--kubeconfig", kubeconfig, "--context", "packetwalk-lab-expired", "-o", "expired.yaml"]);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/unauthorized \(401\) to list nodes: the API refused the credentials/);
    expect(fs.existsSync(path.join(tmp, "expired.yaml"))).toBe(false);
  }, 60_000);
});
