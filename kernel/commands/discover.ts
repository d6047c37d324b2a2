/**
 * `packetwalk discover`: reads the Kubernetes API (nodes and InternalIPs, the vRouter agent pod per
 * node, ingresses, services, endpoint slices / endpoints, pods and their nodes) and writes an inventory
 * whose compute nodes run the vRouter tools through kubectl; the user completes it (gateway, Internet
 * host, SSH keys), or `--base` merges those from an existing inventory.
 */
import { defineCommand, UsageError } from "./args";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk discover [--kubeconfig FILE] [--context NAME] [-o FILE] [--base INVENTORY] [--json]
  Reads the Kubernetes API with the kubeconfig (default: $KUBECONFIG, ~/.kube/config, or in-cluster) and
  context (default: its current one): nodes and their InternalIPs, the vRouter agent pod (namespace, pod,
  container) on each node, ingresses, services, endpoint slices and endpoints, pods and their nodes. Writes
  an inventory (YAML with comments saying what to complete; JSON when FILE ends in .json; stdout without
  -o) whose compute nodes run the vRouter tools with kubectl exec (vrouter: { via: kubectl, … }) and
  whose kubernetes section names the kubeconfig, so the walk shows its Kubernetes view. The API does
  not know the gateway router or the Internet host: --base INVENTORY takes those nodes, the addressMap
  and the SSH settings (and each compute node's fabricInterface) from an existing inventory; otherwise
  the file says what to add. A refused resource (401, RBAC 403 per resource or namespace) is named and
  the rest is kept.
  Exit status: 0 everything was read, 1 some reads were refused (the inventory holds what could be read),
  2 usage error, a kubeconfig that cannot be used, or an API that could not be read at all.`;

const command = defineCommand({
  name: "discover",
  usage,
  positionals: false,
  options: {
    kubeconfig: { type: "string" },
    context: { type: "string" },
    output: { type: "string", short: "o" },
    base: { type: "string" },
    json: { type: "boolean" },
  },
  async run({ values: v }, io: CommandIO): Promise<number> {
    const fs = await import("node:fs");
    const path = await import("node:path");
    const { openKubeApi, KubeConfigError } = await import("../../lib/kube/client.js");
    const { readCluster, readGaps } = await import("../../lib/kube/read.js");
    const { kubeObjects } = await import("../../lib/kube/objects.js");
    const { vrouterAgentPods } = await import("../../lib/kube/agents.js");
    const { draftInventory, inventoryYaml, baseDirFor } = await import("../../lib/kube/inventory-draft.js");
    const out = v.output !== undefined ? path.resolve(io.cwd, v.output) : null;
    if (v.output === "") throw new UsageError("-o needs a file name", { usage: false });
    const kubeconfig = v.kubeconfig !== undefined ? path.resolve(io.cwd, v.kubeconfig) : undefined;
    let base: Record<string, unknown> | undefined;
    if (v.base !== undefined) {
      const { parseInventoryText, inventoryFormatOf } = await import("../../lib/remote/inventory-text.js");
      const file = path.resolve(io.cwd, v.base);
      let text: string;
      try {
        text = fs.readFileSync(file, "utf8");
      } catch (e) {
        io.stderr.write(`packetwalk discover: cannot read the base inventory ${file}: ${(e as Error).message}\n`);
        return 2;
      }
      const parsed = parseInventoryText(text, inventoryFormatOf(file));
      if (parsed.issues.length || !parsed.value || typeof parsed.value !== "object") {
        io.stderr.write(`packetwalk discover: ${file}: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ") || "not an inventory"}\n`);
        return 2;
      }
      base = parsed.value as Record<string, unknown>;
    }
    let api;
    try {
      api = await openKubeApi({ ...(kubeconfig ? { kubeconfig } : {}), ...(v.context ? { context: v.context } : {}) });
    } catch (e) {
      io.stderr.write(`packetwalk discover: ${e instanceof KubeConfigError ? "" : "the Kubernetes client failed: "}${(e as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`reading ${api.server} (context ${api.context})…\n`);
    const snap = await readCluster(api, { signal: io.signal });
    const gaps = readGaps(snap);
    for (const g of gaps) for (const e of g.errors) if (e) io.stderr.write(`packetwalk discover: ${e.message}\n`);
    if (!snap.reads.some((r) => r.items !== null)) {
      io.stderr.write(`packetwalk discover: nothing could be read from ${api.server}; no inventory written\n`);
      return 2;
    }
    const o = kubeObjects(snap);
    for (const w of o.warnings) io.stderr.write(`packetwalk discover: ${w}\n`);
    const agents = vrouterAgentPods(o.pods);
    const draft = draftInventory(o, agents, {
      ...(kubeconfig ? { kubeconfig } : {}),
      ...(v.context ? { context: v.context } : { context: api.context }),
      ...(base ? { base, baseDir: out ? baseDirFor(path.resolve(io.cwd, v.base!), out) : path.dirname(path.resolve(io.cwd, v.base!)) } : {}),
    });
    const asJson = v.json || (out !== null && out.endsWith(".json"));
    const text = asJson ? JSON.stringify(draft.inventory, null, 2) + "\n" : inventoryYaml(draft, o, { source: `${api.server} (context ${api.context})` });
    if (out) {
      try {
        fs.writeFileSync(out, text, { mode: 0o600 });
      } catch (e) {
        io.stderr.write(`packetwalk discover: cannot write ${out}: ${(e as Error).message}\n`);
        return 2;
      }
    } else io.stdout.write(text);
    // The summary goes to stderr when the inventory goes to stdout.
    const say = out ? io.stdout : io.stderr;
    const ready = o.endpoints.filter((e) => e.ready).length;
    say.write(
      `discovered: ${o.nodes.length} nodes (${agents.size} with a vRouter agent pod), ${o.pods.length} pods, ${o.services.length} services, ` +
        `${o.endpoints.length} endpoints (${ready} ready, from ${o.endpointSource ?? "nothing"}), ${o.ingresses.length} ingresses\n`,
    );
    for (const n of o.nodes) {
      const a = agents.get(n.name);
      say.write(`  ${n.name.padEnd(16)} ${String(n.internalIp ?? "?").padEnd(16)} ${a ? `agent ${a.namespace}/${a.pod} -c ${a.container}${a.ready ? "" : " (not Ready)"}` : "no vRouter agent pod"}\n`);
    }
    for (const i of o.ingresses) for (const p of i.paths) say.write(`  ingress ${i.namespace}/${i.name}: ${p.host ?? "*"} ${p.path} → ${p.service ?? "?"}:${p.port ?? "?"} (status ${i.statusIps.join(", ") || "none"})\n`);
    for (const t of draft.todo) say.write(`  to complete: ${t}\n`);
    if (out) say.write(`inventory: ${path.relative(io.cwd, out) || out}\n`);
    if (gaps.length) {
      say.write(`partial: ${gaps.map((g) => `${g.resource}${g.partial ? " (some namespaces)" : ""}`).join(", ")} could not be read\n`);
      return 1;
    }
    return 0;
  },
});

export default command;
