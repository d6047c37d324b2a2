/**
 * Reaching the nodes: inventory, SSH (ssh2) runner with a kept connection per node, the Kubernetes API
 * runner (pod exec into the vRouter agent container, for `vrouter.via: kubectl` nodes) and the runner
 * that picks one per node, quoting, host keys, `~/.ssh/config`, jump hosts, and fan-out.
 *
 * @example
 * import { loadInventory, SshRunner, runOnNodes, toTable } from "packetwalk/lib/remote";
 * const runner = new SshRunner(loadInventory("inventory.json"));
 * toTable(await runOnNodes(runner, ["cent222", "cent333"], ["uptime"]));
 */
export { RemoteError, errorMessage, isRemoteError } from "./errors";
export type { RemoteErrorDetails, RemoteStage } from "./errors";
export { killOnCloseCommand, quoteShellArg, shellCommand } from "./quote";
export {
  DEFAULT_AGENT_CONTAINER,
  DEFAULT_AGENT_NAMESPACE,
  HOST_KEY_POLICIES,
  InventoryError,
  NODE_ROLES,
  VROUTER_VIAS,
  getNode,
  loadInventory,
  loadInventoryFrom,
  mapAddress,
  selectNodes,
  splitHostPort,
  validateInventory,
  vrouterArgv,
  vrouterCommand,
  vrouterScript,
} from "./inventory";
export { checkHostHeader, checkInterfaceName, checkJunosInterfaceName, checkIpAddress, checkJunosInstance, checkPort } from "./values";
export type { HostKeyPolicy, Inventory, InventoryIssue, InventoryNode, KubernetesAccess, NodeRole, SshTarget, VrouterAccess, VrouterVia } from "./inventory";
export { hostMatches, parseJumpSpec, parseSshConfig, resolveSshHost } from "./ssh-config";
export type { SshConfig, SshConfigBlock, SshHostConfig } from "./ssh-config";
export { fingerprintKey, knownHostsLine, knownHostsName, parseKnownHosts, verifyHostKey } from "./known-hosts";
export type { HostKeyVerdict, KnownHostEntry, KnownHosts } from "./known-hosts";
export { planConnection } from "./plan";
export type { ConnectPlan, PlanContext } from "./plan";
export { openConnection } from "./connect";
export type { ConnectOptions, SshConnection } from "./connect";
export { SshRunner, commandLine, execOn } from "./runner";
export type { CommandResult, CommandRunner, RemoteCommand, RunOptions, SshRunnerOptions } from "./runner";
export { KubeRunner } from "./kube-runner";
export type { KubeExecTarget, KubeRunnerOptions } from "./kube-runner";
export { InventoryRunner, createRunner, viaKubectl } from "./dispatch-runner";
export type { InventoryRunnerOptions } from "./dispatch-runner";
export { runOnNodes, toTable } from "./fan-out";
export type { FanOutOptions, FanOutRow } from "./fan-out";
