/**
 * What an investigation says about its target: the nodes, their roles and how the vRouter tools run on
 * them, and the inventory a replay needs — never a secret (no key files, passphrase variables, agent
 * sockets, known_hosts or SSH config paths).
 */
import type { Inventory, SshTarget } from "../remote/inventory";
import type { TargetDescription } from "./layout";

/**
 * The description of a target for a manifest.
 *
 * @example
 * describeTarget(inventory, "inventory", "cluster.yaml").nodes[0]; // { name: "gateway", role: "gateway", via: "direct" }
 */
export function describeTarget(inv: Inventory, kind: TargetDescription["kind"], source: string): TargetDescription {
  return {
    kind,
    // A file's name only: the folders above it belong to the machine that ran the walk.
    source: source.replace(/^.*[\\/]/, ""),
    nodes: inv.nodes.map((n) => ({ name: n.name, role: n.role, via: n.vrouter?.via ?? "direct" })),
    inventory: inventoryWithoutSecrets(inv),
  };
}

/**
 * A copy of the inventory without anything secret or local to one machine: per node the name, role,
 * fabric interface, vRouter access and the SSH host, port, user, pinned host keys and jump node name;
 * of the Kubernetes API only the context name (the kubeconfig path is local to one machine).
 *
 * @example
 * inventoryWithoutSecrets(inv).nodes[2].ssh; // { host: "127.0.0.1", port: 40123, user: "root", hostKey: [...] }
 */
export function inventoryWithoutSecrets(inv: Inventory): Record<string, unknown> {
  const ssh = (s: SshTarget): Record<string, unknown> => ({
    host: s.host,
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.user !== undefined ? { user: s.user } : {}),
    ...(s.hostKey !== undefined ? { hostKey: s.hostKey } : {}),
    ...(typeof s.jump === "string" ? { jump: s.jump } : s.jump ? { jump: ssh(s.jump) } : {}),
  });
  return {
    nodes: inv.nodes.map((n) => ({
      name: n.name,
      role: n.role,
      ...(n.fabricInterface ? { fabricInterface: n.fabricInterface } : {}),
      ...(n.ssh ? { ssh: ssh(n.ssh) } : {}),
      ...(n.vrouter ? { vrouter: { ...n.vrouter } } : {}),
    })),
    ...(inv.addressMap ? { addressMap: { ...inv.addressMap } } : {}),
    ...(inv.connectTimeoutMs !== undefined ? { connectTimeoutMs: inv.connectTimeoutMs } : {}),
    ...(inv.commandTimeoutMs !== undefined ? { commandTimeoutMs: inv.commandTimeoutMs } : {}),
    ...(inv.kubernetes?.context ? { kubernetes: { context: inv.kubernetes.context } } : {}),
    sshConfig: false,
  };
}
