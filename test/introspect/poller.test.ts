/**
 * Flow snapshots through the introspect: the lab's flow table polled over HTTP at an interval, kept text
 * that reads back, and an agent that stops answering for a while: one gap from the last good snapshot
 * to the next, with the reason, reported while it lasts too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IntrospectError, IntrospectFlowPoller, introspectGetter, parseIntrospectSnapshot, type IntrospectGet } from "../../lib/introspect";
import type { FlowSnapshot, GapStart, SnapshotGap } from "../../lib/flows/snapshot";
import { startIntrospectServer, type IntrospectServer } from "../../lib/lab/introspect";
import { LabState } from "../../lib/lab/state";
import { loadTopology } from "../../lib/lab/topology";

let state: LabState;
let node: string;
let srv: IntrospectServer;

beforeAll(async () => {
  state = new LabState(loadTopology("default"));
  node = [...state.model.computes.keys()][0]!;
  const t = state.model.computes.get(node)!.flows;
  for (let i = 0; i < 120; i++) t.add({ keyNh: 5, qos: -1, rpfNh: 5, sinfo: "0.0.0.0", sip: "10.0.0.1", sport: 3000 + i, dip: "10.0.0.2", dport: 80, proto: 6, vrf: 2, action: "F", nat: {} });
  srv = await startIntrospectServer(state, node);
});
afterAll(async () => {
  await srv?.close();
});

describe("IntrospectFlowPoller", () => {
  it("streams snapshots of the whole table (every page) at the interval, with text that reads back", async () => {
    const snaps: FlowSnapshot[] = [];
    const poller = new IntrospectFlowPoller({ nodes: [{ node, get: introspectGetter({ node, baseUrl: `http://127.0.0.1:${srv.port}` }) }], intervalMs: 100, keepText: true });
    await poller.run({ signal: AbortSignal.timeout(1200), onSnapshot: (s) => snaps.push(s) });
    expect(snaps.length).toBeGreaterThanOrEqual(2);
    expect(snaps.map((s) => s.seq)).toEqual(snaps.map((_, i) => i));
    for (const s of snaps) {
      expect(s.node).toBe(node);
      expect(s.entries).toHaveLength(120);
      expect(s.startedAt!).toBeLessThanOrEqual(s.at);
      expect(s.format).toBe("introspect");
      expect(parseIntrospectSnapshot(s.text!).entries.map((e) => e.index)).toEqual(s.entries.map((e) => e.index));
    }
  });

  it("an agent silent for a while: one gap with the reason, reported as it starts, and snapshots again after", async () => {
    const live = introspectGetter({ node, baseUrl: `http://127.0.0.1:${srv.port}` });
    const t0 = Date.now();
    const get: IntrospectGet = async (p, o) => {
      const dt = Date.now() - t0;
      if (dt > 300 && dt < 900) throw new IntrospectError("connect", node, `http://127.0.0.1:${srv.port}${p}`, "connect failed: ECONNREFUSED");
      return live(p, o);
    };
    const snaps: FlowSnapshot[] = [];
    const gaps: SnapshotGap[] = [];
    const starts: GapStart[] = [];
    await new IntrospectFlowPoller({ nodes: [{ node, get }], intervalMs: 100 }).run({
      signal: AbortSignal.timeout(1800), onSnapshot: (s) => snaps.push(s), onGap: (g) => gaps.push(g), onGapStart: (g) => starts.push(g),
    });
    expect(gaps).toHaveLength(1);
    expect(starts).toHaveLength(1);
    expect(gaps[0]!.reason).toMatch(new RegExp(`^${node}: introspect http://127\\.0\\.0\\.1:\\d+/Snh_KFlowReq\\?flow_idx=-1: connect failed: ECONNREFUSED$`));
    const before = snaps.filter((s) => s.at <= gaps[0]!.from);
    const after = snaps.filter((s) => s.at >= gaps[0]!.to);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(gaps[0]!.to - gaps[0]!.from).toBeGreaterThanOrEqual(400);
  });
});
