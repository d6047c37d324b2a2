/**
 * Fan-out capacity of the flow poller's client (issue "live path"): what one node costs the client at
 * 5 Hz, measured by feeding generated loop streams (frames exactly as the remote loop prints them) into
 * the real FlowPoller pipeline — frame reader, `flow` parser, windowed collector — through a runner that
 * answers at once, so the figure is the client's alone, not the simulated nodes'. Two cases: a node's
 * whole 10,000-entry table every poll (`flow -l`), and `--match` filtering on the node (a few entries).
 * Nodes per core at 5 Hz = 1000 ms / (5 × CPU ms per snapshot). Goal: 500 nodes at 5 Hz on one core.
 *
 * With `--soak` (`npm run bench --soak`): an hour (PACKETWALK_SOAK_S) of real 5 Hz polling of four SSH
 * nodes with a windowed collector, RSS and heap printed every minute; the memory must stay flat.
 *
 * Run: `PACKETWALK_BENCH_ONLY=fanout node dist/test/bench/index.js`
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FlowCollector } from "../../lib/flows/collector";
import { END_MARK, SNAP_MARK } from "../../lib/flows/loop-script";
import { FlowPoller } from "../../lib/flows/poller";
import { loadInventory } from "../../lib/remote/inventory";
import type { CommandResult, CommandRunner, RemoteCommand, RunOptions } from "../../lib/remote/runner";
import { SshRunner } from "../../lib/remote/runner";
import { FIXTURES, fakeVrouterBin } from "../flows/helpers";
import { testClientKey } from "../remote/helpers/ssh-server";
import { startFleet } from "../remote/helpers/ssh-server-fleet";
import { generateFlowDump } from "./parse";

// A runner whose every "loop" prints `frames` snapshots of `text` at once, stamped 200 ms apart, then
// stays open until aborted (as a live loop would), so the poller never reconnects.
class StreamFeeder implements CommandRunner {
  delivered = 0;
  constructor(private readonly text: Buffer, private readonly frames: number, private readonly onAllDelivered: () => void, private readonly nodes: number) {}
  async run(node: string, command: RemoteCommand, opts: RunOptions = {}): Promise<CommandResult> {
    const line = "script" in command ? command.script : command.join(" ");
    const nonce = /[0-9a-f]{16}/.exec(line)?.[0] ?? "0000000000000000";
    const t0 = BigInt(Date.now()) * 1_000_000n;
    for (let i = 0; i < this.frames; i++) {
      const at = t0 + BigInt(i) * 200_000_000n;
      opts.onStdout?.(Buffer.from(`\n${SNAP_MARK} ${nonce} ${i} ${at - 50_000_000n}\n`));
      opts.onStdout?.(this.text);
      opts.onStdout?.(Buffer.from(`\n${END_MARK} ${nonce} ${i} 0 ${at}\n`));
      if (i % 16 === 15) await new Promise((r) => setImmediate(r));
    }
    if (++this.delivered === this.nodes) this.onAllDelivered();
    if (!opts.signal?.aborted) await new Promise<void>((resolve) => opts.signal?.addEventListener("abort", () => resolve(), { once: true }));
    throw Object.assign(new Error("aborted"), { name: "AbortError" });
  }
}

async function feed(text: string, nodes: number, frames: number): Promise<{ cpuMs: number; snapshots: number; entries: number }> {
  const ac = new AbortController();
  const runner = new StreamFeeder(Buffer.from(text), frames, () => ac.abort(), nodes);
  const collector = new FlowCollector({ windowMs: 60_000, maxGoneFlows: 100_000 });
  const poller = new FlowPoller({ runner, nodes: Array.from({ length: nodes }, (_, i) => `n${i}`), intervalMs: 200, collector, stallTimeoutMs: 600_000, silenceMs: 600_000 });
  let snapshots = 0;
  let entries = 0;
  const c0 = process.cpuUsage();
  await poller.run({ signal: ac.signal, onSnapshot: (s) => { snapshots++; entries += s.entries.length; } });
  const c = process.cpuUsage(c0);
  return { cpuMs: (c.user + c.system) / 1000, snapshots, entries };
}

async function soak(log: (l: string) => void): Promise<void> {
  const seconds = Number(process.env.PACKETWALK_SOAK_S ?? 3600);
  const bin = fakeVrouterBin();
  fs.copyFileSync(path.join(FIXTURES, "s3-2.txt"), bin.flowFile);
  const keyFile = path.join(bin.dir, "id_ed25519");
  fs.writeFileSync(keyFile, testClientKey().privateKey, { mode: 0o600 });
  const fleet = await startFleet(4, bin.bin);
  try {
    const inv = loadInventory({
      nodes: fleet.servers.map((s, i) => ({ name: `node${i}`, role: "compute", ssh: { host: "127.0.0.1", port: s.port, user: s.user, identityFile: keyFile, hostKey: s.hostFingerprint, agent: false } })),
      sshConfig: false,
    });
    const runner = new SshRunner(inv);
    const collector = new FlowCollector({ windowMs: 120_000, maxGoneFlows: 100_000 });
    const poller = new FlowPoller({ runner, nodes: inv.nodes.map((n) => n.name), intervalMs: 200, collector });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), seconds * 1000);
    const samples: { t: number; rss: number; heap: number }[] = [];
    const sample = () => {
      const m = process.memoryUsage();
      samples.push({ t: (Date.now() - t0) / 1000, rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 });
      const s = samples.at(-1)!;
      log(`soak ${s.t.toFixed(0).padStart(5)} s: ${collector.snapshotCount} snapshots, rss ${s.rss.toFixed(1)} MiB, heap ${s.heap.toFixed(1)} MiB, ${collector.snapshots.length} in memory`);
    };
    const t0 = Date.now();
    const tick = setInterval(sample, Math.min(60_000, (seconds * 1000) / 6));
    await poller.run({ signal: ac.signal, onSnapshot: () => undefined });
    clearInterval(tick);
    sample();
    runner.close();
    const q = Math.max(1, Math.floor(samples.length / 4));
    const avg = (xs: typeof samples) => xs.reduce((a, x) => a + x.rss, 0) / xs.length;
    const first = avg(samples.slice(1, 1 + q));
    const last = avg(samples.slice(-q));
    log(`soak: ${seconds} s at 5 Hz on 4 nodes: rss ${first.toFixed(1)} → ${last.toFixed(1)} MiB (first vs last quarter; ${(((last - first) / (seconds / 3600))).toFixed(1)} MiB/hour; before the window: +213 MB/hour on two nodes)`);
  } finally {
    await fleet.close();
    bin.dispose();
  }
}

/**
 * Runs the fan-out benchmark (and the soak with `--soak`).
 *
 * @example
 * await run(console.log);
 */
export async function run(log: (line: string) => void): Promise<void> {
  log(`fan-out bench (load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} on ${os.cpus().length} cores)`);
  const big = generateFlowDump(10_000);
  const small = generateFlowDump(4);
  for (const [label, text, nodes, frames] of [
    ["flow -l, 10,000-entry table", big, 4, 10],
    ["--match on the node, 4 entries", small, 50, 200],
  ] as const) {
    await feed(text, 2, 3); // warm-up
    const r = await feed(text, nodes, frames);
    const per = r.cpuMs / r.snapshots;
    const perCore = 1000 / (5 * per);
    log(
      `${label}: ${r.snapshots} snapshots from ${nodes} nodes (${(text.length / 1024).toFixed(0)} KiB each), client CPU ${per.toFixed(3)} ms per snapshot → ` +
        `${Math.floor(perCore)} nodes at 5 Hz per core  (goal 500: ${perCore >= 500 ? "PASS" : "FAIL"})`,
    );
  }
  if (process.argv.includes("--soak") || process.env.npm_config_soak === "true") await soak(log);
  else log("soak: skipped (npm run bench --soak runs an hour of 5 Hz polling on four nodes; PACKETWALK_SOAK_S sets the length)");
}
