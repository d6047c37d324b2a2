/**
 * From an inventory node to a concrete connection plan: the SSH config applied, the address map
 * applied, the jump chain resolved, auth material and host-key rules collected. It reads nothing but
 * the `env`/`home` it is given (and checks which default key files exist).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { getNode, InventoryError, mapAddress, type HostKeyPolicy, type Inventory, type SshTarget } from "./inventory";
import { knownHostsName } from "./known-hosts";
import { parseJumpSpec, resolveSshHost, type SshConfig } from "./ssh-config";

/** Everything needed to open one SSH connection (and, recursively, its jump host). */
export interface ConnectPlan {
  /** Inventory node name (or `jump:<host>` for a jump host that is not in the inventory). */
  node: string;
  /** The address actually contacted (after SSH config and address map). */
  host: string;
  port: number;
  user: string;
  /** Key files to try, in order. */
  identityFiles: string[];
  /** The environment variable named by `passphraseEnv`, and its value when set. */
  passphraseEnv?: string;
  passphrase?: string;
  /** Agent socket path, when the agent is used. */
  agent?: string;
  /** Names to look up in known_hosts (`host`, `[host]:port`). */
  hostKeyNames: string[];
  /** Pinned keys/fingerprints from the inventory (when present, known_hosts is not consulted). */
  pins: string[];
  policy: HostKeyPolicy;
  knownHostsFiles: string[];
  connectTimeoutMs: number;
  /** Connect through this host first (ssh2 `forwardOut`). */
  jump?: ConnectPlan;
}

/** What {@link planConnection} reads besides the inventory. */
export interface PlanContext {
  env: NodeJS.ProcessEnv;
  /** The home directory for `~` (default `env.HOME`). */
  home?: string;
  /** The parsed SSH config (absent: none). */
  sshConfig?: SshConfig;
}

const MAX_JUMPS = 8;
const DEFAULT_KEYS = ["id_ed25519", "id_ecdsa", "id_rsa"];

/**
 * Builds the connection plan for an inventory node.
 *
 * @example
 * const plan = planConnection(inv, "cent222", { env: process.env });
 * plan.host; plan.port; plan.jump?.host;
 */
export function planConnection(inv: Inventory, nodeName: string, ctx: PlanContext): ConnectPlan {
  const node = getNode(inv, nodeName);
  if (!node.ssh) throw new InventoryError([{ path: `nodes[${inv.nodes.indexOf(node)}].ssh`, message: `${node.name} has no ssh section (it is reached through the Kubernetes API: vrouter.via ${node.vrouter?.via ?? "direct"})` }]);
  return planTarget(inv, node.name, node.ssh, ctx, 0);
}

function planTarget(inv: Inventory, label: string, target: SshTarget, ctx: PlanContext, depth: number): ConnectPlan {
  if (depth > MAX_JUMPS) throw new InventoryError([{ path: `${label}.ssh.jump`, message: `jump chain longer than ${MAX_JUMPS} (a loop?)` }]);
  const home = ctx.home ?? ctx.env.HOME ?? "";
  const base = inv.baseDir ?? process.cwd();
  const cfg = ctx.sshConfig ? resolveSshHost(ctx.sshConfig, target.host, home) : { identityFiles: [], userKnownHostsFiles: [] };
  const logicalHost = cfg.hostName ?? target.host;
  const logicalPort = target.port ?? cfg.port ?? 22;
  const { host, port } = mapAddress(inv, logicalHost, logicalPort);
  const user = target.user ?? cfg.user ?? ctx.env.USER ?? ctx.env.LOGNAME ?? "root";
  const resolvePath = (p: string): string => (p === "~" || p.startsWith("~/") ? path.join(home, p.slice(1)) : path.resolve(base, p));
  const fromInventory = target.identityFile === undefined ? [] : Array.isArray(target.identityFile) ? target.identityFile : [target.identityFile];
  let identityFiles = (fromInventory.length > 0 ? fromInventory : cfg.identityFiles).map(resolvePath);
  // Like OpenSSH, fall back to the default key files that exist.
  if (identityFiles.length === 0 && home) identityFiles = DEFAULT_KEYS.map((k) => path.join(home, ".ssh", k)).filter((f) => fs.existsSync(f));
  const names = new Set<string>();
  if (cfg.hostKeyAlias) names.add(knownHostsName(cfg.hostKeyAlias, logicalPort));
  else {
    names.add(knownHostsName(logicalHost, logicalPort));
    names.add(knownHostsName(host, port));
  }
  const knownHosts = inv.knownHosts === undefined ? [] : Array.isArray(inv.knownHosts) ? inv.knownHosts : [inv.knownHosts];
  const knownHostsFiles = (knownHosts.length > 0 ? knownHosts : cfg.userKnownHostsFiles.length > 0 ? cfg.userKnownHostsFiles : ["~/.ssh/known_hosts"]).map(resolvePath);
  const plan: ConnectPlan = {
    node: label,
    host,
    port,
    user,
    identityFiles,
    hostKeyNames: [...names],
    pins: target.hostKey === undefined ? [] : Array.isArray(target.hostKey) ? target.hostKey : [target.hostKey],
    policy: target.hostKeyPolicy ?? inv.hostKeyPolicy ?? "strict",
    knownHostsFiles,
    connectTimeoutMs: inv.connectTimeoutMs ?? 10_000,
  };
  if (target.passphraseEnv) {
    plan.passphraseEnv = target.passphraseEnv;
    const v = ctx.env[target.passphraseEnv];
    if (v !== undefined) plan.passphrase = v;
  }
  const agent = target.agent === undefined || target.agent === true ? ctx.env.SSH_AUTH_SOCK : target.agent === false ? undefined : target.agent;
  if (target.agent === true && !agent) {
    throw new InventoryError([{ path: `${label}.ssh.agent`, message: "agent: true but SSH_AUTH_SOCK is not set" }]);
  }
  if (agent) plan.agent = agent;
  const jump = planJump(inv, label, target, cfg.proxyJump, ctx, depth);
  if (jump) plan.jump = jump;
  return plan;
}

function planJump(inv: Inventory, label: string, target: SshTarget, proxyJump: string | undefined, ctx: PlanContext, depth: number): ConnectPlan | undefined {
  if (target.jump !== undefined) {
    if (typeof target.jump !== "string") return planTarget(inv, `${label}.jump`, target.jump, ctx, depth + 1);
    const named = inv.nodes.find((n) => n.name === target.jump);
    if (named && !named.ssh) throw new InventoryError([{ path: `${label}.ssh.jump`, message: `jump node ${named.name} has no ssh section` }]);
    if (named) return planTarget(inv, named.name, named.ssh!, ctx, depth + 1);
    return planChain(inv, label, target.jump, target, ctx, depth);
  }
  if (proxyJump && proxyJump.toLowerCase() !== "none") return planChain(inv, label, proxyJump, target, ctx, depth);
  return undefined;
}

// A ProxyJump list `a,b` means: connect to a, through it to b, through b to the target.
function planChain(inv: Inventory, label: string, spec: string, parent: SshTarget, ctx: PlanContext, depth: number): ConnectPlan {
  let prev: ConnectPlan | undefined;
  for (const hop of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    const j = parseJumpSpec(hop);
    const t: SshTarget = { host: j.host };
    if (j.port !== undefined) t.port = j.port;
    if (j.user !== undefined) t.user = j.user;
    // A jump host reached by alias inherits the auth material and host-key policy of the node.
    if (parent.identityFile !== undefined) t.identityFile = parent.identityFile;
    if (parent.passphraseEnv !== undefined) t.passphraseEnv = parent.passphraseEnv;
    if (parent.agent !== undefined) t.agent = parent.agent;
    if (parent.hostKeyPolicy !== undefined) t.hostKeyPolicy = parent.hostKeyPolicy;
    const plan = planTargetNoConfigJump(inv, `jump:${hop}`, t, ctx, depth + 1);
    if (prev) plan.jump = prev;
    prev = plan;
  }
  if (!prev) throw new InventoryError([{ path: `${label}.ssh.jump`, message: "empty jump specification" }]);
  return prev;
}

// Jump hops named in a ProxyJump list do not follow their own ProxyJump (as OpenSSH does for -J lists).
function planTargetNoConfigJump(inv: Inventory, label: string, target: SshTarget, ctx: PlanContext, depth: number): ConnectPlan {
  const inner: PlanContext = { env: ctx.env };
  if (ctx.home !== undefined) inner.home = ctx.home;
  if (ctx.sshConfig) inner.sshConfig = stripProxyJump(ctx.sshConfig);
  return planTarget(inv, label, target, inner, depth);
}

function stripProxyJump(cfg: SshConfig): SshConfig {
  return {
    warnings: cfg.warnings,
    blocks: cfg.blocks.map((b) => ({ ...b, options: new Map([...b.options].filter(([k]) => k !== "proxyjump")) })),
  };
}
