import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import probe from "../../kernel/commands/probe";
import { closedPort, echo, startHttp, type Started } from "./servers";

function io(signal = new AbortController().signal, cwd = process.cwd()) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d: Buffer) => (out += d.toString()));
  stderr.on("data", (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, stdin: new PassThrough(), signal, env: {}, cwd }, out: () => out, err: () => err };
}

let web: Started;
let tmp: string;
beforeAll(async () => {
  web = await startHttp();
  tmp = mkdtempSync(path.join(tmpdir(), "pw-cli-"));
  writeFileSync(path.join(tmp, "inventory.json"), JSON.stringify({ nodes: [], addressMap: { "101.101.101.1:80": `127.0.0.1:${web.port}` } }));
  writeFileSync(path.join(tmp, "request.txt"), "GET /close HTTP/1.1\nHost: www.juniper.net\n\n");
});
afterAll(() => web.close());

describe("packetwalk probe http", () => {
  it("prints one summary line and exits 0", async () => {
    const t = io();
    const code = await probe.run(["http", `http://127.0.0.1:${web.port}/`], t.io);
    expect(code).toBe(0);
    expect(t.out()).toMatch(new RegExp(`^200 OK  local 127\\.0\\.0\\.1:\\d+ -> 127\\.0\\.0\\.1:${web.port}  dns [\\d.]+ connect [\\d.]+ first-byte [\\d.]+ total [\\d.]+ ms  21 B\\n$`));
  });

  it("-v prints the transcript; --inventory maps the lab address; --repeat numbers the lines", async () => {
    const t = io(undefined, tmp);
    const code = await probe.run(
      ["http", "http://101.101.101.1/", "--host", "www.juniper.net", "-v", "--inventory", "inventory.json", "--repeat", "2", "--every", "0.05"],
      t.io,
    );
    expect(code).toBe(0);
    const out = t.out();
    expect(out).toContain("* Connected to 101.101.101.1 (101.101.101.1) port 80 (#0)");
    expect(out).toContain("> Host: www.juniper.net");
    expect(out).toMatch(/\[1\/2\] 200 OK  local 127\.0\.0\.1:\d+ -> 101\.101\.101\.1:80/);
    expect(out).toMatch(/\[2\/2\] 200 OK/);
  });

  it("--json prints one parseable object per probe", async () => {
    const t = io();
    expect(await probe.run(["http", `http://127.0.0.1:${web.port}/missing`, "--json"], t.io)).toBe(0);
    const r = JSON.parse(t.out().trim()) as { status: number; local: { port: number } };
    expect(r.status).toBe(404);
    expect(web.clientPorts).toContain(r.local.port);
  });

  it("exits 1 when the probe fails, and 1 for an unmapped lab address", async () => {
    const port = await closedPort();
    const t = io();
    expect(await probe.run(["http", `http://127.0.0.1:${port}/`], t.io)).toBe(1);
    expect(t.out()).toContain("ERROR refused");
    const u = io(undefined, tmp);
    expect(await probe.run(["http", "http://10.47.255.238/", "--inventory", "inventory.json"], u.io)).toBe(1);
    expect(u.out()).toContain("ERROR not-mapped");
  });

  it("exits 2 on usage errors", async () => {
    for (const argv of [[], ["http"], ["http", "nope"], ["http", "ftp://x/"], ["udp"], ["http", "http://127.0.0.1/", "--repeat", "0"],
      ["http", "http://127.0.0.1/", "--bogus"], ["http", "http://127.0.0.1/", "--inventory", "/nonexistent.json"], ["tcp", "127.0.0.1"],
      ["tcp", "127.0.0.1", "99999"], ["http", "http://127.0.0.1/", "-H", "novalue"]]) {
      const t = io();
      expect(await probe.run(argv, t.io), JSON.stringify(argv)).toBe(2);
      expect(t.err()).toContain("usage:");
    }
    const h = io();
    expect(await probe.run(["--help"], h.io)).toBe(0);
    expect(h.out()).toContain("packetwalk probe tcp HOST PORT");
  });
});

describe("packetwalk probe tcp", () => {
  it("sends lines from --send-file, prints received text with timestamps and the ending", async () => {
    const t = io(undefined, tmp);
    const code = await probe.run(["tcp", "101.101.101.1", "80", "--send-file", "request.txt", "--inventory", "inventory.json", "--hold", "5"], t.io);
    expect(code).toBe(0);
    const out = t.out();
    expect(out).toMatch(/^connected 127\.0\.0\.1:\d+ -> 101\.101\.101\.1:80 in [\d.]+ ms \(dialled 127\.0\.0\.1:\d+\)\n/);
    expect(out).toMatch(/\+ +[\d.]+ ms  HTTP\/1\.0 200 OK\n/);
    expect(out).toContain("close-delimited body");
    expect(out).toMatch(/ended: peer-fin after [\d.]+ ms\n$/);
  });

  it("--send lines and --hold: ends by hold time; Ctrl-C (signal) ends it as aborted", async () => {
    const srv = await echo();
    try {
      const t = io();
      expect(await probe.run(["tcp", "127.0.0.1", String(srv.port), "--send", "hello", "--hold", "0.2"], t.io)).toBe(0);
      expect(t.out()).toContain("echo: hello");
      expect(t.out()).toMatch(/ended: timeout after/);
      const ctl = new AbortController();
      const a = io(ctl.signal);
      const p = probe.run(["tcp", "127.0.0.1", String(srv.port), "--hold", "inf", "--json"], a.io);
      setTimeout(() => ctl.abort(), 100);
      expect(await p).toBe(0); // ending a held session with Ctrl-C is how telnet is used: not a failure
      const r = JSON.parse(a.out()) as { ending: string; receivedText: string };
      expect(r.ending).toBe("aborted");
      expect(r.receivedText).toBe("welcome\r\n");
    } finally {
      await srv.close();
    }
  });

  it("exits 1 when the connection is refused", async () => {
    const port = await closedPort();
    const t = io();
    expect(await probe.run(["tcp", "127.0.0.1", String(port)], t.io)).toBe(1);
    expect(t.out()).toContain("ended: error");
  });
});
