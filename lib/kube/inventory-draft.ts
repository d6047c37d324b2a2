/**
 * The inventory discovery writes: one compute node per Kubernetes node that runs a vRouter agent pod,
 * reached with kubectl (`vrouter: { via: kubectl, namespace, pod, container }`), the API's kubeconfig and
 * context under `kubernetes`, and — from a base inventory when given — the nodes the API cannot know
 * (the gateway router, the Internet host), the address map, the SSH settings and each compute node's
 * fabric interface (never its SSH: discovered compute nodes are reached through the API). What is still missing
 * is listed (`todo`) and written as comments at the top of the YAML.
 */
import * as path from "node:path";
import * as YAML from "yaml";
import type { VrouterAgentPod } from "./agents";
import type { KubeObjects } from "./types";

/** What {@link draftInventory} made. */
export interface InventoryDraft {
  /** The inventory, as plain data (JSON/YAML). */
  inventory: Record<string, unknown>;
  /** What the user must still complete, in words. */
  todo: string[];
  /** What was taken from where (for the summary). */
  notes: string[];
}

/** Options of {@link draftInventory}. */
export interface DraftOptions {
  /** The kubeconfig the API was read with (written as given), and the context. */
  kubeconfig?: string;
  context?: string;
  /** An existing inventory (parsed, not validated) whose gateway / internet-host nodes and settings are merged. */
  base?: Record<string, unknown>;
  /** The base inventory's folder, relative to the folder the draft is written to (its relative paths keep working). */
  baseDir?: string;
}

const TOP_FROM_BASE = ["addressMap", "hostKeyPolicy", "knownHosts", "sshConfig", "connectTimeoutMs", "commandTimeoutMs"] as const;

/**
 * Drafts an inventory from what the API said.
 *
 * @example
 * const d = draftInventory(kubeObjects(snap), vrouterAgentPods(kubeObjects(snap).pods), { kubeconfig: "lab.kubeconfig", base: labInventory });
 * d.inventory.nodes; // [{ name: "gateway", role: "gateway", ssh: … }, …, { name: "cent222", role: "compute", vrouter: { via: "kubectl", … } }]
 * d.todo;            // [] when the base gave the gateway and the Internet host
 */
export function draftInventory(o: KubeObjects, agents: ReadonlyMap<string, VrouterAgentPod>, opts: DraftOptions = {}): InventoryDraft {
  const todo: string[] = [];
  const notes: string[] = [];
  const base = opts.base ?? {};
  const baseNodes = (Array.isArray(base.nodes) ? base.nodes : []).filter((n): n is Record<string, unknown> => n !== null && typeof n === "object");
  const inventory: Record<string, unknown> = {};
  if (opts.baseDir !== undefined && opts.baseDir !== "" && opts.baseDir !== ".") inventory.baseDir = opts.baseDir;
  for (const k of TOP_FROM_BASE) if (base[k] !== undefined) inventory[k] = base[k];
  const kube: Record<string, unknown> = {};
  if (opts.kubeconfig) kube.kubeconfig = opts.kubeconfig;
  if (opts.context) kube.context = opts.context;
  inventory.kubernetes = kube;
  const nodes: Record<string, unknown>[] = [];
  for (const role of ["internet-host", "gateway"]) {
    const mine = baseNodes.filter((n) => n.role === role);
    nodes.push(...mine.map((n) => structuredClone(n)));
    if (mine.length) notes.push(`${role}: ${mine.map((n) => String(n.name)).join(", ")} from the base inventory`);
    else todo.push(role === "gateway" ? "add the gateway router (role: gateway) with its SSH address, user and key: the API does not know it" : "add the Internet host (role: internet-host) to probe from, or walk from this machine (the default)");
  }
  const agentNodes = o.nodes.filter((n) => agents.has(n.name));
  for (const n of o.nodes) {
    const a = agents.get(n.name);
    if (!a) continue;
    const fromBase = baseNodes.find((b) => b.name === n.name);
    const node: Record<string, unknown> = { name: n.name, role: "compute" };
    if (fromBase?.fabricInterface !== undefined) node.fabricInterface = fromBase.fabricInterface;
    node.vrouter = { via: "kubectl", namespace: a.namespace, pod: a.pod, container: a.container };
    nodes.push(node);
    if (!a.ready) todo.push(`${n.name}: the vRouter agent pod ${a.namespace}/${a.pod} is not Ready`);
    if (fromBase?.fabricInterface === undefined) todo.push(`${n.name}: set fabricInterface (the fabric NIC, for captures) — the API does not say`);
  }
  // Pods running where no agent runs (control-plane nodes, a node whose agent is down) are named, not walked.
  const others = o.nodes.filter((n) => !agents.has(n.name)).map((n) => n.name);
  if (others.length) notes.push(`no vRouter agent pod on ${others.join(", ")}: left out`);
  if (agentNodes.length === 0) todo.push(o.nodes.length ? "no vRouter agent pod was found on any node: add the compute nodes by hand (vrouter: { via: kubectl, namespace, pod, container })" : "the API listed no nodes: add the compute nodes by hand");
  inventory.nodes = nodes;
  return { inventory, todo, notes };
}

/**
 * The draft as commented YAML: a header saying where it came from and what to complete, each compute
 * node's InternalIP as a comment beside it.
 *
 * @example
 * fs.writeFileSync("cluster.yaml", inventoryYaml(draft, o, { source: "https://127.0.0.1:6443 (context lab)" }));
 */
export function inventoryYaml(d: InventoryDraft, o: KubeObjects, info: { source: string; at?: Date }): string {
  const doc = new YAML.Document(d.inventory);
  const head = [
    ` packetwalk inventory discovered from the Kubernetes API: ${info.source}, ${(info.at ?? new Date()).toISOString()}`,
    " Compute nodes run the vRouter tools with kubectl exec in their agent pod (vrouter.via: kubectl).",
    ...(d.todo.length ? [" TO COMPLETE before `packetwalk walk --inventory`:", ...d.todo.map((t) => `   - ${t}`)] : [" Nothing left to complete."]),
    ...d.notes.map((n) => ` note: ${n}`),
    " SSH keys: identityFile per node (relative paths are relative to this file) or ssh-agent; passwords are refused.",
  ];
  doc.commentBefore = head.join("\n");
  const seq = doc.get("nodes") as YAML.YAMLSeq | undefined;
  for (const item of seq?.items ?? []) {
    const m = item as YAML.YAMLMap;
    const name = m.get("name");
    const k = o.nodes.find((n) => n.name === name);
    if (k) m.commentBefore = ` Kubernetes node ${k.name}: InternalIP ${k.internalIp ?? "?"}${k.ready ? `, Ready=${k.ready}` : ""}`;
  }
  return doc.toString({ lineWidth: 0 });
}

/**
 * The base inventory's folder as the draft's `baseDir`: relative to the folder the draft is written to.
 *
 * @example
 * baseDirFor("/tmp/lab/inventory.json", "/work/cluster.yaml"); // "../tmp/lab"
 */
export function baseDirFor(baseFile: string, outFile: string): string {
  return path.relative(path.dirname(path.resolve(outFile)), path.dirname(path.resolve(baseFile))) || ".";
}
