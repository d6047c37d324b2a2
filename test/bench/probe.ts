/**
 * Probe benchmark: the overhead of packetwalk's HTTP probe beside Debian's curl for the same request,
 * against a loopback node:http server running in a child process (so the server does not share the
 * probe's event loop).
 *
 * Sizes: 200 `probeHttp` runs and 50 `curl` runs, × `PACKETWALK_BENCH_SCALE` (default 1), after a
 * short warm-up. curl is measured twice: wall time of the whole process (what a shell loop pays) and
 * curl's own `-w %{time_total}`. Skips curl (saying so) when /usr/bin/curl is absent.
 *
 * Run: `node node_modules/typescript/bin/tsc -p tsconfig.json && node dist/test/bench/probe.js`
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { probeHttp } from "../../lib/probe/http";
import { median, percentile } from "./stats";

const SERVER = `
const http = require("node:http");
const body = "<h1>webservice-1</h1>";
const s = http.createServer((q, r) => { r.writeHead(200, { "Content-Type": "text/html", "Content-Length": body.length }); r.end(body); });
s.keepAliveTimeout = 5000;
s.listen(0, "127.0.0.1", () => process.stdout.write(String(s.address().port) + "\\n"));
process.stdin.on("end", () => process.exit(0)); process.stdin.resume();
`;

async function startServer(): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["pipe", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim())));
  });
  return { port, stop: () => child.stdin.end() };
}

function curlOnce(url: string): Promise<{ wallMs: number; totalMs: number; ok: boolean }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", url], (err, stdout) => {
      const wallMs = performance.now() - t0;
      const [code, total] = stdout.trim().split(" ");
      resolve({ wallMs, totalMs: Number(total) * 1000, ok: !err && code === "200" });
    });
  });
}

const f = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(3).padStart(9) : "        -");

/**
 * Runs the benchmark and logs a side-by-side table with the ratio.
 *
 * @example
 * await run(console.log);
 */
export async function run(log: (line: string) => void): Promise<void> {
  const scale = Number(process.env.PACKETWALK_BENCH_SCALE ?? "1") || 1;
  const nProbe = Math.max(10, Math.round(200 * scale));
  const nCurl = Math.max(5, Math.round(50 * scale));
  const server = await startServer();
  const url = `http://127.0.0.1:${server.port}/`;
  try {
    for (let i = 0; i < 20; i++) await probeHttp({ url });
    const wall: number[] = [];
    const own: number[] = [];
    let failures = 0;
    for (let i = 0; i < nProbe; i++) {
      const t0 = performance.now();
      const r = await probeHttp({ url });
      wall.push(performance.now() - t0);
      own.push(r.timings.total);
      if (r.status !== 200) failures++;
    }
    const rows: Array<[string, number, number, number]> = [
      ["packetwalk probeHttp (wall)", nProbe, median(wall), percentile(wall, 90)],
      ["packetwalk timings.total", nProbe, median(own), percentile(own, 90)],
    ];
    const hasCurl = existsSync("/usr/bin/curl");
    let curlWall: number[] = [];
    if (hasCurl) {
      for (let i = 0; i < 5; i++) await curlOnce(url);
      const curlOwn: number[] = [];
      for (let i = 0; i < nCurl; i++) {
        const c = await curlOnce(url);
        curlWall.push(c.wallMs);
        curlOwn.push(c.totalMs);
        if (!c.ok) failures++;
      }
      rows.push(["curl process (wall)", nCurl, median(curlWall), percentile(curlWall, 90)]);
      rows.push(["curl -w time_total", nCurl, median(curlOwn), percentile(curlOwn, 90)]);
    }
    log(`  GET ${url} (21-byte body), server in a child process; sequential, new connection each time`);
    log(`  ${"".padEnd(30)} ${"runs".padStart(5)} ${"median ms".padStart(9)} ${"p90 ms".padStart(9)}`);
    for (const [name, n, med, p90] of rows) log(`  ${name.padEnd(30)} ${String(n).padStart(5)} ${f(med)} ${f(p90)}`);
    if (hasCurl) {
      log(`  ratio curl process / probeHttp (median wall): ${(median(curlWall) / median(wall)).toFixed(1)}x`);
      log(`  ratio curl time_total / probeHttp timings.total (median): ${(rows[3]![2] / median(own)).toFixed(2)}x`);
    } else {
      log("  curl: SKIPPED (/usr/bin/curl not installed; apt-get install -y curl)");
    }
    if (failures) log(`  WARNING: ${failures} runs did not return 200`);
  } finally {
    server.stop();
  }
}

if (require.main === module) {
  void run((l) => process.stdout.write(l + "\n"));
}
