/**
 * What packetwalk reads from the Kubernetes API, as types: the raw lists as the API returned them (one
 * {@link KubeRead} per list call, so a recording replays the same bytes) and the typed rows the pure
 * readers in `objects.ts` make of them.
 */

/**
 * The resources discovery and the walk's Kubernetes view read, each one list call (or one per namespace).
 *
 * @example
 * KUBE_RESOURCES.includes("endpointslices"); // true
 */
export const KUBE_RESOURCES = ["nodes", "namespaces", "pods", "services", "endpoints", "endpointslices", "ingresses"] as const;

/** One resource name of {@link KUBE_RESOURCES}. */
export type KubeResource = (typeof KUBE_RESOURCES)[number];

/** Why a list call gave nothing. */
export type KubeErrorKind = "unreachable" | "unauthorized" | "forbidden" | "not-found" | "timeout" | "config" | "other";

/** A list call that failed, naming what was refused and where. */
export interface KubeReadError {
  resource: KubeResource;
  /** The namespace of a per-namespace list, null for a cluster-wide one. */
  namespace: string | null;
  kind: KubeErrorKind;
  /** HTTP status when the API answered (401, 403 …), else null. */
  status: number | null;
  /** In plain words: `forbidden: pods in namespace kube-system (… cannot list resource "pods" …)`. */
  message: string;
}

/** One list call as it went: the items as the API returned them (wire JSON), or the error. */
export interface KubeRead {
  resource: KubeResource;
  namespace: string | null;
  /** Epoch ms when the call started and ended. */
  startedAt: number;
  endedAt: number;
  /** The list's items, as JSON objects shaped as the API sends them; null when the call failed. */
  items: unknown[] | null;
  error: KubeReadError | null;
}

/** Everything one pass over the API read: where, when, and every list call. */
export interface KubeSnapshot {
  /** The API server's URL (from the kubeconfig), or `(recording)` / `(fixtures)`. */
  server: string;
  /** The kubeconfig context used. */
  context: string;
  startedAt: number;
  endedAt: number;
  reads: KubeRead[];
}

/** A node and its addresses. */
export interface KubeNode {
  name: string;
  internalIp: string | null;
  hostname: string | null;
  /** The `Ready` condition (`True`/`False`/`Unknown`), null when absent. */
  ready: string | null;
  labels: Record<string, string>;
}

/** A pod, where it runs and whether it is ready. */
export interface KubePod {
  namespace: string;
  name: string;
  node: string | null;
  ip: string | null;
  phase: string | null;
  /** The `Ready` condition, null when absent. */
  ready: string | null;
  labels: Record<string, string>;
  containers: string[];
  /** Container ports by name (for named target ports). */
  ports: { name: string | null; containerPort: number; protocol: string }[];
  hostNetwork: boolean;
  /** Names of the pod's owners (`DaemonSet/contrail-vrouter`). */
  owners: string[];
}

/** A service port. */
export interface KubeServicePort {
  name: string | null;
  port: number;
  protocol: string;
  /** A number, or the name of a container port. */
  targetPort: number | string | null;
}

/** A service. */
export interface KubeService {
  namespace: string;
  name: string;
  type: string;
  clusterIp: string | null;
  ports: KubeServicePort[];
  selector: Record<string, string>;
}

/** One address behind a service (from an EndpointSlice or an Endpoints object). */
export interface KubeEndpoint {
  namespace: string;
  service: string;
  ip: string;
  /** Ports of this endpoint (name → number). */
  ports: { name: string | null; port: number; protocol: string }[];
  ready: boolean;
  /** `namespace/name` of the pod behind it, when the API says. */
  pod: string | null;
  node: string | null;
  /** Which object it came from. */
  source: "endpointslice" | "endpoints";
}

/** One path of an ingress rule. */
export interface KubeIngressPath {
  /** The rule's host, null for a rule that matches every host. */
  host: string | null;
  path: string;
  pathType: string;
  service: string | null;
  /** The backend's service port: a number or a port name. */
  port: number | string | null;
}

/** An ingress: its rules and the addresses in its status. */
export interface KubeIngress {
  namespace: string;
  name: string;
  className: string | null;
  paths: KubeIngressPath[];
  defaultBackend: { service: string; port: number | string | null } | null;
  /** `status.loadBalancer.ingress[].ip` (and hostnames). */
  statusIps: string[];
}

/** The typed rows of a snapshot, and what could not be read (problems in items too). */
export interface KubeObjects {
  nodes: KubeNode[];
  pods: KubePod[];
  services: KubeService[];
  endpoints: KubeEndpoint[];
  ingresses: KubeIngress[];
  /** Whether endpoints came from EndpointSlices (else from Endpoints, else none could be read). */
  endpointSource: "endpointslice" | "endpoints" | null;
  /** Failed list calls. */
  errors: KubeReadError[];
  /** Items that could not be read (a missing name, a wrong type), each naming resource and index. */
  warnings: string[];
}
