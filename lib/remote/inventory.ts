/**
 * The inventory: which nodes exist, how to reach them over SSH, and how to run the vRouter utilities
 * there. Loaded from a JSON or YAML file or given as an object in a notebook, validated with errors
 * that name the field path (`nodes[2].ssh.port: expected a number`).
 *
 * The file's extension picks the parser: `.json` is JSON, `.yaml`/`.yml` is YAML, and any other name is
 * read as JSON when the text is JSON, else as YAML. YAML is read safely (`inventory-text.ts`): the YAML
 * 1.2 core schema (`no`/`on` stay strings), no tags, no merge keys, duplicate keys and more than one
 * document refused, aliases allowed but bounded. A YAML file and its JSON twin load to the same
 * {@link Inventory}, and syntax errors name the file, line and column. Relative paths in a file
 * (`identityFile`, `knownHosts`, `sshConfig`) resolve against the file's directory.
 * Passwords are never accepted: authenticate with ssh-agent or a key file (with an optional
 * passphrase read from an environment variable named in `passphraseEnv`).
 *
 * @example
 * const inv = loadInventory({
 *   nodes: [{ name: "cent222", role: "compute",
 *             ssh: { host: "127.0.0.1", port: 2222, user: "root", identityFile: "~/.ssh/id_ed25519" },
 *             vrouter: { via: "docker", container: "vrouter_vrouter-agent_1" } }],
 * });
 * // or the same as lab/inventory.yaml:
 * //   nodes:
 * //     - name: cent222
 * //       role: compute
 * //       ssh: { host: 127.0.0.1, port: 2222, user: root, identityFile: ~/.ssh/id_ed25519 }
 * //       vrouter: { via: docker, container: vrouter_vrouter-agent_1 }
 * const inv2 = loadInventory("lab/inventory.yaml");
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RemoteError } from "./errors";
import { inventoryFormatOf, parseInventoryText, type InventoryIssue } from "./inventory-text";

export type { InventoryIssue } from "./inventory-text";
import { shellCommand } from "./quote";
import { checkInterfaceName, checkJunosInterfaceName } from "./values";

/** Node roles of the packet walk. */
export const NODE_ROLES = ["internet-host", "gateway", "compute"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/**
 * How the vRouter utilities are reached on a node (vrouter-formats.md §7): on the host (`direct`),
 * in the agent's docker container (`docker`), through `contrail-tools`, or by the Kubernetes API's
 * pod exec into the agent container (`kubectl`: no SSH needed, see `kube-runner.ts`).
 */
export const VROUTER_VIAS = ["direct", "docker", "contrail-tools", "kubectl"] as const;
export type VrouterVia = (typeof VROUTER_VIAS)[number];

/**
 * What to do with a host key that is not known:
 * - `strict` (default): refuse unknown and changed keys;
 * - `accept-new`: accept and record an unknown key (appended to the first known_hosts file), refuse a changed one;
 * - `insecure-accept-any`: accept anything (a lab on loopback only).
 */
export const HOST_KEY_POLICIES = ["strict", "accept-new", "insecure-accept-any"] as const;
export type HostKeyPolicy = (typeof HOST_KEY_POLICIES)[number];

/** The namespace of the vRouter agent pods in a Contrail Kubernetes deployment (`kubectl` access). */
export const DEFAULT_AGENT_NAMESPACE = "kube-system";

/** The Kubernetes API of the cluster (`kubectl` access, discovery). */
export interface KubernetesAccess {
  /** A kubeconfig file (relative to the inventory file; `~` expands). Default: `$KUBECONFIG`, else `~/.kube/config`. */
  kubeconfig?: string;
  /** The kubeconfig context. Default: its current context. */
  context?: string;
}

/** The docker-compose container name of the vRouter agent on R4.x–R19xx deployments. */
export const DEFAULT_AGENT_CONTAINER = "vrouter_vrouter-agent_1";

/** How to open SSH to a node (or to a jump host). */
export interface SshTarget {
  /** Host name, address, or an `~/.ssh/config` Host alias. */
  host: string;
  /** Default: the SSH config's `Port`, else 22. */
  port?: number;
  /** Default: the SSH config's `User`, else `$USER`. */
  user?: string;
  /** Private key file(s); `~` expands; relative to the inventory file. */
  identityFile?: string | string[];
  /** Pinned host key(s): `SHA256:…` fingerprints or public key lines (`ssh-ed25519 AAAA…`). */
  hostKey?: string | string[];
  /** Name of the environment variable holding the key's passphrase. */
  passphraseEnv?: string;
  /** `true`: use `$SSH_AUTH_SOCK`; a string: that agent socket; `false`: never. Default: `$SSH_AUTH_SOCK` when set. */
  agent?: boolean | string;
  /** Jump host: an inventory node name, `[user@]host[:port]` (or an SSH config alias), or an inline target. */
  jump?: string | SshTarget;
  /** Overrides the inventory's {@link Inventory.hostKeyPolicy} for this target. */
  hostKeyPolicy?: HostKeyPolicy;
}

/** How to run the vRouter utilities on a node. */
export interface VrouterAccess {
  via: VrouterVia;
  /**
   * For `docker`: the agent container (default {@link DEFAULT_AGENT_CONTAINER}). For `kubectl`: the
   * container of the agent pod (default: the pod's only container, else the API's refusal names them).
   */
  container?: string;
  /** For `kubectl`: the agent pod's namespace (default {@link DEFAULT_AGENT_NAMESPACE}). */
  namespace?: string;
  /** For `kubectl`: the agent pod's name. Give it or `selector`. */
  pod?: string;
  /** For `kubectl`: a label selector of the agent pods (`app=contrail-agent`); the one on the node (`spec.nodeName`) is used. */
  selector?: string;
  /** For `kubectl` with `selector`: the node's Kubernetes name, when it is not the inventory name. */
  nodeName?: string;
  /** Run through `sudo -n` (non-interactive; needs NOPASSWD). Default false. */
  sudo?: boolean;
  /** Extra argv put in front of everything (e.g. `["kubectl","exec","-n","tf","vrouter-x","-c","agent","--"]`). */
  prefix?: string[];
}

/** One node of the inventory. */
export interface InventoryNode {
  name: string;
  role: NodeRole;
  /** The node's fabric interface (`eth0`), for captures. */
  fabricInterface?: string;
  /** How to open SSH to the node. May be absent only on a node whose `vrouter.via` is `kubectl`. */
  ssh?: SshTarget;
  /** Default `{ via: "direct" }`. */
  vrouter?: VrouterAccess;
}

/** A validated inventory. */
export interface Inventory {
  nodes: InventoryNode[];
  /** Scenario address to the address actually contacted (`"101.101.101.1:80": "127.0.0.1:41234"`). Also applied to SSH targets. */
  addressMap?: Record<string, string>;
  /** Default `strict`. */
  hostKeyPolicy?: HostKeyPolicy;
  /** known_hosts file(s). Default: the SSH config's `UserKnownHostsFile`, else `~/.ssh/known_hosts`. */
  knownHosts?: string | string[];
  /** An ssh_config file, or `false` to ignore it. Default `~/.ssh/config` when it exists. */
  sshConfig?: string | false;
  /** TCP + SSH handshake budget per connection. Default 10000. */
  connectTimeoutMs?: number;
  /** Default per-command timeout. Default 30000. */
  commandTimeoutMs?: number;
  /** The Kubernetes API, for nodes whose `vrouter.via` is `kubectl` (and for discovery). */
  kubernetes?: KubernetesAccess;
  /** Directory relative paths resolve against (set by {@link loadInventory} to the file's directory). */
  baseDir?: string;
}


/**
 * An invalid inventory, listing every issue found (stage `inventory`).
 *
 * @example
 * try { loadInventory({ nodes: [] }); } catch (e) { if (e instanceof InventoryError) console.log(e.issues); }
 */
export class InventoryError extends RemoteError {
  readonly issues: InventoryIssue[];
  constructor(issues: InventoryIssue[], source?: string) {
    super("inventory", `${source ? `${source}: ` : ""}${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
    this.name = "InventoryError";
    this.issues = issues;
  }
}

/**
 * Loads and validates an inventory from a file path (relative to `opts.cwd`) or an object. Throws
 * {@link InventoryError} naming every bad field, or for a file that cannot be read or parsed, the file
 * and the line and column.
 *
 * A path ending in `.json` is parsed as JSON, `.yaml`/`.yml` as YAML (1.2 core schema, one document,
 * no duplicate keys, no tags, bounded aliases), and any other name as JSON when its text is JSON, else
 * as YAML. A file's `baseDir` is its directory (or its own `baseDir` field, resolved against that), so
 * relative `identityFile`, `knownHosts` and `sshConfig` paths are relative to the file; an object's is
 * its `baseDir` or `opts.cwd`.
 *
 * @example
 * const inv = loadInventory("lab/inventory.json");
 * const same = loadInventory("lab/inventory.yaml"); // the YAML twin gives an equal Inventory
 * const inv2 = loadInventory({ nodes: [...] , hostKeyPolicy: "accept-new" });
 */
export function loadInventory(source: string | object, opts: { cwd?: string } = {}): Inventory {
  const cwd = opts.cwd ?? process.cwd();
  if (typeof source === "string") {
    const file = path.resolve(cwd, source);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new InventoryError([{ path: "(file)", message: `cannot read: ${(e as Error).message}` }], file);
    }
    const parsed = parseInventoryText(text, inventoryFormatOf(file));
    if (parsed.issues.length > 0) throw new InventoryError(parsed.issues, file);
    const { inventory, issues } = validateInventory(parsed.value);
    if (!inventory) throw new InventoryError(issues, file);
    return { ...inventory, baseDir: inventory.baseDir ? path.resolve(path.dirname(file), inventory.baseDir) : path.dirname(file) };
  }
  const { inventory, issues } = validateInventory(source);
  if (!inventory) throw new InventoryError(issues);
  return { ...inventory, baseDir: inventory.baseDir ?? cwd };
}

/**
 * Validates an inventory value without throwing: the inventory (a deep copy) when valid, and every issue.
 *
 * @example
 * validateInventory({ nodes: [{ name: "a", role: "compute", ssh: { host: "h", port: "22" } }] }).issues
 * // [{ path: "nodes[0].ssh.port", message: "expected a number" }]
 */
export function validateInventory(value: unknown): { inventory?: Inventory; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [];
  const bad = (p: string, message: string): void => {
    issues.push({ path: p, message });
  };
  if (!isObject(value)) {
    bad("(root)", "expected an object with a nodes array");
    return { issues };
  }
  const inv = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  findControlCharacters(inv, "", bad);
  if (!Array.isArray(inv.nodes)) bad("nodes", "expected an array");
  else {
    if (inv.nodes.length === 0) bad("nodes", "expected at least one node");
    const seen = new Set<string>();
    inv.nodes.forEach((n: unknown, i: number) => {
      const p = `nodes[${i}]`;
      if (!isObject(n)) return bad(p, "expected an object");
      if (typeof n.name !== "string" || n.name === "") bad(`${p}.name`, "expected a non-empty string");
      else if (!/^[A-Za-z0-9_.-]+$/.test(n.name)) bad(`${p}.name`, "expected letters, digits, '.', '_' or '-'");
      else if (seen.has(n.name)) bad(`${p}.name`, `duplicate node name: ${n.name}`);
      else seen.add(n.name);
      if (!NODE_ROLES.includes(n.role as NodeRole)) bad(`${p}.role`, `expected one of ${NODE_ROLES.join(", ")}`);
      if (n.fabricInterface !== undefined) {
        // The gateway is a Junos router (ge-0/0/1); every other node runs Linux (ens3, bond0.100).
        if (n.role === "gateway") {
          if (typeof n.fabricInterface !== "string" || checkJunosInterfaceName(n.fabricInterface) !== null) bad(`${p}.fabricInterface`, "expected a Junos interface name (ge-0/0/1, ae0, lo0.0 …)");
        } else if (typeof n.fabricInterface !== "string" || checkInterfaceName(n.fabricInterface) !== null) {
          bad(`${p}.fabricInterface`, "expected an interface name (1-15 characters, no '/', ':', space or quote)");
        }
      }
      if (n.password !== undefined) bad(`${p}.password`, PASSWORD_REFUSED);
      const viaKubectl = isObject(n.vrouter) && n.vrouter.via === "kubectl";
      // A node reached through the Kubernetes API may have no SSH at all.
      if (n.ssh !== undefined || !viaKubectl) validateSsh(n.ssh, `${p}.ssh`, bad, 0);
      if (n.vrouter !== undefined) {
        const v = n.vrouter;
        if (!isObject(v)) bad(`${p}.vrouter`, "expected an object");
        else {
          if (!VROUTER_VIAS.includes(v.via as VrouterVia)) bad(`${p}.vrouter.via`, `expected one of ${VROUTER_VIAS.join(", ")}`);
          if (v.container !== undefined && (typeof v.container !== "string" || !CONTAINER_NAME.test(v.container))) {
            bad(`${p}.vrouter.container`, "expected a container name or id (letters, digits, '_', '.', '-', starting with a letter or digit)");
          }
          if (v.sudo !== undefined && typeof v.sudo !== "boolean") bad(`${p}.vrouter.sudo`, "expected a boolean");
          if (v.prefix !== undefined && !isStringArray(v.prefix)) bad(`${p}.vrouter.prefix`, "expected an array of strings");
          validateKubectlAccess(v, `${p}.vrouter`, bad);
        }
      }
    });
  }
  if (inv.password !== undefined) bad("password", PASSWORD_REFUSED);
  if (inv.addressMap !== undefined) {
    if (!isObject(inv.addressMap)) bad("addressMap", "expected an object of \"host:port\": \"host:port\"");
    else
      for (const [k, v] of Object.entries(inv.addressMap)) {
        if (!splitHostPort(k)) bad(`addressMap["${k}"]`, "key: expected host:port");
        if (typeof v !== "string" || !splitHostPort(v)) bad(`addressMap["${k}"]`, "expected a \"host:port\" string");
      }
  }
  if (inv.hostKeyPolicy !== undefined && !HOST_KEY_POLICIES.includes(inv.hostKeyPolicy as HostKeyPolicy)) {
    bad("hostKeyPolicy", `expected one of ${HOST_KEY_POLICIES.join(", ")}`);
  }
  if (inv.knownHosts !== undefined && typeof inv.knownHosts !== "string" && !isStringArray(inv.knownHosts)) bad("knownHosts", "expected a path or an array of paths");
  if (inv.sshConfig !== undefined && inv.sshConfig !== false && typeof inv.sshConfig !== "string") bad("sshConfig", "expected a path or false");
  for (const k of ["connectTimeoutMs", "commandTimeoutMs"] as const) {
    if (inv[k] !== undefined && !(typeof inv[k] === "number" && (inv[k] as number) > 0)) bad(k, "expected a positive number");
  }
  if (inv.baseDir !== undefined && typeof inv.baseDir !== "string") bad("baseDir", "expected a string");
  if (inv.kubernetes !== undefined) {
    const k = inv.kubernetes;
    if (!isObject(k)) bad("kubernetes", "expected an object with kubeconfig and/or context");
    else {
      if (k.kubeconfig !== undefined && (typeof k.kubeconfig !== "string" || k.kubeconfig === "")) bad("kubernetes.kubeconfig", "expected a path to a kubeconfig file");
      if (k.context !== undefined && (typeof k.context !== "string" || k.context === "")) bad("kubernetes.context", "expected a context name");
      for (const key of Object.keys(k)) if (key !== "kubeconfig" && key !== "context") bad(`kubernetes.${key}`, "unknown field (expected kubeconfig, context)");
    }
  }
  return issues.length > 0 ? { issues } : { inventory: inv as unknown as Inventory, issues };
}

// A DNS-1123 label (pod and container names are subdomains/labels; namespaces labels).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// The fields of `vrouter` that only `kubectl` access uses: checked as Kubernetes names, refused elsewhere.
function validateKubectlAccess(v: Record<string, unknown>, p: string, bad: (p: string, m: string) => void): void {
  const kube = v.via === "kubectl";
  for (const k of ["namespace", "pod", "selector", "nodeName"] as const) {
    if (v[k] !== undefined && !kube) bad(`${p}.${k}`, `only used with via: kubectl`);
  }
  if (!kube) return;
  if (v.namespace !== undefined && (typeof v.namespace !== "string" || !DNS_LABEL.test(v.namespace))) bad(`${p}.namespace`, "expected a namespace name (lower-case letters, digits, '-')");
  if (v.pod !== undefined && (typeof v.pod !== "string" || v.pod.length > 253 || !DNS_SUBDOMAIN.test(v.pod))) bad(`${p}.pod`, "expected a pod name (lower-case letters, digits, '-', '.')");
  if (v.nodeName !== undefined && (typeof v.nodeName !== "string" || v.nodeName.length > 253 || !DNS_SUBDOMAIN.test(v.nodeName))) bad(`${p}.nodeName`, "expected a Kubernetes node name");
  if (v.selector !== undefined && (typeof v.selector !== "string" || v.selector.trim() === "" || !/^[A-Za-z0-9_.\/=!,()\s-]+$/.test(v.selector))) {
    bad(`${p}.selector`, "expected a label selector (app=contrail-agent)");
  }
  if (v.pod === undefined && v.selector === undefined) bad(`${p}`, "via: kubectl needs pod or selector");
  if (v.pod !== undefined && v.selector !== undefined) bad(`${p}`, "give pod or selector, not both");
  if (v.container !== undefined && typeof v.container === "string" && !DNS_LABEL.test(v.container)) bad(`${p}.container`, "expected a container name (lower-case letters, digits, '-')");
  if (v.sudo !== undefined) bad(`${p}.sudo`, "not used with via: kubectl (the exec runs as the container's user)");
  if (v.prefix !== undefined) bad(`${p}.prefix`, "not used with via: kubectl");
}

/** Docker's rule for container names (ids are hex, so they match too). */
const CONTAINER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators: none belongs in any inventory field,
// and each could end a line or change a command on its way to a node.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

// Walks every key and string of the inventory and reports each one holding a control character, by path.
function findControlCharacters(v: unknown, p: string, bad: (p: string, m: string) => void, depth = 0): void {
  if (depth > 64) return;
  if (typeof v === "string") {
    const m = CONTROL.exec(v);
    if (m) bad(p || "(root)", `contains a control character (U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")} at index ${m.index})`);
  } else if (Array.isArray(v)) v.forEach((x, i) => findControlCharacters(x, `${p}[${i}]`, bad, depth + 1));
  else if (isObject(v))
    for (const [k, x] of Object.entries(v)) {
      const kp = /^[A-Za-z_$][\w$]*$/.test(k) ? (p ? `${p}.${k}` : k) : `${p}[${JSON.stringify(k)}]`;
      if (CONTROL.test(k)) bad(kp, "the key contains a control character");
      findControlCharacters(x, kp, bad, depth + 1);
    }
}

const PASSWORD_REFUSED = "passwords are not accepted; use ssh-agent (agent) or a key file (identityFile, with passphraseEnv naming the variable that holds its passphrase)";

function validateSsh(s: unknown, p: string, bad: (p: string, m: string) => void, depth: number): void {
  if (!isObject(s)) return bad(p, "expected an object");
  if (s.password !== undefined) bad(`${p}.password`, PASSWORD_REFUSED);
  if (typeof s.host !== "string" || s.host === "") bad(`${p}.host`, "expected a non-empty string");
  if (s.port !== undefined && !(typeof s.port === "number" && Number.isInteger(s.port) && s.port > 0 && s.port < 65536)) {
    bad(`${p}.port`, typeof s.port === "number" ? "expected a port number 1-65535" : "expected a number");
  }
  if (s.user !== undefined && (typeof s.user !== "string" || s.user === "")) bad(`${p}.user`, "expected a non-empty string");
  if (s.identityFile !== undefined && typeof s.identityFile !== "string" && !isStringArray(s.identityFile)) bad(`${p}.identityFile`, "expected a path or an array of paths");
  if (s.hostKey !== undefined && typeof s.hostKey !== "string" && !isStringArray(s.hostKey)) bad(`${p}.hostKey`, "expected a SHA256 fingerprint or public key line, or an array of them");
  if (s.passphraseEnv !== undefined && (typeof s.passphraseEnv !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(s.passphraseEnv))) {
    bad(`${p}.passphraseEnv`, "expected an environment variable name (the passphrase itself never goes in the inventory)");
  }
  if (s.passphrase !== undefined) bad(`${p}.passphrase`, "passphrases are not accepted in the inventory; name an environment variable in passphraseEnv");
  if (s.agent !== undefined && typeof s.agent !== "boolean" && typeof s.agent !== "string") bad(`${p}.agent`, "expected true, false or a socket path");
  if (s.hostKeyPolicy !== undefined && !HOST_KEY_POLICIES.includes(s.hostKeyPolicy as HostKeyPolicy)) bad(`${p}.hostKeyPolicy`, `expected one of ${HOST_KEY_POLICIES.join(", ")}`);
  if (s.jump !== undefined) {
    if (typeof s.jump === "string") {
      if (s.jump === "") bad(`${p}.jump`, "expected a non-empty string");
    } else if (depth >= 4) bad(`${p}.jump`, "jump chain too deep");
    else validateSsh(s.jump, `${p}.jump`, bad, depth + 1);
  }
}

/**
 * The inventory node called `name`, or an `inventory` error listing the known names.
 *
 * @example
 * getNode(inv, "cent222").role // "compute"
 */
export function getNode(inv: Inventory, name: string): InventoryNode {
  const node = inv.nodes.find((n) => n.name === name);
  if (!node) throw new InventoryError([{ path: "node", message: `unknown node ${JSON.stringify(name)}; known: ${inv.nodes.map((n) => n.name).join(", ")}` }]);
  return node;
}

/**
 * Node names from a selector: `all`, a comma list (`cent222,cent333`), or `role:compute`.
 *
 * @example
 * selectNodes(inv, "role:compute") // ["cent222", "cent333"]
 */
export function selectNodes(inv: Inventory, spec: string): string[] {
  const out: string[] = [];
  for (const part of spec.split(",").map((s) => s.trim()).filter(Boolean)) {
    if (part === "all") out.push(...inv.nodes.map((n) => n.name));
    else if (part.startsWith("role:")) {
      const role = part.slice(5);
      if (!NODE_ROLES.includes(role as NodeRole)) throw new InventoryError([{ path: "node", message: `unknown role ${JSON.stringify(role)}; expected one of ${NODE_ROLES.join(", ")}` }]);
      out.push(...inv.nodes.filter((n) => n.role === role).map((n) => n.name));
    } else out.push(getNode(inv, part).name);
  }
  if (out.length === 0) throw new InventoryError([{ path: "node", message: `no node selected by ${JSON.stringify(spec)}` }]);
  return [...new Set(out)];
}

/**
 * The argv that runs a vRouter utility on `node`, wrapped for its access method.
 *
 * @example
 * vrouterArgv({ ...node, vrouter: { via: "docker" } }, ["flow", "-l"])
 * // ["docker", "exec", "vrouter_vrouter-agent_1", "flow", "-l"]
 */
export function vrouterArgv(node: InventoryNode, argv: readonly string[]): string[] {
  const v = node.vrouter ?? { via: "direct" };
  const head = [...(v.prefix ?? []), ...(v.sudo ? ["sudo", "-n"] : [])];
  switch (v.via) {
    case "kubectl":
      // The runner (kube-runner.ts) execs into the agent container itself: the argv goes as it is.
      return [...argv];
    case "docker":
      return [...head, "docker", "exec", v.container ?? DEFAULT_AGENT_CONTAINER, ...argv];
    case "contrail-tools":
      return [...head, "contrail-tools", ...argv];
    default:
      return [...head, ...argv];
  }
}

/**
 * The remote command line that runs a vRouter utility on `node` (quoted by `shellCommand`).
 *
 * @example
 * vrouterCommand(node, ["flow", "--match", "15.15.15.2:51000"]) // "flow --match 15.15.15.2:51000"
 */
export function vrouterCommand(node: InventoryNode, argv: readonly string[]): string {
  return shellCommand(vrouterArgv(node, argv));
}

/**
 * The remote command line that runs a whole shell script where the vRouter utilities are
 * (on the host for `direct`, inside the container for `docker`/`contrail-tools`), through `sh -c`.
 *
 * @example
 * vrouterScript(node, "while :; do flow -l; sleep 0.2; done")
 * // direct: "sh -c 'while :; do flow -l; sleep 0.2; done'"
 */
export function vrouterScript(node: InventoryNode, script: string): string {
  return shellCommand(vrouterArgv(node, ["sh", "-c", script]));
}

/**
 * Applies the inventory's `addressMap` to a host and port.
 *
 * @example
 * mapAddress({ nodes, addressMap: { "101.101.101.1:80": "127.0.0.1:41234" } }, "101.101.101.1", 80)
 * // { host: "127.0.0.1", port: 41234 }
 */
export function mapAddress(inv: Pick<Inventory, "addressMap">, host: string, port: number): { host: string; port: number } {
  const key = host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  const to = inv.addressMap?.[key] ?? inv.addressMap?.[`${host}:${port}`];
  return (to && splitHostPort(to)) || { host, port };
}

/**
 * Splits `host:port` / `[v6]:port`; `null` when it is not one.
 *
 * @example
 * splitHostPort("127.0.0.1:2222") // { host: "127.0.0.1", port: 2222 }
 */
export function splitHostPort(s: string): { host: string; port: number } | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(s) ?? /^([^:\s]+):(\d{1,5})$/.exec(s);
  if (!m) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { host: m[1]!, port } : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/**
 * Loads the inventory named by a `--inventory` value, else by `PACKETWALK_INVENTORY` in `env`
 * (relative paths against `cwd`). Throws an `inventory` error saying how to name one when neither is set.
 *
 * @example
 * const inv = loadInventoryFrom({ file: values.inventory, env: io.env, cwd: io.cwd });
 */
export function loadInventoryFrom(opts: { file?: string | undefined; env: NodeJS.ProcessEnv; cwd: string }): Inventory {
  const file = opts.file ?? opts.env.PACKETWALK_INVENTORY;
  if (!file) throw new InventoryError([{ path: "(file)", message: "no inventory: pass --inventory FILE or set PACKETWALK_INVENTORY" }]);
  return loadInventory(file, { cwd: opts.cwd });
}
