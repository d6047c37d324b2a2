import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as net from "node:net";
import { startLab, type Lab } from "../../lib/lab/lab";
import type { ProxyLogEntry } from "../../lib/lab/proxy";

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ ssh: false, flowLingerMs: 60_000, proxy: { connectTimeoutMs: 200 } });
});
afterAll(async () => {
  await lab?.stop();
});

const GET = "GET / HTTP/1.1\r\nHost: www.juniper.net\r\nConnection: close\r\n\r\n";

function exchange(data: string): Promise<{ reply: string; port: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
    let reply = "";
    let port = 0;
    s.on("connect", () => {
      port = s.localPort!;
      s.write(data);
    });
    s.on("data", (d) => (reply += d));
    s.on("error", reject);
    s.on("close", () => resolve({ reply, port }));
  });
}

/** Opens a connection, sends a request, and resolves once `ready()` holds, with what arrived so far. */
function hold(data: string, ready: (port: number) => boolean): Promise<{ received: number; port: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
    let received = 0;
    s.on("connect", () => s.write(data));
    s.on("data", (d) => (received += d.length));
    s.on("error", reject);
    const poll = setInterval(() => {
      if (s.localPort && ready(s.localPort)) {
        clearInterval(poll);
        const port = s.localPort;
        s.destroy();
        resolve({ received, port });
      }
    }, 5);
  });
}

function withFault<T>(name: string, fn: () => Promise<T>): Promise<T> {
  lab.setFault(name, true);
  return fn().finally(() => lab.setFault(name, false));
}

const c222 = () => lab.state.model.computes.get("cent222")!;
const c333 = () => lab.state.model.computes.get("cent333")!;

describe("faults", () => {
  it("backend-down: the SYN to the service is refused (RST) and haproxy answers 503", async () => {
    await withFault("backend-down", async () => {
      const { reply, port } = await exchange(GET);
      expect(reply).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
      expect(c222().flows.find("15.15.15.2", port, "101.101.101.1", 80, 6, 5)?.action).toBe("N");
      const svc = c333().flows.entries().filter((e) => e.dip === "10.99.225.17");
      expect(svc.some((e) => e.tcp & 0x80)).toBe(true);
    });
  });

  it("service-no-route: no /32 for the service in VRF 2 on cent222, flow dropped NoDstRt, 503", async () => {
    await withFault("service-no-route", async () => {
      const rt = lab.tool("cent222", ["rt", "--dump", "2"]).stdout;
      expect(rt).not.toContain("10.99.225.17/32");
      const { reply } = await exchange(GET);
      expect(reply).toMatch(/^HTTP\/1\.1 503/);
      const d = c222().flows.entries().find((e) => e.dip === "10.99.225.17" && e.action === "D");
      expect(d?.dropReason).toBe("NoDstRt");
      expect(lab.tool("cent222", ["flow", "--get", String(d!.index)]).stdout).toMatch(/Flow Action:\s+DROP:\s+NoDstRt/);
    });
    expect(lab.tool("cent222", ["rt", "--dump", "2"]).stdout).toContain("10.99.225.17/32");
  });

  it("fip-nat-missing: the client's packets are dropped on cent222 and nothing comes back", async () => {
    await withFault("fip-nat-missing", async () => {
      const { received, port } = await hold(GET, (p) => !!c222().flows.find("15.15.15.2", p, "101.101.101.1", 80, 6, 5));
      expect(received).toBe(0);
      const f = c222().flows.find("15.15.15.2", port, "101.101.101.1", 80, 6, 5)!;
      expect(f.action).toBe("D");
      expect(f.rindex).toBe(-1);
      expect(lab.tool("cent222", ["rt", "--dump", "5"]).stdout).not.toContain("101.101.101.1/32");
    });
  });

  it("policy-drop: the FIP flow pair is Action:D(Policy)", async () => {
    await withFault("policy-drop", async () => {
      const { received, port } = await hold(GET, (p) => !!c222().flows.find("15.15.15.2", p, "101.101.101.1", 80, 6, 5));
      expect(received).toBe(0);
      const out = lab.tool("cent222", ["flow", "--match", `15.15.15.2:${port}`]).stdout;
      expect(out.match(/Action:D\(Policy\)/g)?.length).toBe(2);
    });
  });

  it("wrong-label: cent222 pushes 38, cent333 no longer resolves it, packets die there", async () => {
    await withFault("wrong-label", async () => {
      expect(lab.tool("cent222", ["rt", "--get", "10.99.225.17/32", "--vrf", "2"]).stdout).toMatch(/10\.99\.225\.17\/32\s+32\s+LP\s+38\s/);
      expect(lab.tool("cent333", ["mpls", "--get", "38"]).stdout).not.toMatch(/^\s+38\s+\d+$/m);
      const drops = c333().vifs.get(0)!.drops;
      const { reply } = await exchange(GET);
      expect(reply).toMatch(/^HTTP\/1\.1 503/);
      expect(c333().vifs.get(0)!.drops).toBeGreaterThan(drops);
    });
    expect(lab.tool("cent333", ["mpls", "--get", "38"]).stdout).toMatch(/^\s+38\s+\d+$/m);
  });

  it("mtu-blackhole: small pages arrive, a large response never does", async () => {
    await withFault("mtu-blackhole", async () => {
      const small = await exchange(GET);
      expect(small.reply).toMatch(/^HTTP\/1\.1 200 OK/);
      const logged = new Promise<ProxyLogEntry>((r) => lab.once("request", r));
      let done = false;
      void logged.then(() => (done = true));
      const big = await hold("GET /download/200000 HTTP/1.1\r\nHost: www.juniper.net\r\nConnection: close\r\n\r\n", () => done);
      expect((await logged).status).toBe(200);
      expect(big.received).toBe(0);
    });
  });

  it("haproxy-failover: the gateway points at cent333 and the FIP flows move there", async () => {
    await withFault("haproxy-failover", async () => {
      const gw = lab.tool("gateway", ["cli", "-c", "show route table k8s-ns-user-1-public.inet.0 101.101.101.1/32 detail"]).stdout;
      expect(gw).toContain("Protocol next hop: 10.169.25.21");
      expect(lab.inventory.scenario.activeIngressNode).toBe("cent333");
      const { reply, port } = await exchange(GET);
      expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
      const f = c333().flows.find("15.15.15.2", port, "101.101.101.1", 80, 6, 5)!;
      expect(f.nat).toEqual({ d: true });
      expect(f.rpfNh).toBe(62);
      expect(c222().flows.find("15.15.15.2", port, "101.101.101.1", 80, 6, 5)).toBeUndefined();
    });
    expect(lab.inventory.scenario.activeIngressNode).toBe("cent222");
  });

  it("return-sg-drop: the pod answers, its node drops the reply (reverse flow D(Policy)), cent222 sees nothing, 503", async () => {
    await withFault("return-sg-drop", async () => {
      // Flows of earlier tests may still be in the table, and entries() is in index (hash) order, not
      // time order: take the flow this exchange made, the one that was not there before it.
      const before = new Set(c333().flows.entries().map((e) => e.index));
      const { reply } = await exchange(GET);
      expect(reply).toMatch(/^HTTP\/1\.1 503/);
      const fresh = c333().flows.entries().filter((e) => e.dip === "10.99.225.17" && !before.has(e.index));
      expect(fresh.length).toBeGreaterThan(0);
      const fwd = fresh.at(-1)!;
      const rev = c333().flows.get(fwd.rindex)!;
      expect(fwd.action).toBe("N");
      expect(rev.action).toBe("D");
      expect(rev.dropReason).toBe("Policy");
      expect(rev.packets).toBeGreaterThan(0); // the pod's SYN/ACKs, counted where they are dropped
      const a = c222().flows.entries().find((e) => e.sip === "10.99.225.17" && e.dport === fwd.sport)!;
      expect(a.packets).toBe(0); // nothing came back over the overlay
      expect(lab.tool("cent333", ["flow", "--get", String(rev.index)]).stdout).toMatch(/DROP:\s+Policy/);
    });
  });

  it("standby-answers: the gateway points at the standby (cent333), whose haproxy answers 503 itself", async () => {
    await withFault("standby-answers", async () => {
      const gw = lab.tool("gateway", ["cli", "-c", "show route table k8s-ns-user-1-public.inet.0 101.101.101.1/32 detail"]).stdout;
      expect(gw).toContain("Protocol next hop: 10.169.25.21");
      const before = c333().flows.entries().filter((e) => e.sip === "10.47.255.238" && e.dip === "10.99.225.17").length;
      const { reply, port } = await exchange(GET);
      expect(reply).toMatch(/^HTTP\/1\.1 503/);
      expect(c333().flows.find("15.15.15.2", port, "101.101.101.1", 80, 6, 5)?.nat).toEqual({ d: true });
      expect(c333().flows.entries().filter((e) => e.sip === "10.47.255.238" && e.dip === "10.99.225.17").length).toBe(before);
    });
  });

  it("stale-flow: the client's flow NATs to the ingress pod but has no reverse entry; nothing comes back", async () => {
    await withFault("stale-flow", async () => {
      const { received, port } = await hold(GET, (p) => !!c222().flows.find("15.15.15.2", p, "101.101.101.1", 80, 6, 5));
      expect(received).toBe(0);
      const f = c222().flows.find("15.15.15.2", port, "101.101.101.1", 80, 6, 5)!;
      expect(f.action).toBe("N");
      expect(f.nat).toEqual({ d: true });
      expect(f.rindex).toBe(-1);
      expect(lab.tool("cent222", ["flow", "--match", `15.15.15.2:${port}`]).stdout).not.toMatch(/10\.47\.255\.238:80\s.*15\.15\.15\.2/);
    });
  });

  it("rejects unknown faults", () => {
    expect(() => lab.setFault("nope", true)).toThrow(/unknown fault/);
  });
});
