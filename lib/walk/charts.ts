/**
 * The walk's charts as vega-lite v5 specs wrapped with `chart()`: a ladder of both TCP connections
 * across client, gateway, the active node, haproxy, the backend node and the pod (from the captures); a
 * flow-entry timeline across nodes (from the snapshots); a per-hop latency breakdown (probe timings and
 * capture timestamps).
 */
import { chart, type Chart } from "../display/chart";
import { ladderSpec, ladderSummary, type LadderArrow as LadderSpecArrow } from "../display/ladder";
import type { Facts, Packet } from "./facts";
import { isHttp } from "./probe-text";
import type { FlowEntry } from "../vrouter/types";
import type { Discovery } from "./types";

/**
 * A flow entry's full headers in one line, for tooltips (`flow 394338 15.15.15.2:37444 → 101.101.101.1:80
 * proto 6 VRF 5->2 Action:N(D) RPF nh 61 Sinfo 192.168.0.204`).
 *
 * @example
 * flowHeaders(seen.entry);
 */
export function flowHeaders(e: Pick<FlowEntry, "index" | "srcIp" | "srcPort" | "dstIp" | "dstPort" | "proto" | "vrf" | "dvrf" | "vrfTranslated" | "action" | "rpfNh" | "sinfo">): string {
  return `flow ${e.index} ${e.srcIp}:${e.srcPort} → ${e.dstIp}:${e.dstPort} proto ${e.proto} VRF ${e.vrfTranslated ? `${e.vrf}->${e.dvrf}` : e.vrf} Action:${e.action} RPF nh ${e.rpfNh ?? "-"} Sinfo ${e.sinfo ?? "-"}`;
}

/** One arrow of the walk's ladder (lanes by name). */
export interface LadderArrow extends LadderSpecArrow {
  ms: number;
  from: string;
  to: string;
  label: string;
  connection: "client" | "proxied";
  /** The packet's full headers as captured (outer, tunnel, labels, inner, flags), for tooltips. */
  headers: string;
}

/**
 * A captured packet's full headers in one line (`outer 192.168.0.204 → 10.169.25.20 MPLSoGRE [20] |
 * inner 15.15.15.2:37444 → 101.101.101.1:80 [S] len 0 | on cent222 ens3`).
 *
 * @example
 * packetHeaders(packet); // "inner 15.15.15.2:37444 → 101.101.101.1:80 [S] len 0 | on internet-host eth0"
 */
export function packetHeaders(p: Packet): string {
  const outer = p.tunnel || p.outerSrc ? `outer ${p.outerSrc} → ${p.outerDst} ${p.tunnel ?? ""}${p.labels.length ? ` [${p.labels.join("/")}]` : ""} | ` : "";
  return `${outer}inner ${p.src}:${p.srcPort} → ${p.dst}:${p.dstPort} [${p.flags}] len ${p.payload} | on ${p.node} ${p.iface}`;
}

/**
 * Places captured packets on the walk's lanes: frames on the Internet host go client ↔ gateway;
 * MPLSoGRE frames on the active node go gateway ↔ haproxy (through the node); MPLSoUDP frames between
 * the active and the backend node go haproxy ↔ pod.
 *
 * @example
 * ladderArrows(facts, discovery)[0]; // { ms: 0, from: "client", to: "gateway", label: "[S]", connection: "client" }
 */
export function ladderArrows(f: Facts, d: Discovery, hostNode: string | null): LadderArrow[] {
  const lanes = laneNames(d);
  const out: { at: number; from: string; to: string; label: string; connection: LadderArrow["connection"]; headers: string }[] = [];
  const activeIp = d.activeNode ? Object.entries(d.fabricIps).find(([, n]) => n === d.activeNode)?.[0] : undefined;
  const clientPort = f.probe?.local?.port;
  const proxyPort = d.ingressPort;
  const label = (p: Packet) => httpText(p) ?? `[${p.flags}]${p.payload ? ` len ${p.payload}` : ""}`;
  for (const p of f.packets) {
    if (p.node === hostNode && (p.srcPort === clientPort || p.dstPort === clientPort)) {
      const up = p.srcPort === clientPort;
      out.push({ at: p.at, from: up ? lanes.client : lanes.gateway, to: up ? lanes.gateway : lanes.client, label: label(p), connection: "client", headers: packetHeaders(p) });
    } else if (p.node === d.activeNode && p.tunnel === "MPLSoGRE" && (p.srcPort === clientPort || p.dstPort === clientPort)) {
      const up = p.srcPort === clientPort;
      out.push({ at: p.at, from: up ? lanes.gateway : lanes.haproxy, to: up ? lanes.haproxy : lanes.gateway, label: `${label(p)} GRE[${p.labels.join("/")}]`, connection: "client", headers: packetHeaders(p) });
    } else if (p.node === d.activeNode && p.tunnel === "MPLSoUDP" && proxyPort !== null && (p.srcPort === proxyPort || p.dstPort === proxyPort)) {
      const up = p.outerSrc === activeIp;
      out.push({ at: p.at, from: up ? lanes.haproxy : lanes.pod, to: up ? lanes.pod : lanes.haproxy, label: `${label(p)} UDP[${p.labels.join("/")}]`, connection: "proxied", headers: packetHeaders(p) });
    }
  }
  // Copies of one segment captured at several hops carry the same time stamp: order them along the path.
  const order = [lanes.client, lanes.gateway, lanes.active, lanes.haproxy, lanes.backend, lanes.pod];
  const rank = (a: { from: string; to: string }) => {
    const f = order.indexOf(a.from);
    return order.indexOf(a.to) > f ? f : order.length - f;
  };
  out.sort((a, b) => a.at - b.at || rank(a) - rank(b));
  const t0 = out.length ? out[0].at : 0;
  return out.map((a) => ({ ms: Math.round((a.at - t0) * 1000) / 1000, from: a.from, to: a.to, label: a.label, connection: a.connection, headers: a.headers }));
}

/**
 * The HTTP request or status line a packet carries (`GET / HTTP/1.1`, `HTTP/1.1 200`), else null.
 *
 * @example
 * httpText(packet); // "GET / HTTP/1.1"
 */
export function httpText(p: Pick<Packet, "info">): string | null {
  const m = /\b((?:GET|POST|HEAD|PUT|DELETE|PATCH|OPTIONS) \S+ HTTP\/1\.[01]|HTTP\/1\.[01] \d{3})/.exec(p.info);
  return m ? m[1] : null;
}

function laneNames(d: Discovery) {
  return {
    client: `client ${d.clientIp ?? ""}`.trim(),
    gateway: "gateway",
    active: d.activeNode ?? "active node",
    haproxy: `haproxy ${d.ingressPodIp ?? ""}`.trim(),
    backend: d.backendNode ?? "backend node",
    pod: `pod ${d.backendPodIp ?? ""}`.trim(),
  };
}

/**
 * The ladder diagram (sequence chart) of both TCP connections, drawn by the one ladder builder
 * (`ladderSpec`, `lib/display/ladder.ts`) on the walk's lanes, coloured by connection.
 *
 * @example
 * show(ladderDiagram(facts, discovery, "internet-host"));
 */
export function ladderDiagram(f: Facts, d: Discovery, hostNode: string | null): Chart {
  const lanes = laneNames(d);
  const order = [lanes.client, lanes.gateway, lanes.active, lanes.haproxy, lanes.backend, lanes.pod];
  const arrows = ladderArrows(f, d, hostNode).slice(0, 200);
  const spec = ladderSpec({
    lanes: order,
    arrows,
    title: arrows.length ? `both TCP connections, ${arrows.length} captured packets` : "no captured packets of the probe",
    width: 720,
    rowHeight: 20,
    color: "connection",
    tooltip: [{ field: "ms", title: "ms" }, "label", "connection", { field: "headers", title: "full headers" }],
  });
  return chart(spec, ladderSummary(order, arrows));
}

/** One bar of the flow timeline. */
export interface TimelineRow {
  node: string;
  flow: string;
  action: string;
  startMs: number;
  endMs: number;
  tcp: string;
  /** The entry's full headers: tuple, VRF, NAT rewrite, next hops (for tooltips). */
  headers: string;
}

/**
 * Rows of the flow-entry timeline: every flow of the walk (FIP pair, proxied pair, service NAT pair)
 * from first to last sighting, relative to the walk's start.
 *
 * @example
 * timelineRows(facts).map((r) => r.flow);
 */
export function timelineRows(f: Facts): TimelineRow[] {
  const pairs = [f.fip, f.proxy, f.svcNat, f.largeFip].filter((p) => !!p);
  const flows = pairs.flatMap((p) => [p!.forward, ...(p!.reverse ? [p!.reverse] : [])]);
  const t0 = f.obs.startedAt;
  const seen = new Set<string>();
  return flows
    .filter((x) => {
      const k = `${x.node}|${x.entry.index}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    })
    .map((x) => ({
      node: x.node,
      flow: `${x.node} ${x.entry.index} ${x.entry.srcIp}:${x.entry.srcPort}→${x.entry.dstIp}:${x.entry.dstPort}`,
      action: x.entry.action,
      startMs: x.firstSeen - t0,
      endMs: Math.max(x.lastSeen - t0, x.firstSeen - t0 + 1),
      tcp: x.tcpStates.join(" → "),
      headers: flowHeaders(x.entry),
    }));
}

/**
 * Flow-entry timeline across nodes (Gantt-style: one bar per flow entry, coloured by node).
 *
 * @example
 * show(flowTimeline(facts));
 */
export function flowTimeline(f: Facts): Chart {
  const values = timelineRows(f);
  return chart(
    {
      title: "flow entries seen during the walk",
      width: 640,
      height: Math.max(values.length, 1) * 22,
      data: { values },
      mark: { type: "bar", height: 14 },
      encoding: {
        y: { field: "flow", type: "nominal", sort: null, title: null },
        x: { field: "startMs", type: "quantitative", title: "ms since the walk started" },
        x2: { field: "endMs" },
        color: { field: "node", type: "nominal" },
        tooltip: [{ field: "flow" }, { field: "action" }, { field: "tcp" }, { field: "headers", title: "full headers" }],
      },
    },
    `flow timeline: ${values.length} entries on ${[...new Set(values.map((v) => v.node))].join(", ")}`,
  );
}

/** One segment of the latency breakdown. */
export interface LatencyRow {
  segment: string;
  ms: number;
  source: "probe" | "capture";
  /** The packets (full headers) that open and close the segment, or the probe's connection, for tooltips. */
  headers: string;
}

/**
 * The per-hop latency breakdown: connect / request / wait / transfer from the probe's timings, and
 * from the captures: client → active node, haproxy's think time, the backend's answer time, haproxy's
 * copy time.
 *
 * @example
 * latencyRows(facts, discovery); // [{ segment: "TCP connect", ms: 0.8, source: "probe" }, …]
 */
export function latencyRows(f: Facts, d: Discovery, hostNode: string | null): LatencyRow[] {
  const rows: LatencyRow[] = [];
  const ms = (x: number) => Math.round(x * 1000) / 1000;
  const p = f.probe;
  if (isHttp(p)) {
    const t = p.timings;
    const conn = `client connection from port ${p.local?.port ?? "?"} to ${p.url}`;
    if (t.connect !== null) rows.push({ segment: "TCP connect (client)", ms: ms(t.connect - (t.dns ?? 0)), source: "probe", headers: conn });
    if (t.sent !== null && t.connect !== null) rows.push({ segment: "request sent", ms: ms(t.sent - t.connect), source: "probe", headers: conn });
    if (t.firstByte !== null && t.sent !== null) rows.push({ segment: "wait for first byte", ms: ms(t.firstByte - t.sent), source: "probe", headers: conn });
    if (t.firstByte !== null) rows.push({ segment: "transfer", ms: ms(t.total - t.firstByte), source: "probe", headers: conn });
  }
  const cp = p?.local?.port;
  const found = new Map<number, Packet>();
  const first = (pred: (x: Packet) => boolean) => {
    const x = f.packets.find(pred);
    if (x) found.set(x.at, x);
    return x?.at;
  };
  const isReq = (x: Packet) => /^[A-Z]+ /.test(httpText(x) ?? "");
  const isResp = (x: Packet) => (httpText(x) ?? "").startsWith("HTTP/");
  const hostReq = first((x) => x.node === hostNode && x.srcPort === cp && isReq(x));
  const greReq = first((x) => x.node === d.activeNode && x.tunnel === "MPLSoGRE" && x.srcPort === cp && isReq(x));
  const udpReq = first((x) => x.node === d.activeNode && x.tunnel === "MPLSoUDP" && x.srcPort === d.ingressPort && isReq(x));
  const udpResp = first((x) => x.node === d.activeNode && x.tunnel === "MPLSoUDP" && x.dstPort === d.ingressPort && isResp(x));
  const greResp = first((x) => x.node === d.activeNode && x.tunnel === "MPLSoGRE" && x.dstPort === cp && isResp(x));
  const hostResp = first((x) => x.node === hostNode && x.dstPort === cp && isResp(x));
  const seg = (name: string, a?: number, b?: number) => {
    if (a !== undefined && b !== undefined && b >= a) {
      rows.push({ segment: name, ms: ms(b - a), source: "capture", headers: `from: ${packetHeaders(found.get(a)!)} — to: ${packetHeaders(found.get(b)!)}` });
    }
  };
  seg("client → active node (gateway, MPLSoGRE)", hostReq, greReq);
  seg("haproxy think time (request in → new request out)", greReq, udpReq);
  seg("service + backend pod (request out → response in)", udpReq, udpResp);
  seg("haproxy copies the response", udpResp, greResp);
  seg("active node → client (MPLSoGRE, gateway)", greResp, hostResp);
  return rows;
}

/**
 * Per-hop latency bar chart.
 *
 * @example
 * show(latencyBreakdown(facts, discovery, "internet-host"));
 */
export function latencyBreakdown(f: Facts, d: Discovery, hostNode: string | null): Chart {
  const values = latencyRows(f, d, hostNode);
  return chart(
    {
      title: "per-hop latency",
      width: 560,
      data: { values },
      mark: "bar",
      encoding: {
        y: { field: "segment", type: "nominal", sort: null, title: null },
        x: { field: "ms", type: "quantitative", title: "ms" },
        color: { field: "source", type: "nominal" },
        tooltip: [{ field: "segment" }, { field: "ms" }, { field: "source" }, { field: "headers", title: "full headers" }],
      },
    },
    `latency: ${values.map((v) => `${v.segment} ${v.ms.toFixed(1)} ms`).join("; ") || "no timings"}`,
  );
}
