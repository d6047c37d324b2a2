/**
 * The pure parts of the Kubernetes view: the API's list items into rows, the ingress → service →
 * endpoints → pods → nodes join, the findings where the API and the forwarding disagree, the agent pods
 * and the inventory draft. Fixtures are shaped as the real API answers (test/fixtures/kube).
 */
import { describe, expect, it } from "vitest";
import { vrouterAgentPods } from "../../lib/kube/agents";
import { hostMatches, kubeChain, pathMatches } from "../../lib/kube/chain";
import { kubeFindings, type ForwardingEvidence } from "../../lib/kube/findings";
import { draftInventory, inventoryYaml } from "../../lib/kube/inventory-draft";
import { kubeObjects, readEndpoints, readEndpointSlices, readIngresses, readNodes, readPods } from "../../lib/kube/objects";
import type { KubeResource, KubeSnapshot } from "../../lib/kube/types";
import { parse } from "yaml";
import { fixtureLists } from "./fixture-api";

type Lists = ReturnType<typeof fixtureLists>;

function snapshotOf(lists: Lists, failed: Partial<Record<KubeResource, string>> = {}): KubeSnapshot {
  const reads = (["nodes", "pods", "services", "endpointslices", "endpoints", "ingresses"] as const).map((resource) =>
    failed[resource]
      ? { resource, namespace: null, startedAt: 0, endedAt: 0, items: null, error: { resource, namespace: null, kind: "forbidden" as const, status: 403, message: failed[resource]! } }
      : { resource, namespace: null, startedAt: 0, endedAt: 0, items: lists[resource].items, error: null },
  );
  return { server: "(fixtures)", context: "fixture", startedAt: 0, endedAt: 0, reads };
}

const REQ = { fip: "101.101.101.1", host: "www.juniper.net", path: "/" };
const healthyEvidence = (): ForwardingEvidence => ({
  probes: 1, serviceIp: "10.99.225.17", backendPodIp: "10.47.255.236", backendNode: "cent333",
  flowsByIp: { "10.47.255.236": { flows: 2, packets: 12, nodes: ["cent333"] } },
  routes: { "10.47.255.236": { node: "cent333", vrf: 2, ok: true, detail: "10.47.255.236/32 → nh 24 Encap → vif 3" } },
  apiErrors: [],
});

describe("reading the API's list items", () => {
  const lists = fixtureLists();
  it("reads nodes with their InternalIP and Ready condition", () => {
    const { rows, warnings } = readNodes(lists.nodes.items);
    expect(warnings).toEqual([]);
    expect(rows.map((n) => [n.name, n.internalIp, n.ready])).toEqual([["k8s-master", "10.169.25.19", "True"], ["cent222", "10.169.25.20", "True"], ["cent333", "10.169.25.21", "True"]]);
  });
  it("reads pods with node, IP, readiness, containers and owners", () => {
    const web = readPods(lists.pods.items).rows.find((p) => p.name.startsWith("webservice"))!;
    expect(web).toMatchObject({ namespace: "ns-user-1", node: "cent333", ip: "10.47.255.236", ready: "True", phase: "Running", containers: ["webservice"], owners: ["ReplicaSet/webservice-7db5dcb4c6"] });
    expect(web.ports).toEqual([{ name: "http", containerPort: 80, protocol: "TCP" }]);
  });
  it("reads endpoint slices (ready from conditions) and Endpoints (addresses and notReadyAddresses) alike", () => {
    const s = readEndpointSlices(lists.endpointslices.items).rows;
    const e = readEndpoints(lists.endpoints.items).rows;
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ service: "webservice", ip: "10.47.255.236", ready: true, pod: "ns-user-1/webservice-7db5dcb4c6-h9xk2", node: "cent333", source: "endpointslice" });
    expect(e[0]).toMatchObject({ service: "webservice", ip: "10.47.255.236", ready: true, pod: "ns-user-1/webservice-7db5dcb4c6-h9xk2", node: "cent333", source: "endpoints" });
    const notReady = readEndpoints([{ metadata: { name: "w", namespace: "n" }, subsets: [{ notReadyAddresses: [{ ip: "10.0.0.9" }], ports: [{ port: 8080 }] }] }]).rows;
    expect(notReady).toEqual([expect.objectContaining({ ip: "10.0.0.9", ready: false, ports: [{ name: null, port: 8080, protocol: "TCP" }] })]);
    // A slice endpoint without conditions.ready counts as ready (the API: "nil should be interpreted as ready").
    expect(readEndpointSlices([{ metadata: { name: "x", namespace: "n", labels: { "kubernetes.io/service-name": "w" } }, endpoints: [{ addresses: ["10.0.0.8"] }] }]).rows[0].ready).toBe(true);
  });
  it("reads ingress rules with their backends and status addresses", () => {
    const [ing] = readIngresses(lists.ingresses.items).rows;
    expect(ing.paths).toEqual([{ host: "www.juniper.net", path: "/", pathType: "Prefix", service: "webservice", port: 80 }]);
    expect(ing.statusIps).toEqual(["10.47.255.238", "101.101.101.1"]);
  });
  it("never throws on bad items: each is left out with a warning naming the resource and index", () => {
    const bad = [null, 7, "x", { metadata: {} }, { metadata: { name: "ok" } }, { metadata: { name: 5, namespace: "n" } }];
    expect(() => readPods(bad)).not.toThrow();
    expect(readPods(bad).warnings).toHaveLength(6);
    expect(readNodes(bad).rows.map((n) => n.name)).toEqual(["ok"]);
    expect(readNodes(bad).warnings[0]).toMatch(/^nodes\[0\]: no metadata\.name/);
    expect(readIngresses([{ metadata: { name: "i", namespace: "n" }, spec: { rules: "nonsense" } }]).rows[0].paths).toEqual([]);
  });
  it("takes endpoints from slices, from Endpoints when slices were refused, and keeps the refusal", () => {
    expect(kubeObjects(snapshotOf(lists)).endpointSource).toBe("endpointslice");
    const o = kubeObjects(snapshotOf(lists, { endpointslices: "forbidden to list endpointslices" }));
    expect(o.endpointSource).toBe("endpoints");
    expect(o.endpoints).toHaveLength(1);
    expect(o.errors.map((e) => e.message)).toEqual(["forbidden to list endpointslices"]);
  });
});

describe("the ingress rule match", () => {
  it("matches hosts exactly, by one-label wildcard, or any host", () => {
    expect(hostMatches("www.juniper.net", "WWW.Juniper.net")).toBe(true);
    expect(hostMatches("www.juniper.net", "www.juniper.net:80")).toBe(true);
    expect(hostMatches("*.juniper.net", "www.juniper.net")).toBe(true);
    expect(hostMatches("*.juniper.net", "juniper.net")).toBe(false);
    expect(hostMatches("*.juniper.net", "a.b.juniper.net")).toBe(false);
    expect(hostMatches(null, "anything")).toBe(true);
  });
  it("matches Prefix by path elements and Exact exactly", () => {
    expect(pathMatches("/", "Prefix", "/anything")).toBe(true);
    expect(pathMatches("/foo", "Prefix", "/foo/bar")).toBe(true);
    expect(pathMatches("/foo/", "Prefix", "/foo")).toBe(true);
    expect(pathMatches("/foo", "Prefix", "/foobar")).toBe(false);
    expect(pathMatches("/foo", "Exact", "/foo")).toBe(true);
    expect(pathMatches("/foo", "Exact", "/foo/")).toBe(false);
    expect(pathMatches("/download", "Prefix", "/download/20000?x=1")).toBe(true);
  });
  it("picks the longest path, Exact over Prefix, exact host over wildcard", () => {
    const lists = fixtureLists();
    const ing = lists.ingresses.items[0] as { spec: { rules: unknown[] } };
    const be = (service: string) => ({ service: { name: service, port: { number: 80 } } });
    ing.spec.rules = [
      { host: "*.juniper.net", http: { paths: [{ path: "/", pathType: "Prefix", backend: be("wild") }] } },
      { host: "www.juniper.net", http: { paths: [{ path: "/", pathType: "Prefix", backend: be("root") }, { path: "/api", pathType: "Prefix", backend: be("api") }, { path: "/api", pathType: "Exact", backend: be("api-exact") }] } },
    ];
    const o = kubeObjects(snapshotOf(lists));
    expect(kubeChain(o, { ...REQ, path: "/api/v1" }).rule?.service).toBe("api");
    expect(kubeChain(o, { ...REQ, path: "/api" }).rule?.service).toBe("api-exact");
    expect(kubeChain(o, { ...REQ, path: "/" }).rule?.service).toBe("root");
    expect(kubeChain(o, { ...REQ, host: "shop.juniper.net" }).rule?.service).toBe("wild");
  });
});

describe("the chain: ingress → service → endpoints → pods → nodes", () => {
  it("joins the reference scenario", () => {
    const c = kubeChain(kubeObjects(snapshotOf(fixtureLists())), REQ);
    expect(c.problems).toEqual([]);
    expect(`${c.ingress?.namespace}/${c.ingress?.name}`).toBe("ns-user-1/webservice-ingress");
    expect(c.statusHasFip).toBe(true);
    expect(c.service?.clusterIp).toBe("10.99.225.17");
    expect(c.servicePort?.port).toBe(80);
    expect(c.endpoints.map((e) => [e.ip, e.targetPort, e.ready, e.pod, e.node, e.nodeIp, e.podReady])).toEqual([
      ["10.47.255.236", 80, true, "ns-user-1/webservice-7db5dcb4c6-h9xk2", "cent333", "10.169.25.21", "True"],
    ]);
  });
  it("says where it stops: no rule for the host, a missing service", () => {
    const lists = fixtureLists();
    expect(kubeChain(kubeObjects(snapshotOf(lists)), { ...REQ, host: "www.example.com" }).problems[0]).toMatch(/no ingress rule matches Host www\.example\.com path \/ \(1 ingress: ns-user-1\/webservice-ingress\)/);
    lists.services.items = lists.services.items.filter((s) => (s.metadata as { name: string }).name !== "webservice");
    expect(kubeChain(kubeObjects(snapshotOf(lists)), REQ).problems[0]).toMatch(/sends to service ns-user-1\/webservice, which the API does not list/);
  });
});

describe("findings where the API and the forwarding disagree", () => {
  it("none on the healthy reference scenario", () => {
    expect(kubeFindings(kubeChain(kubeObjects(snapshotOf(fixtureLists())), REQ), healthyEvidence())).toEqual([]);
  });
  it("backend-down: the flow reached an endpoint the API lists as not ready, and the service has no ready endpoint", () => {
    const lists = fixtureLists();
    const slice = lists.endpointslices.items[0] as { endpoints: { conditions: { ready: boolean } }[] };
    slice.endpoints[0].conditions.ready = false;
    const pod = lists.pods.items.find((p) => (p.metadata as { name: string }).name.startsWith("webservice")) as { status: { conditions: { type: string; status: string }[] } };
    pod.status.conditions.find((c) => c.type === "Ready")!.status = "False";
    const f = kubeFindings(kubeChain(kubeObjects(snapshotOf(lists)), REQ), healthyEvidence());
    expect(f.map((x) => x.id)).toEqual(["service-no-ready-endpoints", "unready-endpoint-reached"]);
    expect(f[1].message).toBe("the API lists 10.47.255.236 on cent333 as not ready (pod Ready=False, Running), yet the walk's flows reached it (2 flows on cent333, 12 packets)");
  });
  it("an endpoint no flow reaches, a pod whose node has no route, an ingress status without the FIP, a service IP the API does not give", () => {
    const lists = fixtureLists();
    const slice = lists.endpointslices.items[0] as { endpoints: unknown[] };
    slice.endpoints.push({ addresses: ["10.47.255.240"], conditions: { ready: true }, nodeName: "cent222", targetRef: { kind: "Pod", namespace: "ns-user-1", name: "webservice-7db5dcb4c6-zz9k1" } });
    (lists.ingresses.items[0] as { status: unknown }).status = { loadBalancer: { ingress: [{ ip: "10.47.255.238" }] } };
    const ev = healthyEvidence();
    ev.probes = 2;
    ev.serviceIp = "10.99.225.99";
    ev.routes["10.47.255.240"] = { node: "cent222", vrf: 2, ok: false, detail: "cent222 has no route for 10.47.255.240/32 in VRF 2" };
    const f = kubeFindings(kubeChain(kubeObjects(snapshotOf(lists)), REQ), ev);
    expect(f.map((x) => [x.id, x.severity])).toEqual([
      ["service-ip-mismatch", "error"],
      ["pod-node-no-route", "error"],
      ["ingress-status-ip", "warning"],
      ["endpoint-not-reached", "warning"],
    ]);
    expect(f.find((x) => x.id === "ingress-status-ip")!.message).toBe("ingress ns-user-1/webservice-ingress matches Host www.juniper.net but its status lists 10.47.255.238, not the floating IP probed (101.101.101.1)");
    // With fewer probes than ready endpoints an unreached endpoint is expected: info, not a warning.
    ev.probes = 1;
    expect(kubeFindings(kubeChain(kubeObjects(snapshotOf(lists)), REQ), ev).find((x) => x.id === "endpoint-not-reached")!.severity).toBe("info");
  });
  it("a service with no endpoints; a backend that is no endpoint; a partial API", () => {
    const lists = fixtureLists();
    lists.endpointslices.items = [];
    const ev = healthyEvidence();
    ev.apiErrors = ["forbidden to list pods in namespace ns-user-1"];
    const f = kubeFindings(kubeChain(kubeObjects(snapshotOf(lists)), REQ), ev);
    expect(f.map((x) => x.id)).toEqual(["service-no-endpoints", "api-incomplete"]);
    const lists2 = fixtureLists();
    const ev2 = healthyEvidence();
    ev2.backendPodIp = "10.47.255.250";
    expect(kubeFindings(kubeChain(kubeObjects(snapshotOf(lists2)), REQ), ev2).map((x) => x.id)).toEqual(["backend-not-endpoint"]);
  });
});

describe("vRouter agent pods and the inventory draft", () => {
  it("finds the agent pod and container per node", () => {
    const agents = vrouterAgentPods(kubeObjects(snapshotOf(fixtureLists())).pods);
    expect([...agents.values()].map((a) => [a.node, a.namespace, a.pod, a.container])).toEqual([
      ["cent222", "kube-system", "contrail-agent-7xk2p", "contrail-vrouter-agent"],
      ["cent333", "kube-system", "contrail-agent-q9w4d", "contrail-vrouter-agent"],
    ]);
    expect(vrouterAgentPods([{ namespace: "tf", name: "vrouter1-vrouter-daemonset-abcde", node: "n1", ip: null, phase: "Running", ready: "True", labels: {}, containers: ["nodeinit", "vrouteragent"], ports: [], hostNetwork: true, owners: [] }]).get("n1")?.container).toBe("vrouteragent");
  });
  it("drafts compute nodes with kubectl access and says what to complete; a base fills the rest", () => {
    const o = kubeObjects(snapshotOf(fixtureLists()));
    const agents = vrouterAgentPods(o.pods);
    const bare = draftInventory(o, agents, { kubeconfig: "/k/config", context: "fixture" });
    expect(bare.inventory.kubernetes).toEqual({ kubeconfig: "/k/config", context: "fixture" });
    expect(bare.inventory.nodes).toEqual([
      { name: "cent222", role: "compute", vrouter: { via: "kubectl", namespace: "kube-system", pod: "contrail-agent-7xk2p", container: "contrail-vrouter-agent" } },
      { name: "cent333", role: "compute", vrouter: { via: "kubectl", namespace: "kube-system", pod: "contrail-agent-q9w4d", container: "contrail-vrouter-agent" } },
    ]);
    expect(bare.todo.join("\n")).toMatch(/Internet host.*\n.*gateway router[\s\S]*cent222: set fabricInterface/);
    const yaml = inventoryYaml(bare, o, { source: "http://127.0.0.1:1 (context fixture)", at: new Date(0) });
    expect(yaml).toMatch(/^# packetwalk inventory discovered from the Kubernetes API: http:\/\/127\.0\.0\.1:1 \(context fixture\), 1970-01-01T00:00:00\.000Z\n/);
    expect(yaml).toContain("# TO COMPLETE before `packetwalk walk --inventory`:");
    expect(yaml).toContain("# Kubernetes node cent333: InternalIP 10.169.25.21, Ready=True");
    expect(parse(yaml)).toEqual(bare.inventory);
    const base = {
      addressMap: { "10.169.25.20:22": "127.0.0.1:4022" }, hostKeyPolicy: "strict", scenario: { ignored: true },
      nodes: [
        { name: "internet-host", role: "internet-host", ssh: { host: "127.0.0.1", port: 1 } },
        { name: "gateway", role: "gateway", ssh: { host: "127.0.0.1", port: 2 } },
        { name: "cent222", role: "compute", fabricInterface: "ens3", ssh: { host: "127.0.0.1", port: 3 }, vrouter: { via: "direct" } },
      ],
    };
    const full = draftInventory(o, agents, { base, baseDir: "../lab" });
    expect(full.inventory).toMatchObject({ baseDir: "../lab", addressMap: base.addressMap, hostKeyPolicy: "strict" });
    expect(full.inventory.scenario).toBeUndefined();
    expect((full.inventory.nodes as { name: string }[]).map((n) => n.name)).toEqual(["internet-host", "gateway", "cent222", "cent333"]);
    expect((full.inventory.nodes as Record<string, unknown>[])[2]).toEqual({ name: "cent222", role: "compute", fabricInterface: "ens3", vrouter: { via: "kubectl", namespace: "kube-system", pod: "contrail-agent-7xk2p", container: "contrail-vrouter-agent" } });
    expect(full.todo).toEqual(["cent333: set fabricInterface (the fabric NIC, for captures) — the API does not say"]);
  });
});
