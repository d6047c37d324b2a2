/**
 * Finds the names an investigation carries: node and host names, VRF / routing-instance and virtual
 * network names, namespaces, pods, services and user names. Two sources, both used:
 *
 * - **What the investigation knows**: the manifest's target (node names, the inventory without secrets:
 *   SSH hosts, users, jump nodes), the walk's parameters and discovered values (`hostHeader`,
 *   `gatewayVrf`, `activeNode` …), and fields of any JSON by their key (`host`, `node`, `vrf`, `pod`,
 *   `namespace`, `user`, an HTTP header pair `["Host", …]` or `["X-Pod", …]`).
 * - **Text patterns**, in every text: HTTP `Host:` headers, URLs (in evidence only: notebooks and
 *   reports link to schema sites that are no secret), Junos table names (`NAME.inet.0`, `NAME.inet6.0`,
 *   `NAME.mpls.0` …) and `routing-instance`/`instance-name` values in text, JSON and XML, Contrail
 *   fully qualified names (`default-domain:PROJECT:NETWORK:INSTANCE`: the project counts as a
 *   namespace, the others as virtual networks), Kubernetes Deployment pod names (`web-7db5dcb4c6-h9xk2`:
 *   the pod, and its Deployment's name as a service), `X-Pod:`/`pod:` values and `user@host` prompts.
 *
 * packetwalk's own words stay as they are (node roles, stage ids, `root`, `localhost`,
 * `default-domain` …): they identify nothing, and replay needs them. Pure: never throws.
 */
import * as net from "node:net";
import { STAGE_IDS } from "../walk/types";
import { NODE_ROLES } from "../remote/inventory";
import type { NameKind } from "./aliases";

/** Words that are never redacted: packetwalk's vocabulary and generic system names. */
export const KEPT_NAMES: ReadonlySet<string> = new Set([
  ...NODE_ROLES,
  ...STAGE_IDS,
  "root", "admin", "nobody", "daemon", "localhost", "localdomain", "local", "lab", "default", "master", "main",
  "default-domain", "default-project", "inet", "inet6", "mpls", "bgp", "direct", "docker", "contrail-tools",
  "unknown", "none", "null", "undefined", "true", "false", "example", "example.com", "example.net", "example.org",
  // The aliases' own words (a name "host" would read as part of "host-1.example"), and placeholders.
  "host", "node", "vrf", "vn", "ns", "pod", "svc", "user", "ing", "cluster", "hostname", "server", "router", "switch", "controller", "mgmt_junos",
  // Kubernetes' own namespaces and words (label keys such as `kubernetes.io/hostname` must stay readable).
  "kubernetes", "kube-system", "kube-public", "kube-node-lease",
  // Public schema and namespace hosts (Junos XML's xmlns, SVG, vega-lite): no secret, and parsers may read them.
  "xml.juniper.net", "www.w3.org", "vega.github.io", "json-schema.org", "schemas.xmlsoap.org",
]);

/** Keys of JSON fields whose string value is a name of the given kind. */
const KEY_KINDS: Record<string, NameKind> = {
  node: "node", nodes: "node", where: "node", gatewayNode: "node", activeNode: "node", backendNode: "node", standbyNode: "node", jump: "node", polled: "node",
  host: "host", hostname: "host", hostName: "host", hostHeader: "host", server: "host",
  vrf: "vrf", gatewayVrf: "vrf", "routing-instance": "vrf", "instance-name": "vrf", routingInstance: "vrf",
  namespace: "namespace", pod: "pod", podName: "pod", service: "service", serviceName: "service", nodeName: "node",
  user: "user", username: "user", author: "user",
};

/** Keys holding image data in notebooks: base64 pixels, or SVG drawn from a chart spec beside it. */
const IMAGE_DATA = new Set(["image/png", "image/jpeg", "image/gif", "image/svg+xml"]);

/** Header names whose value is a name. */
const HEADER_KINDS: Record<string, NameKind> = { host: "host", "x-pod": "pod", "x-forwarded-host": "host", "x-backend": "host" };

const TABLE_SUFFIX = String.raw`\.(?:inet6?|mpls|inetflow|inet6flow|l2vpn|evpn|iso|inetcolor|inet6color)\.\d+`;
const PATTERNS: { re: RegExp; evidenceOnly?: boolean; take: (m: RegExpMatchArray, add: (k: NameKind, n: string) => void) => void }[] = [
  { re: /(?<![A-Za-z0-9-])(?:host|x-forwarded-host):[ \t]*([A-Za-z0-9][A-Za-z0-9.-]*)/gi, take: (m, add) => add("host", m[1]!) },
  { re: /(?<![A-Za-z0-9-])x-pod:[ \t]*([A-Za-z0-9][A-Za-z0-9.-]*)/gi, take: (m, add) => add("pod", m[1]!) },
  { re: /\b[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s"'<>]*@)?([A-Za-z0-9][A-Za-z0-9.-]*)/gi, evidenceOnly: true, take: (m, add) => add("host", m[1]!) },
  { re: new RegExp(String.raw`(?<![A-Za-z0-9_.:-])([A-Za-z0-9][A-Za-z0-9_-]*)${TABLE_SUFFIX}(?![A-Za-z0-9])`, "g"), take: (m, add) => add("vrf", m[1]!) },
  { re: /(?:routing-instance|instance-name|table-name)["'>:\s=]+(?:\[\s*\{\s*"data"\s*:\s*")?([A-Za-z0-9][A-Za-z0-9_.-]*)/g, take: (m, add) => add("vrf", stripTable(m[1]!)) },
  {
    re: /\bdefault-domain:([A-Za-z0-9_.-]+):([A-Za-z0-9_.-]+)(?::([A-Za-z0-9_.-]+))?/g,
    take: (m, add) => {
      add("namespace", m[1]!);
      add("network", m[2]!);
      if (m[3]) add("network", m[3]);
    },
  },
  {
    // A Deployment's pod: NAME-<replica set hash>-<5 characters>; NAME is the Deployment (its service, usually).
    re: /(?<![A-Za-z0-9-])([a-z0-9](?:[a-z0-9-]*[a-z0-9])?)-([a-z0-9]{6,10})-([a-z0-9]{5})(?![A-Za-z0-9-])/g,
    take: (m, add) => {
      if (!/\d/.test(m[2]!) || !/[a-z]/.test(m[2]!) || !/\d/.test(m[3]!)) return;
      add("pod", m[0]!);
      add("service", m[1]!);
    },
  },
  {
    // (Not an image digest `repo@sha256:…`.)
    re: /(?<![A-Za-z0-9._%+/-])([a-z_][a-z0-9_-]{0,31})@(?!sha(?:256|384|512):)([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*)(?=[:>#$\s\]]|$)/g,
    take: (m, add) => {
      add("user", m[1]!);
      add("host", m[2]!);
    },
  },
  { re: /--namespace[= ]([a-z0-9][a-z0-9-]*)/g, take: (m, add) => add("namespace", m[1]!) },
];

// A routing instance's name from a table name (`blue.inet.0` → `blue`); a table of the master instance
// (`inet.0`, `inet6.3`, `mpls.0`, `bgp.l3vpn.0`, `bgp.evpn.0` …) names no instance: "".
function stripTable(s: string): string {
  if (/^(?:inet6?|mpls|inetflow|inet6flow|iso|inetcolor|inet6color|l2circuit|l2vpn|evpn|bgp\.[a-z0-9-]+|[a-z0-9-]+\.[a-z0-9-]+)\.\d+$/.test(s) && !new RegExp(`.${TABLE_SUFFIX}$`).test(s)) return "";
  return s.replace(new RegExp(`${TABLE_SUFFIX}$`), "");
}

/**
 * Whether a string can be a name worth redacting (has a letter, no spaces, not an address, not a kept word).
 *
 * @example
 * isRedactableName("cent222"); // true
 * isRedactableName("gateway"); // false (a node role)
 */
export function isRedactableName(s: string): boolean {
  if (s.length < 2 || s.length > 253 || !/[A-Za-z]/.test(s) || /[\s"'<>\\]/.test(s)) return false;
  if (net.isIP(s) || /^[0-9a-f]{1,2}([:-][0-9a-f]{1,2}){5}$/i.test(s)) return false;
  return !KEPT_NAMES.has(s.toLowerCase());
}

/**
 * Collects names with their kinds.
 *
 * @example
 * const c = new NameCollector();
 * c.fromText("GET / HTTP/1.1\r\nHost: www.juniper.net\r\n");
 * c.entries(); // [["host", "www.juniper.net"]]
 */
export class NameCollector {
  private readonly found = new Map<string, { kind: NameKind; name: string }>();

  /**
   * Adds one name of a kind (ignored when it is not redactable; the first kind seen wins).
   *
   * @example
   * c.add("node", "cent222");
   */
  add(kind: NameKind, name: string): void {
    let n = name.trim();
    // A Kubernetes `namespace/name` (a pod or service as the walk's Kubernetes view writes it): both parts.
    if ((kind === "pod" || kind === "service" || kind === "ingress") && /^[a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*$/.test(n)) {
      const [ns, rest] = n.split("/") as [string, string];
      this.add("namespace", ns);
      n = rest;
    }
    if (kind === "host") {
      // A URL (a `server` field): its host. A long hex string is a digest or container id, not a host.
      n = n.replace(/^[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?/i, "").replace(/\/.*$/, "").replace(/\.$/, "").replace(/:\d+$/, "");
      if (/^[0-9a-f]{32,}$/i.test(n)) return;
    }
    if (!isRedactableName(n)) return;
    const key = n.toLowerCase();
    if (!this.found.has(key)) this.found.set(key, { kind, name: n });
  }

  /**
   * Names in a text, by the text patterns (URLs only when `evidence`).
   *
   * @example
   * c.fromText("show route table k8s-ns-user-1-public.inet.0 101.101.101.1/32");
   */
  fromText(text: string, opts: { evidence?: boolean } = {}): void {
    for (const p of PATTERNS) {
      if (p.evidenceOnly && !opts.evidence) continue;
      p.re.lastIndex = 0;
      for (const m of text.matchAll(p.re)) p.take(m, (k, n) => this.add(k, n));
    }
  }

  /**
   * Names in a JSON value: fields by their key, header pairs, and the text patterns on every string.
   *
   * @example
   * c.fromJson({ discovery: { activeNode: "cent222", gatewayVrf: "k8s-ns-user-1-public" } });
   */
  fromJson(value: unknown, opts: { evidence?: boolean } = {}): void {
    const walk = (v: unknown, key: string | null, depth: number): void => {
      if (depth > 200) return;
      if (typeof v === "string") {
        const kind = key !== null ? KEY_KINDS[key] : undefined;
        if (kind) this.add(kind, kind === "vrf" ? stripTable(v) : v);
        this.fromText(v, opts);
      } else if (Array.isArray(v)) {
        if (v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") {
          const hk = HEADER_KINDS[v[0].toLowerCase()];
          if (hk) this.add(hk, v[1]);
        }
        for (const x of v) walk(x, key, depth + 1);
      } else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (IMAGE_DATA.has(k)) continue; // pixels (base64) and drawings made from data scanned elsewhere
          this.fromText(k, opts);
          // fabricIps: { "10.169.25.20": "cent222" } — values of an address-keyed map are node names.
          if (k === "fabricIps" && x && typeof x === "object") for (const n of Object.values(x)) if (typeof n === "string") this.add("node", n);
          walk(x, k, depth + 1);
        }
      }
    };
    walk(value, null, 0);
  }

  /**
   * Names in the items of one Kubernetes API list call (a `kube` record): every object's namespace, and
   * by the object's kind its own name (Namespace → namespace, Node → node, Pod → pod, Service and
   * Endpoints → service, Ingress → ingress), a pod's node, its controller (a ReplicaSet `NAME-<hash>`,
   * a Deployment or StatefulSet: NAME as a service), an endpoint's pod (`targetRef`) and node, an
   * ingress's hosts and backend services, a node's host names, and the well-known labels naming a node,
   * a service, a namespace or an app. Then {@link fromJson} on the items (keys and text patterns).
   *
   * @example
   * c.fromKubeItems("pods", [{ kind: "Pod", metadata: { name: "web-7db5dcb4c6-h9xk2", namespace: "shop" }, spec: { nodeName: "cent222" } }]);
   */
  fromKubeItems(resource: string, items: unknown): void {
    if (!Array.isArray(items)) return;
    const str = (v: unknown): string | null => (typeof v === "string" ? v : null);
    const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
    const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
    const add = (kind: NameKind, v: unknown): void => {
      const s = str(v);
      if (s) this.add(kind, s);
    };
    const byResource: Record<string, string> = { namespaces: "Namespace", nodes: "Node", pods: "Pod", services: "Service", endpoints: "Endpoints", endpointslices: "EndpointSlice", ingresses: "Ingress" };
    const ownKind: Record<string, NameKind> = { Namespace: "namespace", Node: "node", Pod: "pod", Service: "service", Endpoints: "service", Ingress: "ingress" };
    for (const item of items) {
      const o = obj(item);
      const meta = obj(o.metadata);
      const kind = str(o.kind) ?? byResource[resource] ?? "";
      add("namespace", meta.namespace);
      const own = ownKind[kind];
      if (own) add(own, meta.name);
      const labels = obj(meta.labels);
      add("node", labels["kubernetes.io/hostname"]);
      add("service", labels["kubernetes.io/service-name"]);
      add("namespace", labels["kubernetes.io/metadata.name"]);
      for (const k of ["app", "app.kubernetes.io/name", "app.kubernetes.io/instance", "k8s-app"]) add("service", labels[k]);
      for (const ref of arr(meta.ownerReferences)) {
        const r = obj(ref);
        const name = str(r.name);
        if (!name) continue;
        if (r.kind === "ReplicaSet") add("service", /^(.+)-[a-z0-9]{6,10}$/.exec(name)?.[1] ?? name);
        else if (r.kind === "Deployment" || r.kind === "StatefulSet") add("service", name);
      }
      const spec = obj(o.spec);
      add("node", spec.nodeName);
      if (kind === "Node") {
        for (const a of arr(obj(o.status).addresses)) {
          if (obj(a).type === "Hostname") add("node", obj(a).address);
          else if (/DNS$/.test(String(obj(a).type))) add("host", obj(a).address);
        }
      }
      // Endpoints (subsets[].addresses / notReadyAddresses) and EndpointSlices (endpoints[]): their pods and nodes.
      const eps = [...arr(o.endpoints), ...arr(o.subsets).flatMap((s) => [...arr(obj(s).addresses), ...arr(obj(s).notReadyAddresses)])];
      for (const e of eps) {
        const t = obj(obj(e).targetRef);
        if (t.kind === "Pod") add("pod", t.name);
        add("namespace", t.namespace);
        add("node", obj(e).nodeName);
      }
      if (kind === "Ingress") {
        const backend = (b: unknown): void => add("service", obj(obj(b).service).name ?? obj(b).serviceName);
        backend(spec.defaultBackend ?? spec.backend);
        for (const rule of arr(spec.rules)) {
          add("host", obj(rule).host);
          for (const p of arr(obj(obj(rule).http).paths)) backend(obj(p).backend);
        }
        for (const tls of arr(spec.tls)) for (const h of arr(obj(tls).hosts)) add("host", h);
      }
    }
    this.fromJson(items, { evidence: true });
  }

  /**
   * Every name found, with its kind.
   *
   * @example
   * c.entries(); // [["node", "cent222"], ["vrf", "k8s-ns-user-1-public"]]
   */
  entries(): [NameKind, string][] {
    return [...this.found.values()].map((e) => [e.kind, e.name]);
  }
}
