/**
 * The forwarding state of the simulated cluster: every compute node's next hops, vifs, routes and MPLS
 * labels, the gateway's FIP route, derived deterministically from a {@link Topology} and the active
 * faults. Flow tables live beside it (one {@link FlowTable} per compute) and survive rebuilds, so faults
 * can be switched while traffic runs.
 */
import { parseIpv4 } from "../ipv4";
import { FlowTable } from "./flowtable";
import { type Topology, type PodSpec, vrfOf } from "./topology";

/** A next hop as `nh --get` prints it. */
export interface NextHop {
  id: number;
  type: "Drop" | "Resolve" | "Receive" | "Encap" | "Tunnel" | "Composite";
  family: "AF_INET" | "AF_BRIDGE";
  vrf: number;
  flags: string[];
  refCnt: number;
  oif?: number;
  encapFamily?: string;
  /** Layer-2 rewrite bytes (dst MAC, src MAC, ethertype). */
  data?: number[];
  sip?: string;
  dip?: string;
  sub?: { nh: number; label: number }[];
}

/** A vRouter interface as `vif --get` prints it. */
export interface Vif {
  idx: number;
  os: string;
  type: "Physical" | "Host" | "Agent" | "Virtual" | "Stats";
  mac: string;
  ip: string;
  vrf: number;
  mcastVrf: number;
  flags: string;
  qos: number;
  ref: number;
  nh: number;
  speed?: number;
  rxPackets: number;
  rxBytes: number;
  txPackets: number;
  txBytes: number;
  drops: number;
  /** Lab bookkeeping: the pod or role behind a tap. */
  owner?: string;
}

/** One inet route. */
export interface Route {
  vrf: number;
  prefix: string;
  plen: number;
  ppl: number;
  flags: string;
  label: number | null;
  nh: number;
  /** Stitched MAC and bridge index, for local pod routes. */
  mac?: { mac: string; index: number };
}

/** An endpoint of a service as seen from a node: which pod, where, and how it is reached. */
export interface Endpoint {
  pod: PodSpec;
  node: string;
  label: number;
  vif: number;
  nh: number;
}

/** One compute node's vRouter state. */
export interface ComputeState {
  name: string;
  fabricIp: string;
  fabricInterface: string;
  mac: string;
  nhs: Map<number, NextHop>;
  vifs: Map<number, Vif>;
  /** Routes by VRF. */
  routes: Map<number, Route[]>;
  mpls: Map<number, number>;
  flows: FlowTable;
  /** Pod/ingress name -> vif index on this node. */
  vifByOwner: Map<string, number>;
  /** Owner -> encap nh per VRF (`${owner}|${vrf}`). */
  encapNh: Map<string, number>;
  tunnelNh: Map<string, number>;
  gatewayTunnelNh: number;
}

/** The gateway's view: the FIP route and where it points. */
export interface GatewayState {
  name: string;
  loopback: string;
  vrf: string;
  protocolNextHop: string;
  pushLabel: number;
  routeCount: number;
}

/** Names of the faults the model understands. */
export const FAULTS = [
  "backend-down",
  "service-no-route",
  "fip-nat-missing",
  "policy-drop",
  "wrong-label",
  "mtu-blackhole",
  "haproxy-failover",
  "return-sg-drop",
  "standby-answers",
  "stale-flow",
] as const;
/** One fault name. */
export type FaultName = (typeof FAULTS)[number];

/** The complete derived model. */
export interface ClusterModel {
  topology: Topology;
  faults: Set<FaultName>;
  computes: Map<string, ComputeState>;
  gateway: GatewayState;
  /** The node currently running the active haproxy. */
  activeIngress: string;
  /** All labels used per node, label -> owner description. */
}

function macBytes(mac: string): number[] {
  return mac.split(":").map((x) => parseInt(x, 16));
}

/**
 * Deterministic locally administered MAC for a name.
 *
 * @example
 * macFor("haproxy-cent222"); // "02:..:..:..:..:.."
 */
export function macFor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  const b = [0x02, (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, (h >>> 4) & 0xff];
  return b.map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/**
 * Tap name for a pod (`tapeth0-xxxxxx`): its own when the topology gives one.
 *
 * @example
 * tapFor({ name: "webservice-7db5dcb4c6-h9xk2", tap: "tapeth0-038fe1" }); // "tapeth0-038fe1"
 */
export function tapFor(pod: { name: string; tap?: string }): string {
  if (pod.tap) return pod.tap;
  return "tapeth0-" + macFor(pod.name).replace(/:/g, "").slice(2, 8);
}

const VROUTER_MAC = "00:00:5e:00:01:00";

/**
 * Builds the forwarding state of every node from a topology and the active faults. Pass the previous
 * model's flow tables in `flows` to keep them across a rebuild.
 *
 * @example
 * const m = buildModel(loadTopology("default"), new Set());
 * m.computes.get("cent333")!.mpls.get(38); // the backend pod's encap nh
 */
export function buildModel(t: Topology, faults: Set<FaultName>, flows?: Map<string, FlowTable>): ClusterModel {
  let active = t.ingress.active;
  // haproxy-failover: the standby took over and works; standby-answers: the gateway points at the
  // standby, whose haproxy answers every request itself (no backends configured).
  if ((faults.has("haproxy-failover") || faults.has("standby-answers")) && t.ingress.standby) active = t.ingress.standby;
  const ingressNodes = [t.ingress.active, ...(t.ingress.standby ? [t.ingress.standby] : [])];

  // Labels: explicit ones first, then allocate from 16 upward avoiding every explicit label.
  const used = new Set<number>();
  for (const p of t.pods) if (p.label !== undefined) used.add(p.label);
  for (const v of Object.values(t.ingress.fipLabel ?? {})) used.add(v);
  for (const v of Object.values(t.ingress.podLabel ?? {})) used.add(v);
  used.add(t.gateway.returnLabel);
  let nextLabel = 16;
  const allocLabel = () => {
    while (used.has(nextLabel)) nextLabel++;
    used.add(nextLabel);
    return nextLabel;
  };
  const podLabel = new Map<string, number>();
  for (const p of t.pods) podLabel.set(p.name, p.label ?? allocLabel());
  const ingFip = new Map<string, number>();
  const ingPod = new Map<string, number>();
  for (const n of ingressNodes) {
    ingFip.set(n, t.ingress.fipLabel?.[n] ?? allocLabel());
    ingPod.set(n, t.ingress.podLabel?.[n] ?? allocLabel());
  }
  // wrong-label: pods remote from the active ingress node got a new label on their node; the ingress
  // node still pushes the old one.
  const staleLabel = new Map<string, number>();
  if (faults.has("wrong-label")) {
    for (const p of t.pods) {
      if (p.node === active) continue;
      staleLabel.set(p.name, podLabel.get(p.name)!);
      podLabel.set(p.name, allocLabel());
    }
  }
  const pushedLabel = (p: PodSpec) => staleLabel.get(p.name) ?? podLabel.get(p.name)!;

  const computes = new Map<string, ComputeState>();
  // Pass 1: nodes, vifs, nhs.
  for (const c of t.computes) {
    const podVrf = vrfOf(t, "pod", c.name);
    const fipVrf = vrfOf(t, "fip", c.name);
    const nhs = new Map<number, NextHop>();
    const vifs = new Map<number, Vif>();
    const reserved = new Set<number>([0, 1, 4, 5, 10]);
    if (c.gatewayTunnelNh !== undefined) reserved.add(c.gatewayTunnelNh);
    for (const v of Object.values(c.tunnelNh ?? {})) reserved.add(v);
    for (const p of t.pods) if (p.label !== undefined && p.node === c.name) reserved.add(p.label);
    let nextNh = 20;
    const allocNh = () => {
      while (reserved.has(nextNh) || nhs.has(nextNh)) nextNh++;
      return nextNh++;
    };
    const fabricMac = c.mac;
    const vif0: Vif = {
      idx: 0, os: c.fabricInterface, type: "Physical", mac: fabricMac, ip: "0.0.0.0", vrf: 0, mcastVrf: 65535,
      flags: "TcL3L2VpEr", qos: -1, ref: 8, nh: 4, speed: 10000, rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, drops: 0,
    };
    const vif1: Vif = {
      idx: 1, os: "vhost0", type: "Host", mac: fabricMac, ip: c.fabricIp, vrf: 0, mcastVrf: 65535, flags: "PL3DEr",
      qos: -1, ref: 8, nh: 5, rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, drops: 0,
    };
    const vif2: Vif = {
      idx: 2, os: "pkt0", type: "Agent", mac: VROUTER_MAC, ip: "0.0.0.0", vrf: 65535, mcastVrf: 65535, flags: "L3Er",
      qos: -1, ref: 3, nh: 0, rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, drops: 0,
    };
    for (const v of [vif0, vif1, vif2]) vifs.set(v.idx, v);
    nhs.set(0, { id: 0, type: "Drop", family: "AF_INET", vrf: 0, flags: ["Valid"], refCnt: 2805 });
    nhs.set(1, { id: 1, type: "Resolve", family: "AF_INET", vrf: 0, flags: ["Valid"], refCnt: 244 });
    nhs.set(4, {
      id: 4, type: "Encap", family: "AF_INET", vrf: 0, flags: ["Valid", "Etree Root"], refCnt: 3, oif: 0,
      encapFamily: "0806", data: [...macBytes("00:05:86:71:4a:c0"), ...macBytes(fabricMac), 0x08, 0x00],
    });
    nhs.set(5, { id: 5, type: "Receive", family: "AF_INET", vrf: 0, flags: ["Valid", "Policy", "Etree Root"], refCnt: 9, oif: 1 });
    nhs.set(10, { id: 10, type: "Receive", family: "AF_INET", vrf: 1, flags: ["Valid", "Policy(R)", "Etree Root"], refCnt: 2, oif: 1 });
    // Tunnels.
    const gwNh = c.gatewayTunnelNh ?? allocNh();
    nhs.set(gwNh, {
      id: gwNh, type: "Tunnel", family: "AF_INET", vrf: 0, flags: ["Valid", "MPLSoGRE", "Etree Root"], refCnt: 6, oif: 0,
      data: [...macBytes(t.gateway.mac), ...macBytes(fabricMac), 0x08, 0x00], sip: c.fabricIp, dip: t.gateway.loopback,
    });
    const tunnelNh = new Map<string, number>();
    for (const o of t.computes) {
      if (o.name === c.name) continue;
      const id = c.tunnelNh?.[o.name] ?? allocNh();
      tunnelNh.set(o.name, id);
      nhs.set(id, {
        id, type: "Tunnel", family: "AF_INET", vrf: 0, flags: ["Valid", "MPLSoUDP", "Etree Root"], refCnt: 7, oif: 0,
        data: [...macBytes(o.mac), ...macBytes(fabricMac), 0x08, 0x00], sip: c.fabricIp, dip: o.fabricIp,
      });
    }
    // Local vifs: ingress haproxy (on active/standby), then pods.
    const vifByOwner = new Map<string, number>();
    const encapNh = new Map<string, number>();
    let nextVif = 3;
    const addTap = (owner: string, tap: string, mac: string, ip: string, vrfs: number[]) => {
      const idx = nextVif++;
      const nh0 = allocNh();
      vifByOwner.set(owner, idx);
      vrfs.forEach((vrf, i) => {
        const id = i === 0 ? nh0 : allocNh();
        encapNh.set(`${owner}|${vrf}`, id);
        nhs.set(id, {
          id, type: "Encap", family: "AF_INET", vrf, flags: ["Valid", "Policy", "Etree Root"], refCnt: 4, oif: idx,
          encapFamily: "0000", data: [...macBytes(mac), ...macBytes(VROUTER_MAC), 0x08, 0x00],
        });
      });
      vifs.set(idx, {
        idx, os: tap, type: "Virtual", mac: VROUTER_MAC, ip, vrf: vrfs[0], mcastVrf: vrfs[0], flags: "PL3L2DEr", qos: -1,
        ref: 6, nh: nh0, rxPackets: 0, rxBytes: 0, txPackets: 0, txBytes: 0, drops: 0, owner,
      });
    };
    if (ingressNodes.includes(c.name)) {
      addTap("ingress", tapFor({ name: `${t.ingress.name}-haproxy-${c.name}` }), macFor(`haproxy-${c.name}`), t.ingress.vip, [podVrf, fipVrf]);
    }
    for (const p of t.pods.filter((x) => x.node === c.name)) {
      addTap(p.name, tapFor(p), p.mac ?? macFor(p.name), p.ip, [podVrf]);
    }
    const mpls = new Map<number, number>();
    for (const p of t.pods.filter((x) => x.node === c.name)) mpls.set(podLabel.get(p.name)!, encapNh.get(`${p.name}|${podVrf}`)!);
    if (ingressNodes.includes(c.name)) {
      mpls.set(ingPod.get(c.name)!, encapNh.get(`ingress|${podVrf}`)!);
      mpls.set(ingFip.get(c.name)!, encapNh.get(`ingress|${fipVrf}`)!);
    }
    computes.set(c.name, {
      name: c.name, fabricIp: c.fabricIp, fabricInterface: c.fabricInterface, mac: c.mac, nhs, vifs, routes: new Map(), mpls,
      flows: flows?.get(c.name) ?? new FlowTable(), vifByOwner, encapNh, tunnelNh, gatewayTunnelNh: gwNh,
    });
  }

  // Pass 2: routes.
  for (const c of computes.values()) {
    const podVrf = vrfOf(t, "pod", c.name);
    const fipVrf = vrfOf(t, "fip", c.name);
    const pod: Route[] = [];
    const podNet = t.networks.find((n) => n.role === "pod")!;
    const [pnAddr, pnLen] = podNet.subnet.split("/");
    pod.push({ vrf: podVrf, prefix: pnAddr, plen: Number(pnLen), ppl: 0, flags: "TF", label: null, nh: 1 });
    const hostRoute = (owner: string, ip: string, node: string, label: number, vrf: number) => {
      if (node === c.name) {
        const vif = c.vifByOwner.get(owner);
        const nh = c.encapNh.get(`${owner}|${vrf}`);
        if (vif === undefined || nh === undefined) return;
        const mac = c.nhs.get(nh)!.data!.slice(0, 6).map((x) => x.toString(16)).join(":");
        return { vrf, prefix: ip, plen: 32, ppl: 32, flags: "P", label: null, nh, mac: { mac, index: 100000 + vif * 7919 } } as Route;
      }
      return { vrf, prefix: ip, plen: 32, ppl: 32, flags: "LP", label, nh: c.tunnelNh.get(node)! } as Route;
    };
    // Ingress VIP.
    const vipRoute = hostRoute("ingress", t.ingress.vip, active, ingPod.get(active)!, podVrf);
    if (vipRoute) pod.push(vipRoute);
    for (const p of t.pods) {
      const r = hostRoute(p.name, p.ip, p.node, c.name === active ? pushedLabel(p) : podLabel.get(p.name)!, podVrf);
      if (r) pod.push(r);
    }
    // Services.
    const noSvcRoute = faults.has("service-no-route") && c.name === active;
    if (!noSvcRoute) {
      for (const s of t.services) {
        const eps = endpointsOf(t, s.name);
        if (eps.length === 0) continue;
        const members = eps.map((p) => {
          const label = c.name === active ? pushedLabel(p) : podLabel.get(p.name)!;
          if (p.node === c.name) return { nh: c.encapNh.get(`${p.name}|${podVrf}`)!, label };
          return { nh: c.tunnelNh.get(p.node)!, label };
        });
        if (members.length === 1) {
          const m = members[0];
          const local = eps[0].node === c.name;
          pod.push({ vrf: podVrf, prefix: s.ip, plen: 32, ppl: 32, flags: local ? "P" : "LP", label: local ? null : m.label, nh: m.nh });
        } else {
          let id = 100;
          while (c.nhs.has(id)) id++;
          c.nhs.set(id, { id, type: "Composite", family: "AF_INET", vrf: podVrf, flags: ["Valid", "Policy", "Ecmp", "Etree Root"], refCnt: 2, sub: members });
          pod.push({ vrf: podVrf, prefix: s.ip, plen: 32, ppl: 32, flags: "P", label: null, nh: id });
        }
      }
    }
    pod.sort(cmpRoute);
    c.routes.set(podVrf, pod);
    if (c.vifByOwner.has("ingress")) {
      const fip: Route[] = [];
      fip.push({ vrf: fipVrf, prefix: "0.0.0.0", plen: 0, ppl: 0, flags: "LP", label: t.gateway.returnLabel, nh: c.gatewayTunnelNh });
      const fipNet = t.networks.find((n) => n.role === "fip")!;
      const [fnAddr, fnLen] = fipNet.subnet.split("/");
      fip.push({ vrf: fipVrf, prefix: fnAddr, plen: Number(fnLen), ppl: 0, flags: "TF", label: null, nh: 1 });
      if (!(faults.has("fip-nat-missing") && c.name === active)) {
        if (c.name === active) {
          fip.push({ vrf: fipVrf, prefix: t.ingress.fip, plen: 32, ppl: 32, flags: "P", label: null, nh: c.encapNh.get(`ingress|${fipVrf}`)! });
        } else {
          fip.push({ vrf: fipVrf, prefix: t.ingress.fip, plen: 32, ppl: 32, flags: "LP", label: ingFip.get(active)!, nh: c.tunnelNh.get(active)! });
        }
      }
      fip.sort(cmpRoute);
      c.routes.set(fipVrf, fip);
    }
    // VRF 0: the fabric.
    const f0: Route[] = [];
    for (const o of t.computes) {
      if (o.name === c.name) f0.push({ vrf: 0, prefix: o.fabricIp, plen: 32, ppl: 32, flags: "PT", label: null, nh: 5 });
      else f0.push({ vrf: 0, prefix: o.fabricIp, plen: 32, ppl: 32, flags: "P", label: null, nh: 4 });
    }
    f0.push({ vrf: 0, prefix: t.gateway.loopback, plen: 32, ppl: 32, flags: "P", label: null, nh: 4 });
    f0.sort(cmpRoute);
    c.routes.set(0, f0);
  }

  const activeNode = t.computes.find((c) => c.name === active)!;
  return {
    topology: t,
    faults: new Set(faults),
    computes,
    activeIngress: active,
    gateway: {
      name: t.gateway.name,
      loopback: t.gateway.loopback,
      vrf: t.gateway.vrf,
      protocolNextHop: activeNode.fabricIp,
      pushLabel: ingFip.get(active)!,
      routeCount: 4 + t.computes.length * 2,
    },
  };
}

const ipCache = new Map<string, number>();

function ipNum(ip: string): number {
  let n = ipCache.get(ip);
  if (n === undefined) {
    n = parseIpv4(ip);
    if (ipCache.size < 100_000) ipCache.set(ip, n);
  }
  return n;
}

function cmpRoute(a: Route, b: Route): number {
  return ipNum(a.prefix) - ipNum(b.prefix) || a.plen - b.plen;
}

/**
 * The pods behind a service (by selector), in topology order.
 *
 * @example
 * endpointsOf(topo, "webservice").map((p) => p.ip); // ["10.47.255.236"]
 */
export function endpointsOf(t: Topology, service: string): PodSpec[] {
  const s = t.services.find((x) => x.name === service);
  if (!s) return [];
  return t.pods.filter((p) => p.app === s.selector);
}

/**
 * Longest-prefix match of an address in one VRF of a node; `undefined` when no route matches.
 *
 * @example
 * lookupRoute(model.computes.get("cent222")!, 2, "10.99.225.17")?.label; // 38
 */
export function lookupRoute(c: ComputeState, vrf: number, ip: string): Route | undefined {
  const x = ipNum(ip);
  let best: Route | undefined;
  for (const r of c.routes.get(vrf) ?? []) {
    if (best && r.plen <= best.plen) continue;
    const div = 2 ** (32 - r.plen);
    if (r.plen === 0 || Math.floor(x / div) === Math.floor(ipNum(r.prefix) / div)) best = r;
  }
  return best;
}

/**
 * Follows a label on a node: `mpls` -> next hop -> outgoing vif. `undefined` when the label is unknown.
 *
 * @example
 * resolveLabel(model.computes.get("cent333")!, 38)?.vif.ip; // "10.47.255.236"
 */
export function resolveLabel(c: ComputeState, label: number): { nh: NextHop; vif: Vif } | undefined {
  const nhId = c.mpls.get(label);
  if (nhId === undefined) return undefined;
  const nh = c.nhs.get(nhId);
  if (!nh || nh.oif === undefined) return undefined;
  const vif = c.vifs.get(nh.oif);
  return vif ? { nh, vif } : undefined;
}
