import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as net from "node:net";
import type { Lab } from "../../lib/lab/lab";
import type { Inventory } from "../../lib/remote/inventory";
import { checkServiceNat, createContext, gatewayRoute, runWalk, type StageResult } from "../../lib/walk";
import { SshRunner, type CommandRunner } from "../../lib/remote/runner";
import { JUPYTER_DISPLAY } from "../../lib/display/bundle";
import { labFor, walkOn } from "./helpers";

/** A port whose listener hangs up on every connection (kept bound, so no other test can take it). */
async function deadPort(): Promise<number> {
  const s = net.createServer((sock) => sock.destroy());
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  dead.push(s);
  return (s.address() as net.AddressInfo).port;
}
const dead: net.Server[] = [];
afterAll(async () => {
  await Promise.all(dead.map((s) => new Promise<void>((r) => s.close(() => r()))));
});

describe("walk on the reference lab", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await labFor();
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("passes every stage on the healthy lab and discovers the scenario's values", async () => {
    const seen: string[] = [];
    const r = await walkOn(lab, { onStage: (s, i, n) => seen.push(`${i}/${n} ${s.id} ${s.verdict}`) });
    expect(r.stages.map((s) => [s.id, s.verdict])).toEqual([
      ["client", "pass"], ["gateway", "pass"], ["fip-nat", "pass"], ["proxy", "pass"], ["overlay", "pass"],
      ["service-nat", "pass"], ["backend", "pass"], ["return-overlay", "pass"], ["return-proxy", "pass"], ["return-client", "pass"],
    ]);
    expect(seen).toHaveLength(10);
    expect(seen[9]).toBe("10/10 return-client pass");
    expect(r.firstFailure).toBeNull();
    expect(r.verdict).toBe("pass");
    const s = lab.inventory.scenario;
    const d = r.discovery;
    expect(d.gatewayVrf).toBe(s.gatewayVrf);
    expect(d.activeNode).toBe(s.activeIngressNode);
    expect(d.protocolNextHop).toBe(s.nodes[s.activeIngressNode].fabricIp);
    expect(d.gatewayLabel).toBe(s.labels.gatewayToNode);
    expect(d.clientIp).toBe(s.clientIp);
    expect(d.ingressPodIp).toBe(s.ingressPodIp);
    expect(d.fipVrf).toBe(s.vrfs.fip);
    expect(d.podVrf).toBe(s.vrfs.pod);
    expect(d.rpfNh).toBe(s.rpfNh);
    expect(d.serviceIp).toBe(s.serviceIp);
    expect(d.servicePort).toBe(s.servicePort);
    expect(d.serviceLabel).toBe(s.labels.service);
    expect(d.serviceTunnel).toBe("MPLSoUDP");
    expect(d.backendNode).toBe(s.backendPods[0].node);
    expect(d.backendPodIp).toBe(s.backendPods[0].ip);
    expect(d.fabricIps).toEqual(Object.fromEntries(Object.entries(s.nodes).map(([n, v]) => [v.fabricIp, n])));
    // Evidence carries provenance.
    const fipStage = r.stage("fip-nat")!;
    expect(fipStage.evidence.some((e) => e.node === "cent222" && e.command === `nh --get ${s.rpfNh}`)).toBe(true);
    expect(fipStage.reason).toContain(`is DNATed to ${s.ingressPodIp}`);
    expect(r.stage("overlay")!.reason).toContain(`label ${s.labels.service}`);
    // The capture saw both tunnels.
    expect(r.stage("gateway")!.reason).toMatch(/MPLSoGRE frames captured on cent222 \(labels 20\)/);
    expect(r.stage("return-client")!.reason).toBe(
      "the client received HTTP 200 OK, 308 body bytes; cent222 routes 15.15.15.2 in VRF 5 via 0.0.0.0/0 label 299808, MPLSoGRE 10.169.25.20 → 192.168.0.204 (gateway, where the request came from); " +
        "the large response (/download/20000) arrived complete: HTTP 200 OK, 20000 body bytes",
    );
    expect(r.stage("proxy")!.reason).toMatch(/capture on cent222: \d+ MPLSoGRE frames of the client connection, \d+ MPLSoUDP frames/);
  });

  it("renders itself: markdown, html, plain text, arquero table, JSON, charts", async () => {
    const r = await walkOn(lab, { largePath: undefined });
    const b = r[JUPYTER_DISPLAY]() as { data: Record<string, string>; metadata: Record<string, unknown> };
    expect(Object.keys(b.data).sort()).toEqual(["text/html", "text/markdown", "text/plain"]);
    expect(b.data["text/plain"].split("\n")[0]).toMatch(/^✔ 101\.101\.101\.1:80 \(Host: www\.juniper\.net\): all 10 stages pass; active haproxy on cent222/);
    expect(b.data["text/markdown"]).toContain("| 3 | Floating IP NAT on the active node | forward | cent222 |");
    expect(b.data["text/html"]).toContain("<table>");
    expect(b.metadata.packetwalk).toBeTruthy();
    const t = r.toTable();
    expect(t.numRows()).toBe(10);
    expect(t.columnNames()).toEqual(["step", "stage", "direction", "node", "evidence", "verdict", "reason"]);
    const j = JSON.parse(JSON.stringify(r.toJSON())) as { verdict: string; stages: unknown[]; charts: Record<string, { $schema: string }> };
    expect(j.verdict).toBe("pass");
    expect(j.stages).toHaveLength(10);
    expect(r.charts()).toHaveLength(3);
    expect(j.charts.ladder.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(r.stage("return-client")!.notes[0]).toMatch(/large-response check not run/);
    // Ladder: both connections, SYN first, from the client.
    const ladder = r.ladder!.spec as { layer: { data: { values: { from: string; to: string; connection: string; label: string }[] } }[] };
    const arrows = ladder.layer[1].data.values;
    expect(arrows[0]).toMatchObject({ from: "client 15.15.15.2", to: "gateway", connection: "client", label: "[S]" });
    expect(new Set(arrows.map((a) => a.connection))).toEqual(new Set(["client", "proxied"]));
    expect(arrows.some((a) => a.from === "haproxy 10.47.255.238" && a.to === "pod 10.47.255.236" && a.label.startsWith("GET / HTTP/1.1"))).toBe(true);
    const tl = r.timeline!.spec as { data: { values: { node: string }[] } };
    expect(new Set(tl.data.values.map((v) => v.node))).toEqual(new Set(["cent222", "cent333"]));
    const lat = r.latency!.spec as { data: { values: { segment: string; source: string }[] } };
    expect(lat.data.values.map((v) => v.segment)).toContain("haproxy think time (request in → new request out)");
  });

  const FAULT_CASES: { fault: string; stage: StageResult["id"]; node: string; reason: RegExp }[] = [
    { fault: "backend-down", stage: "backend", node: "cent333", reason: /^the backend pod 10\.47\.255\.236:80 on cent333 refused the connection \(TCP reset in flow \d+ 10\.47\.255\.236:80 → 10\.47\.255\.238:\d+ N\(SPs\)/ },
    { fault: "service-no-route", stage: "overlay", node: "cent222", reason: /^cent222 drops haproxy's connection \(flow \d+ 10\.47\.255\.238:\d+ → 10\.99\.225\.17:80 D\(NoDstRt\).*\): cent222 has no route for 10\.99\.225\.17\/32 in VRF 2 \(rt --get 10\.99\.225\.17\/32 --vrf 2: no route\)$/ },
    { fault: "fip-nat-missing", stage: "fip-nat", node: "cent222", reason: /^cent222 drops the client's connection \(flow \d+ 15\.15\.15\.2:\d+ → 101\.101\.101\.1:80 D\(NoDstRt\).*\): no route for 101\.101\.101\.1\/32 in VRF 5: the floating IP is not bound to the ingress pod's interface/ },
    { fault: "policy-drop", stage: "fip-nat", node: "cent222", reason: /^cent222 drops the client's connection \(flow \d+ 15\.15\.15\.2:\d+ → 101\.101\.101\.1:80 D\(Policy\).*\): a security group \/ network policy denies 15\.15\.15\.2 → 101\.101\.101\.1:80$/ },
    { fault: "wrong-label", stage: "service-nat", node: "cent333", reason: /^cent333 has no flow for 10\.47\.255\.238:\d+ → 10\.99\.225\.17:80; the label 38 pushed by cent222 resolves to nothing \(mpls --get 38: no entry\); \d+ MPLSoUDP frames with label 38 did arrive on cent333$/ },
    { fault: "mtu-blackhole", stage: "return-client", node: "internet-host", reason: /^small responses arrive, but the large response left cent222 \(flow \d+: \d+ packets \/ \d+ bytes toward the client\) and the client got first-byte-timeout.*MTU black hole/ },
  ];

  for (const c of FAULT_CASES) {
    it(`${c.fault}: first failing stage is ${c.stage}`, async () => {
      lab.setFault(c.fault, true);
      try {
        const r = await walkOn(lab);
        const ff = r.firstFailure;
        if (ff?.id !== c.stage) console.log(r.toString(), JSON.stringify(r.stages.map((s) => s.evidence.map((e) => e.rows.slice(0, 4)))).slice(0, 6000));
        expect(ff?.id).toBe(c.stage);
        expect(ff?.node).toBe(c.node);
        expect(ff?.reason).toMatch(c.reason);
        // Everything before it passed; nothing after it claims a pass on the forward path.
        expect(r.stages.filter((s) => s.step < ff!.step).every((s) => s.verdict === "pass")).toBe(true);
        expect(r.headline()).toMatch(new RegExp(`^✘ .*stopped at stage ${ff!.step} `));
      } finally {
        lab.setFault(c.fault, false);
      }
    });
  }

  it("haproxy-failover: every stage passes, cent333 is discovered as the active node, the backend is local", async () => {
    lab.setFault("haproxy-failover", true);
    try {
      const r = await walkOn(lab);
      expect(r.firstFailure).toBeNull();
      expect(r.stages.every((s) => s.verdict === "pass")).toBe(true);
      expect(r.discovery.activeNode).toBe(lab.inventory.scenario.activeIngressNode);
      expect(r.discovery.activeNode).toBe("cent333");
      expect(r.discovery.protocolNextHop).toBe("10.169.25.21");
      expect(r.discovery.backendNode).toBe("cent333");
      expect(r.stage("overlay")!.reason).toMatch(/leads to a local interface .*no overlay hop/);
    } finally {
      lab.setFault("haproxy-failover", false);
    }
  });

  it("probes with real curl from the internet-host node when asked", async () => {
    const r = await walkOn(lab, { probeFrom: "internet-host", largePath: undefined });
    expect(r.stages.every((x) => x.verdict === "pass")).toBe(true);
    const probe = r.stage("client")!.evidence.find((e) => e.title === "probe")!;
    expect(probe.node).toBe("internet-host");
    expect(probe.command).toBe("curl -v http://101.101.101.1:80/ -H 'Host: www.juniper.net'");
    expect(probe.rows[0].status).toBe(200);
    expect(r.discovery.clientPort).toBe(Number(String(probe.rows[0].local).split(":").pop()));
  });

  it("a Host header that matches no ingress rule stops at the proxy stage", async () => {
    const r = await walkOn(lab, { hostHeader: "nope.example.com" });
    expect(r.firstFailure?.id).toBe("proxy");
    expect(r.firstFailure?.reason).toBe(
      "haproxy (10.47.255.238) on cent222 accepted the client's connection and answered HTTP 503 itself but opened no connection to any service during the probe (Host: nope.example.com may match no ingress rule)",
    );
    expect(r.stages.slice(0, 3).every((x) => x.verdict === "pass")).toBe(true);
  });

  it("without tcpdump the stages still decide, and note the missing capture", async () => {
    const inventory = lab.inventory as unknown as Inventory;
    const ssh = new SshRunner(inventory);
    const runner: CommandRunner & { inventory: Inventory } = {
      inventory,
      async run(node, command, opts) {
        const argv = "script" in command ? [] : [...command];
        if (argv[0] === "tcpdump") {
          return { node, command: argv.join(" "), stdout: "", stderr: "sh: 1: tcpdump: not found\n", exitCode: 127, signal: null, startedAt: Date.now(), durationMs: 0 };
        }
        return ssh.run(node, command, opts);
      },
    };
    try {
      const r = await walkOn(lab, { runner });
      expect(r.stages.every((x) => x.verdict === "pass")).toBe(true);
      expect(r.stage("gateway")!.notes).toEqual(["capture on cent222 failed (tcpdump exit 127); decided from the other evidence"]);
      expect(r.stage("gateway")!.reason).not.toMatch(/frames captured/);
      const ladder = r.ladder!.spec as { title: string };
      expect(ladder.title).toBe("no captured packets of the probe");
    } finally {
      ssh.close();
    }
  });

  it("runs one stage on its own (a per-stage notebook cell)", async () => {
    const inventory = lab.inventory as unknown as Inventory;
    const runner = new SshRunner(inventory);
    try {
      const s = lab.inventory.scenario;
      const ctx = createContext({ inventory, runner, fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader, capture: false, firstByteTimeoutMs: 3000 });
      const st = await checkServiceNat(ctx);
      expect(st.id).toBe("service-nat");
      expect(st.step).toBe(6);
      expect(st.verdict).toBe("pass");
      expect(st.node).toBe("cent333");
      expect(st.reason).toMatch(/^cent333: 10\.47\.255\.238:\d+ → 10\.99\.225\.17:80 is DNATed \(address and port\) to 10\.47\.255\.236:80; .*label 38 → nh \d+ → vif0\/\d+ tapeth0-038fe1 \(10\.47\.255\.236\)$/);
      expect(st.evidence.map((e) => `${e.node}: ${e.command}`)).toContain("cent333: mpls --get 38");
      expect(ctx.discovery.backendVif).toMatch(/^vif0\/\d+ tapeth0-038fe1$/);
    } finally {
      runner.close();
    }
  });

  it("a FIP the gateway has no route for: its empty answer is 'no route', with the command that said so", async () => {
    const inventory = lab.inventory as unknown as Inventory;
    const runner = new SshRunner(inventory);
    try {
      const s = lab.inventory.scenario;
      const opts = { inventory, runner, fip: "101.101.101.9", fipPort: s.fipPort, hostHeader: s.hostHeader, capture: false, firstByteTimeoutMs: 3000 };
      // Discovering the VRF: `show route 101.101.101.9/32 exact` prints nothing, so no routing instance holds it.
      const found = await gatewayRoute(createContext(opts));
      expect(found).toMatchObject({ node: "gateway", vrf: null, route: null, unreachable: false });
      expect(found.problem).toBe("gateway has no route for 101.101.101.9/32 in any routing instance (`show route 101.101.101.9/32 exact` printed nothing)");
      expect(found.evidence[0]).toMatchObject({ command: "cli -c show route 101.101.101.9/32 exact", rows: [] });
      // The VRF given: the JSON reply holds no route table.
      const given = await gatewayRoute(createContext({ ...opts, gatewayVrf: s.gatewayVrf }));
      expect(given).toMatchObject({ vrf: s.gatewayVrf, route: null, unreachable: false });
      expect(given.problem).toBe(
        `gateway has no route for 101.101.101.9/32 in ${s.gatewayVrf}.inet.0 (\`show route table ${s.gatewayVrf}.inet.0 101.101.101.9/32 detail | display json\` printed no route)`,
      );
      // A VRF the gateway does not have: its error line is quoted, not taken for an empty table.
      const wrong = await gatewayRoute(createContext({ ...opts, fip: s.fip, gatewayVrf: "nope" }));
      expect(wrong.problem).toBe('gateway showed no readable route for 101.101.101.1/32 in nope.inet.0: `show route table nope.inet.0 101.101.101.1/32 detail | display json` printed "error: routing table nope.inet.0 not found"');
    } finally {
      runner.close();
    }
  });

  it("an aborted walk returns unknown stages, not an exception", async () => {
    const s = lab.inventory.scenario;
    const ac = new AbortController();
    ac.abort();
    const r = await runWalk({ inventory: lab.inventory as unknown as Inventory, fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader, signal: ac.signal });
    expect(r.stages).toHaveLength(10);
    expect(r.stages.every((x) => x.verdict === "unknown" && x.reason === "interrupted before this stage ran")).toBe(true);
  });

  it("an unreachable backend node gives unknown stages with the reason, not an exception", async () => {
    const port = await deadPort();
    const inv = JSON.parse(JSON.stringify(lab.inventory)) as Inventory;
    inv.nodes.find((n) => n.name === "cent333")!.ssh!.port = port;
    const s = lab.inventory.scenario;
    const r = await runWalk({ inventory: inv, fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader, firstByteTimeoutMs: 3000, commandTimeoutMs: 5000 });
    expect(r.stages.slice(0, 4).map((x) => x.verdict)).toEqual(["pass", "pass", "pass", "pass"]);
    expect(r.stage("overlay")!.verdict).toBe("unknown");
    expect(r.stage("overlay")!.reason).toMatch(/^cent222: 10\.99\.225\.17 → label 38, MPLSoUDP to 10\.169\.25\.21, which is not the fabric IP of any compute node that answered \(unreachable: cent333: cent333 unreachable: /);
    expect(r.firstFailure).toBeNull();
    expect(r.verdict).toBe("unknown");
    expect(Object.keys(r.unreachable)).toEqual(["cent333"]);
  });

  it("an unreachable gateway: the active node is found from the flow tables", async () => {
    const port = await deadPort();
    const inv = JSON.parse(JSON.stringify(lab.inventory)) as Inventory;
    inv.nodes.find((n) => n.role === "gateway")!.ssh!.port = port;
    const s = lab.inventory.scenario;
    const r = await runWalk({ inventory: inv, fip: s.fip, fipPort: s.fipPort, hostHeader: s.hostHeader, firstByteTimeoutMs: 3000, commandTimeoutMs: 5000, capture: false });
    expect(r.stage("gateway")!.verdict).toBe("unknown");
    expect(r.stage("gateway")!.reason).toMatch(/^gateway: gateway unreachable: .*; the FIP flow on cent222 shows traffic arrived anyway$/);
    expect(r.discovery.activeNode).toBe("cent222");
    expect(r.stages.filter((x) => x.id !== "gateway").every((x) => x.verdict === "pass")).toBe(true);
    expect(r.stage("fip-nat")!.notes).toContain("cent222 found from its flow table (the gateway route was not available)");
  });
});

describe("walk on the large lab (nothing hard-coded)", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await labFor({ topology: "large" });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("passes and discovers cent444, VRFs 6/3, an ECMP member of the service", async () => {
    const r = await walkOn(lab);
    expect(r.firstFailure).toBeNull();
    expect(r.stages.every((s) => s.verdict === "pass")).toBe(true);
    const s = lab.inventory.scenario;
    const d = r.discovery;
    expect(d.activeNode).toBe(s.activeIngressNode);
    expect(d.activeNode).toBe("cent444");
    expect(d.gatewayVrf).toBe(s.gatewayVrf);
    expect(d.ingressPodIp).toBe(s.ingressPodIp);
    expect(d.fipVrf).toBe(s.vrfs.fip);
    expect(d.podVrf).toBe(s.vrfs.pod);
    // Host www.juniper.net, path "/" matches the "/" rule: webservice (the scenario's first rule is "/api").
    const svc = s.services.find((x) => x.ip === d.serviceIp);
    expect(svc?.name).toBe("webservice");
    expect(d.servicePort).toBe(svc?.port);
    const backend = svc?.backends.find((p) => p.ip === d.backendPodIp);
    expect(backend?.node).toBe(d.backendNode);
    expect(r.stage("overlay")!.reason).toMatch(/ECMP: 3 members/);
    expect(Object.keys(d.fabricIps)).toHaveLength(3);
  });
});

describe("walk on the large lab with a fault from the start", () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await labFor({ topology: "large", faults: ["wrong-label"] });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("wrong-label on an ECMP service: the first request's member node names the stale label", async () => {
    const r = await walkOn(lab, { largePath: undefined });
    const ff = r.firstFailure!;
    expect(ff.id).toBe("service-nat");
    expect(ff.node).toBe(r.discovery.backendNode);
    expect(ff.node).not.toBe(r.discovery.activeNode);
    const label = r.discovery.serviceLabel!;
    expect(ff.reason).toMatch(
      new RegExp(`^${ff.node} has no flow for 10\\.47\\.255\\.200:\\d+ → 10\\.99\\.225\\.17:80; the label ${label} pushed by cent444 resolves to nothing \\(mpls --get ${label}: no entry\\)`),
    );
    expect(r.stage("overlay")!.reason).toMatch(new RegExp(`label ${label}, MPLSoUDP 10\\.169\\.25\\.22 → .* \\(ECMP: 3 members, this flow uses nh \\d+\\)`));
  });
});
