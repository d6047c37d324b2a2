/**
 * The lab's topology: the cluster it simulates, as data.
 *
 * A topology names the Internet host, the gateway router, the compute nodes, the virtual networks (with
 * their per-node VRF numbers), the ingress (floating IP, haproxy VIP, rules), the services and the pods.
 * Everything else the lab shows (next-hop ids, labels not given here, vif indexes, flow indexes) is
 * derived from it deterministically by `model.ts`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import defaultTopologyJson from "./topologies/default.json";
import largeTopologyJson from "./topologies/large.json";

/** The client machine on the Internet. */
export interface InternetHostSpec {
  name: string;
  ip: string;
  prefixLen: number;
  gatewayIp: string;
  fabricInterface: string;
  mac: string;
}

/** The MX-style gateway router holding the VRF route to the floating IP. */
export interface GatewaySpec {
  name: string;
  loopback: string;
  routerId: string;
  /** The routing instance holding the FIP route (`<vrf>.inet.0`). */
  vrf: string;
  fabricInterface: string;
  greInterface: string;
  mac: string;
  /** The label the gateway advertises for the client's prefix (pushed by computes toward the gateway). */
  returnLabel: number;
}

/** A compute node running a vRouter. */
export interface ComputeSpec {
  name: string;
  fabricIp: string;
  fabricInterface: string;
  mac: string;
  /** Next-hop id of the MPLSoGRE tunnel to the gateway. */
  gatewayTunnelNh?: number;
  /** Next-hop ids of the MPLSoUDP tunnels to the other computes, by node name. */
  tunnelNh?: Record<string, number>;
}

/** A virtual network; `vrf` is its VRF number on every node unless `vrfByNode` overrides it. */
export interface NetworkSpec {
  name: string;
  /** `pod`: the default pod network (pods, ingress VIP, service IPs); `fip`: the public FIP network. */
  role: "pod" | "fip";
  subnet: string;
  vrf: number;
  vrfByNode?: Record<string, number>;
}

/** One ingress rule: requests whose Host matches and whose path starts with `path` go to `service`. */
export interface IngressRule {
  host: string;
  path: string;
  service: string;
}

/** The Kubernetes ingress implemented by haproxy behind a floating IP. */
export interface IngressSpec {
  name: string;
  fip: string;
  port: number;
  /** The ingress pod IP (haproxy front end, internal VIP). */
  vip: string;
  active: string;
  standby?: string;
  /** Label of the haproxy vif in the FIP VRF, by node (the label the gateway pushes). */
  fipLabel?: Record<string, number>;
  /** Label of the haproxy vif in the pod VRF, by node (the label pushed toward the haproxy's node). */
  podLabel?: Record<string, number>;
  rules: IngressRule[];
}

/** A ClusterIP service; its endpoints are the pods whose `app` equals `selector`. */
export interface ServiceSpec {
  name: string;
  ip: string;
  port: number;
  targetPort: number;
  selector: string;
}

/** A backend pod. */
export interface PodSpec {
  name: string;
  app: string;
  ip: string;
  node: string;
  tap?: string;
  mac?: string;
  /** The MPLS label of the pod's vif on its node. */
  label?: number;
}

/** A whole lab topology. */
export interface Topology {
  name: string;
  description?: string;
  namespace: string;
  asn: number;
  internetHost: InternetHostSpec;
  gateway: GatewaySpec;
  computes: ComputeSpec[];
  networks: NetworkSpec[];
  ingress: IngressSpec;
  services: ServiceSpec[];
  pods: PodSpec[];
}

/** Names of the built-in topologies. */
export const BUILTIN_TOPOLOGIES = ["default", "large"] as const;

/**
 * Returns a built-in topology by name (a fresh deep copy).
 *
 * @example
 * const t = builtinTopology("default");
 * t.ingress.fip; // "101.101.101.1"
 */
export function builtinTopology(name: (typeof BUILTIN_TOPOLOGIES)[number]): Topology {
  const src = name === "large" ? largeTopologyJson : defaultTopologyJson;
  return validateTopology(JSON.parse(JSON.stringify(src)));
}

/**
 * Loads a topology from a file path, a built-in name (`"default"`, `"large"`), or an object.
 * Throws an `Error` naming the first problem when the data is not a valid topology.
 *
 * @example
 * const t = loadTopology("large");
 * const u = loadTopology({ ...builtinTopology("default"), name: "copy" });
 * const v = loadTopology("/tmp/my-topology.json");
 */
export function loadTopology(src?: string | object, cwd: string = process.cwd()): Topology {
  if (src === undefined) return builtinTopology("default");
  if (typeof src === "string") {
    if ((BUILTIN_TOPOLOGIES as readonly string[]).includes(src)) return builtinTopology(src as "default" | "large");
    const file = path.resolve(cwd, src);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      throw new Error(`cannot read topology ${file}: ${(e as Error).message}`);
    }
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new Error(`topology ${file} is not JSON: ${(e as Error).message}`);
    }
    return validateTopology(obj);
  }
  return validateTopology(JSON.parse(JSON.stringify(src)));
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/**
 * Checks a parsed topology and returns it typed. Throws on the first inconsistency (unknown node, bad
 * address, duplicate pod IP, rule naming an unknown service...).
 *
 * @example
 * validateTopology(JSON.parse(fs.readFileSync("t.json", "utf8")));
 */
export function validateTopology(obj: unknown): Topology {
  const t = obj as Topology;
  const fail = (msg: string): never => {
    throw new Error(`invalid topology: ${msg}`);
  };
  if (!t || typeof t !== "object") fail("not an object");
  for (const k of ["name", "namespace", "internetHost", "gateway", "computes", "networks", "ingress", "services", "pods"]) {
    if ((t as unknown as Record<string, unknown>)[k] === undefined) fail(`missing "${k}"`);
  }
  if (typeof t.asn !== "number") t.asn = 64512;
  const ip = (v: unknown, what: string) => {
    if (typeof v !== "string" || !IPV4.test(v)) fail(`${what} is not an IPv4 address: ${JSON.stringify(v)}`);
  };
  ip(t.internetHost.ip, "internetHost.ip");
  ip(t.internetHost.gatewayIp, "internetHost.gatewayIp");
  ip(t.gateway.loopback, "gateway.loopback");
  if (!Array.isArray(t.computes) || t.computes.length === 0) fail("computes must be a non-empty list");
  const names = new Set<string>([t.internetHost.name, t.gateway.name]);
  if (names.size !== 2) fail("internet host and gateway need distinct names");
  for (const c of t.computes) {
    if (!c.name || names.has(c.name)) fail(`duplicate or empty node name ${JSON.stringify(c.name)}`);
    names.add(c.name);
    ip(c.fabricIp, `computes[${c.name}].fabricIp`);
  }
  const computeNames = new Set(t.computes.map((c) => c.name));
  const roles = new Set(t.networks.map((n) => n.role));
  if (!roles.has("pod") || !roles.has("fip")) fail("networks need one with role pod and one with role fip");
  ip(t.ingress.fip, "ingress.fip");
  ip(t.ingress.vip, "ingress.vip");
  if (!computeNames.has(t.ingress.active)) fail(`ingress.active names unknown node ${t.ingress.active}`);
  if (t.ingress.standby !== undefined && !computeNames.has(t.ingress.standby)) {
    fail(`ingress.standby names unknown node ${t.ingress.standby}`);
  }
  const svcNames = new Set<string>();
  for (const s of t.services) {
    ip(s.ip, `services[${s.name}].ip`);
    if (svcNames.has(s.name)) fail(`duplicate service ${s.name}`);
    svcNames.add(s.name);
  }
  for (const r of t.ingress.rules) if (!svcNames.has(r.service)) fail(`ingress rule names unknown service ${r.service}`);
  const podIps = new Set<string>([t.ingress.vip]);
  for (const p of t.pods) {
    ip(p.ip, `pods[${p.name}].ip`);
    if (podIps.has(p.ip)) fail(`duplicate pod IP ${p.ip}`);
    podIps.add(p.ip);
    if (!computeNames.has(p.node)) fail(`pod ${p.name} on unknown node ${p.node}`);
  }
  return t;
}

/**
 * The VRF number of a network role on a node.
 *
 * @example
 * vrfOf(topo, "pod", "cent222"); // 2
 */
export function vrfOf(t: Topology, role: "pod" | "fip", node: string): number {
  const n = t.networks.find((x) => x.role === role);
  if (!n) throw new Error(`no ${role} network`);
  return n.vrfByNode?.[node] ?? n.vrf;
}
