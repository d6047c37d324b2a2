/**
 * The lab's Kubernetes API piece by piece (certificates, WebSocket framing, selectors, tables, the
 * object model against the topology and every fault) and through @kubernetes/client-node, the client
 * packetwalk's own Kubernetes code uses: lists, gets, refusals, discovery, exec.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { startLab, type Lab } from "../../lib/lab/lab";
import { FAULTS } from "../../lib/lab/model";
import { LabState } from "../../lib/lab/state";
import { loadTopology } from "../../lib/lab/topology";
import { endpointsOf } from "../../lib/lab/model";
import { AGENT, agentPodName, buildKubeObjects, type KubeObject } from "../../lib/lab/kube/objects";
import { makeLabCertificates, derOid } from "../../lib/lab/kube/x509";
import { decodeFrame, encodeFrame, websocketAccept } from "../../lib/lab/kube/websocket";
import { compileFieldSelector, matchLabels, parseLabelSelector } from "../../lib/lab/kube/selectors";
import { humanDuration, toTable } from "../../lib/lab/kube/tables";
import { authorize, makeKubeUsers } from "../../lib/lab/kube/auth";
import { execStatus } from "../../lib/lab/kube/exec";
import { main } from "../../kernel/cli";
import { captureIO } from "../helpers/io";

describe("x509: the lab CA and server certificate", () => {
  it("is a CA-signed certificate for 127.0.0.1 that Node's verifier accepts", () => {
    const { ca, server } = makeLabCertificates();
    const c = new crypto.X509Certificate(server.cert);
    const a = new crypto.X509Certificate(ca.cert);
    expect(a.ca).toBe(true);
    expect(c.ca).toBe(false);
    expect(c.verify(a.publicKey)).toBe(true);
    expect(c.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(c.checkHost("localhost")).toBe("localhost");
    expect(c.keyUsage).toContain("1.3.6.1.5.5.7.3.1");
    expect(Date.parse(c.validFrom)).toBeLessThan(Date.now());
    expect(crypto.createPrivateKey(server.key).asymmetricKeyType).toBe("ec");
    expect(derOid("1.2.840.10045.4.3.2").toString("hex")).toBe("06082a8648ce3d040302");
  });

  it("a TLS client trusting only the lab CA connects; one trusting nothing refuses", async () => {
    const { ca, server } = makeLabCertificates();
    const srv = https.createServer({ cert: server.cert, key: server.key }, (_q, r) => r.end("ok"));
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    const get = (opts: https.RequestOptions) =>
      new Promise<string>((resolve, reject) => https.get({ host: "127.0.0.1", port, path: "/", ...opts }, (res) => res.on("data", (d) => resolve(String(d)))).on("error", reject));
    try {
      expect(await get({ ca: ca.cert })).toBe("ok");
      await expect(get({ ca: makeLabCertificates().ca.cert })).rejects.toThrow(/certificate/);
    } finally {
      srv.close();
    }
  });
});

describe("websocket framing", () => {
  it("computes the RFC 6455 accept value", () => {
    expect(websocketAccept("dGhlIHNhbXBsZSBub25jZQ==")).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("decodes masked frames of every length form, and waits for partial ones", () => {
    const mask = Buffer.from([9, 8, 7, 6]);
    for (const n of [0, 5, 125, 126, 300, 65535, 65536, 70000]) {
      const payload = crypto.randomBytes(n);
      const wire = encodeFrame(2, payload, { mask });
      const r = decodeFrame(wire, true);
      expect(r && "frame" in r ? [r.frame.opcode, r.frame.fin, r.used, r.frame.payload.equals(payload)] : r).toEqual([2, true, wire.length, true]);
      expect(decodeFrame(wire.subarray(0, wire.length - 1), true)).toBeNull();
    }
  });

  it("refuses unmasked client frames, reserved bits, unknown opcodes, oversize frames", () => {
    expect(decodeFrame(encodeFrame(2, Buffer.from("x")), true)).toMatchObject({ code: 1002 });
    expect(decodeFrame(Buffer.from([0xc2, 0x80, 0, 0, 0, 0]), true)).toMatchObject({ error: "reserved bits set" });
    expect(decodeFrame(Buffer.from([0x83, 0x80, 0, 0, 0, 0]), true)).toMatchObject({ error: "unknown opcode 3" });
    expect(decodeFrame(encodeFrame(2, Buffer.alloc(2000), { mask: Buffer.alloc(4) }), true, 1000)).toMatchObject({ code: 1009 });
    expect(decodeFrame(Buffer.from([0x09, 0x80, 0, 0, 0, 0]), true)).toMatchObject({ error: "fragmented control frame" });
  });
});

describe("selectors", () => {
  it("parses and matches label selectors like the API", () => {
    const s = parseLabelSelector("app=contrail-agent, tier in (a, b),!gone,env!=prod,present");
    expect("requirements" in s && s.requirements.map((r) => r.op)).toEqual(["=", "in", "!", "!=", "exists"]);
    if (!("requirements" in s)) throw new Error("parse");
    expect(matchLabels({ app: "contrail-agent", tier: "b", present: "" }, s.requirements)).toBe(true);
    expect(matchLabels({ app: "contrail-agent", tier: "c", present: "" }, s.requirements)).toBe(false);
    expect(matchLabels({ app: "contrail-agent", tier: "a", present: "", gone: "1" }, s.requirements)).toBe(false);
    expect(parseLabelSelector("a b")).toMatchObject({ error: expect.stringMatching(/^unable to parse requirement/) });
    expect(parseLabelSelector("app=-bad")).toMatchObject({ error: expect.stringMatching(/invalid label value/) });
  });

  it("field selectors: metadata and the kind's fields; unknown fields refused with the API's text", () => {
    const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "n", uid: "", resourceVersion: "1", creationTimestamp: "" }, spec: { nodeName: "cent222" }, status: { phase: "Running" } } as KubeObject;
    const m = compileFieldSelector("spec.nodeName=cent222,status.phase!=Failed,metadata.namespace==n", "Pod");
    expect("match" in m && m.match(pod)).toBe(true);
    const other = compileFieldSelector("spec.nodeName=cent333", "Pod");
    expect("match" in other && other.match(pod)).toBe(false);
    expect(compileFieldSelector("spec.nodeName=x", "Service")).toEqual({ error: "field label not supported: spec.nodeName" });
  });
});

describe("tables and durations", () => {
  it("prints ages as Kubernetes does", () => {
    expect([0, 59_000, 119_000, 130_000, 600_000, 3 * 3600_000, 5 * 3600_000 + 60_000, 30 * 3600_000, 2 * 86400_000 + 5 * 3600_000, 9 * 86400_000, 800 * 86400_000].map(humanDuration)).toEqual([
      "0s", "59s", "119s", "2m10s", "10m", "3h", "5h1m", "30h", "2d5h", "9d", "2y70d",
    ]);
  });

  it("a pod table carries the metadata of each row for kubectl's NAMESPACE column", () => {
    const state = new LabState(loadTopology("default"));
    const pods = buildKubeObjects(state).get("/pods")!;
    const t = toTable("Pod", pods, Date.now(), "5") as { columnDefinitions: { name: string; priority: number }[]; rows: { cells: unknown[]; object: { metadata: { namespace: string } } }[] };
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(t.rows.map((r) => [r.object.metadata.namespace, r.cells[0], r.cells[6]])).toEqual(
      pods.map((p) => [p.metadata.namespace, p.metadata.name, (p.spec as { nodeName: string }).nodeName]),
    );
  });
});

describe("the object model", () => {
  const by = (set: Map<string, KubeObject[]>, key: string) => set.get(key)!;

  it("matches the topology: nodes, one agent pod per node, backends, services, endpoints, slices, the ingress", () => {
    for (const topo of ["default", "large"]) {
      const t = loadTopology(topo);
      const objs = buildKubeObjects(new LabState(t));
      expect(by(objs, "/nodes").map((n) => [n.metadata.name, (n.status as { addresses: { address: string }[] }).addresses[0]!.address])).toEqual(t.computes.map((c) => [c.name, c.fabricIp]));
      const agents = by(objs, "/pods").filter((p) => p.metadata.namespace === AGENT.namespace);
      expect(agents.map((p) => (p.spec as { nodeName: string }).nodeName).sort()).toEqual(t.computes.map((c) => c.name).sort());
      for (const a of agents) expect(a.metadata.name).toBe(agentPodName((a.spec as { nodeName: string }).nodeName));
      const backends = by(objs, "/pods").filter((p) => p.metadata.namespace === t.namespace);
      expect(backends.map((p) => [p.metadata.name, (p.status as { podIP: string }).podIP, (p.spec as { nodeName: string }).nodeName]).sort()).toEqual(
        t.pods.map((p) => [p.name, p.ip, p.node]).sort(),
      );
      for (const s of t.services) {
        const ep = by(objs, "/endpoints").find((e) => e.metadata.name === s.name)!;
        const ips = (ep.subsets as { addresses: { ip: string; targetRef: { uid: string; name: string } }[] }[])[0]!.addresses;
        expect(ips.map((a) => a.ip)).toEqual(endpointsOf(t, s.name).map((p) => p.ip));
        for (const a of ips) expect(a.targetRef.uid).toBe(backends.find((p) => p.metadata.name === a.targetRef.name)!.metadata.uid);
        const slice = by(objs, "discovery.k8s.io/endpointslices").find((e) => e.metadata.labels!["kubernetes.io/service-name"] === s.name)!;
        expect((slice.endpoints as { addresses: string[] }[]).flatMap((e) => e.addresses)).toEqual(endpointsOf(t, s.name).map((p) => p.ip));
        expect(by(objs, "/services").find((x) => x.metadata.name === s.name)!.spec).toMatchObject({ clusterIP: s.ip, ports: [{ port: s.port, targetPort: s.targetPort }] });
      }
      const ing = by(objs, "networking.k8s.io/ingresses")[0]!;
      expect((ing.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress).toContainEqual({ ip: t.ingress.fip });
      const rules = (ing.spec as { rules: { host: string; http: { paths: { path: string; backend: { service: { name: string } } }[] } }[] }).rules;
      expect(rules.flatMap((r) => r.http.paths.map((p) => [r.host, p.path, p.backend.service.name])).sort()).toEqual(t.ingress.rules.map((r) => [r.host, r.path, r.service]).sort());
      const uids = [...objs.values()].flat().map((o) => o.metadata.uid);
      expect(new Set(uids).size).toBe(uids.length);
    }
  });

  it("a readiness change is stamped with the time the fault switched", () => {
    const state = new LabState(loadTopology("default"));
    state.setFault("backend-down", true);
    const at = Date.parse("2026-12-02T13:00:07Z");
    const pod = buildKubeObjects(state, { faultTimes: { "backend-down": at } }).get("/pods")!.find((p) => p.metadata.namespace === "ns-user-1")!;
    const cond = (pod.status as { conditions: { type: string; status: string; lastTransitionTime: string; reason?: string }[] }).conditions;
    expect(cond.find((c) => c.type === "Ready")).toMatchObject({ status: "False", lastTransitionTime: "2026-12-02T13:00:07Z", reason: "ContainersNotReady" });
    expect(cond.find((c) => c.type === "PodScheduled")!.lastTransitionTime).not.toBe("2026-12-02T13:00:07Z");
  });

  it("backend-down shows as unready pods and endpoints; no other fault changes any object", () => {
    const t = loadTopology("large");
    const base = JSON.stringify([...buildKubeObjects(new LabState(t), { startedAt: 0 })]);
    for (const f of FAULTS) {
      const state = new LabState(t);
      state.setFault(f, true);
      const objs = buildKubeObjects(state, { startedAt: 0 });
      if (f !== "backend-down") {
        expect(JSON.stringify([...objs]), f).toBe(base);
        continue;
      }
      for (const p of by(objs, "/pods").filter((x) => x.metadata.namespace === t.namespace)) {
        expect((p.status as { conditions: { type: string; status: string }[] }).conditions.find((c) => c.type === "Ready")!.status).toBe("False");
        expect((p.status as { phase: string }).phase).toBe("Running");
      }
      for (const ep of by(objs, "/endpoints")) {
        const sub = (ep.subsets as Record<string, unknown>[])[0]!;
        expect(sub.addresses).toBeUndefined();
        expect((sub.notReadyAddresses as unknown[]).length).toBeGreaterThan(0);
      }
      for (const s of by(objs, "discovery.k8s.io/endpointslices")) {
        for (const e of s.endpoints as { conditions: { ready: boolean } }[]) expect(e.conditions.ready).toBe(false);
      }
      expect(by(objs, "/pods").filter((x) => x.metadata.namespace === AGENT.namespace).every((p) => JSON.stringify(p).includes('"ready":true'))).toBe(true);
      expect(by(objs, "/nodes").map((n) => JSON.stringify(n))).toEqual(by(buildKubeObjects(new LabState(t), { startedAt: 0 }), "/nodes").map((n) => JSON.stringify(n)));
    }
  });
});

describe("authorization", () => {
  it("gives the API server's refusal texts", () => {
    const users = makeKubeUsers("ns-user-1");
    const viewer = users.find((u) => u.id === "viewer")!;
    const tenant = users.find((u) => u.id === "tenant")!;
    expect(authorize(viewer, { verb: "list", group: "", resource: "pods" }, "ns-user-1")).toEqual({ allowed: true });
    expect(authorize(viewer, { verb: "list", group: "", resource: "secrets" }, "ns-user-1")).toEqual({
      allowed: false, message: 'secrets is forbidden: User "packetwalk-viewer" cannot list resource "secrets" in API group "" at the cluster scope',
    });
    expect(authorize(tenant, { verb: "get", group: "", resource: "nodes", name: "cent222" }, "ns-user-1")).toEqual({
      allowed: false, message: 'nodes "cent222" is forbidden: User "tenant-ns-user-1" cannot get resource "nodes" in API group "" at the cluster scope',
    });
    expect(execStatus(["sh", "-c", "exit 3"], 3)).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "3" }] } });
  });
});

describe("through @kubernetes/client-node", () => {
  let lab: Lab;
  let dir: string;
  let file: string;
  // eslint-disable-next-line @typescript-eslint/consistent-type-imports
  let k8s: typeof import("@kubernetes/client-node");
  beforeAll(async () => {
    k8s = await import("@kubernetes/client-node");
    lab = await startLab();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kubeapi-"));
    file = path.join(dir, "kubeconfig");
    lab.writeKubeconfig(file);
  });
  afterAll(async () => {
    await lab?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const config = (context?: string) => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(file);
    if (context) kc.setCurrentContext(context);
    return kc;
  };

  it("the kubeconfig: one cluster with the CA inline, one user and context per lab user, mode 0600; the lab's own copy is in the inventory", () => {
    const kc = config();
    expect(kc.getCurrentContext()).toBe("packetwalk-lab");
    expect(kc.getContexts().map((c) => c.name)).toEqual(["packetwalk-lab", "packetwalk-lab-viewer", "packetwalk-lab-tenant", "packetwalk-lab-expired"]);
    expect(kc.getCurrentCluster()!.server).toBe(lab.kube!.url);
    expect(kc.getCurrentCluster()!.caData).toBe(Buffer.from(lab.kube!.caCert).toString("base64"));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(lab.inventory.kubernetes).toEqual({ kubeconfig: path.join(lab.dir, "kubeconfig"), context: "packetwalk-lab" });
    expect(fs.readFileSync(lab.inventory.kubernetes!.kubeconfig, "utf8")).toBe(fs.readFileSync(file, "utf8"));
  });

  it("lists and gets through the typed API, with selectors", async () => {
    const core = config().makeApiClient(k8s.CoreV1Api);
    const all = await core.listPodForAllNamespaces();
    expect(all.items.map((p) => `${p.metadata!.namespace}/${p.metadata!.name}`).sort()).toEqual(
      [`kube-system/${agentPodName("cent222")}`, `kube-system/${agentPodName("cent333")}`, "ns-user-1/webservice-7db5dcb4c6-h9xk2"].sort(),
    );
    const agent = await core.listNamespacedPod({ namespace: "kube-system", labelSelector: "app=contrail-agent", fieldSelector: "spec.nodeName=cent333" });
    expect(agent.items.map((p) => p.metadata!.name)).toEqual([agentPodName("cent333")]);
    const node = await core.readNode({ name: "cent222" });
    expect(node.status!.addresses).toContainEqual({ type: "InternalIP", address: "10.169.25.20" });
    const slices = await config().makeApiClient(k8s.DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: "ns-user-1" });
    expect(slices.items[0]!.endpoints[0]!.targetRef!.name).toBe("webservice-7db5dcb4c6-h9xk2");
    const ing = await config().makeApiClient(k8s.NetworkingV1Api).listIngressForAllNamespaces();
    expect(ing.items[0]!.status!.loadBalancer!.ingress!.map((i) => i.ip)).toContain("101.101.101.1");
    const ver = await config().makeApiClient(k8s.VersionApi).getCode();
    expect(ver.gitVersion).toBe("v1.30.4");
  });

  it("errors carry the Status: 404, 403 with the RBAC text, 401 for the expired token", async () => {
    const err = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        const x = e as { code?: number; body?: string };
        return { code: x.code, body: typeof x.body === "string" ? JSON.parse(x.body) : x.body };
      }
      throw new Error("no error");
    };
    const nf = await err(config().makeApiClient(k8s.CoreV1Api).readNamespacedPod({ name: "nope", namespace: "ns-user-1" }));
    expect(nf).toMatchObject({ code: 404, body: { kind: "Status", reason: "NotFound", message: 'pods "nope" not found' } });
    const fb = await err(config("packetwalk-lab-viewer").makeApiClient(k8s.CoreV1Api).listSecretForAllNamespaces());
    expect(fb).toMatchObject({ code: 403, body: { reason: "Forbidden", message: 'secrets is forbidden: User "packetwalk-viewer" cannot list resource "secrets" in API group "" at the cluster scope' } });
    const ex = await err(config("packetwalk-lab-expired").makeApiClient(k8s.CoreV1Api).listNode());
    expect(ex.code).toBe(401); // the client library does not keep the body of a 401
    const bad = await err(config().makeApiClient(k8s.CoreV1Api).listPodForAllNamespaces({ fieldSelector: "spec.bogus=1" }));
    expect(bad).toMatchObject({ code: 400, body: { message: "field label not supported: spec.bogus" } });
  });

  it("discovery documents list the resources kubectl needs", async () => {
    const kc = config();
    const get = async (p: string) => {
      const opts: https.RequestOptions = {};
      await kc.applyToHTTPSOptions(opts);
      return new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        https.get(`${lab.kube!.url}${p}`, opts, (res) => {
          let s = "";
          res.on("data", (d) => (s += d));
          res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(s) }));
        }).on("error", reject);
      });
    };
    expect((await get("/api")).body).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
    const groups = (await get("/apis")).body.groups as { name: string }[];
    expect(groups.map((g) => g.name)).toEqual(["apps", "networking.k8s.io", "discovery.k8s.io"]);
    const v1 = (await get("/api/v1")).body.resources as { name: string; namespaced: boolean }[];
    expect(v1.map((r) => r.name)).toEqual(["namespaces", "nodes", "pods", "pods/exec", "services", "endpoints", "secrets"]);
    expect(((await get("/apis/discovery.k8s.io/v1")).body.resources as { name: string }[]).map((r) => r.name)).toEqual(["endpointslices"]);
    expect((await get("/apis/nope/v1")).status).toBe(404);
  });

  it("exec with the client library's Exec class: output, stderr, exit status; the Status on refusal", async () => {
    const kc = config();
    const run = (pod: string, container: string, command: string[]) =>
      new Promise<{ out: string; err: string; status: Record<string, unknown> }>((resolve, reject) => {
        const out = new PassThrough();
        const err = new PassThrough();
        let o = "";
        let e = "";
        out.on("data", (d) => (o += d));
        err.on("data", (d) => (e += d));
        new k8s.Exec(kc).exec("kube-system", pod, container, command, out, err, null, false, (s) => resolve({ out: o, err: e, status: s as unknown as Record<string, unknown> })).catch(reject);
      });
    const ok = await run(agentPodName("cent222"), "contrail-vrouter-agent", ["rt", "--dump", "2"]);
    expect(ok.status).toEqual({ metadata: {}, status: "Success" });
    expect(ok.out).toBe(lab.tool("cent222", ["rt", "--dump", "2"]).stdout);
    const bad = await run(agentPodName("cent333"), "contrail-vrouter-agent", ["sh", "-c", "echo no >&2; exit 7"]);
    expect(bad.err).toBe("no\n");
    expect(bad.status).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "7" }] } });
    await expect(run("contrail-agent-nope", "contrail-vrouter-agent", ["true"])).rejects.toBeTruthy();
  });
});

describe("packetwalk lab --kubeconfig-out", () => {
  it("writes the kubeconfig of the running lab's API; the client library lists its nodes", async () => {
    const k8s = await import("@kubernetes/client-node");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kubecfg-"));
    const t = captureIO({ cwd: tmp });
    const run = main(["lab", "--kubeconfig-out", "sub/lab.kubeconfig", "--inventory-out", "inv.json"], t.io);
    try {
      for (let i = 0; i < 200 && !t.err().includes("lab: running"); i++) await new Promise((r) => setTimeout(r, 50));
      expect(t.err()).toMatch(/lab: Kubernetes API https:\/\/127\.0\.0\.1:\d+; kubeconfig written to sub\/lab\.kubeconfig/);
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(path.join(tmp, "sub", "lab.kubeconfig"));
      const nodes = await kc.makeApiClient(k8s.CoreV1Api).listNode();
      expect(nodes.items.map((n) => n.metadata!.name)).toEqual(["cent222", "cent333"]);
      const inv = JSON.parse(fs.readFileSync(path.join(tmp, "inv.json"), "utf8"));
      expect(inv.kubernetes.context).toBe("packetwalk-lab");
    } finally {
      t.abort();
      expect(await run).toBe(0);
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe("exec over a raw WebSocket (v4.channel.k8s.io, as older clients speak it)", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ ssh: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  /** Opens the exec upgrade by hand; resolves with the handshake answer and the frames until close. */
  function rawExec(query: string, protocols: string, token = lab.kube!.users[0]!.token): Promise<{ head: string; messages: Buffer[] }> {
    return new Promise((resolve, reject) => {
      const req = https.request({
        host: "127.0.0.1", port: lab.kube!.port, ca: lab.kube!.caCert,
        path: `/api/v1/namespaces/kube-system/pods/${agentPodName("cent222")}/exec?${query}`,
        headers: {
          Authorization: `Bearer ${token}`, Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13",
          "Sec-WebSocket-Key": crypto.randomBytes(16).toString("base64"), "Sec-WebSocket-Protocol": protocols,
        },
      });
      req.on("response", (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ head: `${res.statusCode} ${body}`, messages: [] }));
      });
      req.on("upgrade", (res, socket, head) => {
        const messages: Buffer[] = [];
        let buf = head;
        socket.on("data", (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          for (;;) {
            const r = decodeFrame(buf, false);
            if (!r || "error" in r) break;
            buf = buf.subarray(r.used);
            if (r.frame.opcode === 2) messages.push(r.frame.payload);
            if (r.frame.opcode === 8) socket.end(encodeFrame(8, Buffer.from([0x03, 0xe8]), { mask: crypto.randomBytes(4) }));
          }
        });
        socket.on("close", () => resolve({ head: `${res.statusCode} ${res.headers["sec-websocket-protocol"]}`, messages }));
        // A ping must come back as a pong (the server answers; we do not check it here beyond not breaking).
        socket.write(encodeFrame(9, Buffer.from("hi"), { mask: crypto.randomBytes(4) }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("streams stdout/stderr on channels 1/2 and ends with the Status on channel 3", async () => {
    const q = "command=sh&command=-c&command=echo%20out%3B%20echo%20err%20%3E%262%3B%20exit%206&container=contrail-vrouter-agent&stdout=true&stderr=true";
    const r = await rawExec(q, "v4.channel.k8s.io");
    expect(r.head).toBe("101 v4.channel.k8s.io");
    const byChannel = (c: number) => Buffer.concat(r.messages.filter((m) => m[0] === c).map((m) => m.subarray(1))).toString();
    expect(byChannel(1)).toBe("out\n");
    expect(byChannel(2)).toBe("err\n");
    expect(JSON.parse(byChannel(3))).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "6" }] } });
    expect(r.messages.at(-1)![0]).toBe(3);
  });

  it("refuses a bad handshake or request with a Status before upgrading", async () => {
    expect((await rawExec("command=true&container=contrail-vrouter-agent&stdout=1", "channel.k8s.io")).head).toMatch(/^400 .*none of the offered subprotocols \(channel\.k8s\.io\) is supported/);
    expect((await rawExec("container=contrail-vrouter-agent&stdout=1", "v5.channel.k8s.io")).head).toMatch(/^400 .*you must specify at least 1 command/);
    expect((await rawExec("command=true&stdout=1", "v5.channel.k8s.io")).head).toMatch(/^400 .*a container name must be specified for pod contrail-agent-\w+, choose one of: \[contrail-vrouter-agent contrail-agent-nodemgr\]/);
    expect((await rawExec("command=true&container=contrail-vrouter-agent&stdout=1", "v5.channel.k8s.io", "nope")).head).toMatch(/^401 .*Unauthorized/);
  });
});

describe("the API server under bad input", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab({ ssh: false });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  const get = (p: string, headers: Record<string, string> = { Authorization: `Bearer ${lab.kube!.users[0]!.token}` }, method = "GET") =>
    new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      const req = https.request({ host: "127.0.0.1", port: lab.kube!.port, ca: lab.kube!.caCert, path: p, method, headers }, (res) => {
        let s = "";
        res.on("data", (d) => (s += d));
        res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(s) }));
      });
      req.on("error", reject);
      req.end();
    });

  it("answers every bad request with a Status and keeps serving", async () => {
    expect(await get("/api/v1/namespaces/%E0%A4%A/pods")).toMatchObject({ status: 400, body: { kind: "Status", reason: "BadRequest" } });
    expect(await get("/api/v1/pods?labelSelector=a%20b")).toMatchObject({ status: 400, body: { message: expect.stringMatching(/^unable to parse requirement/) } });
    expect(await get("/api/v1/widgets")).toMatchObject({ status: 404, body: { reason: "NotFound", message: "the server could not find the requested resource" } });
    expect(await get("/api/v1/nodes", {})).toMatchObject({ status: 403, body: { message: 'nodes is forbidden: User "system:anonymous" cannot list resource "nodes" in API group "" at the cluster scope' } });
    expect(await get("/api/v1/nodes/cent222", { Authorization: "Basic eDp5" })).toMatchObject({ status: 401, body: { reason: "Unauthorized" } });
    expect(await get("/api/v1/namespaces/ns-user-1/pods", undefined, "DELETE")).toMatchObject({ status: 405, body: { reason: "MethodNotAllowed" } });
    expect(await get("/api/v1/pods?watch=true")).toMatchObject({ status: 405 });
    expect(await get("/api/v1/namespaces/ns-user-1/pods/webservice-7db5dcb4c6-h9xk2/exec?command=ls")).toMatchObject({ status: 400, body: { message: "Upgrade request required" } });
    // Plain text on the TLS port, and a TLS client that gives up mid-handshake: the server stays up.
    await new Promise<void>((resolve) => {
      const s = net.connect(lab.kube!.port, "127.0.0.1", () => s.end("GET / HTTP/1.1\r\n\r\n"));
      s.on("error", () => resolve());
      s.on("close", () => resolve());
    });
    expect((await get("/version", {})).body).toMatchObject({ gitVersion: "v1.30.4" });
  });
});
