/**
 * The lab's Kubernetes API read by the real kubectl (Debian's kubernetes-client 1.20 on CI, a newer one
 * here): default tables, -o json, -A, selectors, refusals (forbidden, expired token), a fault as the API
 * shows it, and `kubectl exec` over WebSocket where the client speaks it (1.30 and later).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLab, type Lab } from "../../lib/lab/lab";
import { agentPodName } from "../../lib/lab/kube/objects";

function kubectlVersion(): { minor: number; text: string } | null {
  try {
    const out = execFileSync("kubectl", ["version", "--client", "-o", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const v = JSON.parse(out).clientVersion as { minor: string; gitVersion: string };
    return { minor: parseInt(v.minor, 10), text: v.gitVersion };
  } catch {
    return null;
  }
}
const KUBECTL = kubectlVersion();
if (!KUBECTL) console.warn("kubectl is not installed (apt-get install -y kubernetes-client): the kubectl checks of the lab's Kubernetes API are skipped");
const EXEC_WS = KUBECTL !== null && KUBECTL.minor >= 30;
if (KUBECTL && !EXEC_WS) console.warn(`kubectl ${KUBECTL.text} execs over SPDY only (WebSocket from 1.30): the kubectl exec checks are skipped; the exec runner's tests cover exec`);

let lab: Lab;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  if (!KUBECTL) return;
  lab = await startLab();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kubectl-"));
  kubeconfig = path.join(dir, "kubeconfig");
  lab.writeKubeconfig(kubeconfig);
});
afterAll(async () => {
  await lab?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function kubectl(args: string[], opts: { input?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      "kubectl",
      ["--kubeconfig", kubeconfig, "--cache-dir", path.join(dir, "cache"), "--request-timeout", "20s", ...args],
      { env: { ...process.env, HOME: dir, KUBECONFIG: "" }, timeout: 30_000, encoding: "utf8" },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** The rows of a kubectl table: header names → cells (columns split on runs of 2+ spaces). */
function table(text: string): Record<string, string>[] {
  const lines = text.trimEnd().split("\n").filter((l) => l.trim() !== "");
  const header = lines[0]!;
  const starts: number[] = [];
  const re = /\S+(?: \S+)*/g;
  let m: RegExpExecArray | null;
  const names: string[] = [];
  while ((m = re.exec(header))) {
    starts.push(m.index);
    names.push(m[0]);
  }
  return lines.slice(1).map((l) => Object.fromEntries(names.map((n, i) => [n, l.slice(starts[i], starts[i + 1] ?? undefined).trim()])));
}

describe.skipIf(!KUBECTL)("kubectl against the lab's Kubernetes API", () => {
  it("get nodes: both computes Ready, -o wide shows their fabric IPs as INTERNAL-IP", async () => {
    const r = await kubectl(["get", "nodes", "-o", "wide"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const rows = table(r.stdout);
    expect(rows.map((x) => [x.NAME, x.STATUS, x["INTERNAL-IP"]])).toEqual([
      ["cent222", "Ready", "10.169.25.20"],
      ["cent333", "Ready", "10.169.25.21"],
    ]);
  });

  it("get pods -A: the agent pod per node (host network) and the backend pod with its node", async () => {
    const r = await kubectl(["get", "pods", "-A", "-o", "wide"]);
    expect(r.code).toBe(0);
    const rows = table(r.stdout);
    expect(rows).toContainEqual(expect.objectContaining({ NAMESPACE: "kube-system", NAME: agentPodName("cent222"), READY: "2/2", STATUS: "Running", IP: "10.169.25.20", NODE: "cent222" }));
    expect(rows).toContainEqual(expect.objectContaining({ NAMESPACE: "kube-system", NAME: agentPodName("cent333"), IP: "10.169.25.21", NODE: "cent333" }));
    expect(rows).toContainEqual(expect.objectContaining({ NAMESPACE: "ns-user-1", NAME: "webservice-7db5dcb4c6-h9xk2", READY: "1/1", IP: "10.47.255.236", NODE: "cent333" }));
    expect(rows).toHaveLength(3);
  });

  it("get svc, endpoints, endpointslices, ingress: the chain from the FIP to the pod", async () => {
    const svc = table((await kubectl(["get", "svc", "-n", "ns-user-1"])).stdout);
    expect(svc).toEqual([expect.objectContaining({ NAME: "webservice", TYPE: "ClusterIP", "CLUSTER-IP": "10.99.225.17", "PORT(S)": "80/TCP" })]);
    const ep = table((await kubectl(["get", "endpoints", "-n", "ns-user-1"])).stdout);
    expect(ep).toEqual([expect.objectContaining({ NAME: "webservice", ENDPOINTS: "10.47.255.236:80" })]);
    const slices = table((await kubectl(["get", "endpointslices", "-A"])).stdout);
    expect(slices).toEqual([expect.objectContaining({ NAMESPACE: "ns-user-1", ADDRESSTYPE: "IPv4", PORTS: "80", ENDPOINTS: "10.47.255.236" })]);
    expect(slices[0]!.NAME).toMatch(/^webservice-[a-z0-9]{5}$/);
    const ing = table((await kubectl(["get", "ingress", "-A"])).stdout);
    expect(ing).toEqual([expect.objectContaining({ NAMESPACE: "ns-user-1", NAME: "webservice-ingress", HOSTS: "www.juniper.net" })]);
    expect(ing[0]!.ADDRESS!.split(",")).toContain("101.101.101.1");
  });

  it("-o json: real object shapes (uid, resourceVersion, creationTimestamp, status) and selectors", async () => {
    const r = await kubectl(["get", "pods", "-n", "kube-system", "-l", "app=contrail-agent", "--field-selector", "spec.nodeName=cent333", "-o", "json"]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as { kind: string; items: { metadata: Record<string, string>; spec: { nodeName: string; containers: { name: string }[]; hostNetwork: boolean }; status: { podIP: string; conditions: { type: string; status: string }[] } }[] };
    expect(list.kind).toBe("List");
    expect(list.items).toHaveLength(1);
    const pod = list.items[0]!;
    expect(pod.metadata.name).toBe(agentPodName("cent333"));
    expect(pod.metadata.uid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Number(pod.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(Date.parse(pod.metadata.creationTimestamp)).toBeLessThan(Date.now());
    expect(pod.spec.nodeName).toBe("cent333");
    expect(pod.spec.hostNetwork).toBe(true);
    expect(pod.spec.containers.map((c) => c.name)).toEqual(["contrail-vrouter-agent", "contrail-agent-nodemgr"]);
    expect(pod.status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
    const ing = JSON.parse((await kubectl(["get", "ingress", "webservice-ingress", "-n", "ns-user-1", "-o", "json"])).stdout);
    expect(ing.status.loadBalancer.ingress).toContainEqual({ ip: "101.101.101.1" });
    expect(ing.spec.rules[0].host).toBe("www.juniper.net");
    const none = await kubectl(["get", "pods", "-A", "-l", "app=nothing"]);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/No resources found/);
  });

  it("refusals: 403 for secrets (viewer) and another namespace (tenant), 401 for the expired token, 404 for a missing pod", async () => {
    const secrets = await kubectl(["--context", "packetwalk-lab-viewer", "get", "secrets", "-n", "kube-system"]);
    expect(secrets.code).not.toBe(0);
    expect(secrets.stderr).toContain('Error from server (Forbidden): secrets is forbidden: User "packetwalk-viewer" cannot list resource "secrets" in API group "" in the namespace "kube-system"');
    const tenant = await kubectl(["--context", "packetwalk-lab-tenant", "get", "pods", "-n", "kube-system"]);
    expect(tenant.stderr).toContain('pods is forbidden: User "tenant-ns-user-1" cannot list resource "pods" in API group "" in the namespace "kube-system"');
    const own = await kubectl(["--context", "packetwalk-lab-tenant", "get", "pods"]);
    expect(own.code).toBe(0);
    expect(table(own.stdout).map((x) => x.NAME)).toEqual(["webservice-7db5dcb4c6-h9xk2"]);
    const expired = await kubectl(["--context", "packetwalk-lab-expired", "get", "nodes"]);
    expect(expired.code).not.toBe(0);
    expect(expired.stderr).toMatch(/You must be logged in to the server \(Unauthorized\)/);
    const missing = await kubectl(["get", "pod", "nope", "-n", "ns-user-1"]);
    expect(missing.stderr).toContain('Error from server (NotFound): pods "nope" not found');
  });

  it("backend-down: the endpoint stays but turns not ready, the pod is Ready=False; switching it off restores them", async () => {
    lab.setFault("backend-down", true);
    try {
      const pods = table((await kubectl(["get", "pods", "-n", "ns-user-1"])).stdout);
      expect(pods).toEqual([expect.objectContaining({ NAME: "webservice-7db5dcb4c6-h9xk2", READY: "0/1", STATUS: "Running" })]);
      const ep = JSON.parse((await kubectl(["get", "endpoints", "webservice", "-n", "ns-user-1", "-o", "json"])).stdout);
      expect(ep.subsets[0].addresses).toBeUndefined();
      expect(ep.subsets[0].notReadyAddresses).toEqual([expect.objectContaining({ ip: "10.47.255.236", nodeName: "cent333" })]);
      const slices = JSON.parse((await kubectl(["get", "endpointslices", "-n", "ns-user-1", "-l", "kubernetes.io/service-name=webservice", "-o", "json"])).stdout);
      expect(slices.items[0].endpoints[0]).toMatchObject({ addresses: ["10.47.255.236"], conditions: { ready: false, serving: false, terminating: false }, nodeName: "cent333" });
      expect(table((await kubectl(["get", "endpoints", "-n", "ns-user-1"])).stdout)[0]!.ENDPOINTS).toBe("<none>");
    } finally {
      lab.setFault("backend-down", false);
    }
    const ep = JSON.parse((await kubectl(["get", "endpoints", "webservice", "-n", "ns-user-1", "-o", "json"])).stdout);
    expect(ep.subsets[0].addresses).toEqual([expect.objectContaining({ ip: "10.47.255.236" })]);
  });

  it("a fault the API cannot see (service-no-route) changes no object", async () => {
    const before = (await kubectl(["get", "pods,svc,endpoints,endpointslices,ingress", "-A", "-o", "json"])).stdout;
    lab.setFault("service-no-route", true);
    try {
      expect((await kubectl(["get", "pods,svc,endpoints,endpointslices,ingress", "-A", "-o", "json"])).stdout).toBe(before);
    } finally {
      lab.setFault("service-no-route", false);
    }
  });

  describe.skipIf(!EXEC_WS)("kubectl exec (WebSocket)", () => {
    it("runs the vRouter utilities in the agent container: the same output as the lab's tool", async () => {
      const r = await kubectl(["exec", "-n", "kube-system", agentPodName("cent222"), "-c", "contrail-vrouter-agent", "--", "nh", "--get", "61"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(lab.tool("cent222", ["nh", "--get", "61"]).stdout);
    });

    it("passes exit codes, stderr and stdin; refuses a container without the tools", async () => {
      const r = await kubectl(["exec", "-n", "kube-system", agentPodName("cent222"), "-c", "contrail-vrouter-agent", "--", "sh", "-c", "echo oops >&2; exit 3"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("oops");
      const cat = await kubectl(["exec", "-i", "-n", "kube-system", agentPodName("cent333"), "-c", "contrail-vrouter-agent", "--", "cat"], { input: "hello lab\n" });
      expect(cat.stdout).toBe("hello lab\n");
      const nodemgr = await kubectl(["exec", "-n", "kube-system", agentPodName("cent222"), "-c", "contrail-agent-nodemgr", "--", "flow", "-l"]);
      expect(nodemgr.code).not.toBe(0);
      expect(nodemgr.stderr).toContain('exec: "flow": executable file not found in $PATH');
      const viewer = await kubectl(["--context", "packetwalk-lab-viewer", "exec", "-n", "kube-system", agentPodName("cent222"), "-c", "contrail-vrouter-agent", "--", "flow", "-l"]);
      expect(viewer.stderr).toContain(`pods "${agentPodName("cent222")}" is forbidden: User "packetwalk-viewer" cannot create resource "pods/exec" in API group "" in the namespace "kube-system"`);
    });
  });
});
