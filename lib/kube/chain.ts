/**
 * The chain the API says a request follows: the ingress rule matching the floating IP, Host header and
 * path → its backend service and port → the service's endpoints (ready and not ready) → their pods →
 * the pods' nodes. Pure: a join over {@link KubeObjects}.
 *
 * Ingress matching follows the `networking.k8s.io/v1` rules: a rule's host matches exactly (case
 * folded) or as a `*.` wildcard covering one label; a rule without a host matches every host; among the
 * matching paths the longest wins and `Exact` beats `Prefix` on a tie; `Prefix` matches whole path
 * elements (`/foo` matches `/foo/bar`, not `/foobar`); `ImplementationSpecific` is read as `Prefix`.
 * Exact hosts are tried before wildcards, wildcards before rules without a host; with no rule matching,
 * the ingress's default backend. Ingresses whose status lists the floating IP are tried first.
 */
import type { KubeEndpoint, KubeIngress, KubeIngressPath, KubeNode, KubeObjects, KubePod, KubeService, KubeServicePort } from "./types";

/** One endpoint of the service, joined with its pod and node. */
export interface ChainEndpoint extends KubeEndpoint {
  /** The port the service's target port resolves to on this endpoint. */
  targetPort: number | null;
  podPhase: string | null;
  /** The pod's Ready condition. */
  podReady: string | null;
  nodeIp: string | null;
}

/** The API's chain for one request. */
export interface KubeChain {
  fip: string;
  host: string;
  path: string;
  ingress: KubeIngress | null;
  /** The rule path that matched, null when the default backend (or nothing) did. */
  rule: KubeIngressPath | null;
  matchedBy: "rule" | "default-backend" | null;
  /** Whether the matched ingress's status lists the floating IP. */
  statusHasFip: boolean;
  service: KubeService | null;
  servicePort: KubeServicePort | null;
  endpoints: ChainEndpoint[];
  /** Where and why the chain stops (`no ingress rule for www.x.net /`), empty when it reaches endpoints. */
  problems: string[];
}

/**
 * Whether an ingress rule host matches a request host (exact, `*.` wildcard of one label, or no host).
 *
 * @example
 * hostMatches("*.juniper.net", "www.juniper.net"); // true
 * hostMatches("*.juniper.net", "a.b.juniper.net"); // false
 */
export function hostMatches(ruleHost: string | null, host: string): boolean {
  if (ruleHost === null) return true;
  const h = host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
  const r = ruleHost.toLowerCase();
  if (!r.startsWith("*.")) return r === h;
  const suffix = r.slice(1);
  return h.endsWith(suffix) && !h.slice(0, h.length - suffix.length).includes(".") && h.length > suffix.length;
}

/**
 * Whether an ingress path matches a request path, by path type.
 *
 * @example
 * pathMatches("/foo", "Prefix", "/foo/bar"); // true
 * pathMatches("/foo", "Prefix", "/foobar");  // false
 * pathMatches("/foo", "Exact", "/foo/");     // false
 */
export function pathMatches(rulePath: string, pathType: string, path: string): boolean {
  const p = path.split("?")[0] || "/";
  if (pathType === "Exact") return rulePath === p;
  const want = rulePath.split("/").filter(Boolean);
  const have = p.split("/").filter(Boolean);
  return want.length <= have.length && want.every((w, i) => w === have[i]);
}

function hostRank(h: string | null): number {
  return h === null ? 2 : h.startsWith("*.") ? 1 : 0;
}

/**
 * The best rule path of one ingress for a host and path, or null.
 *
 * @example
 * matchRule(ingress, "www.juniper.net", "/")?.service; // "webservice"
 */
export function matchRule(ing: KubeIngress, host: string, path: string): KubeIngressPath | null {
  const hits = ing.paths.filter((p) => hostMatches(p.host, host) && pathMatches(p.path, p.pathType, path));
  hits.sort((a, b) => hostRank(a.host) - hostRank(b.host) || b.path.length - a.path.length || (a.pathType === "Exact" ? -1 : 0) - (b.pathType === "Exact" ? -1 : 0));
  return hits[0] ?? null;
}

function targetPortOf(ep: KubeEndpoint, sp: KubeServicePort | null, pod: KubePod | undefined): number | null {
  if (ep.ports.length === 1 && (!sp?.name || ep.ports[0].name === null || ep.ports[0].name === sp.name)) return ep.ports[0].port;
  const byName = sp?.name ? ep.ports.find((p) => p.name === sp.name) : undefined;
  if (byName) return byName.port;
  if (typeof sp?.targetPort === "number") return sp.targetPort;
  if (typeof sp?.targetPort === "string") return pod?.ports.find((p) => p.name === sp.targetPort)?.containerPort ?? null;
  return null;
}

/**
 * Joins the API's objects for a request to `fip` with Host `host` and `path`: the matching ingress rule,
 * its service and port, and the service's endpoints with their pods and nodes.
 *
 * @example
 * const c = kubeChain(kubeObjects(snapshot), { fip: "101.101.101.1", host: "www.juniper.net", path: "/" });
 * c.service?.clusterIp;                          // "10.99.225.17"
 * c.endpoints.map((e) => `${e.ip} ${e.ready ? "ready" : "not ready"} on ${e.node}`);
 */
export function kubeChain(o: KubeObjects, req: { fip: string; host: string; path?: string }): KubeChain {
  const path = req.path ?? "/";
  const out: KubeChain = { fip: req.fip, host: req.host, path, ingress: null, rule: null, matchedBy: null, statusHasFip: false, service: null, servicePort: null, endpoints: [], problems: [] };
  const withFip = o.ingresses.filter((i) => i.statusIps.includes(req.fip));
  const ordered = [...withFip, ...o.ingresses.filter((i) => !withFip.includes(i))];
  for (const ing of ordered) {
    const rule = matchRule(ing, req.host, path);
    if (rule) {
      Object.assign(out, { ingress: ing, rule, matchedBy: "rule" });
      break;
    }
  }
  if (!out.ingress) {
    const dflt = [...withFip, ...ordered].find((i) => i.defaultBackend);
    if (dflt) Object.assign(out, { ingress: dflt, matchedBy: "default-backend" });
  }
  if (!out.ingress) {
    out.problems.push(
      o.ingresses.length === 0
        ? "the API lists no ingress"
        : `no ingress rule matches Host ${req.host} path ${path} (${o.ingresses.length} ingress${o.ingresses.length > 1 ? "es" : ""}: ${o.ingresses.map((i) => `${i.namespace}/${i.name}`).join(", ")})`,
    );
    return out;
  }
  const ing = out.ingress;
  out.statusHasFip = ing.statusIps.includes(req.fip);
  const backend = out.rule ? { service: out.rule.service, port: out.rule.port } : ing.defaultBackend!;
  if (!backend.service) {
    out.problems.push(`${ing.namespace}/${ing.name}: the matching rule has no service backend`);
    return out;
  }
  const svc = o.services.find((s) => s.namespace === ing.namespace && s.name === backend.service) ?? null;
  out.service = svc;
  if (!svc) {
    out.problems.push(`${ing.namespace}/${ing.name} sends to service ${ing.namespace}/${backend.service}, which the API does not list`);
    return out;
  }
  out.servicePort = svc.ports.find((p) => (typeof backend.port === "number" ? p.port === backend.port : backend.port !== null && p.name === backend.port)) ?? (svc.ports.length === 1 ? svc.ports[0] : null);
  if (!out.servicePort) out.problems.push(`service ${svc.namespace}/${svc.name} has no port ${backend.port ?? "?"} (ports: ${svc.ports.map((p) => p.name ?? p.port).join(", ") || "none"})`);
  const pods = new Map(o.pods.map((p) => [`${p.namespace}/${p.name}`, p]));
  const nodes = new Map<string, KubeNode>(o.nodes.map((n) => [n.name, n]));
  const podsByIp = new Map(o.pods.filter((p) => p.ip && !p.hostNetwork).map((p) => [p.ip!, p]));
  for (const ep of o.endpoints.filter((e) => e.namespace === svc.namespace && e.service === svc.name)) {
    const pod = (ep.pod ? pods.get(ep.pod) : undefined) ?? podsByIp.get(ep.ip);
    const node = ep.node ?? pod?.node ?? null;
    out.endpoints.push({
      ...ep,
      pod: ep.pod ?? (pod ? `${pod.namespace}/${pod.name}` : null),
      node,
      targetPort: targetPortOf(ep, out.servicePort, pod),
      podPhase: pod?.phase ?? null,
      podReady: pod?.ready ?? null,
      nodeIp: node ? (nodes.get(node)?.internalIp ?? null) : null,
    });
  }
  if (o.endpointSource === null) out.problems.push("the service's endpoints could not be read (neither EndpointSlices nor Endpoints)");
  return out;
}
