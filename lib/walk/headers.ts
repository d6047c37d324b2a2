/**
 * The packet at every hop: for the walked connection, one row per hop and direction (Internet host →
 * gateway → FIP NAT → haproxy → overlay → service NAT → pod, and back) with the outer header (tunnel
 * source/destination, tunnel kind, MPLS label), the inner addresses and ports and the TCP connection
 * (the client's or haproxy's). Every field that changed at a hop is marked with the reason
 * (`DNAT 101.101.101.1 → 10.47.255.238 (flow 394338, Action:N(D))`), and every cell names the evidence
 * it comes from (stage id + evidence title). Built only from what the walk gathered: the discovered
 * values, the stages' flow rows, routes and captured frames (pybatfish's traceroute transformation
 * steps, for a live walk).
 */
import * as aq from "arquero";
import { chart, type Chart } from "../display/chart";
import { textTable } from "../display/table";
import type { WalkContext } from "./context";
import { checkBackend, checkClient, checkFipNat, checkGateway, checkOverlay, checkProxy, checkServiceNat } from "./stages-forward";
import { checkReturnClient, checkReturnOverlay, checkReturnProxy } from "./stages-return";
import type { Cell, Direction, Discovery, Evidence, StageId, StageResult, WalkParams } from "./types";

/** The header fields of a hop row, in display order. */
export const HEADER_FIELDS = ["outerSrc", "outerDst", "tunnel", "label", "src", "sport", "dst", "dport", "connection"] as const;
/** One header field. */
export type HeaderField = (typeof HEADER_FIELDS)[number];

/** Where a value came from: a stage and the title of one of its evidence tables. */
export interface EvidenceLink {
  stage: StageId;
  title: string;
}

/** One field that changed at a hop. */
export interface HeaderChange {
  field: HeaderField;
  from: Cell;
  to: Cell;
  /** Why, in the chapter's words (`DNAT 101.101.101.1 → 10.47.255.238 (flow 394338, Action:N(D))`). */
  reason: string;
  evidence: EvidenceLink | null;
}

/** The packet's headers as they leave one hop. */
export interface HopHeaders {
  /** 1-based row number (forward rows first). */
  step: number;
  direction: Direction;
  /** `gateway → cent222 (MPLSoGRE)`. */
  hop: string;
  /** Where the change happens (null when unknown). */
  node: string | null;
  /** The walk stage that checks this hop. */
  stage: StageId;
  values: Record<HeaderField, Cell>;
  /** The fields changed at this hop (in {@link HEADER_FIELDS} order). */
  changed: HeaderField[];
  changes: HeaderChange[];
  /** Each cell's evidence: the hop that set the value (carried along until it changes). */
  evidence: Record<HeaderField, EvidenceLink | null>;
}

/** What the header rows are built from: a {@link import("./report").WalkReport} has all three. */
export interface HeaderSource {
  params: Pick<WalkParams, "fip" | "fipPort">;
  discovery: Discovery;
  stages: readonly StageResult[];
}

/** A flat row of the header table (arquero / text). */
export interface HeaderRow {
  step: number;
  direction: Direction;
  hop: string;
  node: string;
  stage: StageId;
  outer: string;
  tunnel: string;
  label: string;
  inner: string;
  connection: string;
  changed: string;
  why: string;
  evidence: string;
}

const show = (v: Cell): string => (v === null || v === undefined || v === "" ? "-" : String(v));

function evidenceOfStage(stages: readonly StageResult[], id: StageId, title: RegExp): { link: EvidenceLink | null; ev: Evidence | null } {
  const s = stages.find((x) => x.id === id);
  if (!s) return { link: null, ev: null };
  const ev = s.evidence.find((e) => title.test(e.title)) ?? null;
  return { link: { stage: id, title: ev?.title ?? `stage ${s.step}: ${s.title}` }, ev };
}

function rowOf(ev: Evidence | null, role: string): Record<string, Cell> | null {
  return ev?.rows.find((r) => r.role === role) ?? null;
}

function firstLabel(ev: Evidence | null): number | null {
  for (const r of ev?.rows ?? []) {
    const v = r.labels ?? r.label;
    const n = typeof v === "number" ? v : parseInt(String(v ?? ""), 10);
    if (Number.isFinite(n)) return n;
  }
  return null;
}

/**
 * The packet's headers at every hop of the walked connection, from a walk's parameters, discovered
 * values and stage results (pure: a finished {@link import("./report").WalkReport} is a source).
 *
 * @example
 * const hops = headerHops(report);
 * hops.find((h) => h.stage === "fip-nat")!.changes[0].reason;
 * // "DNAT 101.101.101.1 → 10.47.255.238 (flow 394338, Action:N(D))"
 */
export function headerHops(src: HeaderSource): HopHeaders[] {
  const d = src.discovery;
  const st = src.stages;
  const fip = src.params.fip;
  const fipPort = src.params.fipPort;
  const activeIp = d.activeNode ? (Object.entries(d.fabricIps).find(([, n]) => n === d.activeNode)?.[0] ?? d.protocolNextHop) : d.protocolNextHop;
  const backendIp = d.backendNode ? (Object.entries(d.fabricIps).find(([, n]) => n === d.backendNode)?.[0] ?? null) : null;
  const active = d.activeNode ?? "the active node";
  const backend = d.backendNode ?? "the backend node";

  const fipEv = evidenceOfStage(st, "fip-nat", /^FIP flow pair/);
  const fipFwd = rowOf(fipEv.ev, "FIP forward");
  const fipRev = rowOf(fipEv.ev, "FIP reverse");
  const gwEv = evidenceOfStage(st, "gateway", /route|MPLSoGRE/i);
  const gwCap = evidenceOfStage(st, "gateway", /^MPLSoGRE frames/);
  const proxyEv = evidenceOfStage(st, "proxy", /^haproxy's connection/);
  const proxyFwd = proxyEv.ev?.rows[0] ?? null;
  const routeEv = evidenceOfStage(st, "overlay", /^route to /);
  const udpCap = evidenceOfStage(st, "service-nat", /^MPLSoUDP frames/);
  const svcEv = evidenceOfStage(st, "service-nat", /^service NAT pair/);
  const svcFwd = rowOf(svcEv.ev, "service forward");
  const svcRev = rowOf(svcEv.ev, "service reverse");
  const backEv = evidenceOfStage(st, "backend", /./);
  const retUdp = evidenceOfStage(st, "return-overlay", /^MPLSoUDP frames from/);
  const retPod = evidenceOfStage(st, "return-overlay", /^pod reply/);
  const retFip = evidenceOfStage(st, "return-proxy", /^FIP reverse flow/);
  const retGre = evidenceOfStage(st, "return-client", /^MPLSoGRE frames toward/);
  const retRoute = evidenceOfStage(st, "return-client", /^route to /);
  const clientEv = evidenceOfStage(st, "client", /^probe/);

  const gwLoopback = (fipFwd?.sinfo as string | null) ?? null;
  const gwLabel = d.gatewayLabel ?? firstLabel(gwCap.ev);
  const svcLabel = d.serviceLabel ?? firstLabel(udpCap.ev);
  const retUdpLabel = firstLabel(retUdp.ev);
  const retGreLabel = firstLabel(retGre.ev) ?? firstLabel(retRoute.ev);
  const flowText = (r: Record<string, Cell> | null) => (r ? `flow ${r.index}, Action:${r.action}` : "flow not seen");

  const out: HopHeaders[] = [];
  let cur: Record<HeaderField, Cell> = { outerSrc: null, outerDst: null, tunnel: null, label: null, src: null, sport: null, dst: null, dport: null, connection: null };
  let srcOf: Record<HeaderField, EvidenceLink | null> = { outerSrc: null, outerDst: null, tunnel: null, label: null, src: null, sport: null, dst: null, dport: null, connection: null };
  type Set = [HeaderField, Cell, string, EvidenceLink | null];
  const hop = (direction: Direction, name: string, node: string | null, stage: StageId, sets: Set[]) => {
    const next = { ...cur };
    const nextSrc = { ...srcOf };
    const changes: HeaderChange[] = [];
    for (const [field, value, reason, ev] of sets) {
      nextSrc[field] = ev;
      if (out.length > 0 && next[field] !== value) changes.push({ field, from: next[field], to: value, reason, evidence: ev });
      next[field] = value;
    }
    cur = next;
    srcOf = nextSrc;
    changes.sort((a, b) => HEADER_FIELDS.indexOf(a.field) - HEADER_FIELDS.indexOf(b.field));
    out.push({ step: out.length + 1, direction, hop: name, node, stage, values: { ...next }, changed: changes.map((c) => c.field), changes, evidence: { ...nextSrc } });
  };
  const decap = (why: string, ev: EvidenceLink | null): Set[] => [
    ["outerSrc", null, why, ev], ["outerDst", null, why, ev], ["tunnel", null, why, ev], ["label", null, why, ev],
  ];

  // Forward.
  const cl = clientEv.link;
  const sent = `the Internet host's request`;
  hop("forward", "Internet host → gateway", st.find((s) => s.id === "client")?.node ?? null, "client", [
    ["src", d.clientIp, sent, cl], ["sport", d.clientPort, sent, cl], ["dst", fip, sent, cl], ["dport", fipPort, sent, cl], ["connection", "client", sent, cl],
  ]);
  const enc = `MPLSoGRE to ${active} (gateway route ${fip}/32${d.gatewayVrf ? ` in ${d.gatewayVrf}` : ""}: protocol next hop ${show(d.protocolNextHop)}, push label ${show(gwLabel)})`;
  hop("forward", `gateway → ${active} (MPLSoGRE)`, d.gatewayNode, "gateway", [
    ["outerSrc", gwLoopback, enc, gwEv.link], ["outerDst", d.protocolNextHop, enc, gwEv.link], ["tunnel", "MPLSoGRE", enc, gwEv.link], ["label", gwLabel, enc, gwEv.link],
  ]);
  const dnat = `DNAT ${fip} → ${show(d.ingressPodIp)} (${flowText(fipFwd)})`;
  hop("forward", `${active}: floating IP NAT → haproxy`, d.activeNode, "fip-nat", [
    ...decap(`decapsulated on ${active}: label ${show(gwLabel)} → the ingress pod's interface`, gwEv.link),
    ["dst", d.ingressPodIp, dnat, fipEv.link], ["dport", d.ingressPodPort ?? fipPort, `DPAT ${fipPort} → ${show(d.ingressPodPort)} (${flowText(fipFwd)})`, fipEv.link],
  ]);
  const prox = `haproxy proxies: a new TCP connection from the ingress pod (${proxyFwd ? `flow ${proxyFwd.index}` : "flow not seen"})`;
  hop("forward", `haproxy (${show(d.ingressPodIp)}) → service`, d.activeNode, "proxy", [
    ["src", d.ingressPodIp, prox, proxyEv.link], ["sport", d.ingressPort, prox, proxyEv.link], ["dst", d.serviceIp, prox, proxyEv.link], ["dport", d.servicePort, prox, proxyEv.link],
    ["connection", "haproxy", prox, proxyEv.link],
  ]);
  const local = d.backendNode !== null && d.backendNode === d.activeNode;
  if (!local) {
    const udp = `MPLSoUDP to ${backend} (route ${show(d.serviceIp)}/32 in VRF ${show(d.podVrf)}: label ${show(svcLabel)}, tunnel ${show(activeIp)} → ${show(backendIp)})`;
    hop("forward", `${active} → ${backend} (MPLSoUDP)`, d.activeNode, "overlay", [
      ["outerSrc", activeIp, udp, routeEv.link], ["outerDst", backendIp, udp, routeEv.link], ["tunnel", "MPLSoUDP", udp, routeEv.link], ["label", svcLabel, udp, routeEv.link],
    ]);
  }
  const svcDnat = `DNAT+DPAT ${show(d.serviceIp)}:${show(d.servicePort)} → ${show(d.backendPodIp)}:${show(d.backendPodPort)} (${flowText(svcFwd)})`;
  hop("forward", `${backend}: service NAT → pod`, d.backendNode, "service-nat", [
    ...(local ? [] : decap(`decapsulated on ${backend}: label ${show(svcLabel)} → the pod's interface`, routeEv.link)),
    ["dst", d.backendPodIp, svcDnat, svcEv.link], ["dport", d.backendPodPort, svcDnat, svcEv.link],
  ]);
  // Return.
  const reply = `the pod replies on haproxy's connection`;
  hop("return", `pod (${show(d.backendPodIp)}) → ${backend}`, d.backendNode, "backend", [
    ["src", d.backendPodIp, reply, backEv.link], ["sport", d.backendPodPort, reply, backEv.link], ["dst", d.ingressPodIp, reply, backEv.link], ["dport", d.ingressPort, reply, backEv.link],
  ]);
  const snat = `SNAT+SPAT ${show(d.backendPodIp)}:${show(d.backendPodPort)} → ${show(d.serviceIp)}:${show(d.servicePort)} (${flowText(svcRev)})`;
  const udpBack = `MPLSoUDP back to ${active} (label ${show(retUdpLabel)} = the ingress pod on ${active})`;
  hop("return", local ? `${backend}: service un-NAT` : `${backend} → ${active} (MPLSoUDP)`, d.backendNode, "return-overlay", [
    ...(local ? [] : ([
      ["outerSrc", backendIp, udpBack, retUdp.link ?? retPod.link], ["outerDst", activeIp, udpBack, retUdp.link ?? retPod.link], ["tunnel", "MPLSoUDP", udpBack, retUdp.link ?? retPod.link],
      ["label", retUdpLabel, udpBack, retUdp.link ?? retPod.link],
    ] as Set[])),
    ["src", d.serviceIp, snat, svcEv.link], ["sport", d.servicePort, snat, svcEv.link],
  ]);
  const copy = `haproxy copies the response into the client's connection`;
  hop("return", `haproxy → client connection`, d.activeNode, "return-proxy", [
    ...(local ? [] : decap(`decapsulated on ${active}: label ${show(retUdpLabel)} → the ingress pod's interface`, retUdp.link ?? retPod.link)),
    ["src", d.ingressPodIp, copy, retFip.link], ["sport", d.ingressPodPort ?? fipPort, copy, retFip.link], ["dst", d.clientIp, copy, retFip.link], ["dport", d.clientPort, copy, retFip.link],
    ["connection", "client", copy, retFip.link],
  ]);
  const fipSnat = `SNAT ${show(d.ingressPodIp)} → ${fip} (${flowText(fipRev)})`;
  const gre = `MPLSoGRE to the gateway (route ${show(d.clientIp)} in VRF ${show(d.fipVrf)}: label ${show(retGreLabel)})`;
  const greLink = retGre.link ?? retRoute.link;
  hop("return", `${active}: SNAT to the FIP → gateway (MPLSoGRE)`, d.activeNode, "return-proxy", [
    ["outerSrc", activeIp, gre, greLink], ["outerDst", gwLoopback, gre, greLink], ["tunnel", "MPLSoGRE", gre, greLink], ["label", retGreLabel, gre, greLink],
    ["src", fip, fipSnat, fipEv.link], ["sport", fipPort, `SPAT ${show(d.ingressPodPort)} → ${fipPort} (${flowText(fipRev)})`, fipEv.link],
  ]);
  const gwOut = evidenceOfStage(st, "return-client", /^probes/).link;
  hop("return", "gateway → Internet host", d.gatewayNode, "return-client", decap("decapsulated at the gateway, routed to the client", gwOut));
  return out;
}

/**
 * The flat rows of the header table: outer and inner headers as text, the changed fields, the reasons
 * and the evidence (`fip-nat: FIP flow pair on cent222`).
 *
 * @example
 * headerRows(headerHops(report))[2].why; // "DNAT 101.101.101.1 → 10.47.255.238 (flow 394338, Action:N(D)); …"
 */
export function headerRows(hops: readonly HopHeaders[]): HeaderRow[] {
  return hops.map((h) => {
    const v = h.values;
    const mark = (f: HeaderField, text: string) => (h.changed.includes(f) ? `*${text}*` : text);
    const outer = v.outerSrc === null && v.outerDst === null ? mark("outerSrc", "-") : `${mark("outerSrc", show(v.outerSrc))} → ${mark("outerDst", show(v.outerDst))}`;
    const links = new Map<string, EvidenceLink>();
    for (const c of h.changes) if (c.evidence) links.set(`${c.evidence.stage}: ${c.evidence.title}`, c.evidence);
    if (links.size === 0) for (const e of Object.values(h.evidence)) if (e) links.set(`${e.stage}: ${e.title}`, e);
    return {
      step: h.step, direction: h.direction, hop: h.hop, node: h.node ?? "", stage: h.stage, outer,
      tunnel: mark("tunnel", show(v.tunnel)), label: mark("label", show(v.label)),
      inner: `${mark("src", show(v.src))}:${mark("sport", show(v.sport))} → ${mark("dst", show(v.dst))}:${mark("dport", show(v.dport))}`,
      connection: mark("connection", show(v.connection)),
      changed: h.changed.join(", "),
      why: [...new Set(h.changes.map((c) => c.reason))].join("; "),
      evidence: [...links.keys()].join("; "),
    };
  });
}

/**
 * The header table as an arquero table (changed cells marked `*…*`).
 *
 * @example
 * show(headerTable(headerHops(report)));
 */
export function headerTable(hops: readonly HopHeaders[]): aq.ColumnTable {
  return aq.from(headerRows(hops));
}

/**
 * Plain-text header table (for terminals and chart fallbacks).
 *
 * @example
 * console.log(headerText(headerHops(report)));
 */
export function headerText(hops: readonly HopHeaders[]): string {
  return textTable(["step", "hop", "outer", "tunnel", "label", "inner", "connection", "why"], headerRows(hops) as unknown as Record<string, Cell>[], 70);
}

/**
 * The full headers of one hop in one line, for tooltips (`outer 192.168.0.204 → 10.169.25.20 MPLSoGRE
 * label 20 | inner 15.15.15.2:37444 → 101.101.101.1:80 | client connection`).
 *
 * @example
 * headerLine(hops[1]);
 */
export function headerLine(h: Pick<HopHeaders, "values">): string {
  const v = h.values;
  const outer = v.tunnel ? `outer ${show(v.outerSrc)} → ${show(v.outerDst)} ${v.tunnel} label ${show(v.label)} | ` : "";
  return `${outer}inner ${show(v.src)}:${show(v.sport)} → ${show(v.dst)}:${show(v.dport)} | ${show(v.connection)} connection`;
}

/**
 * The header chart (vega-lite v5 through `chart()`, with SVG / PNG / text fallbacks): one row per hop,
 * one column per header field; changed cells are coloured, and every cell's tooltip gives the full
 * headers, the reason of the change and its evidence.
 *
 * @example
 * show(headerChart(headerHops(report)));
 */
export function headerChart(hops: readonly HopHeaders[]): Chart {
  const cols = HEADER_FIELDS;
  const values = hops.flatMap((h) =>
    cols.map((f) => {
      const c = h.changes.find((x) => x.field === f);
      const e = c?.evidence ?? h.evidence[f];
      return {
        row: `${String(h.step).padStart(2, "0")} ${h.direction === "forward" ? "→" : "←"} ${h.hop}`,
        field: f, value: show(h.values[f]), changed: c ? "changed here" : "carried",
        reason: c?.reason ?? "", headers: headerLine(h), evidence: e ? `${e.stage}: ${e.title}` : "",
      };
    }),
  );
  const tooltip = [{ field: "row", title: "hop" }, { field: "field" }, { field: "value" }, { field: "reason", title: "why" }, { field: "headers", title: "full headers" }, { field: "evidence" }];
  return chart(
    {
      title: "the packet's headers at every hop (changed fields coloured)",
      width: cols.length * 96,
      height: Math.max(hops.length, 1) * 24,
      data: { values },
      encoding: {
        y: { field: "row", type: "nominal", sort: null, title: null, axis: { labelLimit: 320 } },
        x: { field: "field", type: "nominal", sort: [...cols], title: null, axis: { orient: "top", labelAngle: 0 } },
      },
      layer: [
        {
          mark: { type: "rect", stroke: "#fff" },
          encoding: { color: { field: "changed", type: "nominal", scale: { domain: ["changed here", "carried"], range: ["#ffcc80", "#f5f5f5"] }, legend: { title: null } }, tooltip },
        },
        { mark: { type: "text", fontSize: 9 }, encoding: { text: { field: "value" }, tooltip } },
      ],
    },
    `headers at ${hops.length} hops; changes: ${hops.filter((h) => h.changes.length).map((h) => `${h.step} ${h.changed.join("+")}`).join(", ")}`,
  );
}

/** The stage checks in walk order, for {@link headers} (stage results are memoised on the context). */
const CHECKS = [checkClient, checkGateway, checkFipNat, checkProxy, checkOverlay, checkServiceNat, checkBackend, checkReturnOverlay, checkReturnProxy, checkReturnClient];

/**
 * The packet's headers at every hop for a walk context: runs (or reuses, the steps are memoised)
 * every stage check, then builds the rows with {@link headerHops}. `table` and `chart` are ready to
 * `show()`.
 *
 * @example
 * const h = await walk.headers(ctx);
 * show(h.table); show(h.chart);
 * h.hops[2].changes[0].reason; // "DNAT 101.101.101.1 → 10.47.255.238 (flow 394338, Action:N(D))"
 */
export async function headers(ctx: WalkContext, stages?: readonly StageResult[]): Promise<{ hops: HopHeaders[]; table: aq.ColumnTable; chart: Chart; text: string }> {
  const done = stages ?? (await (async () => {
    const out: StageResult[] = [];
    for (const c of CHECKS) out.push(await c(ctx));
    return out;
  })());
  const hops = headerHops({ params: ctx.params, discovery: ctx.discovery, stages: done });
  return { hops, table: headerTable(hops), chart: headerChart(hops), text: headerText(hops) };
}
