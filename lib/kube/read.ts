/**
 * One pass over the API: every resource discovery and the walk need, each list call kept as it went
 * (items or error). A refused resource does not stop the others; a cluster-wide list refused by RBAC is
 * retried per namespace (the namespaces the user may list, else the kubeconfig context's namespace), so a
 * user allowed only some namespaces still gets those. An API that cannot be reached, or that refuses the credentials (401), stops the pass: the
 * remaining resources are marked not read, with the same reason.
 */
import { kubeReadError, type KubeApi } from "./client";
import type { KubeRead, KubeResource, KubeSnapshot } from "./types";

/**
 * The resources read, in order (namespaces only when a per-namespace retry needs them).
 *
 * @example
 * await readCluster(api, { resources: CLUSTER_READS.filter((r) => r !== "endpoints") });
 */
export const CLUSTER_READS: readonly KubeResource[] = ["nodes", "pods", "services", "endpointslices", "endpoints", "ingresses"];

/** Options of {@link readCluster}. */
export interface ReadClusterOptions {
  /** Called after each list call (a recording keeps each one as it arrives). */
  onRead?: (read: KubeRead) => void;
  /** Resources to read (default {@link CLUSTER_READS}). */
  resources?: readonly KubeResource[];
  signal?: AbortSignal;
}

const FATAL = new Set(["unreachable", "timeout", "unauthorized", "config"]);

/**
 * Reads the cluster through an opened API. Never throws for API trouble: every failure is a read with
 * its error (`snapshot.reads.filter((r) => r.error)`).
 *
 * @example
 * const snap = await readCluster(await openKubeApi({ kubeconfig: "lab.kubeconfig" }));
 * kubeObjects(snap).nodes.map((n) => n.internalIp); // ["10.169.25.20", "10.169.25.21"]
 */
export async function readCluster(api: KubeApi, opts: ReadClusterOptions = {}): Promise<KubeSnapshot> {
  const startedAt = Date.now();
  const reads: KubeRead[] = [];
  let stop: KubeRead["error"] = null;
  let namespaces: string[] | null | undefined;
  const keep = (r: KubeRead): KubeRead => {
    reads.push(r);
    try {
      opts.onRead?.(r);
    } catch {
      /* a recorder's trouble must not stop the reading */
    }
    return r;
  };
  const one = async (resource: KubeResource, ns: string | null): Promise<KubeRead> => {
    const t0 = Date.now();
    if (stop || opts.signal?.aborted) {
      const why = stop ? stop.message : "interrupted";
      return keep({ resource, namespace: ns, startedAt: t0, endedAt: t0, items: null, error: { resource, namespace: ns, kind: stop?.kind ?? "other", status: null, message: `${resource}${ns ? ` in ${ns}` : ""} not read: ${why}` } });
    }
    try {
      const items = await api.list(resource, ns);
      return keep({ resource, namespace: ns, startedAt: t0, endedAt: Date.now(), items, error: null });
    } catch (e) {
      const error = kubeReadError(e, resource, ns, api.server);
      if (FATAL.has(error.kind)) stop = error;
      return keep({ resource, namespace: ns, startedAt: t0, endedAt: Date.now(), items: null, error });
    }
  };
  for (const resource of opts.resources ?? CLUSTER_READS) {
    const r = await one(resource, null);
    if (r.error?.kind !== "forbidden" || resource === "nodes" || resource === "namespaces") continue;
    // Refused cluster-wide: try each namespace the user may see.
    if (namespaces === undefined) {
      const nr = await one("namespaces", null);
      // Namespaces refused too: the kubeconfig context's own namespace, where a namespace-bound user may read.
      namespaces = nr.items ? nr.items.map((n) => (n as { metadata?: { name?: unknown } })?.metadata?.name).filter((n): n is string => typeof n === "string") : api.namespace ? [api.namespace] : null;
    }
    for (const ns of namespaces ?? []) await one(resource, ns);
  }
  return { server: api.server, context: api.context, startedAt, endedAt: Date.now(), reads };
}

/**
 * Whether every resource could be read in full: a cluster-wide list succeeded, or (after a refusal) every
 * namespace's did. Returns the resources that are missing or partial, with their errors.
 *
 * @example
 * const gaps = readGaps(snap); // [{ resource: "pods", partial: true, errors: [ …forbidden in kube-system… ] }]
 */
export function readGaps(snap: KubeSnapshot): { resource: KubeResource; partial: boolean; errors: KubeRead["error"][] }[] {
  const out: { resource: KubeResource; partial: boolean; errors: KubeRead["error"][] }[] = [];
  const resources = [...new Set(snap.reads.map((r) => r.resource))];
  for (const resource of resources) {
    const rs = snap.reads.filter((r) => r.resource === resource);
    if (rs.some((r) => r.namespace === null && r.items !== null)) continue;
    const errors = rs.filter((r) => r.error).map((r) => r.error);
    if (errors.length === 0) continue;
    out.push({ resource, partial: rs.some((r) => r.items !== null), errors });
  }
  return out;
}
