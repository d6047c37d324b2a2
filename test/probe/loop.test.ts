import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHttp } from "../../lib/probe/http";
import { probeWhileSnapshotting, type ProbeLoopProgress } from "../../lib/probe/loop";
import { openTcp } from "../../lib/probe/tcp";
import { toTable } from "../../lib/probe/table";
import { FakeSnapshotSource, startFakeLab, type FakeLab } from "./fake-lab";

let lab: FakeLab;
beforeAll(async () => {
  lab = await startFakeLab();
});
afterAll(() => lab.close());

describe("probeWhileSnapshotting against the fake ingress lab", () => {
  it("joins every curl-like probe to the FIP pair, the NAT and haproxy's connection", async () => {
    const source = new FakeSnapshotSource(lab.tables, 15);
    const states: ProbeLoopProgress[] = [];
    const run = await probeWhileSnapshotting({
      probe: (_i, signal) =>
        probeHttp({ url: "http://101.101.101.1/", host: "www.juniper.net", addressMap: lab.addressMap, signal, requests: 1 }),
      every: 120,
      times: 4,
      tailMs: 100,
      snapshots: source,
      onProgress: (s) => states.push(s),
    });
    expect(run.aborted).toBe(false);
    expect(source.stopped).toBe(true);
    expect(run.probes.map((p) => (p as { status?: number }).status)).toEqual([200, 200, 200, 200]);
    expect(run.rows).toHaveLength(4);
    for (const [i, row] of run.rows.entries()) {
      expect(row.localPort).toBe(lab.clientPorts[i]);
      expect(row.found).toBe(true);
      expect(row.remote).toBe("101.101.101.1:80");
      expect(row.nodes).toBe("cent222,cent333");
      expect(row.nat).toContain("DNAT 101.101.101.1:80 → 10.47.255.238:80 on cent222");
      expect(row.nat).toContain("DNAT+DPAT 10.99.225.17:80 → 10.47.255.236:80 on cent333 (linked by time)");
      expect(row.tcpStates).toContain("SSrEEr");
      expect(row.firstSeen!).toBeLessThanOrEqual(row.lastSeen!);
      const proxy = run.joins[i]!.tracks.find((t) => t.role === "proxy-forward" && t.node === "cent222");
      expect(proxy?.srcPort).toBe(lab.proxyPorts[i]);
      expect(proxy?.linkedBy).toBe("time");
    }
    expect(run.snapshots.length).toBeGreaterThan(8);
    expect(new Set(run.snapshots.map((s) => s.node))).toEqual(new Set(["cent222", "cent333"]));
    // progress: monotone probe count, ends "done" with matches
    const done = states.map((s) => s.probesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    const last = states[states.length - 1]!;
    expect(last.phase).toBe("done");
    expect(last.probesDone).toBe(4);
    expect(last.probesTotal).toBe(4);
    expect(last.matches).toBe(4);
    expect(last.snapshotsByNode.cent222).toBeGreaterThan(0);
    expect(states.some((s) => s.phase === "draining")).toBe(true);
    // arquero-ready
    const table = toTable(run.rows);
    expect(table.numRows()).toBe(4);
    expect(table.column("localPort")?.at(0)).toBe(lab.clientPorts[0]);
  });

  it("a held telnet-style session shows up in snapshots while it is held", async () => {
    const source = new FakeSnapshotSource(lab.tables, 15);
    const before = lab.clientPorts.length;
    const run = await probeWhileSnapshotting({
      probe: async (_i, signal) => {
        const h = openTcp({ host: "101.101.101.1", port: 80, addressMap: lab.addressMap, holdMs: 150, signal,
          send: ["GET / HTTP/1.1", "Host: www.juniper.net", ""] });
        return h.done;
      },
      every: 10,
      times: 1,
      tailMs: 50,
      snapshots: source,
    });
    const row = run.rows[0]!;
    expect(row.localPort).toBe(lab.clientPorts[before]);
    expect(row.found).toBe(true);
    expect(row.lastSeen! - row.firstSeen!).toBeGreaterThan(0);
    expect(run.joins[0]!.tracks.find((t) => t.role === "client-forward")!.sightings).toBeGreaterThanOrEqual(2);
  });

  it("abort stops both sides and keeps what was collected", async () => {
    const source = new FakeSnapshotSource(lab.tables, 15);
    const ctl = new AbortController();
    let done = 0;
    const run = await probeWhileSnapshotting({
      probe: (_i, signal) => probeHttp({ url: "http://101.101.101.1/", addressMap: lab.addressMap, signal }),
      every: 100,
      times: 50,
      snapshots: source,
      signal: ctl.signal,
      onProgress: (s) => {
        if (s.probesDone >= 2 && done++ === 0) ctl.abort();
      },
    });
    expect(run.aborted).toBe(true);
    expect(source.stopped).toBe(true);
    expect(run.probes.length).toBeGreaterThanOrEqual(2);
    expect(run.probes.length).toBeLessThan(50);
    expect(run.rows.length).toBe(run.probes.length);
    expect(run.snapshots.length).toBeGreaterThan(0);
  });

  it("keeps gaps, filters nodes, and survives a probe factory that throws", async () => {
    const source = new FakeSnapshotSource(lab.tables, 15, { node: "cent333", seq: 1 });
    const run = await probeWhileSnapshotting({
      probe: async (i) => {
        if (i === 0) throw new Error("boom");
        return probeHttp({ url: "http://101.101.101.1/", addressMap: lab.addressMap });
      },
      every: 50,
      times: 2,
      tailMs: 60,
      nodes: ["cent333"],
      snapshots: source,
    });
    expect(run.gaps.map((g) => g.node)).toEqual(["cent333"]);
    expect(run.snapshots.every((s) => s.node === "cent333")).toBe(true);
    expect(run.rows[0]!.error).toBe("other: probe threw: boom");
    expect(run.rows[1]!.ok).toBe(true);
    // only cent333 kept: the client tuple lives on cent222, so not found directly
    expect(run.rows[1]!.found).toBe(false);
  });
});
