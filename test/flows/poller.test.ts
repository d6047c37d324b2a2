import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowPoller, pollFlows, type FlowPollProgress } from "../../lib/flows/poller";
import type { FlowSnapshot, SnapshotGap } from "../../lib/flows/snapshot";
import { loadInventory } from "../../lib/remote/inventory";
import { SshRunner } from "../../lib/remote/runner";
import { startTestSshServer, type TestSshServer } from "../remote/helpers/ssh-server";
import { waitFor } from "../remote/helpers/wait";
import { FIXTURES, fakeVrouterBin } from "./helpers";

let srv: TestSshServer;
let bin: ReturnType<typeof fakeVrouterBin>;

beforeAll(async () => {
  bin = fakeVrouterBin();
  fs.copyFileSync(path.join(FIXTURES, "s3-2.txt"), bin.flowFile);
  srv = await startTestSshServer({ path: bin.bin });
});

afterAll(async () => {
  await srv.close();
  bin.dispose();
});

function runnerFor(via: "direct" | "docker" = "direct"): SshRunner {
  return new SshRunner(
    loadInventory({
      nodes: [{ name: "cent222", role: "compute", ssh: { host: srv.host, port: srv.port, user: srv.user, identityFile: srv.clientKeyPath, hostKey: srv.hostFingerprint, agent: false }, vrouter: { via } }],
      sshConfig: false,
    }),
  );
}

/** Runs a poller until `until(snapshots)` holds, then aborts. */
async function pollUntil(poller: FlowPoller, until: (snaps: FlowSnapshot[], gaps: SnapshotGap[]) => boolean, during?: (snaps: FlowSnapshot[]) => void) {
  const ac = new AbortController();
  const snaps: FlowSnapshot[] = [];
  const gaps: SnapshotGap[] = [];
  const done = poller.run({ signal: ac.signal, onSnapshot: (s) => snaps.push(s), onGap: (g) => gaps.push(g) });
  const watcher = setInterval(() => during?.(snaps), 10);
  await waitFor(() => until(snaps, gaps), 30_000).finally(() => clearInterval(watcher));
  ac.abort();
  await done;
  return { snaps, gaps };
}

describe("FlowPoller (stream mode)", () => {
  it("streams parsed snapshots from one remote loop, stamped on the node", async () => {
    const runner = runnerFor();
    const progress: FlowPollProgress[] = [];
    const poller = new FlowPoller({ runner, nodes: ["cent222"], match: "115.115.115.4", intervalMs: 50, onProgress: (p) => progress.push(p) });
    const { snaps, gaps } = await pollUntil(poller, (s) => s.length >= 4);
    expect(gaps).toEqual([]);
    expect(snaps.slice(0, 4).map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(snaps[0]!.entries.map((e) => e.index)).toEqual([159376, 409632]);
    expect(snaps[1]!.at).toBeGreaterThan(snaps[0]!.at);
    expect(Math.abs(snaps[0]!.at - Date.now())).toBeLessThan(60_000);
    // One exec channel for the whole run, with the match spec quoted inside the loop.
    const loops = srv.execs.filter((c) => c.includes("@@PW-SNAP"));
    expect(loops).toHaveLength(1);
    expect(loops[0]).toContain("flow --match 115.115.115.4");
    expect(progress.at(-1)).toMatchObject({ flows: 2, gaps: 0 });
    expect(poller.collector.snapshots.length).toBe(snaps.length);
    runner.close();
  });

  it("survives a killed connection: reconnects, records the gap, keeps earlier snapshots", async () => {
    const runner = runnerFor();
    const poller = new FlowPoller({ runner, nodes: ["cent222"], intervalMs: 50, reconnectDelayMs: 50 });
    let killedAfter = -1;
    const { snaps, gaps } = await pollUntil(
      poller,
      (s) => killedAfter >= 0 && s.length >= killedAfter + 3,
      (s) => {
        if (killedAfter < 0 && s.length >= 3) {
          killedAfter = s.length;
          srv.dropConnections();
        }
      },
    );
    expect(killedAfter).toBeGreaterThanOrEqual(3);
    expect(gaps).toHaveLength(1);
    const gap = gaps[0]!;
    expect(gap.node).toBe("cent222");
    expect(gap.reason).toMatch(/connection closed|exec failed/);
    const before = snaps.filter((s) => s.at <= gap.from);
    const after = snaps.filter((s) => s.at >= gap.to);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(after.length).toBeGreaterThanOrEqual(1);
    expect(gap.from).toBe(before.at(-1)!.at);
    expect(gap.to).toBe(after[0]!.at);
    // seq keeps counting across the reconnect; nothing collected before the drop was lost.
    expect(snaps.map((s) => s.seq)).toEqual(snaps.map((_, i) => i));
    expect(poller.collector.snapshots).toHaveLength(snaps.length);
    expect(poller.collector.gaps).toEqual(gaps);
    runner.close();
  });

  it("turns a failing flow into a gap and resumes when it works again", async () => {
    const runner = runnerFor();
    const poller = new FlowPoller({ runner, nodes: ["cent222"], intervalMs: 50 });
    let phase = 0;
    const { gaps } = await pollUntil(
      poller,
      (_s, g) => g.length >= 1,
      (s) => {
        if (phase === 0 && s.length >= 2) {
          phase = 1;
          fs.writeFileSync(bin.exitFile, "3");
          setTimeout(() => fs.writeFileSync(bin.exitFile, ""), 300);
        }
      },
    );
    expect(gaps[0]!.reason).toBe("flow exited 3: flow: failing as asked");
    runner.close();
  });

  it("runs the loop inside the container for docker nodes", async () => {
    const runner = runnerFor("docker");
    const poller = new FlowPoller({ runner, nodes: ["cent222"], intervalMs: 50 });
    const { snaps } = await pollUntil(poller, (s) => s.length >= 2);
    expect(snaps[0]!.entries).toHaveLength(2);
    expect(poller.loopCommand("cent222", "ab")).toMatch(/^docker exec vrouter_vrouter-agent_1 sh -c '/);
    runner.close();
  });
});

describe("FlowPoller snapshot times", () => {
  /** A `flow` that takes ~300 ms before it reads the table (a busy node), logging when it read it. */
  function slowFlow(): { argv: string[]; reads: () => number[] } {
    const log = path.join(bin.dir, `reads-${Math.random().toString(16).slice(2)}`);
    const exe = path.join(bin.dir, `slow-flow-${path.basename(log)}`);
    fs.writeFileSync(exe, `#!/bin/sh\nsleep 0.3\ndate +%s%N >> "${log}"\ncat "${bin.flowFile}"\n`, { mode: 0o755 });
    const reads = () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").map((l) => Number(BigInt(l) / 1000n) / 1000) : []);
    return { argv: [exe, "-l"], reads };
  }

  it.each(["stream", "exec"] as const)("%s mode: a snapshot is timed when the table was read, not when flow started", async (mode) => {
    const runner = runnerFor();
    const slow = slowFlow();
    const poller = new FlowPoller({ runner, nodes: ["cent222"], argv: slow.argv, intervalMs: 50, mode });
    const { snaps } = await pollUntil(poller, (s) => s.length >= 3);
    const reads = slow.reads();
    expect(snaps[0]!.entries.map((e) => e.index)).toContain(159376);
    for (const s of snaps.slice(0, 3)) {
      const read = reads[s.seq]!;
      // At or after the read (never ~300 ms before it), and close to it: no fudge needed downstream.
      expect(s.at).toBeGreaterThanOrEqual(read);
      expect(s.at - read).toBeLessThan(mode === "stream" ? 100 : 250);
      expect(s.startedAt).toBeDefined();
      expect(read - s.startedAt!).toBeGreaterThanOrEqual(280);
    }
    runner.close();
  });
});

describe("FlowPoller (exec mode)", () => {
  it("polls with one exec per snapshot and survives a killed connection", async () => {
    const runner = runnerFor();
    const poller = new FlowPoller({ runner, nodes: ["cent222"], intervalMs: 50, mode: "exec", match: "115.115.115.4" });
    let killedAfter = -1;
    const { snaps, gaps } = await pollUntil(
      poller,
      (s) => killedAfter >= 0 && s.length >= killedAfter + 3,
      (s) => {
        if (killedAfter < 0 && s.length >= 3) {
          killedAfter = s.length;
          srv.dropConnections();
        }
      },
    );
    expect(snaps[0]!.entries).toHaveLength(2);
    expect(snaps.map((s) => s.seq)).toEqual(snaps.map((_, i) => i));
    expect(gaps.length).toBeLessThanOrEqual(1); // A drop between two polls costs no poll.
    expect(srv.execs.filter((c) => c === "flow --match 115.115.115.4").length).toBeGreaterThanOrEqual(snaps.length);
    runner.close();
  });
});

describe("pollFlows(opts)", () => {
  it("polls for a duration and returns the collector", async () => {
    const runner = runnerFor();
    const flows = await pollFlows({ runner, nodes: ["cent222"], intervalMs: 50, durationMs: 1500 });
    expect(flows.snapshots.length).toBeGreaterThan(0);
    // The ICMP pair of S3: the request matches as given, the reply as its mirror.
    expect(flows.matchTuple({ srcIp: "115.115.115.4", proto: 1 }).map((r) => [r.direction, r.index])).toEqual([
      ["forward", 159376],
      ["reverse", 409632],
    ]);
    runner.close();
  });

  it("records a gap for an unreachable node and never rejects", async () => {
    const runner = new SshRunner(loadInventory({ nodes: [{ name: "gone", role: "compute", ssh: { host: "127.0.0.1", port: 1, user: "pw", identityFile: srv.clientKeyPath, agent: false } }], sshConfig: false }));
    const gaps: SnapshotGap[] = [];
    const flows = await pollFlows({ runner, nodes: ["gone"], intervalMs: 50, reconnectDelayMs: 50, durationMs: 400, onGap: (g) => gaps.push(g) });
    expect(flows.snapshots).toEqual([]);
    expect(gaps).toHaveLength(1);
    expect(gaps[0]!.reason).toMatch(/^connect failed on gone: tcp 127\.0\.0\.1:1/);
    runner.close();
  });
});
