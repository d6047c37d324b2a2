/**
 * The book's two shell loops as one call, against the embedded lab: curl-like probes every 0.7 s while
 * the real SSH flow poller snapshots cent222 and cent333 at 5 Hz; each probe is joined to the flow
 * entries that carried it (its client port, the FIP NAT pair, haproxy's connection to the service).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowPoller } from "../../lib/flows/poller";
import { startLab, type Lab } from "../../lib/lab";
import { probeHttp } from "../../lib/probe/http";
import { probeWhileSnapshotting } from "../../lib/probe/loop";
import { loadInventory } from "../../lib/remote/inventory";
import { SshRunner } from "../../lib/remote/runner";

let lab: Lab;
let runner: SshRunner;

beforeAll(async () => {
  // Closed flows stay 10 s (default 2 s): on a loaded machine a 200 ms poll can stall for seconds, and
  // haproxy's short connection must still be in a snapshot to be linked by time.
  lab = await startLab({ flowLingerMs: 10_000 });
  runner = new SshRunner(loadInventory(lab.inventory));
});
afterAll(async () => {
  runner?.close();
  await lab?.stop();
});

describe("probeWhileSnapshotting on the lab", () => {
  it("joins every probe to the FIP NAT pair on cent222 and to haproxy's connection, by the probe's client port", async () => {
    const poller = new FlowPoller({ runner, nodes: ["cent222", "cent333"], intervalMs: 200 });
    const r = await probeWhileSnapshotting({
      probe: (_i, signal) =>
        probeHttp({ url: "http://101.101.101.1/", host: "www.juniper.net", addressMap: lab.inventory.addressMap, signal }),
      every: 700,
      times: 3,
      snapshots: poller,
    });
    expect(r.aborted).toBe(false);
    expect(r.rows).toHaveLength(3);
    expect(new Set(r.snapshots.map((s) => s.node))).toEqual(new Set(["cent222", "cent333"]));
    for (const row of r.rows) {
      expect(row.ok).toBe(true);
      expect(row.status).toBe(200);
      expect(row.remote).toBe("101.101.101.1:80");
      expect(row.found).toBe(true);
      expect(row.nodes).toContain("cent222");
      expect(row.nat).toContain(`DNAT 101.101.101.1:80 → 10.47.255.238:80 on cent222`);
      expect(row.tcpStates).toMatch(/S/);
      // haproxy's own connection to the service is linked by time and followed to cent333.
      expect(row.linkedByTime).toBeGreaterThanOrEqual(1);
      expect(row.nodes).toContain("cent333");
      // The FIP pair's client side is the probe's own local port: the lab uses the real socket's port.
      const forward = r.snapshots
        .filter((s) => s.node === "cent222")
        .flatMap((s) => s.entries)
        .find((e) => e.srcIp === "15.15.15.2" && e.srcPort === row.localPort && e.dstIp === "101.101.101.1");
      expect(forward?.dnat).toBe(true);
    }
  });
});
