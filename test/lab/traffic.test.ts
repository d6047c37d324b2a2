import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as net from "node:net";
import { startLab, type Lab } from "../../lib/lab/lab";
import { LabFlowSource } from "../../lib/lab/snapshots";

/** Sends raw bytes to the FIP and collects the reply until the server closes or `until` matches. */
function rawExchange(port: number, data: string | Buffer, opts: { until?: RegExp; end?: boolean } = {}): Promise<{ reply: string; localPort: number }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port });
    let reply = "";
    let localPort = 0;
    s.on("connect", () => {
      localPort = s.localPort!;
      s.write(data);
      if (opts.end) s.end();
    });
    s.on("data", (d) => {
      reply += d.toString("latin1");
      if (opts.until && opts.until.test(reply)) {
        s.end();
      }
    });
    s.on("error", reject);
    s.on("close", () => resolve({ reply, localPort }));
  });
}

/** Waits (by polling the model, not by timing) until a predicate holds. */
async function until(pred: () => boolean, what: string, maxMs = 10_000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > maxMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ flowLingerMs: 60_000, ssh: false, proxy: { connectTimeoutMs: 300 } });
});
afterAll(async () => {
  await lab?.stop();
});

describe("FIP listener + haproxy + pods", () => {
  it("serves the backend pod's page for Host www.juniper.net, with X-Forwarded-For", async () => {
    const { reply } = await rawExchange(lab.fipAddress.port, "GET / HTTP/1.1\r\nHost: www.juniper.net\r\nConnection: close\r\n\r\n");
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(reply).toContain("Hello from webservice-7db5dcb4c6-h9xk2");
    expect(reply).toContain("X-Forwarded-For: 15.15.15.2");
    expect(reply).toContain("request from: 10.47.255.238");
  });

  it("answers 503 for an unknown host and 400 for garbage, like haproxy", async () => {
    const a = await rawExchange(lab.fipAddress.port, "GET / HTTP/1.1\r\nHost: nope.example\r\n\r\n");
    expect(a.reply).toMatch(/^HTTP\/1\.1 503 Service Unavailable/);
    const b = await rawExchange(lab.fipAddress.port, "\x16\x03\x01garbage\r\n\r\n");
    expect(b.reply).toMatch(/^HTTP\/1\.1 400 Bad request/);
    const c = await rawExchange(lab.fipAddress.port, "GET / HTTP/1.1\r\nHost: www.juniper.net\r\nContent-Length: 999999999\r\n\r\n");
    expect(c.reply).toMatch(/^HTTP\/1\.1 413 /);
    const d = await rawExchange(lab.fipAddress.port, "GET / HTTP/1.1\r\nX: " + "a".repeat(20000) + "\r\n\r\n");
    expect(d.reply).toMatch(/^HTTP\/1\.1 400 /);
  });

  it("creates the FIP NAT pair on cent222 and the service pairs, keyed by the real client port", async () => {
    const { localPort } = await rawExchange(lab.fipAddress.port, "GET / HTTP/1.1\r\nHost: www.juniper.net\r\nConnection: close\r\n\r\n");
    const c222 = lab.state.model.computes.get("cent222")!;
    const c333 = lab.state.model.computes.get("cent333")!;
    await until(() => {
      const f = c222.flows.find("15.15.15.2", localPort, "101.101.101.1", 80, 6, 5);
      return !!f && (f.tcp & 0x2) !== 0;
    }, "FIN on the FIP flow");
    const fwd = c222.flows.find("15.15.15.2", localPort, "101.101.101.1", 80, 6, 5)!;
    expect(fwd.action).toBe("N");
    expect(fwd.nat).toEqual({ d: true });
    expect(fwd.rpfNh).toBe(61);
    const rev = c222.flows.get(fwd.rindex)!;
    expect(rev).toMatchObject({ sip: "10.47.255.238", sport: 80, dip: "15.15.15.2", dport: localPort, vrf: 2, nat: { s: true } });
    expect(fwd.packets).toBeGreaterThan(3);
    expect(fwd.bytes).toBeGreaterThan(60);
    const out = lab.tool("cent222", ["flow", "--match", `15.15.15.2:${localPort}`]).stdout;
    expect(out).toMatch(/Action:N\(D\)/);
    expect(out).toMatch(/TCP:SSrEErFFrC/);
    // The ingress -> service flow on cent222 and the DNAT+DPAT pair on cent333.
    const svcFwd = c333.flows.entries().find((e) => e.dip === "10.99.225.17" && e.nat.d && e.nat.pd);
    expect(svcFwd).toBeDefined();
    expect(c333.flows.get(svcFwd!.rindex)).toMatchObject({ sip: "10.47.255.236", nat: { s: true, ps: true } });
    const ingress = c222.flows.find("10.47.255.238", svcFwd!.sport, "10.99.225.17", 80, 6, 2);
    expect(ingress?.action).toBe("F");
  });
});

describe("flow life follows the real socket", () => {
  let quick: Lab;
  beforeAll(async () => {
    quick = await startLab({ flowLingerMs: 30, ssh: false, proxy: { requestTimeoutMs: 150 } });
  });
  afterAll(async () => {
    await quick?.stop();
  });

  it("SSrEEr while the connection is held, FIN flags after close, then aged out", async () => {
    const c222 = quick.state.model.computes.get("cent222")!;
    const s = net.connect({ host: "127.0.0.1", port: quick.fipAddress.port });
    await new Promise((r) => s.once("connect", r));
    const port = s.localPort!;
    let reply = "";
    s.on("data", (d) => (reply += d));
    s.write("GET / HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n");
    await until(() => reply.includes("</html>"), "the response");
    const fwd = c222.flows.find("15.15.15.2", port, "101.101.101.1", 80, 6, 5)!;
    const out = quick.tool("cent222", ["flow", "--match", `15.15.15.2:${port}`]).stdout;
    expect(out.match(/TCP:SSrEEr,/g)?.length).toBe(2);
    const idx = fwd.index;
    s.end();
    await until(() => !c222.flows.get(idx), "the flow to age out");
    expect(c222.flows.counters.deleted).toBeGreaterThan(0);
  });

  it("a half-open client that never sends a request gets haproxy's 408 and is closed", async () => {
    const { reply } = await rawExchange(quick.fipAddress.port, "GET / HTTP/1.1\r\nHost: www.juniper.net\r\n");
    expect(reply).toMatch(/^HTTP\/1\.1 408 Request Time-out/);
  });

  it("a client that half-closes after its request still gets the response", async () => {
    const { reply } = await rawExchange(quick.fipAddress.port, "GET / HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n", { end: true });
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it("keeps a keep-alive connection for several requests, each over a new service connection", async () => {
    const ports = new Set<number>();
    const onLog = (e: { ingressPort?: number }) => e.ingressPort && ports.add(e.ingressPort);
    quick.on("request", onLog);
    const { reply } = await rawExchange(
      quick.fipAddress.port,
      "GET /a HTTP/1.1\r\nHost: www.juniper.net\r\n\r\nGET /b HTTP/1.1\r\nHost: www.juniper.net\r\nConnection: close\r\n\r\n",
    );
    quick.off("request", onLog);
    expect(reply.match(/HTTP\/1\.1 200 OK/g)?.length).toBe(2);
    expect(ports.size).toBe(2);
  });
});

describe("in-process flow snapshots", () => {
  it("LabFlowSource yields FlowEntryCore rows joinable to the real client port", async () => {
    const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
    await new Promise((r) => s.once("connect", r));
    const port = s.localPort!;
    s.write("GET / HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n");
    const ac = new AbortController();
    let hit: unknown;
    await new LabFlowSource(lab.state, ["cent222"], 20).run({
      signal: ac.signal,
      onSnapshot: (snap) => {
        hit = snap.entries.find((e) => e.srcIp === "15.15.15.2" && e.srcPort === port);
        if (hit) ac.abort();
      },
    });
    s.destroy();
    expect(hit).toMatchObject({ dstIp: "101.101.101.1", dstPort: 80, vrf: 5, action: "N(D)", dnat: true, proto: 6 });
  });
});
