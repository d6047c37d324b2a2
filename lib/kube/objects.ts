/**
 * Pure readers of the API's list items (wire JSON, as `kubectl get -o json` shows them) into typed rows:
 * nodes with their InternalIP, pods with node, IP and readiness, services with ports, endpoints (from
 * EndpointSlices, else from Endpoints) and ingress rules with their status addresses. They never throw:
 * an item that cannot be read is left out with a warning naming the resource and its index.
 */
import type { KubeEndpoint, KubeIngress, KubeIngressPath, KubeNode, KubeObjects, KubePod, KubeRead, KubeResource, KubeService, KubeSnapshot } from "./types";

type Obj = Record<string, unknown>;

function obj(x: unknown): Obj | null {
  return x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Obj) : null;
}
function arr(x: unknown): unknown[] {
  return Array.isArray(x) ? x : [];
}
function str(x: unknown): string | null {
  return typeof x === "string" && x !== "" ? x : null;
}
function num(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}
function labelsOf(x: unknown): Record<string, string> {
  const o = obj(x);
  const out: Record<string, string> = {};
  if (o) for (const [k, v] of Object.entries(o)) if (typeof v === "string") out[k] = v;
  return out;
}
function condition(status: Obj | null, type: string): string | null {
  const c = arr(status?.conditions).map(obj).find((x) => x?.type === type);
  return str(c?.status);
}
function intOrString(x: unknown): number | string | null {
  return num(x) ?? str(x);
}

/** The items of every successful read of `resource`, in read order. */
function itemsOf(snapshot: KubeSnapshot, resource: KubeResource): unknown[] {
  return snapshot.reads.filter((r) => r.resource === resource && r.items).flatMap((r) => r.items as unknown[]);
}

function meta(item: unknown, resource: string, i: number, warnings: string[], namespaced: boolean): { name: string; namespace: string; labels: Record<string, string>; raw: Obj } | null {
  const o = obj(item);
  const m = obj(o?.metadata);
  const name = str(m?.name);
  const namespace = str(m?.namespace);
  if (!o || !name || (namespaced && !namespace)) {
    warnings.push(`${resource}[${i}]: no metadata.name${namespaced ? " or metadata.namespace" : ""}: left out`);
    return null;
  }
  return { name, namespace: namespace ?? "", labels: labelsOf(m?.labels), raw: o };
}

/**
 * Nodes: name, InternalIP, Hostname, the Ready condition and labels.
 *
 * @example
 * readNodes([{ metadata: { name: "cent222" }, status: { addresses: [{ type: "InternalIP", address: "10.169.25.20" }] } }]).rows[0].internalIp; // "10.169.25.20"
 */
export function readNodes(items: readonly unknown[]): { rows: KubeNode[]; warnings: string[] } {
  const warnings: string[] = [];
  const rows: KubeNode[] = [];
  items.forEach((item, i) => {
    const m = meta(item, "nodes", i, warnings, false);
    if (!m) return;
    const status = obj(m.raw.status);
    const addr = (t: string) => str(arr(status?.addresses).map(obj).find((a) => a?.type === t)?.address);
    rows.push({ name: m.name, internalIp: addr("InternalIP"), hostname: addr("Hostname"), ready: condition(status, "Ready"), labels: m.labels });
  });
  return { rows, warnings };
}

/**
 * Pods: namespace, name, node, IP, phase, Ready, labels, containers and their ports, owners.
 *
 * @example
 * readPods([{ metadata: { name: "web-1", namespace: "ns" }, spec: { nodeName: "cent333", containers: [{ name: "web" }] }, status: { podIP: "10.47.255.236" } }]).rows[0].node; // "cent333"
 */
export function readPods(items: readonly unknown[]): { rows: KubePod[]; warnings: string[] } {
  const warnings: string[] = [];
  const rows: KubePod[] = [];
  items.forEach((item, i) => {
    const m = meta(item, "pods", i, warnings, true);
    if (!m) return;
    const spec = obj(m.raw.spec);
    const status = obj(m.raw.status);
    const containers = arr(spec?.containers).map(obj);
    rows.push({
      namespace: m.namespace,
      name: m.name,
      node: str(spec?.nodeName),
      ip: str(status?.podIP) ?? str(obj(arr(status?.podIPs)[0])?.ip),
      phase: str(status?.phase),
      ready: condition(status, "Ready"),
      labels: m.labels,
      containers: containers.map((c) => str(c?.name)).filter((n): n is string => n !== null),
      ports: containers.flatMap((c) =>
        arr(c?.ports).map(obj).flatMap((p) => {
          const port = num(p?.containerPort);
          return port === null ? [] : [{ name: str(p?.name), containerPort: port, protocol: str(p?.protocol) ?? "TCP" }];
        }),
      ),
      hostNetwork: spec?.hostNetwork === true,
      owners: arr(obj(m.raw.metadata)?.ownerReferences).map(obj).map((o) => `${str(o?.kind) ?? "?"}/${str(o?.name) ?? "?"}`),
    });
  });
  return { rows, warnings };
}

/**
 * Services: type, cluster IP, ports (with target ports) and selector.
 *
 * @example
 * readServices([{ metadata: { name: "webservice", namespace: "ns" }, spec: { clusterIP: "10.99.225.17", ports: [{ port: 80, targetPort: 80 }] } }]).rows[0].clusterIp; // "10.99.225.17"
 */
export function readServices(items: readonly unknown[]): { rows: KubeService[]; warnings: string[] } {
  const warnings: string[] = [];
  const rows: KubeService[] = [];
  items.forEach((item, i) => {
    const m = meta(item, "services", i, warnings, true);
    if (!m) return;
    const spec = obj(m.raw.spec);
    const clusterIp = str(spec?.clusterIP);
    rows.push({
      namespace: m.namespace,
      name: m.name,
      type: str(spec?.type) ?? "ClusterIP",
      clusterIp: clusterIp === "None" ? null : clusterIp,
      ports: arr(spec?.ports).map(obj).flatMap((p) => {
        const port = num(p?.port);
        return port === null ? [] : [{ name: str(p?.name), port, protocol: str(p?.protocol) ?? "TCP", targetPort: intOrString(p?.targetPort) ?? port }];
      }),
      selector: labelsOf(spec?.selector),
    });
  });
  return { rows, warnings };
}

function podRef(x: unknown, namespace: string): string | null {
  const r = obj(x);
  if (!r || (r.kind !== undefined && r.kind !== "Pod")) return null;
  const name = str(r.name);
  return name ? `${str(r.namespace) ?? namespace}/${name}` : null;
}

/**
 * Endpoints from EndpointSlices (`discovery.k8s.io/v1`): one row per address, ready from
 * `conditions.ready` (absent counts as ready, as the API documents), pod from `targetRef`, node from `nodeName`.
 *
 * @example
 * readEndpointSlices([{ metadata: { name: "web-abc", namespace: "ns", labels: { "kubernetes.io/service-name": "web" } },
 *   endpoints: [{ addresses: ["10.47.255.236"], conditions: { ready: false }, nodeName: "cent333" }], ports: [{ port: 80 }] }]).rows[0].ready; // false
 */
export function readEndpointSlices(items: readonly unknown[]): { rows: KubeEndpoint[]; warnings: string[] } {
  const warnings: string[] = [];
  const rows: KubeEndpoint[] = [];
  items.forEach((item, i) => {
    const m = meta(item, "endpointslices", i, warnings, true);
    if (!m) return;
    const service = m.labels["kubernetes.io/service-name"];
    if (!service) {
      warnings.push(`endpointslices[${i}] ${m.namespace}/${m.name}: no kubernetes.io/service-name label: left out`);
      return;
    }
    const ports = arr(m.raw.ports).map(obj).flatMap((p) => {
      const port = num(p?.port);
      return port === null ? [] : [{ name: str(p?.name), port, protocol: str(p?.protocol) ?? "TCP" }];
    });
    for (const e of arr(m.raw.endpoints).map(obj)) {
      if (!e) continue;
      const ready = obj(e.conditions)?.ready;
      for (const ip of arr(e.addresses)) {
        if (typeof ip !== "string") continue;
        rows.push({ namespace: m.namespace, service, ip, ports, ready: ready !== false, pod: podRef(e.targetRef, m.namespace), node: str(e.nodeName), source: "endpointslice" });
      }
    }
  });
  return { rows, warnings };
}

/**
 * Endpoints from `v1` Endpoints objects: `subsets[].addresses` (ready) and `notReadyAddresses`.
 *
 * @example
 * readEndpoints([{ metadata: { name: "web", namespace: "ns" }, subsets: [{ notReadyAddresses: [{ ip: "10.47.255.236", nodeName: "cent333" }], ports: [{ port: 80 }] }] }]).rows[0].ready; // false
 */
export function readEndpoints(items: readonly unknown[]): { rows: KubeEndpoint[]; warnings: string[] } {
  const warnings: string[] = [];
  const rows: KubeEndpoint[] = [];
  items.forEach((item, i) => {
    const m = meta(item, "endpoints", i, warnings, true);
    if (!m) return;
    for (const s of arr(m.raw.subsets).map(obj)) {
      const ports = arr(s?.ports).map(obj).flatMap((p) => {
        const port = num(p?.port);
        return port === null ? [] : [{ name: str(p?.name), port, protocol: str(p?.protocol) ?? "TCP" }];
      });
      for (const [key, ready] of [["addresses", true], ["notReadyAddresses", false]] as const) {
        for (const a of arr(s?.[key]).map(obj)) {
          const ip = str(a?.ip);
          if (!ip) continue;
          rows.push({ namespace: m.namespace, service: m.name, ip, ports, ready, pod: podRef(a?.targetRef, m.namespace), node: str(a?.nodeName), source: "endpoints" });
        }
      }
    }
  });
  return { rows, warnings };
}

function backendOf(b: unknown): { service: string; port: number | string | null } | null {
  const s = obj(obj(b)?.service);
  const name = str(s?.name);
  if (!name) return null;
  const p = obj(s?.port);
  return { service: name, port: num(p?.number) ?? str(p?.name) };
}

/**
 * Ingresses (`networking.k8s.io/v1`): one row per rule path with its host, path, path type and backend
 * service, plus the default backend and the status addresses.
 *
 * @example
 * readIngresses([{ metadata: { name: "web", namespace: "ns" }, spec: { rules: [{ host: "www.juniper.net", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "webservice", port: { number: 80 } } } }] } }] },
 *   status: { loadBalancer: { ingress: [{ ip: "101.101.101.1" }] } } }]).rows[0].statusIps; // ["101.101.101.1"]
 */
export function readIngresses(items: readonly unknown[]): { rows: KubeIngress[]; warnings: string[] } {
  const warnings: string[] = [];
  const rows: KubeIngress[] = [];
  items.forEach((item, i) => {
    const m = meta(item, "ingresses", i, warnings, true);
    if (!m) return;
    const spec = obj(m.raw.spec);
    const paths: KubeIngressPath[] = [];
    for (const r of arr(spec?.rules).map(obj)) {
      const host = str(r?.host);
      for (const p of arr(obj(r?.http)?.paths).map(obj)) {
        const b = backendOf(p?.backend);
        paths.push({ host, path: str(p?.path) ?? "/", pathType: str(p?.pathType) ?? "ImplementationSpecific", service: b?.service ?? null, port: b?.port ?? null });
      }
    }
    const statusIps = arr(obj(obj(m.raw.status)?.loadBalancer)?.ingress)
      .map(obj)
      .map((x) => str(x?.ip) ?? str(x?.hostname))
      .filter((x): x is string => x !== null);
    rows.push({ namespace: m.namespace, name: m.name, className: str(spec?.ingressClassName), paths, defaultBackend: backendOf(spec?.defaultBackend), statusIps });
  });
  return { rows, warnings };
}

/**
 * Every typed row of a snapshot. Endpoints come from EndpointSlices when they could be read, else from
 * Endpoints objects; failed reads are in `errors`, unreadable items in `warnings`.
 *
 * @example
 * const o = kubeObjects(snapshot);
 * o.pods.filter((p) => p.node === "cent333").map((p) => p.ip);
 */
export function kubeObjects(snapshot: KubeSnapshot): KubeObjects {
  const warnings: string[] = [];
  const take = <T>(r: { rows: T[]; warnings: string[] }): T[] => {
    warnings.push(...r.warnings);
    return r.rows;
  };
  const read = (res: KubeResource): boolean => snapshot.reads.some((r: KubeRead) => r.resource === res && r.items !== null);
  const sliceRows = read("endpointslices") ? take(readEndpointSlices(itemsOf(snapshot, "endpointslices"))) : [];
  const epRows = read("endpoints") ? take(readEndpoints(itemsOf(snapshot, "endpoints"))) : [];
  // Slices are the API's current source; Endpoints (deprecated in 1.33) when slices could not be read.
  const endpointSource = read("endpointslices") ? "endpointslice" : read("endpoints") ? "endpoints" : null;
  return {
    nodes: take(readNodes(itemsOf(snapshot, "nodes"))),
    pods: take(readPods(itemsOf(snapshot, "pods"))),
    services: take(readServices(itemsOf(snapshot, "services"))),
    endpoints: endpointSource === "endpointslice" ? dedupe(sliceRows) : epRows,
    ingresses: take(readIngresses(itemsOf(snapshot, "ingresses"))),
    endpointSource,
    errors: snapshot.reads.flatMap((r) => (r.error ? [r.error] : [])),
    warnings,
  };
}

/** One row per service and address (a dual-stack or a mirrored slice may list one twice). */
function dedupe(rows: KubeEndpoint[]): KubeEndpoint[] {
  const seen = new Map<string, KubeEndpoint>();
  for (const r of rows) {
    const k = `${r.namespace}/${r.service}/${r.ip}`;
    const prev = seen.get(k);
    if (!prev || (!prev.ready && r.ready)) seen.set(k, r);
  }
  return [...seen.values()];
}
