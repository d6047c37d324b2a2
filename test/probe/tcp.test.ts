import { describe, expect, it } from "vitest";
import { formatTcpResult, openTcp, probeTcp } from "../../lib/probe/tcp";
import { renderTranscript } from "../../lib/probe/types";
import { closedPort, echo, resetter, silent, startHttp, startRaw } from "./servers";

describe("probeTcp / openTcp", () => {
  it("sends CRLF lines to an HTTP server and ends when the peer closes", async () => {
    const web = await startHttp();
    try {
      const r = await probeTcp({
        host: "127.0.0.1",
        port: web.port,
        send: ["GET /close HTTP/1.1", "Host: www.juniper.net", ""],
        holdMs: 30_000,
      });
      expect(r.connected).toBe(true);
      expect(r.ending).toBe("peer-fin");
      expect(r.error).toBeNull();
      expect(r.ok).toBe(true);
      expect(r.local?.port).toBe(web.clientPorts[0]);
      expect(r.sent.map((s) => s.text)).toEqual(["GET /close HTTP/1.1\r\n", "Host: www.juniper.net\r\n", "\r\n"]);
      expect(r.receivedText).toBe("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nclose-delimited body");
      expect(r.received[0]!.t).toBeGreaterThanOrEqual(r.connectMs!);
      expect(renderTranscript(r.transcript)).toContain("* Connection closed by foreign host.");
    } finally {
      await web.close();
    }
  });

  it("holds the connection open: a handle sends later, and close() ends it", async () => {
    const srv = await echo();
    try {
      const seen: string[] = [];
      const h = openTcp({ host: "127.0.0.1", port: srv.port, send: ["one"], holdMs: Infinity, onData: (c) => seen.push(c.text) });
      expect(await h.connected).toBe(true);
      expect(h.result.ending).toBeNull();
      expect(h.result.local?.port).toBe(srv.clientPorts[0]);
      h.send("two", { delayMs: 20 });
      while (!h.result.receivedText.includes("echo: two")) await new Promise((r) => setTimeout(r, 5));
      const r = await h.close();
      expect(r.ending).toBe("closed");
      expect(r.receivedText).toBe("welcome\r\necho: one\r\necho: two\r\n");
      expect(seen.join("")).toBe(r.receivedText);
      expect(r.sent[1]!.t).toBeGreaterThanOrEqual(r.sent[0]!.t);
      expect(h.send("late")).toBe(false);
      expect(formatTcpResult(r)).toMatch(/ended: closed after/);
    } finally {
      await srv.close();
    }
  });

  it("hold time over ends with timeout", async () => {
    const srv = await silent();
    try {
      const r = await probeTcp({ host: "127.0.0.1", port: srv.port, holdMs: 100, closeGraceMs: 100 });
      expect(r.ending).toBe("timeout");
      expect(r.error).toBeNull();
      expect(r.endedMs!).toBeGreaterThanOrEqual(100);
    } finally {
      await srv.close();
    }
  });

  it("sends delayed lines in order, with the delays between them", async () => {
    const srv = await echo();
    try {
      const r = await probeTcp({
        host: "127.0.0.1",
        port: srv.port,
        send: [{ text: "a" }, { text: "b", delayMs: 30 }, { text: "quit", delayMs: 30 }],
        holdMs: 10_000,
      });
      expect(r.ending).toBe("peer-fin");
      expect(r.receivedText).toBe("welcome\r\necho: a\r\necho: b\r\nbye\r\n");
      expect(r.sent[1]!.t - r.sent[0]!.t).toBeGreaterThanOrEqual(29);
    } finally {
      await srv.close();
    }
  });

  it("reports RST as reset", async () => {
    const srv = await resetter();
    try {
      const r = await probeTcp({ host: "127.0.0.1", port: srv.port, send: ["hello"], holdMs: 10_000 });
      expect(r.ending).toBe("reset");
      expect(r.error?.kind).toBe("reset");
      expect(r.connected).toBe(true);
    } finally {
      await srv.close();
    }
  });

  it("reports a refused connection", async () => {
    const port = await closedPort();
    const h = openTcp({ host: "127.0.0.1", port });
    expect(await h.connected).toBe(false);
    const r = await h.done;
    expect(r.ending).toBe("error");
    expect(r.error?.kind).toBe("refused");
    expect(r.ok).toBe(false);
  });

  it("abort closes a held session promptly and keeps what was received", async () => {
    const srv = await startRaw((s) => s.write("banner\r\n"));
    try {
      const ctl = new AbortController();
      const h = openTcp({ host: "127.0.0.1", port: srv.port, holdMs: Infinity, signal: ctl.signal });
      await h.connected;
      while (!h.result.receivedText) await new Promise((r) => setTimeout(r, 5));
      ctl.abort();
      const r = await h.done;
      expect(r.ending).toBe("aborted");
      expect(r.receivedText).toBe("banner\r\n");
    } finally {
      await srv.close();
    }
  });

  it("maps a lab address to loopback and refuses unmapped ones", async () => {
    const srv = await echo();
    try {
      const map = { "101.101.101.1:80": `127.0.0.1:${srv.port}` };
      const r = await probeTcp({ host: "101.101.101.1", port: 80, addressMap: map, send: ["quit"] });
      expect(r.remote).toEqual({ address: "101.101.101.1", port: 80 });
      expect(r.dialed).toEqual({ address: "127.0.0.1", port: srv.port });
      expect(renderTranscript(r.transcript)).toContain("* Connected to 101.101.101.1.");
      const bad = await probeTcp({ host: "10.99.225.17", port: 80, addressMap: map });
      expect(bad.error?.kind).toBe("not-mapped");
      expect(bad.connected).toBe(false);
    } finally {
      await srv.close();
    }
  });
});
