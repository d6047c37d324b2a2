/**
 * The joined chain every stage reads: gateway route → active node → FIP flow pair → haproxy's new
 * connection → service NAT pair on the backend node, plus the probes and the decoded captures as one
 * packet list. Computed once per walk; fills `ctx.discovery`.
 */
import type { HttpProbeResult } from "../probe/http";
import type { ProbeFailure } from "../probe/loop";
import { frameListRows } from "../capture/analyses/frame-list";
import { once, nodesOf, type WalkContext } from "./context";
import { fabricMap, gatewayRoute, type FabricMap, type GatewayRoute } from "./discover";
import { observe, type Observation } from "./traffic";
import { type EntropyFlow, flowsByEntropy } from "./entropy";
import { baselineFlows, fipFlow, pairSeen, proxyFlow, seenFlows, serviceNatFlow, type SeenFlow, type SeenPair } from "./select";

/** One captured packet, decoded and placed. */
export interface Packet {
  node: string;
  iface: string;
  /** The frame's number in its node's capture (from 1), what {@link evidenceFramesPcapng} exports by. */
  frame: number;
  /** Epoch ms. */
  at: number;
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  tunnel: "MPLSoGRE" | "MPLSoUDP" | "VXLAN" | null;
  labels: number[];
  outerSrc: string;
  outerDst: string;
  /** Outer UDP ports of an MPLSoUDP / VXLAN frame (the source port is the sending flow's entropy, `flow -l`'s `SPort`), else null. */
  tunnelSrcPort: number | null;
  tunnelDstPort: number | null;
  info: string;
  payload: number;
  flags: string;
}

/** Everything joined. */
export interface Facts {
  gw: GatewayRoute;
  fm: FabricMap;
  obs: Observation;
  flows: SeenFlow[];
  probe: HttpProbeResult | ProbeFailure | null;
  largeProbe: HttpProbeResult | ProbeFailure | null;
  activeNode: string | null;
  /** How the active node was found. */
  activeFrom: "gateway" | "flows" | null;
  fip: SeenPair | null;
  /** How the client's FIP flow was found: by the probe's client port, or by time (port translated). */
  fipMatchedBy: "port" | "time" | null;
  largeFip: SeenPair | null;
  proxy: SeenPair | null;
  svcNat: SeenPair | null;
  packets: Packet[];
  /** MPLSoUDP packets tied to the flow entry whose `UdpSrcPort`/`SPort` is their outer source port. */
  entropy: Map<Packet, EntropyFlow>;
}

/**
 * Runs discovery and the traffic phase (once) and joins them.
 *
 * @example
 * const f = await facts(ctx);
 * f.fip?.reverse?.entry.srcIp; // "10.47.255.238"
 */
export function facts(ctx: WalkContext): Promise<Facts> {
  return once(ctx, "facts", async () => {
    const [gw, fm] = await Promise.all([gatewayRoute(ctx), fabricMap(ctx)]);
    const obs = await observe(ctx);
    const flows = seenFlows(obs.snapshots);
    // Flows already in the tables before the first probe belong to someone else (or to an earlier walk).
    const firstStart = Math.min(...obs.probes.map((p) => p.result.startedAt));
    const baseline = baselineFlows(obs.snapshots, firstStart);
    const fresh = flows.filter((x) => !baseline.has(x.key));
    const d = ctx.discovery;
    const { fip, fipPort } = ctx.params;
    const requests = obs.probes.filter((p) => p.purpose === "request").map((p) => p.result);
    const large = obs.probes.find((p) => p.purpose === "large")?.result ?? null;
    // The probe to follow: the first whose client flow was seen.
    let probe = requests[0] ?? null;
    for (const p of requests) {
      if (p.local && fipFlow(flows, { fip, fipPort, clientPort: p.local.port })) {
        probe = p;
        break;
      }
    }
    const clientPort = probe?.local?.port ?? null;
    let activeNode: string | null = null;
    let activeFrom: Facts["activeFrom"] = null;
    const pnh = gw.route?.protocolNextHop ?? null;
    if (pnh && fm.byIp[pnh]) {
      activeNode = fm.byIp[pnh];
      activeFrom = "gateway";
    }
    let fwd: SeenFlow | undefined = fipFlow(flows, { fip, fipPort, clientPort, node: activeNode });
    if (!activeNode) {
      fwd = fipFlow(flows, { fip, fipPort, clientPort });
      if (fwd) {
        activeNode = fwd.node;
        activeFrom = "flows";
      }
    }
    // The client port may have been translated between the kernel and the cluster: fall back to the
    // flow to the FIP that first appeared during the probe.
    let fipMatchedBy: Facts["fipMatchedBy"] = fwd ? "port" : null;
    if (!fwd && probe) {
      const cands = fresh
        .filter((x) => x.entry.dstIp === fip && x.entry.dstPort === fipPort && (!activeNode || x.node === activeNode))
        .filter((x) => x.firstSeen >= probe!.startedAt - 1000 && x.firstSeen <= (probe!.endedAt || Date.now()) + 1000)
        .sort((a, b) => a.firstSeen - b.firstSeen);
      fwd = cands[0];
      if (fwd) {
        fipMatchedBy = "time";
        if (!activeNode) {
          activeNode = fwd.node;
          activeFrom = "flows";
        }
      }
    }
    d.activeNode = activeNode;
    d.clientPort = clientPort;
    const fipPair = fwd ? pairSeen(flows, fwd) : null;
    if (fipPair) {
      d.clientIp = fipPair.forward.entry.srcIp;
      d.fipVrf = fipPair.forward.entry.vrf;
      d.rpfNh = fipPair.forward.entry.rpfNh ?? null;
      if (fipPair.reverse) {
        d.ingressPodIp = fipPair.reverse.entry.srcIp;
        d.ingressPodPort = fipPair.reverse.entry.srcPort;
        d.podVrf = fipPair.reverse.entry.vrf;
      }
    }
    const largeFwd = large?.local ? fipFlow(flows, { fip, fipPort, clientPort: large.local.port }) : undefined;
    const largeFip = largeFwd ? pairSeen(flows, largeFwd) : null;
    // haproxy's own connection, during the probe.
    let proxy: SeenPair | null = null;
    if (activeNode && d.ingressPodIp && probe) {
      const f = proxyFlow(fresh, {
        node: activeNode, podIp: d.ingressPodIp, podPort: d.ingressPodPort, clientIp: d.clientIp,
        from: probe.startedAt - 1000, to: (probe.endedAt || Date.now()) + 1000,
      });
      if (f) proxy = pairSeen(flows, f);
    }
    if (proxy) {
      const e = proxy.forward.entry;
      d.serviceIp = e.dstIp;
      d.servicePort = e.dstPort;
      d.ingressPort = e.srcPort;
      if (!d.podVrf) d.podVrf = e.vrf;
    }
    let svcNat: SeenPair | null = null;
    if (proxy && d.ingressPodIp) {
      const f = serviceNatFlow(fresh, { podIp: d.ingressPodIp, port: proxy.forward.entry.srcPort, serviceIp: d.serviceIp!, servicePort: d.servicePort! });
      if (f) svcNat = pairSeen(flows, f);
    }
    if (svcNat) {
      d.backendNode = svcNat.node;
      if (svcNat.reverse) {
        d.backendPodIp = svcNat.reverse.entry.srcIp;
        d.backendPodPort = svcNat.reverse.entry.srcPort;
      }
    }
    const packets = packetsOf(ctx, obs);
    return {
      gw, fm, obs, flows, probe, largeProbe: large, activeNode, activeFrom, fip: fipPair, fipMatchedBy, largeFip, proxy, svcNat,
      packets, entropy: flowsByEntropy(packets, flows, fm),
    };
  });
}

/** Flattens the decoded captures into packets with epoch times. */
function packetsOf(ctx: WalkContext, obs: Observation): Packet[] {
  const out: Packet[] = [];
  void nodesOf(ctx, "compute");
  for (const cap of obs.captures) {
    const t = cap.frames;
    if (!t) continue;
    const rows = frameListRows(t, { relativeTime: false });
    const c = t.columns;
    const a = t.dicts.addresses;
    for (let i = 0; i < t.length; i++) {
      const r = rows[i];
      const tun = /^(MPLSoGRE|MPLSoUDP|VXLAN)/.exec(r.Tunnel)?.[1] as Packet["tunnel"] | undefined;
      const code = c.mplsLabels[i] ?? 0;
      out.push({
        node: cap.node,
        iface: cap.iface,
        frame: c.no[i] ?? i + 1,
        at: (c.sec[i] ?? 0) * 1000 + (c.nsec[i] ?? 0) / 1e6,
        src: a[c.src[i] ?? 0] ?? "",
        dst: a[c.dst[i] ?? 0] ?? "",
        srcPort: c.srcPort[i] ?? 0,
        dstPort: c.dstPort[i] ?? 0,
        tunnel: tun ?? null,
        labels: code ? [...(t.dicts.labelStackValues[code] ?? [])] : [],
        outerSrc: a[c.outerSrc[i] ?? 0] ?? "",
        outerDst: a[c.outerDst[i] ?? 0] ?? "",
        tunnelSrcPort: c.tunnelDstPort[i] ? c.tunnelSrcPort[i]! : null,
        tunnelDstPort: c.tunnelDstPort[i] ? c.tunnelDstPort[i]! : null,
        info: r.Info,
        payload: c.payloadLen[i] ?? 0,
        flags: flagText(c.tcpFlags[i] ?? 0),
      });
    }
  }
  return out.sort((x, y) => x.at - y.at);
}

function flagText(f: number): string {
  const names: [number, string][] = [[0x02, "S"], [0x10, "."], [0x08, "P"], [0x01, "F"], [0x04, "R"]];
  return names.filter(([b]) => f & b).map(([, n]) => n).join("");
}
