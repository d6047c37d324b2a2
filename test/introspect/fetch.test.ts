/**
 * Fetching the introspect over HTTP and over HTTPS with client certificates (generated here with the
 * openssl binary), following pages, with errors that name the node, the URL and what failed. Loopback
 * only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  fetchIntrospect,
  fetchIntrospectPage,
  introspectEndpoint,
  introspectGetter,
  IntrospectError,
  parseIntrospectFlow,
  parseIntrospectNh,
  type IntrospectEndpoint,
} from "../../lib/introspect";
import { startIntrospectServer, type IntrospectServer } from "../../lib/lab/introspect";
import { LabState } from "../../lib/lab/state";
import { loadTopology } from "../../lib/lab/topology";
import { loadInventory } from "../../lib/remote/inventory";

/** The HTTPS tests need the openssl binary to make their certificates (`.ci/run` installs it). */
const HAS_OPENSSL = spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0;
if (!HAS_OPENSSL) console.warn("test/introspect/fetch.test.ts: no openssl binary: the HTTPS client-certificate tests are skipped");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-introspect-"));
const f = (n: string) => path.join(dir, n);
function openssl(...args: string[]): void {
  execFileSync("openssl", args, { stdio: "pipe" });
}

let state: LabState;
let node: string;
let plain: IntrospectServer;
let tls: IntrospectServer;
const extra: net.Server[] = [];

beforeAll(async () => {
  // A CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA; and a stranger CA.
  fs.writeFileSync(f("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
  for (const ca of HAS_OPENSSL ? ["ca", "other-ca"] : []) {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${ca}.key`), "-out", f(`${ca}.pem`), "-days", "2", "-subj", `/CN=${ca}`);
  }
  for (const who of HAS_OPENSSL ? ["server", "client"] : []) {
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f(`${who}.key`), "-out", f(`${who}.csr`), "-subj", `/CN=${who === "server" ? "127.0.0.1" : "packetwalk"}`);
    openssl("x509", "-req", "-in", f(`${who}.csr`), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f(`${who}.pem`), "-days", "2", ...(who === "server" ? ["-extfile", f("san.cnf")] : []));
  }
  state = new LabState(loadTopology("default"));
  node = [...state.model.computes.keys()][0]!;
  const t = state.model.computes.get(node)!.flows;
  for (let i = 0; i < 230; i++) t.add({ keyNh: 5, qos: -1, rpfNh: 5, sinfo: "0.0.0.0", sip: "10.0.0.1", sport: 2000 + i, dip: "10.0.0.2", dport: 80, proto: 6, vrf: 2, action: "F", nat: {} });
  plain = await startIntrospectServer(state, node);
  if (HAS_OPENSSL) tls = await startIntrospectServer(state, node, { tls: { cert: fs.readFileSync(f("server.pem")), key: fs.readFileSync(f("server.key")), ca: fs.readFileSync(f("ca.pem")) } });
}, 60_000);

afterAll(async () => {
  await plain?.close();
  await tls?.close();
  await Promise.all(extra.map((s) => new Promise<void>((r) => s.close(() => r()))));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function server(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<number> {
  const s = http.createServer(handler);
  s.on("connection", (c) => c.on("error", () => undefined));
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  extra.push(s as unknown as net.Server);
  return (s.address() as net.AddressInfo).port;
}

describe("fetchIntrospectPage and fetchIntrospect", () => {
  it("HTTP: a page, and a whole flow table over its NextKFlowReq pages", async () => {
    const ep: IntrospectEndpoint = { node, baseUrl: `http://127.0.0.1:${plain.port}` };
    const page = await fetchIntrospectPage(ep, "/Snh_KNHReq?nh_id=-1", { timeoutMs: 5000 });
    expect(page.status).toBe(200);
    expect(parseIntrospectNh(page.body).rows.length).toBe(state.model.computes.get(node)!.nhs.size);
    const a = await fetchIntrospect(introspectGetter(ep), "/Snh_KFlowReq?flow_idx=-1", parseIntrospectFlow, { timeoutMs: 5000, node });
    expect(a.error).toBeNull();
    expect(a.errors).toEqual([]);
    expect(a.pages.map((p) => p.path)).toEqual(["/Snh_KFlowReq?flow_idx=-1", expect.stringMatching(/^\/Snh_NextKFlowReq\?x=\d+$/), expect.stringMatching(/^\/Snh_NextKFlowReq\?x=\d+$/)]);
    expect(a.rows.map((r) => r.index)).toEqual(state.model.computes.get(node)!.flows.entries().map((e) => e.index));
  });

  it.skipIf(!HAS_OPENSSL)("HTTPS with a client certificate signed by the agent's CA", async () => {
    const inv = loadInventory({
      nodes: [{ name: node, role: "compute", ssh: { host: "10.169.25.20" }, evidence: "introspect", introspect: { url: "https://10.169.25.20:8085", tls: { ca: "ca.pem", cert: "client.pem", key: "client.key" } } }],
      addressMap: { "10.169.25.20:8085": `127.0.0.1:${tls.port}` },
      baseDir: dir,
    });
    const ep = introspectEndpoint(inv, inv.nodes[0]!);
    expect(ep.baseUrl).toBe(`https://127.0.0.1:${tls.port}`);
    const a = await fetchIntrospect(introspectGetter(ep), "/Snh_KNHReq?nh_id=-1", parseIntrospectNh, { timeoutMs: 5000, node });
    expect(a.error).toBeNull();
    expect(a.rows.length).toBe(state.model.computes.get(node)!.nhs.size);
  });

  it.skipIf(!HAS_OPENSSL)("HTTPS refused without a client certificate, and when the server's CA is not the one trusted", async () => {
    const noCert: IntrospectEndpoint = { node, baseUrl: `https://127.0.0.1:${tls.port}`, tls: { ca: fs.readFileSync(f("ca.pem")) } };
    const e1 = await fetchIntrospectPage(noCert, "/Snh_KNHReq?nh_id=-1", { timeoutMs: 5000 }).catch((e) => e);
    expect(e1).toBeInstanceOf(IntrospectError);
    expect(["tls", "connect"]).toContain(e1.stage);
    expect(e1.message).toMatch(/failed/);
    const strangerCa: IntrospectEndpoint = {
      node, baseUrl: `https://127.0.0.1:${tls.port}`,
      tls: { ca: fs.readFileSync(f("other-ca.pem")), cert: fs.readFileSync(f("client.pem")), key: fs.readFileSync(f("client.key")) },
    };
    const e2 = await fetchIntrospectPage(strangerCa, "/Snh_KNHReq?nh_id=-1", { timeoutMs: 5000 }).catch((e) => e);
    expect(e2).toBeInstanceOf(IntrospectError);
    expect(e2.stage).toBe("tls");
    expect(e2.message).toContain(node);
    expect(e2.message).toContain(`https://127.0.0.1:${tls.port}/Snh_KNHReq?nh_id=-1`);
  });

  it("errors name the node, the URL and what failed: refused, HTTP status, timeout, abort, a cut body", async () => {
    const closed = await server(() => undefined);
    const s = extra.pop()!;
    await new Promise<void>((r) => s.close(() => r()));
    const refused = await fetchIntrospectPage({ node: "cent9", baseUrl: `http://127.0.0.1:${closed}` }, "/Snh_KNHReq", { timeoutMs: 2000 }).catch((e) => e);
    expect(refused).toMatchObject({ stage: "connect", node: "cent9" });
    expect(refused.message).toMatch(new RegExp(`^cent9: introspect http://127.0.0.1:${closed}/Snh_KNHReq: connect failed: connect ECONNREFUSED 127.0.0.1:${closed}$`));

    const notFound = await fetchIntrospectPage({ node, baseUrl: `http://127.0.0.1:${plain.port}` }, "/Snh_NoSuchReq", { timeoutMs: 2000 }).catch((e) => e);
    expect(notFound).toMatchObject({ stage: "http", status: 404 });

    const silent = await server(() => undefined);
    const t0 = Date.now();
    const timeout = await fetchIntrospectPage({ node, baseUrl: `http://127.0.0.1:${silent}` }, "/Snh_KNHReq", { timeoutMs: 300 }).catch((e) => e);
    expect(timeout).toMatchObject({ stage: "timeout" });
    expect(Date.now() - t0).toBeLessThan(3000);

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const aborted = await fetchIntrospectPage({ node, baseUrl: `http://127.0.0.1:${silent}` }, "/Snh_KNHReq", { timeoutMs: 5000, signal: ac.signal }).catch((e) => e);
    expect(aborted).toMatchObject({ stage: "abort" });

    const cut = await server((_req, res) => {
      res.writeHead(200, { "content-length": "1000" });
      res.write("<KNHResp type=\"sandesh\"><nh_list");
      setTimeout(() => res.destroy(), 50);
    });
    const cutE = await fetchIntrospectPage({ node, baseUrl: `http://127.0.0.1:${cut}` }, "/Snh_KNHReq", { timeoutMs: 2000 }).catch((e) => e);
    expect(cutE).toBeInstanceOf(IntrospectError);
    expect(["body", "connect"]).toContain(cutE.stage);
  });

  it("a page cut in its XML keeps the rows before the cut and stops; pages before a failure are kept", async () => {
    const full = (await fetchIntrospectPage({ node, baseUrl: `http://127.0.0.1:${plain.port}` }, "/Snh_KFlowReq?flow_idx=-1")).body;
    let calls = 0;
    const a = await fetchIntrospect(
      async (p) => {
        calls++;
        if (calls === 1) return { url: p, path: p, status: 200, body: full, startedAt: 0, durationMs: 0 };
        if (calls === 2) return { url: p, path: p, status: 200, body: full.slice(0, 3000), startedAt: 0, durationMs: 0 };
        throw new Error("never asked");
      },
      "/Snh_KFlowReq?flow_idx=-1",
      parseIntrospectFlow,
      { node },
    );
    expect(calls).toBe(2);
    expect(a.pages).toHaveLength(2);
    expect(a.rows.length).toBeGreaterThan(100);
    expect(a.errors).toHaveLength(1);
    expect(a.error).toBeNull();
    const b = await fetchIntrospect(
      async (p) => {
        if (p.startsWith("/Snh_KFlowReq")) return { url: p, path: p, status: 200, body: full, startedAt: 0, durationMs: 0 };
        throw new IntrospectError("connect", node, p, "connect failed: ECONNRESET");
      },
      "/Snh_KFlowReq?flow_idx=-1",
      parseIntrospectFlow,
      { node },
    );
    expect(b.rows).toHaveLength(100);
    expect(b.error?.stage).toBe("connect");
  });

  it("a page that links back to itself is read once and the loop named", async () => {
    const page = (await fetchIntrospectPage({ node, baseUrl: `http://127.0.0.1:${plain.port}` }, "/Snh_KFlowReq?flow_idx=-1")).body;
    const a = await fetchIntrospect(async (p) => ({ url: p, path: p, status: 200, body: page, startedAt: 0, durationMs: 0 }), "/Snh_NextKFlowReq?x=" + /link="NextKFlowReq">(\d+)</.exec(page)![1], parseIntrospectFlow, { node });
    expect(a.pages).toHaveLength(1);
    expect(a.error?.message).toMatch(/links back/);
  });

  it("introspectEndpoint: host/port defaults, the address map, and unreadable TLS files named", () => {
    const inv = loadInventory({
      nodes: [
        { name: "a", role: "compute", ssh: { host: "10.1.1.1" }, evidence: "introspect" },
        { name: "b", role: "compute", ssh: { host: "127.0.0.1", port: 2200 }, introspect: { host: "10.1.1.2", port: 8086 } },
        { name: "c", role: "compute", ssh: { host: "10.1.1.3" }, introspect: { tls: { ca: "nope.pem", cert: "c.pem", key: "c.key" } } },
      ],
      addressMap: { "10.1.1.2:8086": "127.0.0.1:9999" },
      baseDir: dir,
    });
    expect(introspectEndpoint(inv, inv.nodes[0]!).baseUrl).toBe("http://10.1.1.1:8085");
    expect(introspectEndpoint(inv, inv.nodes[1]!).baseUrl).toBe("http://127.0.0.1:9999");
    expect(() => introspectEndpoint(inv, inv.nodes[2]!)).toThrow(/c: introspect https:\/\/10\.1\.1\.3:8085: introspect\.tls\.ca: cannot read .*nope\.pem/);
  });

  it("the inventory refuses a bad evidence or introspect block, naming the field", () => {
    expect(() => loadInventory({ nodes: [{ name: "g", role: "gateway", ssh: { host: "h" }, evidence: "introspect" }] })).toThrow(/nodes\[0\]\.evidence: only a compute node/);
    expect(() => loadInventory({ nodes: [{ name: "a", role: "compute", ssh: { host: "h" }, evidence: "snmp" }] })).toThrow(/nodes\[0\]\.evidence: expected one of ssh, introspect/);
    expect(() => loadInventory({ nodes: [{ name: "a", role: "compute", ssh: { host: "h" }, introspect: { url: "ftp://x", port: 70000, tls: { ca: "a" } } }] })).toThrow(
      /introspect\.url: expected an http:\/\/ or https:\/\/ URL.*introspect\.port: expected a port 1-65535.*introspect\.tls\.cert: expected a PEM file path/,
    );
  });
});
