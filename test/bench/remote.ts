/**
 * Remote benchmark: the SSH transport and the flow poller.
 *
 * 1. Exec round trip over one kept SSH connection to a loopback ssh2 server that answers exec
 *    in-process (no shell), so the figure is the transport: median and p99 with TCP no-delay on
 *    (target < 3 ms median), the same with no-delay off, and a new SSH connection per poll.
 * 2. Sustained 5 Hz polling of 32 nodes (32 loopback ssh2 servers running real `sh -c` shells and a
 *    fake `flow` printing the S3 fixture) for ~10 s: stream mode (one remote loop per node) and
 *    exec-per-poll mode side by side, interval p50/p99/max and p99 jitter (target < 50 ms, stream).
 * 3. Where Debian's openssh-server can run on a loopback port (root, /usr/sbin/sshd), an exec round
 *    trip on a kept connection to real sshd, and the streaming poller against it.
 *
 * Scale: `PACKETWALK_BENCH_SCALE` (float, default 1) multiplies iterations and durations.
 *
 * Run: `node node_modules/typescript/bin/tsc -p tsconfig.json && node -e "require('./dist/test/bench/remote.js').run(console.log)"`
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ServerChannel } from "ssh2";
import { FlowPoller } from "../../lib/flows/poller";
import { openConnection } from "../../lib/remote/connect";
import { loadInventory, type Inventory } from "../../lib/remote/inventory";
import { SshRunner } from "../../lib/remote/runner";
import { FIXTURES, fakeVrouterBin } from "../flows/helpers";
import { startOpenSsh } from "../remote/helpers/openssh";
import { startTestSshServer, testClientKey } from "../remote/helpers/ssh-server";
import { startFleet } from "../remote/helpers/ssh-server-fleet";

const FIXTURE = path.join(FIXTURES, "s3-2.txt");

function scale(): number {
  const s = Number(process.env.PACKETWALK_BENCH_SCALE ?? "1");
  return Number.isFinite(s) && s > 0 ? s : 1;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function stats(xs: number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: quantile(s, 0.5), p99: quantile(s, 0.99), max: s.at(-1) ?? NaN };
}

const ms = (x: number): string => `${x.toFixed(2)} ms`;

function inventoryOf(servers: { name: string; port: number; clientKeyPath: string; hostFingerprint: string; user?: string }[]): Inventory {
  return loadInventory({
    nodes: servers.map((s) => ({ name: s.name, role: "compute", ssh: { host: "127.0.0.1", port: s.port, user: s.user ?? "pw", identityFile: s.clientKeyPath, hostKey: s.hostFingerprint, agent: false } })),
    sshConfig: false,
  });
}

// Answers every exec in-process: "ok\n", exit 0.
const answer = (_command: string, ch: ServerChannel): void => {
  ch.write("ok\n");
  ch.exit(0);
  ch.end();
};

async function execRoundTrips(log: (l: string) => void, n: number): Promise<void> {
  for (const noDelay of [true, false]) {
    const srv = await startTestSshServer({ handler: answer, noDelay });
    const runner = new SshRunner(inventoryOf([{ name: "n", ...srv }]), { noDelay });
    for (let i = 0; i < 20; i++) await runner.run("n", ["true"]);
    const times: number[] = [];
    const count = noDelay ? n : Math.max(10, Math.round(n / 20)); // ~90 ms each without no-delay
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      await runner.run("n", ["true"]);
      times.push(performance.now() - t0);
    }
    const s = stats(times);
    log(`exec round trip, kept connection, no-delay ${noDelay ? "ON " : "OFF"}: n=${s.n} median ${ms(s.p50)} p99 ${ms(s.p99)} max ${ms(s.max)}${noDelay ? `  (target median < 3 ms: ${s.p50 < 3 ? "PASS" : "FAIL"})` : ""}`);
    runner.close();
    await srv.close();
  }
  const srv = await startTestSshServer({ handler: answer });
  const runner = new SshRunner(inventoryOf([{ name: "n", ...srv }]));
  const plan = runner.plan("n");
  const times: number[] = [];
  for (let i = 0; i < Math.max(10, Math.round(n / 10)); i++) {
    const t0 = performance.now();
    const conn = await openConnection(plan);
    await new Promise<void>((resolve, reject) =>
      conn.client.exec("true", (e, ch) => {
        if (e) return reject(e);
        ch.on("close", () => resolve());
        ch.resume();
      }),
    );
    conn.close();
    times.push(performance.now() - t0);
  }
  const s = stats(times);
  log(`new SSH connection per poll (connect + auth + exec), ssh2 server:  n=${s.n} median ${ms(s.p50)} p99 ${ms(s.p99)} max ${ms(s.max)}`);
  runner.close();
  await srv.close();
}

async function pollMany(log: (l: string) => void, nodes: number, seconds: number): Promise<void> {
  const bin = fakeVrouterBin();
  fs.copyFileSync(FIXTURE, bin.flowFile);
  const keyFile = path.join(bin.dir, "id_ed25519");
  fs.writeFileSync(keyFile, testClientKey().privateKey, { mode: 0o600 });
  // The servers run in a child process: the client must not share its event loop with them.
  const fleet = await startFleet(nodes, bin.bin);
  const servers = fleet.servers.map((s) => ({ ...s, clientKeyPath: keyFile }));
  try {
    for (const mode of ["stream", "exec"] as const) {
      const runner = new SshRunner(inventoryOf(servers.map((s, i) => ({ name: `node${i}`, ...s }))));
      const names = servers.map((_, i) => `node${i}`);
      await Promise.all(names.map((n) => runner.run(n, ["true"]))); // connect first: measure polling, not connecting
      const arrivals = new Map<string, number[]>();
      const stamps = new Map<string, number[]>();
      let gaps = 0;
      const poller = new FlowPoller({ runner, nodes: names, intervalMs: 200, mode });
      const ac = new AbortController();
      const t0 = performance.now();
      setTimeout(() => ac.abort(), seconds * 1000);
      await poller.run({
        signal: ac.signal,
        onSnapshot: (s) => {
          (arrivals.get(s.node) ?? arrivals.set(s.node, []).get(s.node)!).push(performance.now());
          (stamps.get(s.node) ?? stamps.set(s.node, []).get(s.node)!).push(s.at);
        },
        onGap: () => gaps++,
      });
      const elapsed = (performance.now() - t0) / 1000;
      const intervals = (m: Map<string, number[]>): number[] => [...m.values()].flatMap((xs) => xs.slice(2).map((x, i) => x - xs[i + 1]!)); // skip the start-up snapshot
      const got = stats(intervals(arrivals));
      const gotJitter = stats(intervals(arrivals).map((x) => Math.abs(x - 200)));
      const stamped = stats(intervals(stamps));
      const stampedJitter = stats(intervals(stamps).map((x) => Math.abs(x - 200)));
      const total = [...arrivals.values()].reduce((a, xs) => a + xs.length, 0);
      // Stream mode stamps on the node (the snapshot cadence); exec mode stamps when the exec was sent.
      const stampName = mode === "stream" ? "node-stamped" : "send-stamped";
      const verdict = mode === "stream" ? `  (target p99 jitter < 50 ms: node-stamped ${stampedJitter.p99 < 50 ? "PASS" : "FAIL"}, at client ${gotJitter.p99 < 50 ? "PASS" : "FAIL"})` : "";
      log(
        `5 Hz x ${nodes} nodes, ${mode.padEnd(6)} mode, ${elapsed.toFixed(1)} s: ${total} snapshots (${(total / elapsed / nodes).toFixed(2)}/s/node), ${gaps} gaps; ` +
          `${stampName} interval p50 ${ms(stamped.p50)} p99 ${ms(stamped.p99)} max ${ms(stamped.max)} jitter p99 ${ms(stampedJitter.p99)}; ` +
          `arrival at client p50 ${ms(got.p50)} p99 ${ms(got.p99)} max ${ms(got.max)} jitter p99 ${ms(gotJitter.p99)}${verdict}`,
      );
      runner.close();
    }
  } finally {
    await fleet.close();
    bin.dispose();
  }
}

async function againstOpenSsh(log: (l: string) => void, n: number, seconds: number): Promise<void> {
  const sshd = await startOpenSsh();
  if ("skip" in sshd) {
    log(`OpenSSH sshd: skipped (${sshd.skip})`);
    return;
  }
  const bin = fakeVrouterBin();
  fs.copyFileSync(FIXTURE, bin.flowFile);
  try {
    const runner = new SshRunner(inventoryOf([{ name: "sshd", ...sshd }]));
    await runner.run("sshd", ["true"]);
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await runner.run("sshd", ["true"]);
      times.push(performance.now() - t0);
    }
    const rt = stats(times);
    log(`OpenSSH sshd (${os.loadavg()[0]!.toFixed(1)} load): exec round trip on a kept connection (forks a shell): n=${rt.n} median ${ms(rt.p50)} p99 ${ms(rt.p99)}`);
    if (fs.existsSync("/usr/bin/ssh")) {
      // The book's shell-loop way: a new OpenSSH client connection per poll.
      const kh = path.join(sshd.dir, "known_hosts");
      fs.writeFileSync(kh, `[127.0.0.1]:${sshd.port} ${sshd.hostKeyLine}\n`);
      const args = ["-i", sshd.clientKeyPath, "-p", String(sshd.port), "-o", "BatchMode=yes", "-o", `UserKnownHostsFile=${kh}`, "-o", "StrictHostKeyChecking=yes", "-F", "/dev/null", `${sshd.user}@127.0.0.1`, "true"];
      const conns: number[] = [];
      for (let i = 0; i < Math.max(5, Math.round(n / 5)); i++) {
        const t0 = performance.now();
        execFileSync("/usr/bin/ssh", args, { stdio: "ignore" });
        conns.push(performance.now() - t0);
      }
      const c = stats(conns);
      log(`OpenSSH: new ssh client connection per poll (ssh host true): n=${c.n} median ${ms(c.p50)} p99 ${ms(c.p99)}`);
    } else log("OpenSSH client: skipped (/usr/bin/ssh not installed: apt-get install -y openssh-client)");
    for (const mode of ["stream", "exec"] as const) {
      const arrivals: number[] = [];
      const poller = new FlowPoller({ runner, nodes: ["sshd"], argv: [path.join(bin.bin, "flow"), "-l"], intervalMs: 200, mode });
      const ac = new AbortController();
      setTimeout(() => ac.abort(), seconds * 1000);
      let gaps = 0;
      await poller.run({ signal: ac.signal, onSnapshot: () => arrivals.push(performance.now()), onGap: () => gaps++ });
      const iv = stats(arrivals.slice(2).map((x, i) => x - arrivals[i + 1]!));
      log(`OpenSSH sshd: 5 Hz ${mode.padEnd(6)} mode ${seconds.toFixed(0)} s: ${arrivals.length} snapshots, ${gaps} gaps, interval p50 ${ms(iv.p50)} p99 ${ms(iv.p99)} max ${ms(iv.max)}`);
    }
    runner.close();
  } finally {
    await sshd.close();
    bin.dispose();
  }
}

/**
 * Runs the remote benchmarks, logging one line per figure.
 *
 * @example
 * await run(console.log);
 */
export async function run(log: (line: string) => void): Promise<void> {
  const k = scale();
  log(`remote bench (PACKETWALK_BENCH_SCALE=${k}; ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")})`);
  await execRoundTrips(log, Math.round(500 * k));
  await pollMany(log, 32, Math.max(2, 10 * k));
  await againstOpenSsh(log, Math.round(50 * k), Math.max(2, 5 * k));
}
