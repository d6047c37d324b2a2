/**
 * `InventoryRunner`: one runner for a whole inventory that sends each node's commands through the
 * right door — the Kubernetes API's pod exec (`KubeRunner`) for nodes whose `vrouter.via` is
 * `kubectl`, SSH (`SshRunner`) for every other node. The walk, the flow poller, captures and the
 * recording runner use it as any `CommandRunner`; each side is created on first use.
 */
import { getNode, type Inventory } from "./inventory";
import { KubeRunner, type KubeRunnerOptions } from "./kube-runner";
import { SshRunner, type CommandResult, type CommandRunner, type RemoteCommand, type RunOptions, type SshRunnerOptions } from "./runner";

/** Options of {@link InventoryRunner}: those of both sides. */
export type InventoryRunnerOptions = SshRunnerOptions & Omit<KubeRunnerOptions, "env">;

/**
 * Whether a node's commands go through the Kubernetes API.
 *
 * @example
 * viaKubectl(inventory, "cent333"); // true when its vrouter.via is "kubectl"
 */
export function viaKubectl(inventory: Inventory, node: string): boolean {
  return inventory.nodes.find((n) => n.name === node)?.vrouter?.via === "kubectl";
}

/**
 * Runs commands on any inventory node through SSH or the Kubernetes API, as the inventory says.
 *
 * @example
 * const runner = new InventoryRunner(loadInventory("cluster.yaml"));
 * await runner.runVrouter("cent222", ["flow", "-l"]); // kubectl exec for a `via: kubectl` node, SSH otherwise
 * runner.close();
 */
export class InventoryRunner implements CommandRunner {
  readonly inventory: Inventory;
  private readonly opts: InventoryRunnerOptions;
  private sshSide: SshRunner | undefined;
  private kubeSide: KubeRunner | undefined;

  constructor(inventory: Inventory, opts: InventoryRunnerOptions = {}) {
    this.inventory = inventory;
    this.opts = opts;
    // Create the Kubernetes side at once when some node needs it: its client library starts loading now.
    if (inventory.nodes.some((n) => n.vrouter?.via === "kubectl")) void this.kube;
  }

  /** The SSH side (created on first use). */
  get ssh(): SshRunner {
    this.sshSide ??= new SshRunner(this.inventory, this.opts);
    return this.sshSide;
  }

  /** The Kubernetes side (created on first use). */
  get kube(): KubeRunner {
    this.kubeSide ??= new KubeRunner(this.inventory, { ...this.opts, ...(this.opts.env ? { env: this.opts.env } : {}) });
    return this.kubeSide;
  }

  /**
   * The runner a node's commands go through.
   *
   * @example
   * runner.runnerFor("cent222") instanceof KubeRunner;
   */
  runnerFor(node: string): SshRunner | KubeRunner {
    return viaKubectl(this.inventory, node) ? this.kube : this.ssh;
  }

  /**
   * Runs a command on a node through its door.
   *
   * @example
   * const r = await runner.run("cent222", ["nh", "--get", "61"], { timeoutMs: 8000 });
   */
  run(node: string, command: RemoteCommand, opts: RunOptions = {}): Promise<CommandResult> {
    return this.runnerFor(node).run(node, command, opts);
  }

  /**
   * Runs a vRouter utility where the node's vRouter tools are.
   *
   * @example
   * await runner.runVrouter("cent333", ["rt", "--dump", "2"]);
   */
  runVrouter(node: string, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
    getNode(this.inventory, node);
    return this.runnerFor(node).runVrouter(node, argv, opts);
  }

  /** Drops a node's connection (SSH) or its cached agent pod (Kubernetes). */
  drop(node: string): void {
    this.runnerFor(node).drop(node);
  }

  /** Names of the SSH nodes with an open connection. */
  connectedNodes(): string[] {
    return this.sshSide?.connectedNodes() ?? [];
  }

  /** Closes both sides. */
  close(): void {
    this.sshSide?.close();
    this.kubeSide?.close();
  }
}

/**
 * The runner for an inventory: an {@link InventoryRunner} (SSH, and the Kubernetes API for `via: kubectl` nodes).
 *
 * @example
 * const runner = createRunner(inventory, { env: io.env });
 */
export function createRunner(inventory: Inventory, opts: InventoryRunnerOptions = {}): InventoryRunner {
  return new InventoryRunner(inventory, opts);
}
