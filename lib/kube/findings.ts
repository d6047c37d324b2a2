/**
 * Where the API and the forwarding disagree: the chain the API describes ({@link KubeChain}) against
 * what the walk saw (flows, the service IP haproxy connected to, the backend pod the service NAT chose,
 * the vRouter's route to each endpoint on its node). Pure.
 */
import type { KubeChain } from "./chain";

/** How much a finding matters. */
export type FindingSeverity = "error" | "warning" | "info";

/** One disagreement (or a gap in what could be compared). */
export interface KubeFinding {
  id:
    | "no-ingress-rule" | "ingress-status-ip" | "service-missing" | "service-ip-mismatch" | "service-no-endpoints"
    | "service-no-ready-endpoints" | "endpoint-not-reached" | "unready-endpoint-reached" | "backend-not-endpoint"
    | "pod-node-no-route" | "route-not-checked" | "api-incomplete";
  severity: FindingSeverity;
  /** What it is about (`endpoint 10.47.255.236`, `ingress ns-user-1/webservice-ingress`). */
  subject: string;
  message: string;
}

/** The vRouter's route to one endpoint's IP on the endpoint's node. */
export interface EndpointRoute {
  node: string;
  /** The VRF of the pod's vif on that node, null when no vif holds the IP. */
  vrf: number | null;
  /** Whether the route leads to the pod (a local interface next hop). */
  ok: boolean;
  /** What was found (`nh 24 Encap → tap… (vif 3)`), or why not (`no route`, `no vif with 10.47.255.236`, the SSH error). */
  detail: string;
  /** The node could not be asked. */
  unreachable?: boolean;
}

/** What the walk saw, as far as the Kubernetes view compares it. */
export interface ForwardingEvidence {
  /** Probes sent (one request reaches one endpoint: with fewer probes than endpoints, unreached ones are expected). */
  probes: number;
  /** The service IP haproxy connected to (stage 4), null when not seen. */
  serviceIp: string | null;
  /** The backend pod the service NAT chose (stage 6), null when not seen. */
  backendPodIp: string | null;
  backendNode: string | null;
  /** Flows seen during the probes that carry each endpoint IP (as source or destination), by IP. */
  flowsByIp: Record<string, { flows: number; packets: number; nodes: string[] }>;
  /** The route to each endpoint IP on its node, by IP (absent: not checked). */
  routes: Record<string, EndpointRoute>;
  /** Endpoint IPs whose route was left unchecked to bound the commands (a large service). */
  routesLimited?: string[];
  /** API reads that failed (resource: message), so a finding can say the view is partial. */
  apiErrors: string[];
}

/**
 * The findings for a chain and the walk's evidence, errors first.
 *
 * @example
 * kubeFindings(chain, { probes: 1, serviceIp: "10.99.225.17", backendPodIp: "10.47.255.236", backendNode: "cent333",
 *   flowsByIp: { "10.47.255.236": { flows: 2, packets: 6, nodes: ["cent333"] } }, routes: {}, apiErrors: [] })
 * // [] when the endpoint is ready, or [{ id: "unready-endpoint-reached", severity: "error", … }] when the API lists it not ready
 */
export function kubeFindings(c: KubeChain, ev: ForwardingEvidence): KubeFinding[] {
  const out: KubeFinding[] = [];
  const add = (f: KubeFinding) => out.push(f);
  if (ev.apiErrors.length) add({ id: "api-incomplete", severity: "warning", subject: "Kubernetes API", message: `the view is partial: ${ev.apiErrors.join("; ")}` });
  if (!c.ingress) {
    add({ id: "no-ingress-rule", severity: "error", subject: `Host ${c.host} ${c.path}`, message: c.problems[0] ?? "no ingress rule matches" });
    return sortFindings(out);
  }
  const ingName = `ingress ${c.ingress.namespace}/${c.ingress.name}`;
  if (!c.statusHasFip) {
    add({
      id: "ingress-status-ip", severity: "warning", subject: ingName,
      message: c.ingress.statusIps.length
        ? `${ingName} matches Host ${c.host} but its status lists ${c.ingress.statusIps.join(", ")}, not the floating IP probed (${c.fip})`
        : `${ingName} matches Host ${c.host} but its status lists no address (the probed floating IP is ${c.fip})`,
    });
  }
  if (!c.service) {
    add({ id: "service-missing", severity: "error", subject: ingName, message: c.problems.find((p) => /service/.test(p)) ?? `${ingName}: no backend service` });
    return sortFindings(out);
  }
  const svcName = `service ${c.service.namespace}/${c.service.name}`;
  if (ev.serviceIp && c.service.clusterIp && ev.serviceIp !== c.service.clusterIp) {
    add({ id: "service-ip-mismatch", severity: "error", subject: svcName, message: `haproxy connected to ${ev.serviceIp}, but the API gives ${svcName} the cluster IP ${c.service.clusterIp}` });
  }
  const ready = c.endpoints.filter((e) => e.ready);
  if (c.endpoints.length === 0) {
    add({ id: "service-no-endpoints", severity: "error", subject: svcName, message: `${svcName} has no endpoints: no pod matches its selector ${JSON.stringify(c.service.selector)}, or none has an IP` });
  } else if (ready.length === 0) {
    add({ id: "service-no-ready-endpoints", severity: "error", subject: svcName, message: `${svcName} has ${c.endpoints.length} endpoint${c.endpoints.length > 1 ? "s" : ""}, none ready (${c.endpoints.map((e) => `${e.ip}${e.pod ? ` ${e.pod}` : ""}`).join(", ")})` });
  }
  const reached = (ip: string) => (ev.flowsByIp[ip]?.flows ?? 0) > 0;
  for (const e of c.endpoints) {
    const subj = `endpoint ${e.ip}${e.pod ? ` (${e.pod})` : ""}`;
    const where = e.node ? ` on ${e.node}` : "";
    if (!e.ready && reached(e.ip)) {
      const f = ev.flowsByIp[e.ip];
      add({ id: "unready-endpoint-reached", severity: "error", subject: subj, message: `the API lists ${e.ip}${where} as not ready${e.podReady ? ` (pod Ready=${e.podReady}${e.podPhase ? `, ${e.podPhase}` : ""})` : ""}, yet the walk's flows reached it (${f.flows} flow${f.flows > 1 ? "s" : ""} on ${f.nodes.join(", ")}, ${f.packets} packets)` });
    }
    if (e.ready && !reached(e.ip)) {
      const expected = ev.probes < ready.length;
      add({
        id: "endpoint-not-reached", severity: expected ? "info" : "warning", subject: subj,
        message: `the API lists ${e.ip}${where} as a ready endpoint, but no flow of the walk reached it${expected ? ` (${ev.probes} probe${ev.probes > 1 ? "s" : ""} for ${ready.length} ready endpoints: one request reaches one endpoint)` : ""}`,
      });
    }
    const r = ev.routes[e.ip];
    if (r && !r.ok && !r.unreachable) add({ id: "pod-node-no-route", severity: "error", subject: subj, message: `${r.node}'s vRouter has no route to ${e.ip}${r.vrf !== null ? ` in VRF ${r.vrf}` : ""}: ${r.detail}` });
    if (r?.unreachable) add({ id: "route-not-checked", severity: "info", subject: subj, message: `the route to ${e.ip} on ${r.node} was not checked: ${r.detail}` });
    if (!r && e.node && !ev.routesLimited?.includes(e.ip)) add({ id: "route-not-checked", severity: "info", subject: subj, message: `the route to ${e.ip} was not checked: ${e.node} is not a compute node of the inventory` });
  }
  if (ev.backendPodIp && c.endpoints.length && !c.endpoints.some((e) => e.ip === ev.backendPodIp)) {
    add({ id: "backend-not-endpoint", severity: "error", subject: `pod IP ${ev.backendPodIp}`, message: `the service NAT sent the request to ${ev.backendPodIp}${ev.backendNode ? ` on ${ev.backendNode}` : ""}, which is not an endpoint of ${svcName} (${c.endpoints.map((e) => e.ip).join(", ")})` });
  }
  return sortFindings(out);
}

const RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

function sortFindings(f: KubeFinding[]): KubeFinding[] {
  return f.map((x, i) => [x, i] as const).sort((a, b) => RANK[a[0].severity] - RANK[b[0].severity] || a[1] - b[1]).map(([x]) => x);
}
