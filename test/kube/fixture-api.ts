/**
 * A Kubernetes API stand-in for the client tests: serves the fixture lists (shaped as the real API
 * answers) over HTTP on 127.0.0.1, with a bearer token (401 otherwise, with the API's Status body),
 * RBAC refusals per resource and namespace (403 with the API's message), and a kubeconfig pointing at it.
 * Only for the parser and refusal tests; the lab's own API is tested in the lab suites.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { AddressInfo } from "node:net";

const FIXTURE = path.join(__dirname, "..", "fixtures", "kube", "reference-cluster.json");

/** The fixture lists by resource. */
export function fixtureLists(): Record<string, { kind: string; apiVersion: string; items: Record<string, unknown>[] }> {
  return JSON.parse(fs.readFileSync(FIXTURE, "utf8"));
}

const ROUTES: [RegExp, string][] = [
  [/^\/api\/v1\/nodes$/, "nodes"],
  [/^\/api\/v1\/namespaces$/, "namespaces"],
  [/^\/api\/v1\/(?:namespaces\/([^/]+)\/)?pods$/, "pods"],
  [/^\/api\/v1\/(?:namespaces\/([^/]+)\/)?services$/, "services"],
  [/^\/api\/v1\/(?:namespaces\/([^/]+)\/)?endpoints$/, "endpoints"],
  [/^\/apis\/discovery\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?endpointslices$/, "endpointslices"],
  [/^\/apis\/networking\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?ingresses$/, "ingresses"],
];

export interface FixtureApi {
  url: string;
  /** Writes a kubeconfig for this server (context `fixture`, and `other` pointing nowhere) and returns its path. */
  kubeconfig(dir: string, token?: string): string;
  /** Paths asked, in order. */
  asked: string[];
  close(): Promise<void>;
}

/**
 * Starts the stand-in. `forbid`: `resource` (cluster-wide) or `resource@namespace` refused with 403.
 */
export async function startFixtureApi(opts: { token?: string; forbid?: string[]; lists?: ReturnType<typeof fixtureLists> } = {}): Promise<FixtureApi> {
  const lists = opts.lists ?? fixtureLists();
  const token = opts.token ?? "good-token";
  const asked: string[] = [];
  const status = (res: http.ServerResponse, code: number, reason: string, message: string) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code }));
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    asked.push(url.pathname);
    if (req.headers.authorization !== `Bearer ${token}`) return status(res, 401, "Unauthorized", "Unauthorized");
    for (const [re, resource] of ROUTES) {
      const m = re.exec(url.pathname);
      if (!m) continue;
      const ns = m[1] ?? null;
      if ((opts.forbid ?? []).includes(ns ? `${resource}@${ns}` : resource) || (!ns && (opts.forbid ?? []).some((f) => f.startsWith(`${resource}@`)))) {
        const group = resource === "endpointslices" ? "discovery.k8s.io" : resource === "ingresses" ? "networking.k8s.io" : "";
        return status(res, 403, "Forbidden", `${resource} is forbidden: User "system:serviceaccount:default:viewer" cannot list resource "${resource}" in API group "${group}" ${ns ? `in the namespace "${ns}"` : "at the cluster scope"}`);
      }
      if (resource === "namespaces") {
        const names = [...new Set(Object.values(lists).flatMap((l) => l.items.map((i) => (i.metadata as { namespace?: string }).namespace).filter(Boolean)))];
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ kind: "NamespaceList", apiVersion: "v1", metadata: {}, items: names.map((n) => ({ metadata: { name: n }, status: { phase: "Active" } })) }));
      }
      const list = lists[resource];
      const items = ns ? list.items.filter((i) => (i.metadata as { namespace?: string }).namespace === ns) : list.items;
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ ...list, items }));
    }
    status(res, 404, "NotFound", "the server could not find the requested resource");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    asked,
    kubeconfig(dir, tk = token) {
      const file = path.join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
      fs.writeFileSync(
        file,
        `apiVersion: v1
kind: Config
clusters:
- name: fixture
  cluster: { server: "${url}", insecure-skip-tls-verify: true }
- name: nowhere
  cluster: { server: "http://127.0.0.1:1", insecure-skip-tls-verify: true }
users:
- name: viewer
  user: { token: "${tk}" }
contexts:
- name: fixture
  context: { cluster: fixture, user: viewer }
- name: other
  context: { cluster: nowhere, user: viewer }
current-context: fixture
`,
      );
      return file;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
