/**
 * The Kubernetes API through `@kubernetes/client-node` (kubeconfig, contexts, client certificates,
 * tokens and exec credential plugins handled by the library, as kubectl handles them; no hand-written
 * HTTP). The library is loaded on first use by `./library.ts`; no exported declaration here names its
 * types (what packetwalk uses of a kubeconfig is {@link LoadedKubeConfig}).
 */
import * as path from "node:path";
import type * as K8s from "@kubernetes/client-node" with { "resolution-mode": "import" };
import { loadKubeClient } from "./library";
import type { KubeErrorKind, KubeReadError, KubeResource } from "./types";

/** Where the API is: a kubeconfig file (default: `$KUBECONFIG`, `~/.kube/config`, in-cluster) and a context. */
export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
  /** Per list call (ms). Default 10000. */
  timeoutMs?: number;
}

/** What packetwalk uses of a loaded kubeconfig (the library's `KubeConfig`). */
export interface LoadedKubeConfig {
  getCurrentCluster(): { name: string; server: string } | null;
  getCurrentContext(): string;
  getContexts(): { name: string }[];
}

/** Lists one resource, cluster-wide (`namespace` null) or in one namespace; resolves to the items as wire JSON. */
export type KubeLister = (resource: KubeResource, namespace: string | null) => Promise<unknown[]>;

/** An opened API: the lister, and where it points. */
export interface KubeApi {
  list: KubeLister;
  server: string;
  context: string;
  /** The context's namespace, when it names one (where a namespace-bound user may read). */
  namespace?: string;
}

/**
 * The kubeconfig could not be used (missing file, unknown context, no cluster).
 *
 * @example
 * try { await openKubeApi({ context: "prod" }); } catch (e) { if (e instanceof KubeConfigError) console.error(e.message); }
 */
export class KubeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KubeConfigError";
  }
}

const k8s = loadKubeClient;

/**
 * The kubeconfig an inventory's `kubernetes` section names, as a {@link KubeTarget}: `~/` expands to
 * `$HOME`, a relative path resolves against the inventory file's directory; no section (or no file)
 * means the library's default search. The one reading of that section.
 *
 * @example
 * kubeTargetOf({ kubernetes: { kubeconfig: "lab.kubeconfig", context: "lab" }, baseDir: "/srv/inv" });
 * // { kubeconfig: "/srv/inv/lab.kubeconfig", context: "lab" }
 */
export function kubeTargetOf(inv: { kubernetes?: { kubeconfig?: string; context?: string } | undefined; baseDir?: string | undefined }, env: NodeJS.ProcessEnv = process.env): KubeTarget {
  const k = inv.kubernetes ?? {};
  const file = typeof k.kubeconfig === "string" && k.kubeconfig !== "" ? k.kubeconfig : undefined;
  return {
    ...(file ? { kubeconfig: file === "~" || file.startsWith("~/") ? path.join(env.HOME ?? "", file.slice(1)) : path.resolve(inv.baseDir ?? process.cwd(), file) } : {}),
    ...(typeof k.context === "string" && k.context !== "" ? { context: k.context } : {}),
  };
}

/**
 * Loads a kubeconfig and picks the context: `kubeconfig` (a file) or the library's default search,
 * `context` or the file's current context. Throws {@link KubeConfigError} naming the file or context.
 *
 * @example
 * const kc = await loadKubeConfig({ kubeconfig: "lab.kubeconfig", context: "lab" });
 * kc.getCurrentCluster()?.server; // "https://127.0.0.1:40643"
 */
export async function loadKubeConfig(target: KubeTarget = {}): Promise<LoadedKubeConfig> {
  return loadConfig(target);
}

async function loadConfig(target: KubeTarget): Promise<K8s.KubeConfig> {
  const { KubeConfig } = await k8s();
  const kc = new KubeConfig();
  const where = target.kubeconfig ?? "the default kubeconfig ($KUBECONFIG, ~/.kube/config or in-cluster)";
  try {
    if (target.kubeconfig) kc.loadFromFile(target.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new KubeConfigError(`cannot read ${where}: ${(e as Error).message}`);
  }
  if (target.context) {
    if (!kc.getContextObject(target.context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new KubeConfigError(`${where} has no context ${JSON.stringify(target.context)} (contexts: ${names.join(", ") || "none"})`);
    }
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster()) throw new KubeConfigError(`${where}: context ${JSON.stringify(kc.getCurrentContext())} names no cluster`);
  return kc;
}

/**
 * Opens the API described by a kubeconfig: a lister over CoreV1Api (nodes, namespaces, pods, services,
 * endpoints), DiscoveryV1Api (endpoint slices) and NetworkingV1Api (ingresses). Items come back as wire
 * JSON (what `kubectl get -o json` shows), the same shapes the recording keeps.
 *
 * @example
 * const api = await openKubeApi({ kubeconfig: "lab.kubeconfig" });
 * (await api.list("nodes", null)).length; // 2
 */
export async function openKubeApi(target: KubeTarget = {}): Promise<KubeApi> {
  const m = await k8s();
  const kc = await loadConfig(target);
  const core = kc.makeApiClient(m.CoreV1Api);
  const disc = kc.makeApiClient(m.DiscoveryV1Api);
  const net = kc.makeApiClient(m.NetworkingV1Api);
  const timeoutMs = target.timeoutMs ?? 10_000;
  const call = (resource: KubeResource, ns: string | null): Promise<{ items?: unknown[] }> => {
    switch (resource) {
      case "nodes": return core.listNode();
      case "namespaces": return core.listNamespace();
      case "pods": return ns ? core.listNamespacedPod({ namespace: ns }) : core.listPodForAllNamespaces();
      case "services": return ns ? core.listNamespacedService({ namespace: ns }) : core.listServiceForAllNamespaces();
      case "endpoints": return ns ? core.listNamespacedEndpoints({ namespace: ns }) : core.listEndpointsForAllNamespaces();
      case "endpointslices": return ns ? disc.listNamespacedEndpointSlice({ namespace: ns }) : disc.listEndpointSliceForAllNamespaces();
      case "ingresses": return ns ? net.listNamespacedIngress({ namespace: ns }) : net.listIngressForAllNamespaces();
    }
  };
  const list: KubeLister = async (resource, ns) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs / 1000} s`), { code: "ETIMEDOUT" })), timeoutMs);
      timer.unref?.();
    });
    try {
      const res = await Promise.race([call(resource, ns), timeout]);
      // The library's typed objects, back to wire JSON (dates as RFC 3339 strings; the fields read here keep their names).
      return JSON.parse(JSON.stringify(res.items ?? [])) as unknown[];
    } finally {
      clearTimeout(timer);
    }
  };
  const namespace = kc.getContextObject(kc.getCurrentContext())?.namespace;
  return { list, server: kc.getCurrentCluster()?.server ?? "?", context: kc.getCurrentContext(), ...(namespace ? { namespace } : {}) };
}

function statusMessage(body: unknown): string | null {
  let b = body;
  if (typeof b === "string") {
    try {
      b = JSON.parse(b);
    } catch {
      return (body as string).trim().slice(0, 300) || null;
    }
  }
  const m = (b as { message?: unknown } | null)?.message;
  return typeof m === "string" ? m : null;
}

const NET_CODES: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "timed out",
  EAI_AGAIN: "name lookup failed",
};

function errorCode(e: unknown): string | null {
  for (let x = e as { code?: unknown; cause?: unknown } | undefined, i = 0; x && i < 5; x = x.cause as typeof x, i++) {
    if (typeof x.code === "string") return x.code;
    const errs = (x as { errors?: unknown[] }).errors;
    if (Array.isArray(errs)) for (const y of errs) if (typeof (y as { code?: unknown })?.code === "string") return (y as { code: string }).code;
  }
  return null;
}

/**
 * Turns what a list call threw into a {@link KubeReadError} that names the resource, the namespace and
 * what happened: unreachable (with the socket error), 401 (token expired or credentials refused), 403
 * (RBAC, with the API's own message), 404 (the API does not serve the resource), timeout.
 *
 * @example
 * kubeReadError({ code: 403, body: '{"message":"pods is forbidden: User \\"viewer\\" cannot list resource \\"pods\\""}' }, "pods", "kube-system").message;
 * // 'forbidden to list pods in namespace kube-system: pods is forbidden: User "viewer" cannot list resource "pods"'
 */
export function kubeReadError(e: unknown, resource: KubeResource, namespace: string | null, server = "the API server"): KubeReadError {
  const where = namespace ? `${resource} in namespace ${namespace}` : resource;
  const status = typeof (e as { code?: unknown })?.code === "number" ? ((e as { code: number }).code) : null;
  const out = (kind: KubeErrorKind, message: string): KubeReadError => ({ resource, namespace, kind, status, message });
  if (status !== null) {
    const said = statusMessage((e as { body?: unknown }).body);
    if (status === 401) return out("unauthorized", `unauthorized (401) to list ${where}: the API refused the credentials (an expired or revoked token, or a certificate it does not trust)${said ? `: ${said}` : ""}`);
    if (status === 403) return out("forbidden", `forbidden to list ${where}${said ? `: ${said}` : " (RBAC)"}`);
    if (status === 404) return out("not-found", `the API does not serve ${resource} (404)${said ? `: ${said}` : ""}`);
    return out("other", `listing ${where}: HTTP ${status}${said ? `: ${said}` : ""}`);
  }
  const code = errorCode(e);
  if (code === "ETIMEDOUT") return out("timeout", `listing ${where}: ${server} gave no answer in time`);
  if (code && (NET_CODES[code] || /^E[A-Z]+$/.test(code))) return out("unreachable", `cannot reach ${server} (${NET_CODES[code] ?? code}) to list ${where}`);
  const msg = (e as Error)?.message ?? String(e);
  if (/fetch failed|socket|ECONN|certificate|self[- ]signed|TLS|SSL/i.test(msg)) return out("unreachable", `cannot reach ${server} to list ${where}: ${msg}`);
  return out("other", `listing ${where}: ${msg}`);
}
