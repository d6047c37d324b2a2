/**
 * The inventory's Kubernetes parts: `vrouter: { via: kubectl, namespace, pod | selector, container }`
 * (a node with no ssh section), the top-level `kubernetes: { kubeconfig, context }`, and the argv a
 * kubectl node runs.
 */
import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadInventory, validateInventory, vrouterArgv, vrouterCommand } from "../../lib/remote/inventory";
import { planConnection } from "../../lib/remote/plan";
import { describeTarget } from "../../lib/investigation/target";

const ssh = { host: "127.0.0.1", port: 2222, user: "root" };
const issues = (v: unknown) => validateInventory(v).issues.map((i) => `${i.path}: ${i.message}`);

describe("vrouter via kubectl", () => {
  it("accepts a node with no ssh section, by pod or by selector, and the kubernetes section", () => {
    const inv = loadInventory({
      kubernetes: { kubeconfig: "lab.kubeconfig", context: "packetwalk-lab" },
      nodes: [
        { name: "gateway", role: "gateway", ssh },
        { name: "cent222", role: "compute", vrouter: { via: "kubectl", namespace: "kube-system", selector: "app=contrail-agent", container: "contrail-vrouter-agent" } },
        { name: "cent333", role: "compute", ssh, vrouter: { via: "kubectl", pod: "contrail-agent-x7q2m" } },
      ],
    });
    expect(inv.kubernetes).toEqual({ kubeconfig: "lab.kubeconfig", context: "packetwalk-lab" });
    expect(inv.nodes[1]!.ssh).toBeUndefined();
    expect(inv.nodes[1]!.vrouter).toEqual({ via: "kubectl", namespace: "kube-system", selector: "app=contrail-agent", container: "contrail-vrouter-agent" });
  });

  it("reads the same from YAML", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kinv-"));
    try {
      const file = path.join(dir, "cluster.yaml");
      fs.writeFileSync(file, [
        "kubernetes:",
        "  kubeconfig: ~/.kube/config",
        "  context: prod",
        "nodes:",
        "  - name: cent222",
        "    role: compute",
        "    vrouter: { via: kubectl, namespace: kube-system, selector: app=contrail-agent, container: contrail-vrouter-agent }",
        "",
      ].join("\n"));
      const inv = loadInventory(file);
      expect(inv.nodes[0]!.vrouter).toEqual({ via: "kubectl", namespace: "kube-system", selector: "app=contrail-agent", container: "contrail-vrouter-agent" });
      expect(inv.kubernetes?.context).toBe("prod");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("loads the README's kubectl example", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const yaml = /```yaml\n(# kubectl-cluster\.yaml[\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml).toBeTruthy();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kinv-"));
    try {
      fs.writeFileSync(path.join(dir, "k.yaml"), yaml!);
      const inv = loadInventory(path.join(dir, "k.yaml"));
      expect(inv.nodes.map((n) => [n.name, n.vrouter?.via ?? "direct", n.ssh ? "ssh" : "no ssh"])).toEqual([
        ["gateway", "direct", "ssh"], ["cent222", "kubectl", "no ssh"], ["cent333", "kubectl", "no ssh"],
      ]);
      expect(inv.kubernetes).toEqual({ kubeconfig: "~/.kube/config", context: "prod-cluster" });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names every bad field", () => {
    expect(issues({ nodes: [{ name: "a", role: "compute", vrouter: { via: "kubectl" } }] })).toEqual(["nodes[0].vrouter: via: kubectl needs pod or selector"]);
    expect(issues({ nodes: [{ name: "a", role: "compute", vrouter: { via: "kubectl", pod: "p", selector: "app=x" } }] })).toEqual(["nodes[0].vrouter: give pod or selector, not both"]);
    expect(issues({ nodes: [{ name: "a", role: "compute", vrouter: { via: "kubectl", pod: "Bad_Pod", namespace: "Kube System", container: "Agent" } }] })).toEqual([
      "nodes[0].vrouter.namespace: expected a namespace name (lower-case letters, digits, '-')",
      "nodes[0].vrouter.pod: expected a pod name (lower-case letters, digits, '-', '.')",
      "nodes[0].vrouter.container: expected a container name (lower-case letters, digits, '-')",
    ]);
    expect(issues({ nodes: [{ name: "a", role: "compute", vrouter: { via: "kubectl", selector: "app=x; rm -rf /", sudo: true, prefix: ["x"] } }] })).toEqual([
      "nodes[0].vrouter.selector: expected a label selector (app=contrail-agent)",
      "nodes[0].vrouter.sudo: not used with via: kubectl (the exec runs as the container's user)",
      "nodes[0].vrouter.prefix: not used with via: kubectl",
    ]);
    expect(issues({ nodes: [{ name: "a", role: "compute", ssh, vrouter: { via: "docker", pod: "p", namespace: "kube-system" } }] })).toEqual([
      "nodes[0].vrouter.namespace: only used with via: kubectl",
      "nodes[0].vrouter.pod: only used with via: kubectl",
    ]);
    expect(issues({ nodes: [{ name: "a", role: "compute", vrouter: { via: "docker" } }] })).toEqual(["nodes[0].ssh: expected an object"]);
    expect(issues({ kubernetes: { kubeconfig: 3, context: "", cluster: "x" }, nodes: [{ name: "a", role: "compute", ssh }] })).toEqual([
      "kubernetes.kubeconfig: expected a path to a kubeconfig file",
      "kubernetes.context: expected a context name",
      "kubernetes.cluster: unknown field (expected kubeconfig, context)",
    ]);
    expect(issues({ kubernetes: "lab.kubeconfig", nodes: [{ name: "a", role: "compute", ssh }] })).toEqual(["kubernetes: expected an object with kubeconfig and/or context"]);
  });

  it("runs the vRouter argv as it is (the runner execs into the agent container)", () => {
    const node = { name: "a", role: "compute" as const, vrouter: { via: "kubectl" as const, selector: "app=contrail-agent" } };
    expect(vrouterArgv(node, ["flow", "--match", "1.1.1.1:80"])).toEqual(["flow", "--match", "1.1.1.1:80"]);
    expect(vrouterCommand(node, ["flow", "--match", "1.1.1.1:80 & proto tcp"])).toBe("flow --match '1.1.1.1:80 & proto tcp'");
  });

  it("an ssh-less node has no connection plan; a jump through it is refused; the recorded target keeps how it is reached", () => {
    const inv = loadInventory({
      nodes: [
        { name: "cent222", role: "compute", vrouter: { via: "kubectl", selector: "app=contrail-agent" } },
        { name: "gateway", role: "gateway", ssh: { ...ssh, jump: "cent222" } },
      ],
    });
    expect(() => planConnection(inv, "cent222", { env: {} })).toThrow("nodes[0].ssh: cent222 has no ssh section (it is reached through the Kubernetes API: vrouter.via kubectl)");
    expect(() => planConnection(inv, "gateway", { env: {} })).toThrow(/jump node cent222 has no ssh section/);
    const t = describeTarget(inv, "inventory", "cluster.yaml");
    expect(t.nodes[0]).toEqual({ name: "cent222", role: "compute", via: "kubectl" });
    const k = describeTarget(loadInventory({ ...JSON.parse(JSON.stringify(inv)), kubernetes: { kubeconfig: "/home/me/.kube/config", context: "prod" } }), "inventory", "x");
    expect(k.inventory!.kubernetes).toEqual({ context: "prod" });
    expect(loadInventory(k.inventory!).nodes[0]!.vrouter).toEqual({ via: "kubectl", selector: "app=contrail-agent" });
  });
});
