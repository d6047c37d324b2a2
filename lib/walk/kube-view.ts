/**
 * The Kubernetes view of a walk: what the API says the request should follow (the ingress rule for the
 * FIP and Host header, its service, the service's endpoints ready and not ready, their pods and nodes),
 * beside what the walk saw (the flows that carried each endpoint's IP, the vRouter's route to each
 * endpoint on its node), with findings where they disagree.
 *
 * A view beside the stages, not a stage: the stages are the packet's hops in walk order, each judged
 * from forwarding evidence; the API is the cluster's intent, a different kind of evidence that spans
 * several hops (the ingress at stage 3/4, the service at 5, the endpoints at 6/7). Its findings sit
 * beside the stage table and do not change the walk's verdict or step numbers (drills, notes and the
 * header table keep them). It is built only when the inventory has a `kubernetes` section (or the walk
 * replays a recording that holds API reads), and says so otherwise.
 */
import { kubeChain, type ChainEndpoint, type KubeChain } from "../kube/chain";
import { kubeTargetOf, openKubeApi, type KubeTarget } from "../kube/client";
import { kubeFindings, type EndpointRoute, type ForwardingEvidence, type KubeFinding } from "../kube/findings";
import { kubeObjects } from "../kube/objects";
import { readCluster } from "../kube/read";
import { kubeRecorder, replayKube } from "../kube/record";
import type { KubeReadError, KubeSnapshot } from "../kube/types";
import { nodesOf, once, type WalkContext } from "./context";
import { fabricMap } from "./discover";
import { derived } from "./exec";
import { facts } from "./facts";
import { serviceRoute } from "./route";
import type { Cell, Evidence } from "./types";

/** Endpoints whose route is looked up on their node (the walked one and unready ones first). */
const MAX_ROUTE_CHECKS = 16;

/** One endpoint row of the view: the API's facts beside the walk's. */
export interface KubeEndpointRow {
  ip: string;
  port: number | null;
  ready: boolean;
  pod: string | null;
  podReady: string | null;
  node: string | null;
  nodeIp: string | null;
  /** Flows of the walk that carried this IP (0: none reached it). */
  flows: number;
  packets: number;
  /** Whether this is the pod the walk's service NAT chose. */
  walked: boolean;
  /** The vRouter route to the IP on its node: `ok: …`, `NO ROUTE: …`, or `not checked: …`. */
  route: string;
}

/** The Kubernetes view of one walk. */
export interface KubeView {
  /** `ok` every read succeeded; `partial` some were refused; `unavailable` none could be used; `off` no `kubernetes` section. */
  status: "ok" | "partial" | "unavailable" | "off";
  /** One sentence: where the view came from, or why there is none. */
  note: string;
  server: string | null;
  context: string | null;
  /** ISO time of the API reads. */
  readAt: string | null;
  chain: KubeChain | null;
  endpoints: KubeEndpointRow[];
  findings: KubeFinding[];
  /** Failed API reads, each naming what was refused. */
  errors: KubeReadError[];
  /** Evidence tables (rows + source), as the stages carry them. */
  evidence: Evidence[];
}

/** The `kubernetes` section of an inventory (`{ kubeconfig?, context? }`), if any. */
function kubeSection(ctx: WalkContext): KubeTarget | null {
  const k = ctx.inventory.kubernetes;
  if (!k || typeof k !== "object") return null;
  return kubeTargetOf(ctx.inventory);
}

function off(status: KubeView["status"], note: string, errors: KubeReadError[] = []): KubeView {
  return { status, note, server: null, context: null, readAt: null, chain: null, endpoints: [], findings: [], errors, evidence: [] };
}

/** The API reads of this walk: replayed, or read live (and recorded); null with the reason when there are none. */
async function snapshotOf(ctx: WalkContext): Promise<{ snap: KubeSnapshot | null; why: KubeView | null }> {
  if (ctx.replay) {
    const snap = replayKube(ctx.replay);
    return snap ? { snap, why: null } : { snap: null, why: off("off", "no Kubernetes view: the recording holds no reads of the Kubernetes API") };
  }
  const target = kubeSection(ctx);
  if (!target) return { snap: null, why: off("off", "no Kubernetes view: the inventory has no `kubernetes` section (add `kubernetes: { kubeconfig, context }`, or write the inventory with `packetwalk discover`)") };
  try {
    const api = await openKubeApi(target);
    const snap = await readCluster(api, { signal: ctx.signal, resources: ["nodes", "pods", "services", "endpointslices", "endpoints", "ingresses"], ...(ctx.record ? { onRead: kubeRecorder(ctx.record, api) } : {}) });
    return { snap, why: null };
  } catch (e) {
    return { snap: null, why: off("unavailable", `no Kubernetes view: ${(e as Error).message}`) };
  }
}

/** The route to an endpoint's IP on its node: the pod's vif (`vif --list`) gives the VRF, then `rt --get`. */
async function endpointRoute(ctx: WalkContext, e: ChainEndpoint): Promise<{ route: EndpointRoute; evidence: Evidence[] } | null> {
  if (!e.node || !nodesOf(ctx, "compute").some((n) => n.name === e.node)) return null;
  const fm = await fabricMap(ctx);
  if (fm.unreachable[e.node]) return { route: { node: e.node, vrf: null, ok: false, unreachable: true, detail: fm.unreachable[e.node] }, evidence: [] };
  const vif = (fm.vifs[e.node] ?? []).find((v) => v.ipAddr === e.ip);
  if (!vif || vif.vrf === null) return { route: { node: e.node, vrf: null, ok: false, detail: `no vif on ${e.node} holds ${e.ip} (vif --list): the vRouter has no interface for the pod` }, evidence: [] };
  const r = await serviceRoute(ctx, e.node, e.ip, vif.vrf, null);
  if (r.unreachable) return { route: { node: e.node, vrf: vif.vrf, ok: false, unreachable: true, detail: r.missing ?? "no answer" }, evidence: r.evidence };
  if (!r.target) return { route: { node: e.node, vrf: vif.vrf, ok: false, detail: r.missing ?? "no route" }, evidence: r.evidence };
  const t = r.target;
  if (!t.local) return { route: { node: e.node, vrf: vif.vrf, ok: false, detail: `the route leads away (${t.tunnelType ?? t.nhType} to ${t.dip ?? "?"}${t.node ? ` = ${t.node}` : ""}), not to the pod's vif ${vif.index} on this node` }, evidence: r.evidence };
  if (t.oif !== null && t.oif !== vif.index) return { route: { node: e.node, vrf: vif.vrf, ok: false, detail: `the route's next hop ${t.nh} leads to vif ${t.oif}, not the pod's vif ${vif.index}` }, evidence: r.evidence };
  return { route: { node: e.node, vrf: vif.vrf, ok: true, detail: `${t.route} → nh ${t.nh} ${t.nhType} → vif ${vif.index} (${vif.name})` }, evidence: r.evidence };
}

/**
 * The walk's Kubernetes view (memoised on the context): reads the API (or the recording), joins the
 * chain for the walk's FIP, Host header and path, looks up each endpoint's route on its node and
 * compares with the walk's flows. Never throws: API trouble is in `status`, `note` and `errors`.
 *
 * @example
 * const v = await kubeView(ctx);
 * v.chain?.service?.name;                       // "webservice"
 * v.findings.filter((f) => f.severity === "error").map((f) => f.message);
 */
export function kubeView(ctx: WalkContext): Promise<KubeView> {
  return once(ctx, "kubeView", async () => {
    const { snap, why } = await snapshotOf(ctx);
    if (!snap) return why!;
    const o = kubeObjects(snap);
    const errors = o.errors;
    const usable = snap.reads.some((r) => r.items !== null);
    if (!usable) return { ...off("unavailable", `no Kubernetes view: ${errors[0]?.message ?? "nothing could be read"}`, errors), server: snap.server, context: snap.context };
    const { fip, hostHeader, path: reqPath } = ctx.params;
    const chain = kubeChain(o, { fip, host: hostHeader, path: reqPath });
    const f = await facts(ctx);
    const flowsByIp: ForwardingEvidence["flowsByIp"] = {};
    for (const e of chain.endpoints) {
      const hits = f.flows.filter((x) => x.entry.srcIp === e.ip || x.entry.dstIp === e.ip);
      flowsByIp[e.ip] = { flows: hits.length, packets: hits.reduce((n, x) => n + x.packets, 0), nodes: [...new Set(hits.map((x) => x.node))] };
    }
    const routes: Record<string, EndpointRoute> = {};
    const evidence: Evidence[] = [];
    // Two commands per endpoint: a large service gets its walked, unready and first endpoints checked.
    const order = [...chain.endpoints].sort((a, b) => Number(b.ip === ctx.discovery.backendPodIp) - Number(a.ip === ctx.discovery.backendPodIp) || Number(a.ready) - Number(b.ready));
    const skipped = new Set(order.slice(MAX_ROUTE_CHECKS).map((e) => e.ip));
    for (const e of order.slice(0, MAX_ROUTE_CHECKS)) {
      const r = await endpointRoute(ctx, e);
      if (!r) continue;
      routes[e.ip] = r.route;
      evidence.push(...r.evidence);
    }
    const d = ctx.discovery;
    const findings = kubeFindings(chain, {
      // Every request the walk sent reaches one endpoint (the large-response probe too).
      probes: Math.max(ctx.params.probes, f.obs.probes.length), serviceIp: d.serviceIp, backendPodIp: d.backendPodIp, backendNode: d.backendNode, flowsByIp, routes, routesLimited: [...skipped],
      apiErrors: errors.map((x) => x.message),
    });
    const endpoints: KubeEndpointRow[] = chain.endpoints.map((e) => {
      const r = routes[e.ip];
      return {
        ip: e.ip, port: e.targetPort, ready: e.ready, pod: e.pod, podReady: e.podReady, node: e.node, nodeIp: e.nodeIp,
        flows: flowsByIp[e.ip]?.flows ?? 0, packets: flowsByIp[e.ip]?.packets ?? 0, walked: d.backendPodIp === e.ip,
        route: r ? (r.ok ? `ok: ${r.detail}` : r.unreachable ? `not checked: ${r.detail}` : `NO ROUTE: ${r.detail}`) : skipped.has(e.ip) ? `not checked: only ${MAX_ROUTE_CHECKS} endpoints' routes are looked up` : `not checked: ${e.node ?? "no node"} is not a compute node of the inventory`,
      };
    });
    const at = new Date(snap.startedAt).toISOString();
    const api = `kubernetes API ${snap.server}`;
    const ing = chain.ingress;
    evidence.unshift(
      derived("ingress rule for the request", ing ? [{ ingress: `${ing.namespace}/${ing.name}`, host: chain.rule?.host ?? "*", path: chain.rule?.path ?? "(default backend)", pathType: chain.rule?.pathType ?? "", service: chain.rule?.service ?? ing.defaultBackend?.service ?? "", port: String(chain.rule?.port ?? ing.defaultBackend?.port ?? ""), statusIps: ing.statusIps.join(", "), fipInStatus: chain.statusHasFip }] : [], null, `${api}: list ingresses`),
      derived("service", chain.service ? [{ service: `${chain.service.namespace}/${chain.service.name}`, type: chain.service.type, clusterIp: chain.service.clusterIp ?? "", port: chain.servicePort?.port ?? null, targetPort: String(chain.servicePort?.targetPort ?? ""), walkServiceIp: d.serviceIp ?? "" }] : [], null, `${api}: list services`),
      derived("endpoints, pods and nodes (API) beside the walk's flows and routes", endpoints as unknown as Record<string, Cell>[], null, `${api}: list ${o.endpointSource ?? "endpoints"}, pods, nodes; flow -l; rt --get`),
    );
    const status: KubeView["status"] = errors.length ? "partial" : "ok";
    const note = `Kubernetes view from ${snap.server} (context ${snap.context}) read at ${at}${ctx.replay ? " (replayed from the recording)" : ""}${errors.length ? `; partial: ${errors.length} read${errors.length > 1 ? "s" : ""} failed` : ""}`;
    return { status, note, server: snap.server, context: snap.context, readAt: at, chain, endpoints, findings, errors, evidence };
  });
}

const MARK: Record<KubeFinding["severity"], string> = { error: "✘", warning: "!", info: "i" };

/**
 * The view as plain text (the CLI prints it under the stage table).
 *
 * @example
 * console.log(kubeViewText(await kubeView(ctx)));
 */
export function kubeViewText(v: KubeView): string {
  const lines = [`Kubernetes view: ${v.note}`];
  for (const e of v.errors) lines.push(`  refused: ${e.message}`);
  const c = v.chain;
  if (!c) return lines.join("\n");
  if (c.ingress) lines.push(`  ingress ${c.ingress.namespace}/${c.ingress.name}: ${c.rule ? `${c.rule.host ?? "*"} ${c.rule.path} (${c.rule.pathType})` : "default backend"} → service ${c.service ? `${c.service.namespace}/${c.service.name} ${c.service.clusterIp ?? "(headless)"}:${c.servicePort?.port ?? "?"}` : "(missing)"}; status ${c.ingress.statusIps.join(", ") || "(none)"}`);
  for (const e of v.endpoints) {
    lines.push(`  endpoint ${e.ip}:${e.port ?? "?"} ${e.ready ? "ready" : "NOT READY"} pod ${e.pod ?? "?"} on ${e.node ?? "?"}${e.walked ? " [walked]" : ""}: ${e.flows} flow${e.flows === 1 ? "" : "s"}; route ${e.route}`);
  }
  if (v.findings.length === 0) lines.push("  the API and the forwarding agree");
  for (const f of v.findings) lines.push(`  ${MARK[f.severity]} ${f.severity}: ${f.message}`);
  return lines.join("\n");
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}

/**
 * The view as HTML (the walk report's section: chain, endpoint table, findings).
 *
 * @example
 * html += kubeViewHtml(report.kubernetes);
 */
export function kubeViewHtml(v: KubeView): string {
  const colour = { error: "#c62828", warning: "#ef6c00", info: "#616161" } as const;
  const parts = [`<h4>Kubernetes view</h4><p>${esc(v.note)}</p>`];
  if (v.errors.length) parts.push(`<ul>${v.errors.map((e) => `<li>refused: ${esc(e.message)}</li>`).join("")}</ul>`);
  const c = v.chain;
  if (c?.ingress) {
    parts.push(`<p>ingress <b>${esc(`${c.ingress.namespace}/${c.ingress.name}`)}</b> ${esc(c.rule ? `${c.rule.host ?? "*"} ${c.rule.path} (${c.rule.pathType})` : "default backend")} → service <b>${esc(c.service ? `${c.service.namespace}/${c.service.name}` : "(missing)")}</b> ${esc(c.service?.clusterIp ?? "")}:${c.servicePort?.port ?? "?"}; status ${esc(c.ingress.statusIps.join(", ") || "(none)")}</p>`);
  }
  if (v.endpoints.length) {
    const rows = v.endpoints
      .map((e) => `<tr${e.ready ? "" : ' style="background:#fff3e0"'}><td>${esc(e.ip)}:${e.port ?? "?"}</td><td>${e.ready ? "ready" : "<b>not ready</b>"}</td><td>${esc(e.pod ?? "")}</td><td>${esc(e.node ?? "")}</td><td>${e.flows}${e.walked ? " (walked)" : ""}</td><td>${esc(e.route)}</td></tr>`)
      .join("");
    parts.push(`<table class="packetwalk-kube"><thead><tr><th>endpoint</th><th>API</th><th>pod</th><th>node</th><th>flows</th><th>vRouter route on the node</th></tr></thead><tbody>${rows}</tbody></table>`);
  }
  if (c) parts.push(v.findings.length ? `<ul>${v.findings.map((f) => `<li style="color:${colour[f.severity]}">${f.severity}: ${esc(f.message)}</li>`).join("")}</ul>` : "<p>The API and the forwarding agree.</p>");
  return `<div class="packetwalk-kube-view">${parts.join("")}</div>`;
}

/**
 * The view as Markdown.
 *
 * @example
 * md += "\n\n" + kubeViewMarkdown(view);
 */
export function kubeViewMarkdown(v: KubeView): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = ["**Kubernetes view**", "", cell(v.note)];
  for (const e of v.errors) lines.push(`- refused: ${cell(e.message)}`);
  if (v.endpoints.length) {
    lines.push("", "| endpoint | API | pod | node | flows | vRouter route on the node |", "|---|---|---|---|---|---|");
    for (const e of v.endpoints) lines.push(`| ${e.ip}:${e.port ?? "?"} | ${e.ready ? "ready" : "**not ready**"} | ${cell(e.pod ?? "")} | ${cell(e.node ?? "")} | ${e.flows}${e.walked ? " (walked)" : ""} | ${cell(e.route)} |`);
  }
  if (v.chain) {
    lines.push("");
    if (v.findings.length === 0) lines.push("The API and the forwarding agree.");
    for (const f of v.findings) lines.push(`- **${f.severity}**: ${cell(f.message)}`);
  }
  return lines.join("\n");
}
