/**
 * Connect timeouts on loopback: a listener with backlog 0 that never accepts (a python3 helper, since
 * node always accepts) fills its queue, after which Linux drops further SYNs and connects hang.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHttp } from "../../lib/probe/http";
import { probeTcp } from "../../lib/probe/tcp";

const PY = "/usr/bin/python3";
const hasPy = existsSync(PY) && process.platform === "linux";
if (!hasPy) console.warn("SKIP connect-timeout tests: need Linux and /usr/bin/python3 (a listener that never accepts)");

describe.skipIf(!hasPy)("connect timeouts", () => {
  let child: ChildProcess;
  let port = 0;
  const fillers: net.Socket[] = [];
  beforeAll(async () => {
    child = spawn(PY, ["-c", "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()"], {
      stdio: ["pipe", "pipe", "inherit"],
    });
    port = await new Promise<number>((r) => child.stdout!.once("data", (d: Buffer) => r(Number(d.toString().trim()))));
    for (let i = 0; i < 4; i++) {
      const s = net.connect({ host: "127.0.0.1", port });
      s.on("error", () => {});
      fillers.push(s);
    }
    await new Promise((r) => setTimeout(r, 100));
  });
  afterAll(() => {
    for (const s of fillers) s.destroy();
    child.stdin?.end();
    child.kill();
  });

  it("probeHttp reports connect-timeout", async () => {
    const r = await probeHttp({ url: `http://127.0.0.1:${port}/`, connectTimeoutMs: 200 });
    expect(r.error?.kind).toBe("connect-timeout");
    expect(r.timings.connect).toBeNull();
    expect(r.timings.total).toBeGreaterThanOrEqual(200);
  });

  it("probeTcp reports connect-timeout", async () => {
    const r = await probeTcp({ host: "127.0.0.1", port, connectTimeoutMs: 200 });
    expect(r.ending).toBe("error");
    expect(r.error?.kind).toBe("connect-timeout");
  });

  it("the total timeout also bounds the connect", async () => {
    const r = await probeHttp({ url: `http://127.0.0.1:${port}/`, connectTimeoutMs: 10_000, timeoutMs: 200 });
    expect(r.error?.kind).toBe("timeout");
  });
});
