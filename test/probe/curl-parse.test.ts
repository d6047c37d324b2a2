/**
 * parseCurlVerbose on REAL curl output: each test runs Debian's /usr/bin/curl -v against a local server
 * and parses what it printed. With PW_CAPTURE_FIXTURES=1 the transcripts are also saved under
 * test/probe/fixtures/ (that is how the committed fixtures were made); the fixture tests below replay them.
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { curlWriteOut, parseCurlVerbose } from "../../lib/probe/curl-parse";
import { renderTranscript } from "../../lib/probe/types";
import { closedPort, garbage, resetter, silent, startHttp, type Started } from "./servers";

const CURL = "/usr/bin/curl";
const hasCurl = existsSync(CURL);
if (!hasCurl) console.warn("SKIP curl-parse live tests: /usr/bin/curl is not installed (apt-get install -y curl)");
const FIXTURES = path.join(__dirname, "fixtures");
const MARKER = "__packetwalk_w_fixture__";

interface CurlRun {
  args: string[];
  stdout: string;
  stderr: string;
  code: number;
}

function runCurl(args: string[]): Promise<CurlRun> {
  const full = ["-v", "-sS", "-w", curlWriteOut(MARKER), ...args];
  return new Promise((resolve) => {
    execFile(CURL, full, { encoding: "utf8" }, (err, stdout, stderr) => {
      const code = err ? Number((err as NodeJS.ErrnoException & { code?: unknown }).code ?? 1) : 0;
      resolve({ args: full, stdout, stderr, code: Number.isFinite(code) ? code : 1 });
    });
  });
}

function save(name: string, url: string, run: CurlRun): void {
  if (process.env.PW_CAPTURE_FIXTURES !== "1") return;
  writeFileSync(
    path.join(FIXTURES, `curl-${name}.json`),
    JSON.stringify(
      {
        note: "captured from real Debian 12 /usr/bin/curl 7.88.1 against packetwalk's local test servers (test/probe/curl-parse.test.ts, PW_CAPTURE_FIXTURES=1)",
        url,
        args: run.args,
        exitCode: run.code,
        stdout: run.stdout,
        stderr: run.stderr,
      },
      null,
      1,
    ) + "\n",
  );
}

describe.skipIf(!hasCurl)("parseCurlVerbose on live curl output", () => {
  let web: Started;
  beforeAll(async () => {
    web = await startHttp();
  });
  afterAll(() => web.close());

  it.each([
    ["200", "/", 200, "<h1>webservice-1</h1>"],
    ["301", "/moved", 301, ""],
    ["404", "/missing", 404, "not found\n"],
    ["503", "/down", 503, "unavailable\n"],
    ["chunked", "/chunked", 200, "first chunk;second chunk"],
  ])("%s", async (name, p, status, body) => {
    const url = `http://127.0.0.1:${web.port}${p}`;
    const run = await runCurl(["-H", "Host: www.juniper.net", url]);
    save(name, url, run);
    expect(run.code).toBe(0);
    const r = parseCurlVerbose(run.stderr, run.stdout, { url, exitCode: run.code, marker: MARKER });
    expect(r.error).toBeNull();
    expect(r.via).toBe("curl");
    expect(r.status).toBe(status);
    expect(r.body).toBe(body);
    expect(r.bodyBytes).toBe(Buffer.byteLength(body));
    expect(r.local?.address).toBe("127.0.0.1");
    expect(web.clientPorts).toContain(r.local!.port);
    expect(r.remote).toEqual({ address: "127.0.0.1", port: web.port });
    expect(r.exchanges[0]!.requestLines.slice(0, 2)).toEqual([`GET ${p} HTTP/1.1`, "Host: www.juniper.net"]);
    const t = r.timings;
    expect(t.dns!).toBeLessThanOrEqual(t.connect!);
    expect(t.connect!).toBeLessThanOrEqual(t.sent!);
    expect(t.sent!).toBeLessThanOrEqual(t.firstByte!);
    expect(t.firstByte!).toBeLessThanOrEqual(t.total);
    expect(renderTranscript(r.transcript)).toContain(`< HTTP/1.1 ${status}`);
    if (name === "301") expect(r.headers).toContainEqual(["Location", "http://www.juniper.net/"]);
  });

  it("refused", async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/`;
    const run = await runCurl([url]);
    save("refused", url, run);
    expect(run.code).toBe(7);
    const r = parseCurlVerbose(run.stderr, run.stdout, { url, exitCode: run.code });
    expect(r.error?.kind).toBe("refused");
    expect(r.error?.code).toBe("curl:7");
    expect(r.status).toBeNull();
    expect(r.local).toBeNull();
    expect(r.timings.connect).toBeNull();
  });

  it("timeout (silent server)", async () => {
    const srv = await silent();
    try {
      const url = `http://127.0.0.1:${srv.port}/`;
      const run = await runCurl(["--max-time", "0.3", url]);
      save("timeout", url, run);
      expect(run.code).toBe(28);
      const r = parseCurlVerbose(run.stderr, run.stdout, { url, exitCode: run.code });
      expect(r.error?.kind).toBe("timeout");
      expect(r.local?.port).toBe(srv.clientPorts[0]);
      expect(r.timings.firstByte).toBeNull();
    } finally {
      await srv.close();
    }
  });

  it("reset", async () => {
    const srv = await resetter();
    try {
      const url = `http://127.0.0.1:${srv.port}/`;
      const run = await runCurl([url]);
      save("reset", url, run);
      expect(run.code).toBe(56);
      const r = parseCurlVerbose(run.stderr, run.stdout, { url, exitCode: run.code });
      expect(r.error?.kind).toBe("reset");
      expect(r.error?.message).toBe("Recv failure: Connection reset by peer");
    } finally {
      await srv.close();
    }
  });

  it("garbage reply", async () => {
    const srv = await garbage();
    try {
      const url = `http://127.0.0.1:${srv.port}/`;
      const run = await runCurl([url]);
      expect(run.code).not.toBe(0);
      const r = parseCurlVerbose(run.stderr, run.stdout, { url, exitCode: run.code });
      expect(r.ok).toBe(false);
      expect(["protocol", "closed"]).toContain(r.error?.kind);
    } finally {
      await srv.close();
    }
  });

  it("--connect-to mapping: speaks of the lab address, reports the dialled one", async () => {
    const url = "http://101.101.101.1/";
    const run = await runCurl(["--connect-to", `101.101.101.1:80:127.0.0.1:${web.port}`, "-H", "Host: www.juniper.net", url]);
    save("mapped", url, run);
    const r = parseCurlVerbose(run.stderr, run.stdout, { url, exitCode: run.code, mapped: true });
    expect(r.status).toBe(200);
    expect(r.remote).toEqual({ address: "101.101.101.1", port: 80 });
    expect(r.dialed).toEqual({ address: "127.0.0.1", port: web.port });
  });
});

describe("parseCurlVerbose on committed fixtures (real curl 7.88.1 captures)", () => {
  const files = existsSync(FIXTURES) ? readdirSync(FIXTURES).filter((f) => /^curl-.*\.json$/.test(f)) : [];
  it("has fixtures", () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });
  const expected: Record<string, { status: number | null; kind: string | null }> = {
    "curl-200.json": { status: 200, kind: null },
    "curl-301.json": { status: 301, kind: null },
    "curl-404.json": { status: 404, kind: null },
    "curl-503.json": { status: 503, kind: null },
    "curl-chunked.json": { status: 200, kind: null },
    "curl-refused.json": { status: null, kind: "refused" },
    "curl-timeout.json": { status: null, kind: "timeout" },
    "curl-reset.json": { status: null, kind: "reset" },
    "curl-mapped.json": { status: 200, kind: null },
  };
  it.each(files)("%s", (f) => {
    const fx = JSON.parse(readFileSync(path.join(FIXTURES, f), "utf8")) as { url: string; exitCode: number; stdout: string; stderr: string };
    const r = parseCurlVerbose(fx.stderr, fx.stdout, { url: fx.url, exitCode: fx.exitCode, mapped: f === "curl-mapped.json" });
    const want = expected[f];
    if (want) {
      expect(r.status).toBe(want.status);
      expect(r.error?.kind ?? null).toBe(want.kind);
    }
    // Without the exit code the -w block's exitcode gives the same answer.
    const r2 = parseCurlVerbose(fx.stderr, fx.stdout, { url: fx.url });
    expect(r2.error?.kind ?? null).toBe(r.error?.kind ?? null);
    // Merged streams (2>&1) parse the same.
    const r3 = parseCurlVerbose(fx.stderr + fx.stdout, "", { url: fx.url, exitCode: fx.exitCode });
    expect(r3.status).toBe(r.status);
    expect(r3.local).toEqual(r.local);
  });
});

describe("parseCurlVerbose on garbage", () => {
  it("never throws and says what is missing", () => {
    for (const [e, o] of [["", ""], ["garbage\n", "x"], ["* Trying\n< HTTP/1.1 abc\n", `\n${MARKER}\nhttp_code=abc\n`]]) {
      const r = parseCurlVerbose(e!, o!);
      expect(r.ok).toBe(false);
      expect(r.error).not.toBeNull();
    }
  });
});

describe("parseCurlVerbose on older curl output", () => {
  it("reads the CentOS 7 / curl 7.29 layout of the book (hand-written in that layout, not captured)", () => {
    const stderr = [
      "* About to connect() to 101.101.101.1 port 80 (#0)",
      "*   Trying 101.101.101.1...",
      "* Connected to 101.101.101.1 (101.101.101.1) port 80 (#0)",
      "> GET / HTTP/1.1",
      "> User-Agent: curl/7.29.0",
      "> Accept: */*",
      "> Host: www.juniper.net",
      ">",
      "< HTTP/1.1 200 OK",
      "< Content-Type: text/html; charset=utf-8",
      "< Content-Length: 359",
      "< Server: Werkzeug/0.12.2 Python/2.7.5",
      "<",
      "{ [data not shown]",
      "* Connection #0 to host 101.101.101.1 left intact",
      "curl: unknown --write-out variable: 'exitcode'",
      "curl: unknown --write-out variable: 'errormsg'",
    ].join("\n");
    const stdout = `${"x".repeat(359)}\n${MARKER}\nhttp_code=200\ntime_namelookup=0.000\ntime_connect=0.001\ntime_appconnect=0.000\ntime_pretransfer=0.001\ntime_starttransfer=0.004\ntime_total=0.005\nlocal_ip=15.15.15.2\nlocal_port=54896\nremote_ip=101.101.101.1\nremote_port=80\nsize_download=359\nexitcode=\nerrormsg=\n`;
    const r = parseCurlVerbose(stderr, stdout, { url: "http://101.101.101.1/", exitCode: 0 });
    expect(r.error).toBeNull();
    expect(r.status).toBe(200);
    expect(r.local).toEqual({ address: "15.15.15.2", port: 54896 });
    expect(r.remote).toEqual({ address: "101.101.101.1", port: 80 });
    expect(r.headers).toContainEqual(["Server", "Werkzeug/0.12.2 Python/2.7.5"]);
    expect(r.timings).toEqual({ dns: 0, connect: 1, tls: null, sent: 1, firstByte: 4, total: 5 });
    expect(r.bodyBytes).toBe(359);
  });
});
