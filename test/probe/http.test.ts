import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHttp, summarizeHttp } from "../../lib/probe/http";
import { renderTranscript } from "../../lib/probe/types";
import { bigBody, closedPort, garbage, resetter, silent, startHttp, startRaw, type Started } from "./servers";

let web: Started;
beforeAll(async () => {
  web = await startHttp();
});
afterAll(() => web.close());

const base = () => `http://127.0.0.1:${web.port}`;

describe("probeHttp against a local server", () => {
  it("gets a 200 with status, headers, body, local port and ordered timings", async () => {
    const r = await probeHttp({ url: `${base()}/` });
    expect(r.error).toBeNull();
    expect(r.ok).toBe(true);
    expect(r.status).toBe(200);
    expect(r.statusText).toBe("OK");
    expect(r.body).toBe("<h1>webservice-1</h1>");
    expect(r.bodyBytes).toBe(21);
    expect(r.remote).toEqual({ address: "127.0.0.1", port: web.port });
    expect(r.dialed).toEqual(r.remote);
    expect(r.local?.address).toBe("127.0.0.1");
    expect(web.clientPorts).toContain(r.local!.port);
    const t = r.timings;
    expect(t.dns).not.toBeNull();
    expect(t.dns!).toBeLessThanOrEqual(t.connect!);
    expect(t.connect!).toBeLessThanOrEqual(t.sent!);
    expect(t.sent!).toBeLessThanOrEqual(t.firstByte!);
    expect(t.firstByte!).toBeLessThanOrEqual(t.total);
    expect(r.endedAt).toBeGreaterThanOrEqual(r.startedAt);
  });

  it("renders a curl -v style transcript", async () => {
    const r = await probeHttp({ url: `${base()}/`, host: "www.juniper.net" });
    const text = renderTranscript(r.transcript);
    expect(text).toContain(`*   Trying 127.0.0.1:${web.port}...`);
    expect(text).toContain(`* Connected to 127.0.0.1 (127.0.0.1) port ${web.port} (#0)`);
    expect(text).toContain("> GET / HTTP/1.1\n> Host: www.juniper.net\n> User-Agent: packetwalk/0.1\n> Accept: */*\n>\n< HTTP/1.1 200 OK");
    expect(text).toContain("{ [21 bytes data]");
    expect(text).toContain("* Connection #0 to host 127.0.0.1 left intact");
    expect(summarizeHttp(r)).toMatch(new RegExp(`^200 OK  local 127\\.0\\.0\\.1:${r.local!.port} -> 127\\.0\\.0\\.1:${web.port}`));
  });

  it.each([
    ["/moved", 301],
    ["/missing", 404],
    ["/down", 503],
  ])("reports %s as status %i (not an error)", async (path, status) => {
    const r = await probeHttp({ url: base() + path });
    expect(r.status).toBe(status);
    expect(r.error).toBeNull();
  });

  it("reads chunked and close-delimited bodies", async () => {
    const c = await probeHttp({ url: `${base()}/chunked` });
    expect(c.body).toBe("first chunk;second chunk");
    expect(c.exchanges[0]!.framing).toBe("chunked");
    const d = await probeHttp({ url: `${base()}/close` });
    expect(d.error).toBeNull();
    expect(d.body).toBe("close-delimited body");
    expect(d.httpVersion).toBe("1.0");
    expect(d.exchanges[0]!.framing).toBe("close");
  });

  it("sends method, Host override and body", async () => {
    const r = await probeHttp({ url: `${base()}/echo`, method: "post", host: "www.juniper.net", body: "a=1" });
    expect(r.body).toBe("POST host=www.juniper.net body=a=1");
  });

  it("caps big bodies and flags truncation", async () => {
    const r = await probeHttp({ url: `${base()}/big?n=300000`, maxBodyBytes: 1000 });
    expect(r.error).toBeNull();
    expect(r.body).toBe(bigBody(1000));
    expect(r.bodyBytes).toBe(300000);
    expect(r.truncated).toBe(true);
  });

  it("sends several requests on one keep-alive connection", async () => {
    const before = web.clientPorts.length;
    const r = await probeHttp({ url: `${base()}/`, requests: 3 });
    expect(r.error).toBeNull();
    expect(r.exchanges.map((e) => e.status)).toEqual([200, 200, 200]);
    expect(web.clientPorts.length - before).toBe(1);
    const [a, b, c] = r.exchanges;
    expect(a!.doneAt!).toBeLessThanOrEqual(b!.sentAt!);
    expect(b!.doneAt!).toBeLessThanOrEqual(c!.sentAt!);
    expect(renderTranscript(r.transcript)).toContain("* Re-using existing connection #0 with host 127.0.0.1");
  });

  it("says so when a keep-alive run meets a closing server", async () => {
    const r = await probeHttp({ url: `${base()}/close`, requests: 2 });
    expect(r.error?.kind).toBe("closed");
    expect(r.exchanges[0]!.status).toBe(200);
  });

  it("resolves localhost through DNS lookup", async () => {
    const r = await probeHttp({ url: `http://localhost:${web.port}/` });
    expect(r.status).toBe(200);
    expect(r.remote?.port).toBe(web.port);
  });
});

describe("probeHttp failures are results", () => {
  it("refused", async () => {
    const port = await closedPort();
    const r = await probeHttp({ url: `http://127.0.0.1:${port}/` });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe("refused");
    expect(r.error?.message).toBe(`Failed to connect to 127.0.0.1 port ${port}: Connection refused`);
    expect(r.timings.connect).toBeNull();
    expect(r.remote).toEqual({ address: "127.0.0.1", port });
  });

  it("reset after the request", async () => {
    const srv = await resetter();
    try {
      const r = await probeHttp({ url: `http://127.0.0.1:${srv.port}/` });
      expect(r.error?.kind).toBe("reset");
      expect(r.local?.port).toBe(srv.clientPorts[0]);
    } finally {
      await srv.close();
    }
  });

  it("first-byte timeout and total timeout against a silent server", async () => {
    const srv = await silent();
    try {
      const a = await probeHttp({ url: `http://127.0.0.1:${srv.port}/`, firstByteTimeoutMs: 150 });
      expect(a.error?.kind).toBe("first-byte-timeout");
      expect(a.timings.sent).not.toBeNull();
      expect(a.timings.firstByte).toBeNull();
      const b = await probeHttp({ url: `http://127.0.0.1:${srv.port}/`, timeoutMs: 150 });
      expect(b.error?.kind).toBe("timeout");
      expect(b.timings.total).toBeGreaterThanOrEqual(150);
    } finally {
      await srv.close();
    }
  });

  it("total timeout in the middle of a slow body keeps what came", async () => {
    const r = await probeHttp({ url: `${base()}/slow?ms=5000`, timeoutMs: 200 });
    expect(r.error?.kind).toBe("timeout");
    expect(r.status).toBe(200);
    expect(r.exchanges[0]!.complete).toBe(false);
  });

  it("keeps a partial body when the server stalls or resets mid-body", async () => {
    const stall = await startRaw((s) => s.once("data", () => s.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello")));
    const rst = await startRaw((s) =>
      s.once("data", () => s.write("HTTP/1.0 200 OK\r\n\r\npartial", () => setTimeout(() => s.resetAndDestroy(), 20))),
    );
    try {
      const a = await probeHttp({ url: `http://127.0.0.1:${stall.port}/`, timeoutMs: 200 });
      expect(a.error?.kind).toBe("timeout");
      expect(a.body).toBe("hello");
      expect(a.bodyBytes).toBe(5);
      const b = await probeHttp({ url: `http://127.0.0.1:${rst.port}/` });
      expect(b.error?.kind).toBe("reset");
      expect(b.status).toBe(200);
      expect(b.body).toBe("partial");
    } finally {
      await stall.close();
      await rst.close();
    }
  });

  it("garbage answer is a protocol error", async () => {
    const srv = await garbage();
    try {
      const r = await probeHttp({ url: `http://127.0.0.1:${srv.port}/` });
      expect(r.error?.kind).toBe("protocol");
      expect(r.error?.message).toContain("not an HTTP response");
    } finally {
      await srv.close();
    }
  });

  it("DNS failure (injected resolver: no real DNS traffic)", async () => {
    const lookup = async (host: string) => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    };
    const r = await probeHttp({ url: "http://no-such-host.invalid/", lookup });
    expect(r.error?.kind).toBe("dns");
    expect(r.error?.message).toContain("Could not resolve host: no-such-host.invalid");
    expect(r.timings.dns).not.toBeNull();
  });

  it("TLS error against a plain-HTTP port", async () => {
    const r = await probeHttp({ url: `https://127.0.0.1:${web.port}/` });
    expect(r.error?.kind).toBe("tls");
    expect(r.timings.connect).not.toBeNull();
  });

  it("abort stops a hanging request promptly and says aborted", async () => {
    const ctl = new AbortController();
    const p = probeHttp({ url: `${base()}/hang`, signal: ctl.signal, timeoutMs: 60_000 });
    setTimeout(() => ctl.abort(), 100);
    const r = await p;
    expect(r.error?.kind).toBe("aborted");
    expect(r.timings.sent).not.toBeNull();
  });

  it("bad URLs and header injection are usage errors", async () => {
    expect((await probeHttp({ url: "not a url" })).error?.kind).toBe("usage");
    expect((await probeHttp({ url: "ftp://127.0.0.1/" })).error?.kind).toBe("usage");
    expect((await probeHttp({ url: `${base()}/`, host: "x\r\nEvil: 1" })).error?.kind).toBe("usage");
  });
});

describe("address map", () => {
  it("dials the mapped loopback port while speaking of the lab address", async () => {
    const map = { "101.101.101.1:80": `127.0.0.1:${web.port}` };
    const r = await probeHttp({ url: "http://101.101.101.1/", host: "www.juniper.net", addressMap: map });
    expect(r.status).toBe(200);
    expect(r.remote).toEqual({ address: "101.101.101.1", port: 80 });
    expect(r.dialed).toEqual({ address: "127.0.0.1", port: web.port });
    expect(r.mapped).toBe(true);
    const text = renderTranscript(r.transcript);
    expect(text).toContain("* Connected to 101.101.101.1 (101.101.101.1) port 80 (#0)");
    expect(text).toContain(`* packetwalk: 101.101.101.1:80 is mapped to 127.0.0.1:${web.port} (address map)`);
  });

  it("refuses an unmapped non-loopback address without dialling", async () => {
    const r = await probeHttp({ url: "http://10.47.255.238/", addressMap: { "101.101.101.1:80": `127.0.0.1:${web.port}` } });
    expect(r.error?.kind).toBe("not-mapped");
    expect(r.error?.message).toContain("10.47.255.238:80 is not in the address map");
    expect(r.timings.connect).toBeNull();
  });

  it("lets unmapped loopback through when a map is given", async () => {
    const r = await probeHttp({ url: `${base()}/`, addressMap: {} });
    expect(r.status).toBe(200);
  });
});

describe("address map and names", () => {
  it("refuses an unmapped host name without resolving it", async () => {
    let asked = 0;
    const lookup = async () => {
      asked++;
      return { address: "127.0.0.1", family: 4 };
    };
    const r = await probeHttp({ url: "http://www.juniper.net/", addressMap: {}, lookup });
    expect(r.error?.kind).toBe("not-mapped");
    expect(asked).toBe(0);
  });

  it("maps a host name key", async () => {
    const r = await probeHttp({ url: "http://www.juniper.net/", addressMap: { "www.juniper.net:80": `127.0.0.1:${web.port}` } });
    expect(r.status).toBe(200);
    expect(r.remote).toEqual({ address: "www.juniper.net", port: 80 });
  });

  it("an already-aborted signal returns at once", async () => {
    const r = await probeHttp({ url: `${base()}/`, signal: AbortSignal.abort() });
    expect(r.error?.kind).toBe("aborted");
    expect(r.timings.connect).toBeNull();
  });
});
