/**
 * The lab's Kubernetes API server: HTTPS on 127.0.0.1 with a lab-made CA (`x509.ts`), bearer-token
 * users (`auth.ts`), read-only get/list of the lab cluster's objects (`objects.ts`, `store.ts`) with
 * label and field selectors (`selectors.ts`), server-side Tables for kubectl (`tables.ts`), legacy
 * discovery (`/api`, `/apis`, `/api/v1`, `/apis/<group>/<version>`), `Status` objects for every
 * error, and pod `exec` over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`; `exec.ts`).
 */
import * as https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type * as net from "node:net";
import type { Duplex } from "node:stream";
import type { LabState } from "../state";
import { authenticate, authorize, makeKubeUsers, type KubeAttributes, type KubeUser } from "./auth";
import { EXEC_PROTOCOLS, runExec, type ExecTarget } from "./exec";
import { KUBE_RESOURCES, LAB_KUBE_VERSION, type KubeObject, type KubeResource } from "./objects";
import { compileFieldSelector, matchLabels, parseLabelSelector } from "./selectors";
import { KubeStore } from "./store";
import { toTable } from "./tables";
import { acceptWebSocket } from "./websocket";
import { makeLabCertificates } from "./x509";
import { listenOnLoopback } from "../listen";

/** Where an exec into a pod's container runs: the environment of that container on its node, or why not. */
export type ExecEnvironment = (target: ExecTarget) => { env: Record<string, string>; cwd: string } | { error: string };

/** Options of {@link startKubeApi}. */
export interface KubeApiOptions {
  state: LabState;
  /** The environment of exec sessions; without it every exec is refused. */
  execEnv?: ExecEnvironment;
  /** Port on 127.0.0.1 (0: ephemeral, default). */
  port?: number;
  log?: (line: string) => void;
}

/** A running lab API server. */
export interface KubeApiServer {
  /** `https://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The CA certificate (PEM) that signed the server's certificate. */
  caCert: string;
  users: KubeUser[];
  store: KubeStore;
  close(): Promise<void>;
}

/**
 * A Kubernetes `Status` object (the body of every API error).
 *
 * @example
 * kubeStatus(404, "NotFound", 'pods "x" not found', { name: "x", kind: "pods" });
 * // { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: 'pods "x" not found', reason: "NotFound", details: { name: "x", kind: "pods" }, code: 404 }
 */
export function kubeStatus(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, ...(details ? { details } : {}), code };
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function groupVersion(r: Pick<KubeResource, "group" | "version">): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/**
 * The discovery document of one group version (`/api/v1`, `/apis/apps/v1`): an `APIResourceList`.
 *
 * @example
 * resourceList("", "v1").resources.map((r) => r.name); // ["namespaces", "nodes", "pods", "pods/exec", …]
 */
export function resourceList(group: string, version: string): { kind: string; apiVersion: string; groupVersion: string; resources: Record<string, unknown>[] } {
  const resources: Record<string, unknown>[] = [];
  for (const r of KUBE_RESOURCES.filter((x) => x.group === group && x.version === version)) {
    resources.push({
      name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: ["get", "list"],
      ...(r.shortNames ? { shortNames: r.shortNames } : {}), ...(["pods", "services", "daemonsets", "deployments", "replicasets"].includes(r.resource) ? { categories: ["all"] } : {}),
    });
    for (const s of r.subresources ?? []) resources.push({ name: `${r.resource}/${s.name}`, singularName: "", namespaced: r.namespaced, kind: s.kind, verbs: s.verbs });
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

function apiGroups(): Record<string, unknown> {
  const groups = [...new Set(KUBE_RESOURCES.filter((r) => r.group).map((r) => r.group))];
  return {
    kind: "APIGroupList", apiVersion: "v1",
    groups: groups.map((g) => {
      const versions = [...new Set(KUBE_RESOURCES.filter((r) => r.group === g).map((r) => r.version))].map((v) => ({ groupVersion: `${g}/${v}`, version: v }));
      return { name: g, versions, preferredVersion: versions[0] };
    }),
  };
}

/** Which Table version the Accept header asks for, if any. */
function tableVersion(accept: string | undefined): string | null {
  for (const part of (accept ?? "").split(",")) {
    const params = part.split(";").map((s) => s.trim());
    if (!params.includes("as=Table") || !params.includes("g=meta.k8s.io")) continue;
    if (params.includes("v=v1")) return "meta.k8s.io/v1";
    if (params.includes("v=v1beta1")) return "meta.k8s.io/v1beta1";
  }
  return null;
}

interface Route {
  resource: KubeResource;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** The path's segments, percent-decoded; `null` for a malformed escape. */
function decodeSegments(p: string): string[] | null {
  try {
    return p.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    return null;
  }
}

/** Parses a resource path (`/api/v1/namespaces/ns/pods/x/exec`, `/apis/apps/v1/daemonsets`). */
function parseResourcePath(segments: string[]): Route | { notFound: true } | null {
  let group = "";
  let version: string;
  let rest: string[];
  if (segments[0] === "api") {
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === "apis") {
    group = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else return null;
  if (!version || rest.length === 0) return null;
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}…, but /namespaces and /namespaces/{name} are the namespaces themselves.
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = KUBE_RESOURCES.find((r) => r.group === group && r.version === version && r.resource === rest[0]);
  if (!resource || rest.length > 3) return { notFound: true };
  if (namespace !== undefined && !resource.namespaced) return { notFound: true };
  return { resource, ...(namespace !== undefined ? { namespace } : {}), ...(rest[1] ? { name: rest[1] } : {}), ...(rest[2] ? { subresource: rest[2] } : {}) };
}

const NOT_FOUND = kubeStatus(404, "NotFound", "the server could not find the requested resource", {});

/**
 * Starts the lab's Kubernetes API on 127.0.0.1 over HTTPS.
 *
 * @example
 * const api = await startKubeApi({ state: lab.state, execEnv });
 * // kubectl --server api.url --certificate-authority ca.crt --token api.users[0].token get pods -A
 * await api.close();
 */
export async function startKubeApi(opts: KubeApiOptions): Promise<KubeApiServer> {
  const { ca, server: cert } = makeLabCertificates();
  const t = opts.state.topology;
  const appNs = t.namespace;
  const users = makeKubeUsers(appNs);
  const store = new KubeStore(opts.state);
  const sockets = new Set<net.Socket>();
  const sessions = new Set<{ stop(): void }>();
  const log = (l: string) => {
    try {
      opts.log?.(l);
    } catch {
      /* never */
    }
  };

  const gate = (user: KubeUser, a: KubeAttributes): string | null => {
    const r = authorize(user, a, appNs);
    return r.allowed ? null : r.message;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "https://127.0.0.1");
    } catch {
      return send(res, 400, kubeStatus(400, "BadRequest", "malformed request URL"));
    }
    const path = url.pathname.replace(/\/+$/, "") || "/";
    const header = req.headers.authorization;
    const user = authenticate(users, header);
    if (header !== undefined && !user) return send(res, 401, kubeStatus(401, "Unauthorized", "Unauthorized"));
    const publicPath = ["/version", "/healthz", "/livez", "/readyz"].includes(path);
    if (!user && !publicPath) {
      const r = decodeSegments(path);
      const route = r ? parseResourcePath(r) : null;
      const msg = route && "resource" in route
        ? `${route.resource.resource} is forbidden: User "system:anonymous" cannot ${route.name ? "get" : "list"} resource "${route.resource.resource}" in API group "${route.resource.group}" ${route.namespace ? `in the namespace "${route.namespace}"` : "at the cluster scope"}`
        : `forbidden: User "system:anonymous" cannot get path "${path}"`;
      return send(res, 403, kubeStatus(403, "Forbidden", msg, route && "resource" in route ? { kind: route.resource.resource } : {}));
    }
    if (req.method !== "GET" && req.method !== "HEAD" && !(req.method === "POST" && /\/exec$/.test(path))) {
      return send(res, 405, kubeStatus(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {}));
    }
    if (["/healthz", "/livez", "/readyz"].includes(path)) {
      res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      return void res.end("ok");
    }
    if (path === "/version") {
      return send(res, 200, {
        major: LAB_KUBE_VERSION.major, minor: LAB_KUBE_VERSION.minor, gitVersion: LAB_KUBE_VERSION.gitVersion, gitCommit: "packetwalk-lab", gitTreeState: "clean",
        buildDate: "2024-08-14T19:29:31Z", goVersion: "go1.22.5", compiler: "gc", platform: "linux/amd64",
      });
    }
    if (path === "/api") return send(res, 200, { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `127.0.0.1:${port}` }] });
    if (path === "/apis") return send(res, 200, apiGroups());
    const seg = decodeSegments(path);
    if (!seg) return send(res, 400, kubeStatus(400, "BadRequest", `malformed path ${JSON.stringify(path.slice(0, 200))}`));
    if (seg[0] === "apis" && seg.length === 2) {
      const g = (apiGroups().groups as { name: string }[]).find((x) => x.name === seg[1]);
      return g ? send(res, 200, { kind: "APIGroup", apiVersion: "v1", ...g }) : send(res, 404, NOT_FOUND);
    }
    if ((seg[0] === "api" && seg.length === 2) || (seg[0] === "apis" && seg.length === 3)) {
      const [group, version] = seg[0] === "api" ? ["", seg[1]!] : [seg[1]!, seg[2]!];
      const list = resourceList(group, version);
      return list.resources.length ? send(res, 200, list) : send(res, 404, NOT_FOUND);
    }
    const route = parseResourcePath(seg);
    if (!route || "notFound" in route) return send(res, 404, NOT_FOUND);
    const r = route.resource;
    if (route.subresource) {
      if (r.resource === "pods" && route.subresource === "exec") {
        const refused = gate(user!, { verb: "create", group: "", resource: "pods", subresource: "exec", namespace: route.namespace!, name: route.name! });
        if (refused) return send(res, 403, kubeStatus(403, "Forbidden", refused, { name: route.name, kind: "pods" }));
        return send(res, 400, kubeStatus(400, "BadRequest", "Upgrade request required"));
      }
      return send(res, 404, NOT_FOUND);
    }
    if (url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1") {
      return send(res, 405, kubeStatus(405, "MethodNotAllowed", "watch is not served by the packetwalk lab API (get and list only)", {}));
    }
    const attrs: KubeAttributes = { verb: route.name ? "get" : "list", group: r.group, resource: r.resource, ...(route.namespace ? { namespace: route.namespace } : {}), ...(route.name ? { name: route.name } : {}) };
    // A cluster-scoped get of a namespace object is authorized against that namespace, as RBAC does.
    if (r.resource === "namespaces" && route.name) attrs.namespace = route.name;
    const refused = gate(user!, attrs);
    if (refused) return send(res, 403, kubeStatus(403, "Forbidden", refused, { ...(route.name ? { name: route.name } : {}), ...(r.group ? { group: r.group } : {}), kind: r.resource }));
    if (route.name) {
      const o = store.get(r, route.namespace, route.name);
      if (!o) return send(res, 404, kubeStatus(404, "NotFound", `${r.group ? `${r.resource}.${r.group}` : r.resource} "${route.name}" not found`, { name: route.name, ...(r.group ? { group: r.group } : {}), kind: r.resource }));
      const tv = tableVersion(req.headers.accept);
      return send(res, 200, tv ? withObjects(toTable(r.kind, [o], Date.now(), o.metadata.resourceVersion, tv), [o], url) : o);
    }
    const labels = parseLabelSelector(url.searchParams.get("labelSelector") ?? "");
    if ("error" in labels) return send(res, 400, kubeStatus(400, "BadRequest", labels.error));
    const fields = compileFieldSelector(url.searchParams.get("fieldSelector") ?? "", r.kind);
    if ("error" in fields) return send(res, 400, kubeStatus(400, "BadRequest", fields.error));
    const items = store.list(r).filter((o) => (route.namespace === undefined || o.metadata.namespace === route.namespace) && matchLabels(o.metadata.labels, labels.requirements) && fields.match(o));
    const tv = tableVersion(req.headers.accept);
    if (tv) return send(res, 200, withObjects(toTable(r.kind, items, Date.now(), store.resourceVersion, tv), items, url));
    return send(res, 200, { kind: `${r.kind}List`, apiVersion: groupVersion(r), metadata: { resourceVersion: store.resourceVersion }, items });
  };

  const upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", () => undefined);
    const refuse = (code: number, status: Record<string, unknown>) => {
      const body = JSON.stringify(status);
      const text = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 426: "Upgrade Required", 500: "Internal Server Error" }[code] ?? "Error";
      socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "https://127.0.0.1");
    } catch {
      return refuse(400, kubeStatus(400, "BadRequest", "malformed request URL"));
    }
    const user = authenticate(users, req.headers.authorization);
    if (!user) return refuse(401, kubeStatus(401, "Unauthorized", "Unauthorized"));
    const seg = decodeSegments(url.pathname);
    const route = seg ? parseResourcePath(seg) : null;
    if (!route || "notFound" in route || route.resource.resource !== "pods" || route.subresource !== "exec" || !route.namespace || !route.name) {
      return refuse(404, NOT_FOUND);
    }
    const refused = gate(user, { verb: "create", group: "", resource: "pods", subresource: "exec", namespace: route.namespace, name: route.name });
    if (refused) return refuse(403, kubeStatus(403, "Forbidden", refused, { name: route.name, kind: "pods" }));
    const pod = store.get(route.resource, route.namespace, route.name);
    if (!pod) return refuse(404, kubeStatus(404, "NotFound", `pods "${route.name}" not found`, { name: route.name, kind: "pods" }));
    const containers = ((pod.spec as { containers: { name: string }[] }).containers ?? []).map((c) => c.name);
    const q = url.searchParams;
    const container = q.get("container") ?? (containers.length === 1 ? containers[0]! : "");
    if (!container) {
      return refuse(400, kubeStatus(400, "BadRequest", `a container name must be specified for pod ${route.name}, choose one of: [${containers.join(" ")}]`));
    }
    if (!containers.includes(container)) return refuse(400, kubeStatus(400, "BadRequest", `container ${container} is not valid for pod ${route.name}`));
    const command = q.getAll("command");
    if (command.length === 0) return refuse(400, kubeStatus(400, "BadRequest", "you must specify at least 1 command"));
    const flag = (k: string) => ["true", "1"].includes(q.get(k) ?? "");
    if (flag("tty")) return refuse(400, kubeStatus(400, "BadRequest", "tty is not served by the packetwalk lab API"));
    if (!flag("stdout") && !flag("stderr") && !flag("stdin")) return refuse(400, kubeStatus(400, "BadRequest", "you must specify at least 1 of stdin, stdout, stderr"));
    const target: ExecTarget = { namespace: route.namespace, pod: route.name, container, node: String((pod.spec as { nodeName?: string }).nodeName ?? "") };
    const env = opts.execEnv ? opts.execEnv(target) : { error: "exec is not available in this lab" };
    if ("error" in env) return refuse(500, kubeStatus(500, "InternalError", `Internal error occurred: ${env.error}`, { causes: [{ message: env.error }] }));
    const ws = acceptWebSocket(req, socket, head, EXEC_PROTOCOLS);
    if ("status" in ws) return refuse(ws.status, kubeStatus(ws.status, "BadRequest", ws.message));
    log(`kube exec ${user.username} ${target.namespace}/${target.pod}/${target.container}: ${command.join(" ")}`);
    const session = runExec(ws, command, { ...env, stdin: flag("stdin"), stdout: flag("stdout"), stderr: flag("stderr") });
    sessions.add(session);
    ws.on("close", () => sessions.delete(session));
  };

  const server = https.createServer({ cert: cert.cert, key: cert.key, ca: [ca.cert] }, (req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      log(`kube api: ${(e as Error).message}`);
      if (!res.headersSent) send(res, 500, kubeStatus(500, "InternalError", `Internal error occurred: ${(e as Error).message}`));
      else res.destroy();
    }
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    try {
      upgrade(req, socket, head);
    } catch (e) {
      log(`kube api upgrade: ${(e as Error).message}`);
      socket.destroy();
    }
  });
  server.on("connection", (s: net.Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("tlsClientError", () => undefined);
  server.on("clientError", (_e, s) => s.destroy());
  const port = await listenOnLoopback(server, opts.port ?? 0);
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caCert: ca.cert,
    users,
    store,
    close: () =>
      new Promise<void>((resolve) => {
        store.dispose();
        for (const s of sessions) s.stop();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        setTimeout(resolve, 1000).unref();
      }),
  };
}

// Rows carry the full object when asked (`includeObject=Object`), metadata by default, nothing for None.
function withObjects(table: Record<string, unknown>, items: KubeObject[], url: URL): Record<string, unknown> {
  const include = url.searchParams.get("includeObject") ?? "Metadata";
  const rows = table.rows as { cells: unknown[]; object?: unknown }[];
  rows.forEach((row, i) => {
    if (include === "Object") row.object = items[i];
    else if (include === "None") delete row.object;
  });
  return table;
}
