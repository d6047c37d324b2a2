/**
 * The client layer over @kubernetes/client-node against a loopback stand-in of the API (fixture lists,
 * bearer token, RBAC refusals): a full read, a refused resource kept apart (per namespace too), an
 * expired token, an unreachable server, a kubeconfig or context that cannot be used; the recording and
 * its replay; and `packetwalk discover` writing the inventory with the exit status saying partial.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main } from "../../kernel/cli";
import { openInvestigation, createInvestigation, investigationTimeline } from "../../lib/investigation";
import { KubeConfigError, loadKubeConfig, openKubeApi } from "../../lib/kube/client";
import { kubeObjects } from "../../lib/kube/objects";
import { readCluster, readGaps } from "../../lib/kube/read";
import { kubeRecorder, replayKube } from "../../lib/kube/record";
import { captureIO } from "../helpers/io";
import { startFixtureApi, type FixtureApi } from "./fixture-api";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kube-"));
let api: FixtureApi;
beforeAll(async () => {
  api = await startFixtureApi({ forbid: ["pods@kube-system"] });
});
afterAll(async () => {
  await api?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the client layer", () => {
  it("loads a kubeconfig and picks a context; names the file or the context it cannot use", async () => {
    const kc = await loadKubeConfig({ kubeconfig: api.kubeconfig(tmp), context: "fixture" });
    expect(kc.getCurrentCluster()?.server).toBe(api.url);
    await expect(loadKubeConfig({ kubeconfig: api.kubeconfig(tmp), context: "nope" })).rejects.toThrow(/has no context "nope" \(contexts: fixture, other\)/);
    await expect(loadKubeConfig({ kubeconfig: path.join(tmp, "missing") })).rejects.toBeInstanceOf(KubeConfigError);
    await expect(loadKubeConfig({ kubeconfig: path.join(tmp, "missing") })).rejects.toThrow(/cannot read .*missing/);
  });

  it("reads every resource as wire JSON; a cluster-wide refusal is retried per namespace and the refused namespace named", async () => {
    const snap = await readCluster(await openKubeApi({ kubeconfig: api.kubeconfig(tmp) }));
    const o = kubeObjects(snap);
    expect(o.nodes.map((n) => n.internalIp)).toEqual(["10.169.25.19", "10.169.25.20", "10.169.25.21"]);
    expect(o.services.map((s) => s.clusterIp)).toEqual(["10.96.0.1", "10.99.225.17"]);
    expect(o.endpointSource).toBe("endpointslice");
    expect(o.ingresses[0].statusIps).toEqual(["10.47.255.238", "101.101.101.1"]);
    // pods: refused cluster-wide and in kube-system, read in the other namespaces.
    expect(o.pods.map((p) => p.name)).toEqual(["webservice-7db5dcb4c6-h9xk2"]);
    expect(o.errors.map((e) => [e.resource, e.namespace, e.kind, e.status])).toEqual([["pods", null, "forbidden", 403], ["pods", "kube-system", "forbidden", 403]]);
    expect(o.errors[1].message).toBe('forbidden to list pods in namespace kube-system: pods is forbidden: User "system:serviceaccount:default:viewer" cannot list resource "pods" in API group "" in the namespace "kube-system"');
    expect(readGaps(snap)).toEqual([{ resource: "pods", partial: true, errors: o.errors }]);
  });

  it("an expired token: 401 named, and the pass stops there (every other resource marked not read)", async () => {
    const snap = await readCluster(await openKubeApi({ kubeconfig: api.kubeconfig(tmp, "expired-token") }));
    expect(snap.reads.every((r) => r.items === null)).toBe(true);
    expect(snap.reads[0].error?.message).toMatch(/^unauthorized \(401\) to list nodes: the API refused the credentials \(an expired or revoked token/);
    expect(snap.reads[1].error?.message).toMatch(/^pods not read: unauthorized \(401\)/);
    expect(api.asked.filter((p) => p === "/api/v1/pods").length).toBeLessThanOrEqual(1);
  });

  it("an unreachable server: named with the socket error, quickly", async () => {
    const t0 = Date.now();
    const snap = await readCluster(await openKubeApi({ kubeconfig: api.kubeconfig(tmp), context: "other" }));
    expect(snap.reads[0].error).toMatchObject({ kind: "unreachable", resource: "nodes" });
    expect(snap.reads[0].error?.message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:1 \(connection refused\) to list nodes/);
    expect(snap.reads.slice(1).every((r) => /not read: cannot reach/.test(r.error?.message ?? ""))).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("records each list call into an investigation; the replay gives the same snapshot", async () => {
    const dir = path.join(tmp, "inv");
    const w = createInvestigation(dir, { target: { kind: "inventory", source: "x", nodes: [] }, parameters: {} });
    const kapi = await openKubeApi({ kubeconfig: api.kubeconfig(tmp) });
    const snap = await readCluster(kapi, { onRead: kubeRecorder(w, kapi) });
    w.close();
    const inv = openInvestigation(dir);
    expect(inv.warnings).toEqual([]);
    const back = replayKube(inv)!;
    expect(back.reads.map((r) => [r.resource, r.namespace, r.items?.length ?? null, r.error?.message ?? null])).toEqual(snap.reads.map((r) => [r.resource, r.namespace, r.items?.length ?? null, r.error?.message ?? null]));
    expect(kubeObjects(back)).toEqual(kubeObjects(snap));
    expect(investigationTimeline(inv.records).filter((r) => r.kind === "kube").map((r) => r.what)).toContain("list endpointslices (fixture)");
    // An altered record: the read becomes an error saying so, nothing invented.
    const rec = inv.records.find((r) => r.kind === "kube" && r.resource === "services") as { items: { file?: string } };
    const target = rec.items.file ? path.join(dir, rec.items.file) : path.join(dir, "evidence.jsonl");
    const text = fs.readFileSync(target, "utf8");
    expect(text).toContain("10.99.225.17");
    fs.writeFileSync(target, text.replace("10.99.225.17", "10.99.225.99"));
    const altered = replayKube(openInvestigation(dir))!;
    expect(altered.reads.find((r) => r.resource === "services")?.error?.message).toMatch(/the recorded services \(record \d+\) is missing or altered/);
  });
});

describe("packetwalk discover", () => {
  const run = async (args: string[]) => {
    const t = captureIO({ cwd: tmp });
    const code = await main(["discover", ...args], t.io);
    return { code, out: t.out(), err: t.err() };
  };

  it("writes a commented YAML inventory with kubectl access; exit 1 says partial and names what was refused", async () => {
    const out = path.join(tmp, "cluster.yaml");
    const r = await run(["--kubeconfig", api.kubeconfig(tmp), "-o", out]);
    expect(r.err).toContain("packetwalk discover: forbidden to list pods in namespace kube-system");
    expect(r.out).toContain("partial: pods (some namespaces) could not be read");
    expect(r.code).toBe(1);
    // The agent pods are in the refused namespace: the file says to add the compute nodes by hand.
    const text = fs.readFileSync(out, "utf8");
    expect(text).toMatch(/# TO COMPLETE[\s\S]*no vRouter agent pod was found on any node/);
    expect(parse(text).kubernetes).toEqual({ kubeconfig: expect.stringMatching(/kubeconfig-/), context: "fixture" });
  });

  it("with every read allowed and a base inventory: gateway and Internet host merged, exit 0", async () => {
    const open = await startFixtureApi();
    try {
      const base = path.join(tmp, "lab", "inventory.json");
      fs.mkdirSync(path.dirname(base), { recursive: true });
      fs.writeFileSync(base, JSON.stringify({
        addressMap: { "10.169.25.20:22": "127.0.0.1:4022" }, hostKeyPolicy: "strict",
        nodes: [
          { name: "internet-host", role: "internet-host", fabricInterface: "eth0", ssh: { host: "127.0.0.1", port: 1, user: "u", identityFile: "id" } },
          { name: "gateway", role: "gateway", ssh: { host: "127.0.0.1", port: 2, user: "u", identityFile: "id" } },
          { name: "cent222", role: "compute", fabricInterface: "ens3", ssh: { host: "127.0.0.1", port: 3, user: "u", identityFile: "id" } },
          { name: "cent333", role: "compute", fabricInterface: "ens3", ssh: { host: "127.0.0.1", port: 4, user: "u", identityFile: "id" } },
        ],
      }));
      const out = path.join(tmp, "full.yaml");
      const r = await run(["--kubeconfig", open.kubeconfig(tmp), "--context", "fixture", "--base", base, "-o", out]);
      expect(r.err).not.toContain("packetwalk discover:");
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/discovered: 3 nodes \(2 with a vRouter agent pod\), 4 pods, 2 services, 1 endpoints \(1 ready, from endpointslice\), 1 ingresses/);
      expect(r.out).toMatch(/cent333 +10\.169\.25\.21 +agent kube-system\/contrail-agent-q9w4d -c contrail-vrouter-agent/);
      const inv = parse(fs.readFileSync(out, "utf8"));
      expect(inv.baseDir).toBe("lab");
      expect(inv.nodes.map((n: { name: string }) => n.name)).toEqual(["internet-host", "gateway", "cent222", "cent333"]);
      expect(inv.nodes[3].vrouter).toEqual({ via: "kubectl", namespace: "kube-system", pod: "contrail-agent-q9w4d", container: "contrail-vrouter-agent" });
      expect(fs.readFileSync(out, "utf8")).toContain("# Nothing left to complete.");
      // JSON by the file name, the summary on stdout.
      const j = await run(["--kubeconfig", open.kubeconfig(tmp), "-o", path.join(tmp, "c.json")]);
      expect(j.code).toBe(0);
      expect(JSON.parse(fs.readFileSync(path.join(tmp, "c.json"), "utf8")).nodes).toHaveLength(2);
    } finally {
      await open.close();
    }
  });

  it("an expired token or an unreachable API: exit 2, no file; a bad context: exit 2 naming it", async () => {
    const out = path.join(tmp, "none.yaml");
    const a = await run(["--kubeconfig", api.kubeconfig(tmp, "expired"), "-o", out]);
    expect(a.code).toBe(2);
    expect(a.err).toMatch(/unauthorized \(401\) to list nodes/);
    expect(a.err).toMatch(/nothing could be read from http:\/\/127\.0\.0\.1:\d+; no inventory written/);
    expect(fs.existsSync(out)).toBe(false);
    const b = await run(["--kubeconfig", api.kubeconfig(tmp), "--context", "other", "-o", out]);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1 \(connection refused\) to list nodes/);
    const c = await run(["--kubeconfig", api.kubeconfig(tmp), "--context", "prod"]);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/has no context "prod"/);
    const e = await run(["--kubeconfig", api.kubeconfig(tmp), "-o", path.join(tmp, "no", "such", "dir", "x.yaml")]);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/packetwalk discover: cannot write .*x\.yaml: ENOENT/);
    const d = await run(["--nope"]);
    expect(d.code).toBe(2);
    expect(d.err).toMatch(/usage: packetwalk discover/);
  });
});
