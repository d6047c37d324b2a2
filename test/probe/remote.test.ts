/**
 * Remote probes round trip: the curl command line is built, run by a RemoteExec that really executes it
 * locally through `sh -c`, and parsed back.
 */
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildCurlCommand,
  localExec,
  probeHttpRemote,
  probeHttpRemoteLoop,
  remoteExecOn,
  type CommandRunnerLike,
  type RemoteExec,
} from "../../lib/probe/remote";
import type { CommandRunner } from "../../lib/remote/runner";
import { closedPort, startHttp, type Started } from "./servers";

// Compile-time contract check: lib/remote's runner fits what remoteExecOn needs.
export const runnerFits = (r: CommandRunner): CommandRunnerLike => r;

const hasCurl = existsSync("/usr/bin/curl");
if (!hasCurl) console.warn("SKIP remote probe tests: curl is not installed (apt-get install -y curl)");

let web: Started;
beforeAll(async () => {
  web = await startHttp();
});
afterAll(() => web?.close());

describe("buildCurlCommand", () => {
  it("quotes everything and uses --connect-to for mapped addresses", () => {
    const b = buildCurlCommand(
      { url: "http://101.101.101.1/", host: "www.juniper.net", addressMap: { "101.101.101.1:80": "127.0.0.1:4000" } },
      "__packetwalk_w_x__",
    );
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect(b.mapped).toBe(true);
    expect(b.command).toMatch(/^curl -v -sS --connect-timeout 10 --max-time 30 -H 'Host: www.juniper.net' --connect-to 101.101.101.1:80:127.0.0.1:4000 -w '\\n__packetwalk_w_x__\\nhttp_code=%\{http_code\}/);
    expect(b.command.endsWith("--url http://101.101.101.1/")).toBe(true);
  });

  it("refuses unmapped lab addresses, bad headers and bad methods", () => {
    const map = { "101.101.101.1:80": "127.0.0.1:4000" };
    const r = buildCurlCommand({ url: "http://10.47.255.238/", addressMap: map }, "m");
    expect(!r.ok && r.error.kind).toBe("not-mapped");
    expect(buildCurlCommand({ url: "http://127.0.0.1/", headers: { "X-A": "a\nb" } }, "m").ok).toBe(false);
    expect(buildCurlCommand({ url: "http://127.0.0.1/", method: "GET; rm -rf /" }, "m").ok).toBe(false);
    expect(buildCurlCommand({ url: "file:///etc/passwd" }, "m").ok).toBe(false);
  });
});

describe.skipIf(!hasCurl)("probeHttpRemote through sh -c", () => {
  const exec = localExec();

  it("runs curl and parses status, body, local port and timings", async () => {
    const r = await probeHttpRemote(exec, { url: `http://127.0.0.1:${web.port}/`, host: "www.juniper.net" });
    expect(r.error).toBeNull();
    expect(r.via).toBe("curl");
    expect(r.status).toBe(200);
    expect(r.body).toBe("<h1>webservice-1</h1>");
    expect(web.clientPorts).toContain(r.local!.port);
    expect(r.startedAt).toBeGreaterThan(1.7e12);
    expect(r.timings.firstByte!).toBeLessThanOrEqual(r.timings.total);
  });

  it("hostile strings reach the server literally and inject nothing", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pw-quote-"));
    const evil = `x'$(touch ${dir}/a)\`touch ${dir}/b\`;touch ${dir}/c "`;
    const r = await probeHttpRemote(exec, { url: `http://127.0.0.1:${web.port}/echo`, method: "POST", host: evil, body: `@/etc/passwd ${evil}` });
    expect(r.error).toBeNull();
    expect(r.body).toBe(`POST host=${evil} body=@/etc/passwd ${evil}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("maps the lab address with --connect-to and speaks of it", async () => {
    const r = await probeHttpRemote(exec, {
      url: "http://101.101.101.1/",
      host: "www.juniper.net",
      addressMap: { "101.101.101.1:80": `127.0.0.1:${web.port}` },
    });
    expect(r.status).toBe(200);
    expect(r.remote).toEqual({ address: "101.101.101.1", port: 80 });
    expect(r.dialed).toEqual({ address: "127.0.0.1", port: web.port });
    expect(r.mapped).toBe(true);
  });

  it("refused comes back as a result", async () => {
    const port = await closedPort();
    const r = await probeHttpRemote(exec, { url: `http://127.0.0.1:${port}/` });
    expect(r.error?.kind).toBe("refused");
  });

  it("a missing curl binary and a failing runner are results too", async () => {
    const r = await probeHttpRemote(exec, { url: `http://127.0.0.1:${web.port}/`, curl: "/nonexistent/curl" });
    expect(r.error?.message).toContain("curl not found");
    const broken: RemoteExec = { exec: () => Promise.reject(new Error("ssh: connection lost")) };
    const b = await probeHttpRemote(broken, { url: `http://127.0.0.1:${web.port}/` });
    expect(b.error?.message).toBe("remote exec failed: ssh: connection lost");
  });

  it("goes through an inventory command runner (remoteExecOn)", async () => {
    const calls: string[] = [];
    const runner: CommandRunnerLike = {
      async run(node, command, opts) {
        calls.push(node);
        const r = await exec.exec(command.script, { signal: opts?.signal, timeoutMs: opts?.timeoutMs });
        return { stdout: r.stdout, stderr: r.stderr, exitCode: r.code };
      },
    };
    const r = await probeHttpRemote(remoteExecOn(runner, "internet-host"), { url: `http://127.0.0.1:${web.port}/missing` });
    expect(calls).toEqual(["internet-host"]);
    expect(r.status).toBe(404);
  });

  it("runs the book's shell loop and returns one result per iteration", async () => {
    const rows = await probeHttpRemoteLoop(exec, { url: `http://127.0.0.1:${web.port}/`, host: "www.juniper.net", times: 3, everyMs: 50 });
    expect(rows.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(rows.every((r) => r.error === null)).toBe(true);
    const ports = rows.map((r) => r.local!.port);
    expect(new Set(ports).size).toBe(3);
    for (const p of ports) expect(web.clientPorts).toContain(p);
    expect(rows[0]!.startedAt).toBeLessThanOrEqual(rows[1]!.startedAt);
    expect(rows[1]!.startedAt).toBeLessThanOrEqual(rows[2]!.startedAt);
  });

  it("abort stops the loop and keeps the finished iterations", async () => {
    const ctl = new AbortController();
    const p = probeHttpRemoteLoop(exec, { url: `http://127.0.0.1:${web.port}/`, times: 50, everyMs: 100, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 350);
    const rows = await p;
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.length).toBeLessThan(50);
    expect(rows[0]!.status).toBe(200);
  });
});
