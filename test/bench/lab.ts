/**
 * Lab benchmark: how many concurrent flows the embedded lab holds and how many new connections per
 * second its ingress (FIP listener + haproxy + pod servers + vRouter model) takes on loopback, with the
 * flow tables consistent afterwards.
 *
 * The load comes from a child process (so the client does not share the lab's event loop):
 * 1. hold: 2,500 × scale connections each with a request the pod answers only much later
 *    (`/slow/…`), i.e. per connection the FIP NAT pair + the ingress→service pair on cent222 and the
 *    DNAT/SNAT pair on cent333: ≥ 10,000 flows on cent222 alone. Measures `flow -l` render time there
 *    and checks every entry's reverse names it back.
 * 2. rate: 1,000 × scale new connections per second for 3 s (`GET /`, `Connection: close`), reporting
 *    the achieved rate, errors and latency percentiles; then checks the tables drain to empty after
 *    the flow linger.
 *
 * Run: `node node_modules/typescript/bin/tsc -p tsconfig.json && node dist/test/bench/lab.js`
 */
import { spawn, type ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { startLab, type Lab } from "../../lib/lab/lab";

const LOADGEN = String.raw`
const net = require("node:net");
const [mode, port, a, b] = process.argv.slice(1);
const out = (o) => process.stdout.write(JSON.stringify(o) + "\n");
if (mode === "hold") {
  const n = Number(a);
  const socks = [];
  let opened = 0, answered = 0, errors = 0, inflight = 0, i = 0;
  const req = "GET /slow/600000 HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n";
  const pump = () => {
    while (inflight < 256 && i < n) {
      i++; inflight++;
      const s = net.connect({ host: "127.0.0.1", port: Number(port) });
      s.on("connect", () => { inflight--; opened++; s.write(req); socks.push(s); if (opened + errors === n) out({ held: opened, errors }); else pump(); });
      s.on("data", () => { answered++; });
      s.on("error", () => { inflight--; errors++; if (opened + errors === n) out({ held: opened, errors }); else pump(); });
    }
  };
  pump();
  process.stdin.on("data", () => { for (const s of socks) s.resetAndDestroy(); out({ released: socks.length, answered }); process.exit(0); });
} else {
  const rate = Number(a), secs = Number(b);
  const total = Math.round(rate * secs);
  let started = 0, ok = 0, errors = 0, other = 0, done = 0;
  const lat = [];
  const t0 = performance.now();
  const one = () => {
    const t = performance.now();
    const s = net.connect({ host: "127.0.0.1", port: Number(port) });
    let buf = "";
    s.on("connect", () => s.write("GET / HTTP/1.1\r\nHost: www.juniper.net\r\nConnection: close\r\n\r\n"));
    s.on("data", (d) => { if (buf.length < 16) buf += d; });
    s.on("error", () => { errors++; });
    s.on("close", () => {
      done++;
      if (buf.startsWith("HTTP/1.1 200")) { ok++; lat.push(performance.now() - t); } else if (buf) other++;
      if (done === total) {
        lat.sort((x, y) => x - y);
        const p = (q) => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] || 0;
        out({ total, ok, errors, other, elapsedMs: performance.now() - t0, p50: p(0.5), p99: p(0.99), max: lat[lat.length - 1] || 0 });
        process.exit(0);
      }
    });
  };
  const tick = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
    while (started < due) { started++; one(); }
    if (started >= total) clearInterval(tick);
  }, 5);
}
`;

function loadgen(args: string[]): { child: ChildProcess; next(): Promise<Record<string, number>> } {
  const child = spawn(process.execPath, ["-e", LOADGEN, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  let buf = "";
  const waiting: ((o: Record<string, number>) => void)[] = [];
  const queue: Record<string, number>[] = [];
  child.stdout!.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const o = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(o);
      else queue.push(o);
    }
  });
  return {
    child,
    next: () => new Promise((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve))),
  };
}

async function waitFor(pred: () => boolean, maxMs: number): Promise<boolean> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > maxMs) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function consistent(lab: Lab): { entries: number; broken: number } {
  let entries = 0;
  let broken = 0;
  for (const c of lab.state.model.computes.values()) {
    for (const e of c.flows.entries()) {
      entries++;
      if (e.rindex >= 0 && c.flows.get(e.rindex)?.rindex !== e.index) broken++;
    }
  }
  return { entries, broken };
}

/** Runs the lab benchmark, logging one line per figure. */
export async function run(log: (line: string) => void): Promise<void> {
  const scale = Number(process.env.PACKETWALK_BENCH_SCALE ?? 1) || 1;
  const holdN = Math.round(2500 * scale);
  const rate = Math.round(1000 * scale);
  const secs = 3;
  const lab = await startLab({ ssh: false, flowLingerMs: 500, proxy: { serverTimeoutMs: 120_000, requestTimeoutMs: 120_000 } });
  try {
    const port = String(lab.fipAddress.port);
    const c222 = lab.state.model.computes.get("cent222")!;
    const c333 = lab.state.model.computes.get("cent333")!;
    // 1. Concurrent flows.
    let t0 = performance.now();
    const h = loadgen(["hold", port, String(holdN)]);
    const held = await h.next();
    const allFlows = await waitFor(() => c222.flows.size >= holdN * 4 && c333.flows.size >= holdN * 2, 60_000);
    const setupS = (performance.now() - t0) / 1000;
    log(`  hold: ${held.held} connections open (${held.errors} errors) in ${setupS.toFixed(1)} s; flows cent222 ${c222.flows.size}, cent333 ${c333.flows.size}${allFlows ? "" : " (NOT all flows appeared)"}`);
    const mem = process.memoryUsage();
    log(`  memory with ${c222.flows.size + c333.flows.size} flows: rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`);
    t0 = performance.now();
    const text = lab.tool("cent222", ["flow", "-l"]).stdout;
    log(`  flow -l on cent222: ${c222.flows.size} entries, ${(text.length / 2 ** 20).toFixed(1)} MiB of text in ${(performance.now() - t0).toFixed(0)} ms`);
    t0 = performance.now();
    lab.tool("cent222", ["flow", "--match", "15.15.15.2:40000"]);
    log(`  flow --match on cent222: ${(performance.now() - t0).toFixed(0)} ms`);
    const c1 = consistent(lab);
    log(`  consistency while held: ${c1.entries} entries, ${c1.broken} with a reverse that does not name them back`);
    h.child.stdin!.write("release\n");
    await h.next();
    const drained1 = await waitFor(() => consistent(lab).entries === 0, 30_000);
    log(`  after release: flow tables ${drained1 ? "drained to 0" : `still hold ${consistent(lab).entries}`}`);
    // 2. Connection rate.
    const r = loadgen(["rate", port, String(rate), String(secs)]);
    const res = await r.next();
    const achieved = res.total / (res.elapsedMs / 1000);
    log(
      `  rate: ${res.total} connections offered at ${rate}/s: ${res.ok} × 200, ${res.other} other, ${res.errors} errors; ` +
        `${achieved.toFixed(0)} conn/s achieved; latency p50 ${res.p50.toFixed(1)} ms, p99 ${res.p99.toFixed(1)} ms, max ${res.max.toFixed(1)} ms`,
    );
    const load = (await import("node:os")).loadavg()[0];
    log(`  target ${rate} new connections/s: ${achieved >= rate * 0.95 ? "MET" : "NOT MET"} (${achieved.toFixed(0)}/s; load average ${load.toFixed(2)} on ${(await import("node:os")).cpus().length} cpus, load generator in a child process)`);
    const c2 = consistent(lab);
    log(`  consistency after the burst: ${c2.entries} entries lingering, ${c2.broken} broken pairs; counters cent222 created ${c222.flows.counters.created} deleted ${c222.flows.counters.deleted}`);
    const drained2 = await waitFor(() => consistent(lab).entries === 0, 30_000);
    log(`  after linger: flow tables ${drained2 ? "drained to 0" : `still hold ${consistent(lab).entries}`}`);
    if (!allFlows || c1.broken || c2.broken || !drained1 || !drained2 || res.ok < res.total * 0.99) throw new Error("lab benchmark found inconsistencies (see above)");
  } finally {
    await lab.stop();
  }
}

if (require.main === module) {
  run((l) => process.stdout.write(l + "\n")).catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exitCode = 1;
  });
}
