/**
 * The simulated fabric: where each leg's segments go. For every leg it derives, from the model at the
 * time the connection starts, the flow entries real vRouters would create (FIP DNAT/SNAT pair on the
 * active haproxy node, ingress-to-service pair, service DNAT+DPAT / SNAT+SPAT pair on the endpoint's node)
 * and the interfaces the packets cross (Internet host, gateway, MPLSoGRE to the node, MPLSoUDP between
 * nodes, pod taps). Each segment then updates flow TCP flags and counters and vif counters, and is
 * rendered as frames for live captures. Closed legs' flows are aged out after a linger.
 */
import { TCP, type NatFlags } from "./flowtable";
import { segmentFrame } from "./frames";
import { TH, type Dir, Leg, type LegEnd, type Segment, type SegmentSink } from "./leg";
import { lookupRoute, macFor, type ComputeState } from "./model";
import type { LabState } from "./state";
import type { PodSpec, ServiceSpec } from "./topology";
import { vrfOf } from "./topology";

/** Where a hop's frames are encapsulated (the MPLSoUDP source port is per flow: {@link LegPath.udpSport}). */
interface Encap {
  kind: "gre" | "udp";
  c2s: { src: string; dst: string; label: number };
  s2c: { src: string; dst: string; label: number };
}

/** One interface a leg's packets cross, in client-to-server order. */
interface Hop {
  node: string;
  iface: string;
  /** The server address as seen on this interface when NAT already rewrote it (pod side of a NAT). */
  nat?: LegEnd;
  /** MACs: [src, dst] for c2s (reversed for s2c). */
  macs: [string, string];
  encap?: Encap;
  /** vif index on a compute node (for counters). */
  vif?: number;
  /** The direction counted as RX on the vif. */
  rxDir: Dir;
  /** Inside the blackhole boundary (sees oversized server segments under `mtu-blackhole`). */
  inside: boolean;
}

/** Flow entries of a leg on one node. */
interface Site {
  node: string;
  fwd: number;
  rev: number;
}

/** Everything the fabric knows about a leg. */
export interface LegPath {
  sites: Site[];
  hops: Hop[];
  /** c2s segments reach only the first `reachC2s` hops (drops). */
  reachC2s: number;
  /** s2c segments reach only the last `reachS2c` hops (a drop on the return path); all when absent. */
  reachS2c?: number;
  /** Node whose vif0/0 counts drops for c2s segments that stop there. */
  dropAt?: string;
  /** MPLSoUDP source port of the leg's c2s tunnel frames: the sending node's forward flow's `SPort`. */
  udpSport: number;
  /** MPLSoUDP source port of its s2c frames: the backend node's reverse flow's `SPort` (each sender hashes its own flow). */
  udpSportS2c: number;
}

/** Constants of FIP legs for one model. */
interface FipCtx {
  A: ComputeState;
  fipVrf: number;
  podVrf: number;
  fipNh: number;
  podNh: number;
  drop?: string;
  vip: LegEnd;
  hops: Hop[];
  reachC2s: number;
}

/** Constants of service legs toward one endpoint for one model. */
interface SvcCtx {
  A: ComputeState;
  B: ComputeState;
  podVrfA: number;
  podVrfB: number;
  target: LegEnd;
  ingNh: number;
  local: boolean;
  podNhB: number;
  hops: Hop[];
  outcome: "ok" | "no-route" | "bad-label" | "return-drop";
  tunnelNh: number;
  tunnelBack: number;
  reachC2s: number;
}

const fipCache = new WeakMap<object, FipCtx>();
const svcCache = new WeakMap<object, Map<string, SvcCtx>>();
const NO_NAT = Object.freeze({}) as NatFlags;
const NAT_D = Object.freeze({ d: true }) as NatFlags;
const NAT_S = Object.freeze({ s: true }) as NatFlags;
const NAT_DPD = Object.freeze({ d: true, pd: true }) as NatFlags;
const NAT_SPS = Object.freeze({ s: true, ps: true }) as NatFlags;
/** The service reverse flow: SNAT+SPAT back to the service, or dropped by a security group (`return-sg-drop`). */
const RETURN_NAT = Object.freeze({ action: "N" as const, nat: NAT_SPS });
const RETURN_DROP = Object.freeze({ action: "D" as const, nat: NO_NAT, dropReason: "Policy" });

/** A live capture subscriber. */
export type FrameListener = (frame: Buffer, at: number, iface: string, outgoing: boolean) => void;

/** Fabric options. */
export interface FabricOptions {
  /** How long closed flows stay in the table (ms). Default 2000. */
  lingerMs?: number;
  /** Largest server segment payload that crosses the fabric under `mtu-blackhole`. Default 1300. */
  blackholeMtu?: number;
}

const VROUTER_MAC = "00:00:5e:00:01:00";

function ipLen(s: Segment): number {
  return 20 + 20 + (s.options ? (s.options.length + 3) & ~3 : 0) + s.payload.length;
}

/**
 * The fabric. One per lab.
 *
 * @example
 * const fabric = new Fabric(state);
 * const leg = fabric.fipLeg(40000);
 * leg.open(); // flows appear on cent222
 */
export class Fabric implements SegmentSink {
  readonly state: LabState;
  readonly lingerMs: number;
  readonly blackholeMtu: number;
  private readonly paths = new WeakMap<Leg, LegPath>();
  private readonly listeners = new Map<string, Set<FrameListener>>();
  private readonly expiry: { at: number; path: LegPath }[] = [];
  private expiryHead = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** Legs currently open (for inspection and the bench). */
  readonly live = new Set<Leg>();
  private nextFakePort = 33000;

  constructor(state: LabState, opts: FabricOptions = {}) {
    this.state = state;
    this.lingerMs = opts.lingerMs ?? 2000;
    this.blackholeMtu = opts.blackholeMtu ?? 1300;
  }

  /** A source port for a simulated connection that never became a real socket. */
  fakePort(): number {
    this.nextFakePort = this.nextFakePort >= 60999 ? 33000 : this.nextFakePort + 1;
    return this.nextFakePort;
  }

  /** The path of a leg (for tests and the walk). */
  pathOf(leg: Leg): LegPath | undefined {
    return this.paths.get(leg);
  }

  /** Capturable interfaces of a node. */
  interfaces(node: string): string[] {
    const t = this.state.topology;
    if (node === t.internetHost.name) return [t.internetHost.fabricInterface];
    if (node === t.gateway.name) return ["ge-0/0/0", t.gateway.fabricInterface];
    const c = this.state.model.computes.get(node);
    if (!c) return [];
    return [c.fabricInterface, ...[...c.vifs.values()].filter((v) => v.type === "Virtual").map((v) => v.os)];
  }

  /** Subscribes to the frames of one interface of a node (`any` for all). Returns the unsubscribe function. */
  subscribe(node: string, iface: string, fn: FrameListener): () => void {
    const key = `${node}|${iface}`;
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(fn);
    return () => {
      set!.delete(fn);
      if (set!.size === 0) this.listeners.delete(key);
    };
  }

  /** Per-model constants of FIP legs (the model is rebuilt when faults change, which drops the cache). */
  private fipCtx(): FipCtx {
    const m = this.state.model;
    const hit = fipCache.get(m);
    if (hit) return hit;
    const t = this.state.topology;
    const A = m.computes.get(m.activeIngress)!;
    const fipVrf = vrfOf(t, "fip", A.name);
    const podVrf = vrfOf(t, "pod", A.name);
    const hasRoute = lookupRoute(A, fipVrf, t.ingress.fip)?.plen === 32;
    const drop = !hasRoute ? "NoDstRt" : m.faults.has("policy-drop") ? "Policy" : m.faults.has("stale-flow") ? "Stale" : undefined;
    const gwMac = t.gateway.mac;
    const greEncap: Encap = {
      kind: "gre",
      c2s: { src: t.gateway.loopback, dst: A.fabricIp, label: m.gateway.pushLabel },
      s2c: { src: A.fabricIp, dst: t.gateway.loopback, label: t.gateway.returnLabel },
    };
    const tapVif = A.vifByOwner.get("ingress")!;
    const vip = { ip: t.ingress.vip, port: t.ingress.port };
    const hops: Hop[] = [
      { node: t.internetHost.name, iface: t.internetHost.fabricInterface, macs: [t.internetHost.mac, gwMac], rxDir: "s2c", inside: false },
      { node: t.gateway.name, iface: "ge-0/0/0", macs: [t.internetHost.mac, gwMac], rxDir: "c2s", inside: false },
      { node: t.gateway.name, iface: t.gateway.fabricInterface, macs: [gwMac, A.mac], encap: greEncap, rxDir: "s2c", inside: false },
      { node: A.name, iface: A.fabricInterface, macs: [gwMac, A.mac], encap: greEncap, vif: 0, rxDir: "c2s", inside: true },
      { node: A.name, iface: A.vifs.get(tapVif)!.os, nat: vip, macs: [VROUTER_MAC, macFor(`haproxy-${A.name}`)], vif: tapVif, rxDir: "s2c", inside: true },
    ];
    const ctx: FipCtx = {
      A, fipVrf, podVrf, drop, hops, vip, reachC2s: drop ? 4 : hops.length,
      fipNh: A.encapNh.get(`ingress|${fipVrf}`)!, podNh: A.encapNh.get(`ingress|${podVrf}`)!,
    };
    fipCache.set(m, ctx);
    return ctx;
  }

  /**
   * Creates the leg of a client connection to the floating IP, with its flows on the active haproxy node.
   * When the vRouter drops it (`leg.meta.drop` = `Policy`, `NoDstRt`, `Stale`), only SYNs follow and the flows say
   * `Action:D(...)`.
   */
  fipLeg(clientPort: number): Leg {
    const t = this.state.topology;
    const x = this.fipCtx();
    const A = x.A;
    const client = { ip: t.internetHost.ip, port: clientPort };
    const fip = { ip: t.ingress.fip, port: t.ingress.port };
    const leg = new Leg("fip", client, fip, this);
    const sites: Site[] = [];
    const drop = x.drop;
    if (drop === "NoDstRt") {
      const f = A.flows.add({
        sip: client.ip, sport: client.port, dip: fip.ip, dport: fip.port, proto: 6, vrf: x.fipVrf, keyNh: x.fipNh, action: "D", nat: {},
        dropReason: drop, rpfNh: A.gatewayTunnelNh, sinfo: t.gateway.loopback,
      });
      sites.push({ node: A.name, fwd: f.index, rev: -1 });
    } else if (drop === "Stale") {
      // stale-flow: a half entry (its reverse gone, rindex -1) that still NATs the client: replies have nothing to be SNATed with.
      const f = A.flows.add({
        sip: client.ip, sport: client.port, dip: fip.ip, dport: fip.port, proto: 6, vrf: x.fipVrf, dvrf: x.podVrf, keyNh: x.fipNh, action: "N", nat: NAT_D,
        rpfNh: A.gatewayTunnelNh, sinfo: t.gateway.loopback, natSip: client.ip, natSport: client.port, natDip: x.vip.ip, natDport: x.vip.port,
      });
      sites.push({ node: A.name, fwd: f.index, rev: -1 });
    } else {
      const nat = drop === undefined;
      const [f, r] = A.flows.addPair(
        {
          sip: client.ip, sport: client.port, dip: fip.ip, dport: fip.port, proto: 6, vrf: x.fipVrf, dvrf: x.podVrf, keyNh: x.fipNh,
          action: nat ? "N" : "D", nat: nat ? NAT_D : NO_NAT, dropReason: drop, rpfNh: A.gatewayTunnelNh, sinfo: t.gateway.loopback,
          natSip: client.ip, natSport: client.port, natDip: x.vip.ip, natDport: x.vip.port,
        },
        {
          sip: x.vip.ip, sport: x.vip.port, dip: client.ip, dport: client.port, proto: 6, vrf: x.podVrf, dvrf: x.fipVrf, keyNh: x.podNh,
          action: nat ? "N" : "D", nat: nat ? NAT_S : NO_NAT, dropReason: drop, rpfNh: x.podNh, sinfo: "0.0.0.0",
          natSip: fip.ip, natSport: fip.port, natDip: client.ip, natDport: client.port,
        },
      );
      sites.push({ node: A.name, fwd: f.index, rev: r.index });
    }
    this.paths.set(leg, { sites, hops: x.hops, reachC2s: x.reachC2s, udpSport: 0, udpSportS2c: 0 });
    leg.meta.node = A.name;
    leg.meta.drop = drop;
    this.live.add(leg);
    return leg;
  }

  /** Per-model constants of service legs toward one endpoint. */
  private svcCtx(svc: ServiceSpec, pod: PodSpec): SvcCtx {
    const m = this.state.model;
    let per = svcCache.get(m);
    if (!per) svcCache.set(m, (per = new Map()));
    const key = `${svc.name}|${pod.name}`;
    const hit = per.get(key);
    if (hit) return hit;
    const t = this.state.topology;
    const A = m.computes.get(m.activeIngress)!;
    const B = m.computes.get(pod.node)!;
    const podVrfA = vrfOf(t, "pod", A.name);
    const podVrfB = vrfOf(t, "pod", B.name);
    const target = { ip: pod.ip, port: svc.targetPort };
    const ingNh = A.encapNh.get(`ingress|${podVrfA}`)!;
    const route = lookupRoute(A, podVrfA, svc.ip);
    const local = A.name === B.name;
    const podNhB = B.encapNh.get(`${pod.name}|${podVrfB}`)!;
    const tapA = A.vifByOwner.get("ingress")!;
    const tapB = B.vifByOwner.get(pod.name)!;
    const podMac = B.nhs.get(podNhB)!.data!.slice(0, 6).map((b) => b.toString(16).padStart(2, "0")).join(":");
    const hops: Hop[] = [{ node: A.name, iface: A.vifs.get(tapA)!.os, macs: [macFor(`haproxy-${A.name}`), VROUTER_MAC], vif: tapA, rxDir: "c2s", inside: true }];
    const base = { A, B, podVrfA, podVrfB, target, ingNh, local, podNhB, hops };
    let ctx: SvcCtx;
    if (!route || route.plen !== 32) {
      ctx = { ...base, outcome: "no-route", tunnelNh: 0, tunnelBack: 0, reachC2s: 1 };
    } else {
      // The label the ingress node pushes for this endpoint, and whether the endpoint's node knows it.
      let pushed = route.label ?? -1;
      const rnh = A.nhs.get(route.nh);
      if (rnh?.type === "Composite") {
        const tn = local ? A.encapNh.get(`${pod.name}|${podVrfA}`) : A.tunnelNh.get(B.name);
        pushed = rnh.sub?.find((x) => x.nh === tn)?.label ?? pushed;
      }
      const outcome = !local && !B.mpls.has(pushed) ? "bad-label" : this.state.hasFault("return-sg-drop") ? "return-drop" : "ok";
      if (local) {
        hops.push({ node: B.name, iface: B.vifs.get(tapB)!.os, nat: target, macs: [VROUTER_MAC, podMac], vif: tapB, rxDir: "s2c", inside: true });
      } else {
        const enc: Encap = {
          kind: "udp",
          c2s: { src: A.fabricIp, dst: B.fabricIp, label: pushed },
          s2c: { src: B.fabricIp, dst: A.fabricIp, label: [...A.mpls.entries()].find(([, nh]) => nh === ingNh)?.[0] ?? 0 },
        };
        hops.push({ node: A.name, iface: A.fabricInterface, macs: [A.mac, B.mac], encap: enc, vif: 0, rxDir: "s2c", inside: true });
        hops.push({ node: B.name, iface: B.fabricInterface, macs: [A.mac, B.mac], encap: enc, vif: 0, rxDir: "c2s", inside: true });
        if (outcome !== "bad-label") hops.push({ node: B.name, iface: B.vifs.get(tapB)!.os, nat: target, macs: [VROUTER_MAC, podMac], vif: tapB, rxDir: "s2c", inside: true });
      }
      ctx = { ...base, outcome, tunnelNh: local ? podNhB : A.tunnelNh.get(B.name)!, tunnelBack: local ? 0 : B.tunnelNh.get(A.name)!, reachC2s: hops.length };
    }
    per.set(key, ctx);
    return ctx;
  }

  /**
   * Creates the leg of haproxy's own connection from the ingress VIP to a service, toward one endpoint.
   * `outcome` says what the vRouters do with it (from the faults): `ok`, `no-route` (dropped on the
   * ingress node), `bad-label` (dropped on the endpoint's node: unknown label), `return-drop` (the pod's
   * replies are dropped on its node by a security group: reverse flow `D(Policy)`).
   */
  serviceLeg(ingressPort: number, svc: ServiceSpec, pod: PodSpec): { leg: Leg; outcome: "ok" | "no-route" | "bad-label" | "return-drop" } {
    const x = this.svcCtx(svc, pod);
    const { A, B } = x;
    const client = { ip: this.state.topology.ingress.vip, port: ingressPort };
    const server = { ip: svc.ip, port: svc.port };
    const leg = new Leg("service", client, server, this);
    const sites: Site[] = [];
    let udpSport = 0;
    let udpSportS2c = 0;
    if (x.outcome === "no-route") {
      const f = A.flows.add({
        sip: client.ip, sport: client.port, dip: server.ip, dport: server.port, proto: 6, vrf: x.podVrfA, keyNh: x.ingNh, action: "D", nat: NO_NAT,
        dropReason: "NoDstRt", rpfNh: x.ingNh, sinfo: "0.0.0.0",
      });
      sites.push({ node: A.name, fwd: f.index, rev: -1 });
    } else if (x.local) {
      const [f, r] = A.flows.addPair(
        { sip: client.ip, sport: client.port, dip: server.ip, dport: server.port, proto: 6, vrf: x.podVrfA, keyNh: x.ingNh, action: "N", nat: NAT_DPD, rpfNh: x.ingNh, sinfo: "0.0.0.0", natDip: x.target.ip, natDport: x.target.port },
        { sip: x.target.ip, sport: x.target.port, dip: client.ip, dport: client.port, proto: 6, vrf: x.podVrfA, keyNh: x.podNhB, ...(x.outcome === "return-drop" ? RETURN_DROP : RETURN_NAT), rpfNh: x.podNhB, sinfo: "0.0.0.0", natSip: server.ip, natSport: server.port },
      );
      sites.push({ node: A.name, fwd: f.index, rev: r.index });
    } else {
      const [f, r] = A.flows.addPair(
        { sip: client.ip, sport: client.port, dip: server.ip, dport: server.port, proto: 6, vrf: x.podVrfA, keyNh: x.ingNh, action: "F", nat: NO_NAT, rpfNh: x.ingNh, sinfo: "0.0.0.0" },
        { sip: server.ip, sport: server.port, dip: client.ip, dport: client.port, proto: 6, vrf: x.podVrfA, keyNh: x.tunnelNh, action: "F", nat: NO_NAT, rpfNh: x.tunnelNh, sinfo: B.fabricIp },
      );
      sites.push({ node: A.name, fwd: f.index, rev: r.index });
      udpSport = f.udpSport;
      if (x.outcome === "ok" || x.outcome === "return-drop") {
        const back = x.outcome === "return-drop" ? RETURN_DROP : RETURN_NAT;
        const [bf, br] = B.flows.addPair(
          { sip: client.ip, sport: client.port, dip: server.ip, dport: server.port, proto: 6, vrf: x.podVrfB, keyNh: x.tunnelBack, action: "N", nat: NAT_DPD, rpfNh: x.tunnelBack, sinfo: A.fabricIp, natDip: x.target.ip, natDport: x.target.port },
          { sip: x.target.ip, sport: x.target.port, dip: client.ip, dport: client.port, proto: 6, vrf: x.podVrfB, keyNh: x.podNhB, ...back, rpfNh: x.podNhB, sinfo: "0.0.0.0", natSip: server.ip, natSport: server.port },
        );
        sites.push({ node: B.name, fwd: bf.index, rev: br.index });
        udpSportS2c = br.udpSport;
      }
    }
    const reachS2c = x.outcome === "return-drop" ? 1 : undefined;
    this.paths.set(leg, { sites, hops: x.hops, reachC2s: x.reachC2s, reachS2c, dropAt: x.outcome === "bad-label" ? B.name : undefined, udpSport, udpSportS2c });
    this.live.add(leg);
    return { leg, outcome: x.outcome };
  }

  /** {@link SegmentSink}: applies one segment to flows, counters and captures. */
  segment(seg: Segment): void {
    const p = this.paths.get(seg.leg);
    if (!p) return;
    const len = ipLen(seg);
    const computes = this.state.model.computes;
    const blackholed =
      seg.dir === "s2c" && seg.leg.kind === "fip" && this.state.hasFault("mtu-blackhole") && seg.payload.length > this.blackholeMtu;
    // Flows.
    for (const site of p.sites) {
      const c = computes.get(site.node);
      if (!c) continue;
      if (seg.dir === "c2s" && p.reachC2s < p.hops.length && !reaches(p, site.node)) continue;
      if (seg.dir === "s2c" && p.reachS2c !== undefined && !reachesBack(p, site.node, site === p.sites[p.sites.length - 1])) continue;
      this.applyTcp(c, site, seg, len);
    }
    // Hops: counters and frames (c2s from the client side, s2c from the server side).
    const n = seg.dir === "c2s" ? p.reachC2s : p.hops.length;
    const last = seg.dir === "s2c" && p.reachS2c !== undefined ? p.reachS2c : n;
    for (let k = 0; k < last; k++) {
      const h = seg.dir === "c2s" ? p.hops[k] : p.hops[n - 1 - k];
      if (blackholed && !h.inside) break;
      if (h.vif !== undefined) {
        const v = computes.get(h.node)?.vifs.get(h.vif);
        if (v) {
          // Ethernet frame length: inner packet, plus the outer IP + GRE/UDP + MPLS headers when tunnelled.
          const flen = len + 14 + (h.encap ? (h.encap.kind === "gre" ? 28 : 32) : 0);
          if (seg.dir === h.rxDir) {
            v.rxPackets++;
            v.rxBytes += flen;
          } else {
            v.txPackets++;
            v.txBytes += flen;
          }
        }
      }
      if (this.listeners.size) this.deliver(h, seg);
    }
    if (seg.dir === "c2s" && p.dropAt) {
      const v = computes.get(p.dropAt)?.vifs.get(0);
      if (v) v.drops++;
    }
  }

  private applyTcp(c: ComputeState, site: Site, seg: Segment, len: number): void {
    const ft = c.flows;
    const me = seg.dir === "c2s" ? site.fwd : site.rev;
    const other = seg.dir === "c2s" ? site.rev : site.fwd;
    const both = (bits: number) => {
      ft.setTcp(site.fwd, bits);
      if (site.rev >= 0) ft.setTcp(site.rev, bits);
    };
    if (me >= 0) ft.count(me, len, seg.at);
    const f = seg.flags;
    if (f & TH.SYN) {
      if (me >= 0) ft.setTcp(me, TCP.SYN);
      if (other >= 0) ft.setTcp(other, TCP.SYN_R);
    } else if (f & TH.RST) {
      both(TCP.RST);
    } else if (f & TH.FIN) {
      if (me >= 0) ft.setTcp(me, TCP.FIN);
      if (other >= 0) ft.setTcp(other, TCP.FIN_R);
      const e = ft.get(site.fwd);
      if (e && e.tcp & TCP.FIN && e.tcp & TCP.FIN_R) both(TCP.HALF_CLOSE);
    } else if (f & TH.ACK) {
      const e = ft.get(site.fwd);
      if (e && e.tcp & TCP.SYN && e.tcp & TCP.SYN_R && !(e.tcp & TCP.ESTABLISHED)) both(TCP.ESTABLISHED | TCP.ESTABLISHED_R);
      else if (e && e.tcp & TCP.HALF_CLOSE && seg.payload.length === 0) both(TCP.DEAD);
    }
  }

  private deliver(h: Hop, seg: Segment): void {
    const a = this.listeners.get(`${h.node}|${h.iface}`);
    const b = this.listeners.get(`${h.node}|any`);
    if (!a && !b) return;
    const p = this.paths.get(seg.leg);
    const frame = buildFrame(h, seg, (seg.dir === "c2s" ? p?.udpSport : p?.udpSportS2c) ?? 0);
    const outgoing = seg.dir !== h.rxDir;
    for (const fn of a ?? []) fn(frame, seg.at, h.iface, outgoing);
    for (const fn of b ?? []) fn(frame, seg.at, h.iface, outgoing);
  }

  /** {@link SegmentSink}: ages the leg's flows out after the linger. */
  closed(leg: Leg): void {
    this.live.delete(leg);
    const p = this.paths.get(leg);
    if (!p) return;
    if (this.lingerMs <= 0) return this.expire(p);
    // The linger is the same for every leg, so a FIFO queue swept by one timer keeps expiry order.
    this.expiry.push({ at: Date.now() + this.lingerMs, path: p });
    if (!this.sweepTimer) this.armSweep();
  }

  private expire(p: LegPath): void {
    for (const site of p.sites) {
      const c = this.state.model.computes.get(site.node);
      if (!c) continue;
      c.flows.remove(site.fwd);
      if (site.rev >= 0) c.flows.remove(site.rev);
    }
  }

  private armSweep(): void {
    const next = this.expiry[this.expiryHead];
    if (!next) {
      this.sweepTimer = undefined;
      return;
    }
    this.sweepTimer = setTimeout(() => {
      const now = Date.now();
      while (this.expiryHead < this.expiry.length && this.expiry[this.expiryHead].at <= now) {
        this.expire(this.expiry[this.expiryHead].path);
        this.expiryHead++;
      }
      if (this.expiryHead > 4096 && this.expiryHead * 2 > this.expiry.length) {
        this.expiry.splice(0, this.expiryHead);
        this.expiryHead = 0;
      }
      this.armSweep();
    }, Math.max(1, next.at - Date.now()));
    this.sweepTimer.unref();
  }

  /** Cancels pending ageing. */
  stop(): void {
    if (this.sweepTimer) clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.expiry.length = 0;
    this.expiryHead = 0;
    this.listeners.clear();
  }
}

/** Whether s2c segments reach a site: the server-side site always (it counts what it drops), others when their hops are reached. */
function reachesBack(p: LegPath, node: string, serverSide: boolean): boolean {
  if (serverSide) return true;
  const n = p.hops.length;
  for (let k = 0; k < (p.reachS2c ?? n); k++) if (p.hops[n - 1 - k].node === node && p.hops[n - 1 - k].encap) return true;
  return false;
}

function reaches(p: LegPath, node: string): boolean {
  for (let k = 0; k < p.reachC2s; k++) if (p.hops[k].node === node) return true;
  return false;
}

/**
 * Builds the Ethernet frame of a segment as it appears on a hop (plain, MPLSoGRE or MPLSoUDP).
 */
function buildFrame(h: Hop, seg: Segment, udpSport: number): Buffer {
  const c2s = seg.dir === "c2s";
  const server = h.nat ?? seg.leg.server;
  const src = c2s ? seg.leg.client : server;
  const dst = c2s ? server : seg.leg.client;
  const [m1, m2] = c2s ? h.macs : [h.macs[1], h.macs[0]];
  const e = h.encap && { kind: h.encap.kind, ...(c2s ? h.encap.c2s : h.encap.s2c), udpSrcPort: udpSport };
  return segmentFrame({
    ethSrc: m1, ethDst: m2, src: src.ip, dst: dst.ip, srcPort: src.port, dstPort: dst.port, seq: seg.seq, ack: seg.ack,
    flags: seg.flags, payload: seg.payload, options: seg.options,
    encap: e,
  });
}
