import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as net from "node:net";
import { startLab, type Lab } from "../../lib/lab/lab";
import { loadTopology, builtinTopology } from "../../lib/lab/topology";

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ topology: "large", ssh: false, flowLingerMs: 60_000 });
});
afterAll(async () => {
  await lab?.stop();
});

function get(host: string, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
    let reply = "";
    s.on("connect", () => s.write(`GET ${p} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
    s.on("data", (d) => (reply += d));
    s.on("error", reject);
    s.on("close", () => resolve(reply));
  });
}

describe("large topology (3 computes, 2 services, 6 pods)", () => {
  it("loads from data and validates", () => {
    const t = loadTopology("large");
    expect(t.computes.map((c) => c.name)).toEqual(["cent222", "cent333", "cent444"]);
    expect(t.services.length).toBe(2);
    expect(t.pods.length).toBe(6);
    expect(() => loadTopology({ ...builtinTopology("default"), pods: [{ name: "x", app: "webservice", ip: "10.47.255.236", node: "nowhere" }] })).toThrow(/unknown node/);
  });

  it("routes the services through ECMP composites on the active node (cent444, pod VRF 3)", () => {
    expect(lab.inventory.scenario).toMatchObject({ fip: "102.102.102.7", activeIngressNode: "cent444", vrfs: { pod: 3, fip: 6 } });
    const rt = lab.tool("cent444", ["rt", "--get", "10.99.225.18/32", "--vrf", "3"]).stdout;
    const nh = /10\.99\.225\.18\/32\s+32\s+P\s+-\s+(\d+)/.exec(rt)![1];
    const comp = lab.tool("cent444", ["nh", "--get", nh]).stdout;
    expect(comp).toMatch(/Type:Composite/);
    expect(comp).toMatch(/Sub NH\(label\): \d+\(\d+\) \d+\(\d+\) \d+\(\d+\)/);
    // Every label the composite pushes toward a remote node resolves there to an apiservice pod's vif.
    const subs = [...comp.matchAll(/ (\d+)\((\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const c444 = lab.state.model.computes.get("cent444")!;
    for (const [sub, label] of subs) {
      const tn = c444.nhs.get(sub)!;
      if (tn.type !== "Tunnel") continue;
      const remote = [...lab.state.model.computes.values()].find((c) => c.fabricIp === tn.dip)!;
      const mp = lab.tool(remote.name, ["mpls", "--get", String(label)]).stdout;
      const target = /^\s+\d+\s+(\d+)$/m.exec(mp)![1];
      const oif = /Oif:(\d+)/.exec(lab.tool(remote.name, ["nh", "--get", target]).stdout)![1];
      expect(lab.tool(remote.name, ["vif", "--get", oif]).stdout).toMatch(/IPaddr:10\.47\.255\.23[123]/);
    }
  });

  it("matches host and path rules, balances over the endpoints, and creates flows on the right nodes", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await get("www.juniper.net", "/");
      expect(r).toMatch(/^HTTP\/1\.1 200/);
      seen.add(/Hello from (\S+)</.exec(r)![1]);
    }
    expect([...seen].sort()).toEqual(["webservice-5f7c9d8b4-a1b2c", "webservice-5f7c9d8b4-d3e4f", "webservice-5f7c9d8b4-g5h6i"]);
    expect(await get("www.juniper.net", "/api/v1")).toMatch(/Hello from apiservice-/);
    expect(await get("api.juniper.net", "/")).toMatch(/Hello from apiservice-/);
    expect(await get("shop.juniper.net", "/")).toMatch(/^HTTP\/1\.1 503/);
    const c444 = lab.state.model.computes.get("cent444")!;
    expect(c444.flows.entries().some((e) => e.vrf === 6 && e.dip === "102.102.102.7" && e.nat.d)).toBe(true);
    // The endpoint on cent444 itself gets a local DNAT+DPAT pair there; remote ones on their nodes.
    expect(c444.flows.entries().some((e) => e.dip === "10.99.225.17" && e.nat.d && e.nat.pd)).toBe(true);
    for (const n of ["cent222", "cent333"]) {
      expect(lab.state.model.computes.get(n)!.flows.entries().some((e) => e.dip === "10.99.225.17" && e.nat.pd)).toBe(true);
    }
    // apiservice: port 8080 -> targetPort 80 (DPAT really changes the port).
    const api = [...lab.state.model.computes.values()].flatMap((c) => c.flows.entries()).find((e) => e.dip === "10.99.225.18" && e.nat.pd);
    expect(api).toMatchObject({ dport: 8080, natDport: 80 });
  });
});
