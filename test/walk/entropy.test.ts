/**
 * The walk ties captured MPLSoUDP frames to flow entries by their outer UDP source port (the flow's
 * entropy, `flow -l`'s `UdpSrcPort`/`SPort`): unit cases, and the lab, whose fabric frames carry the
 * sending flow's SPort.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Lab } from "../../lib/lab/lab";
import { entropyText, flowsByEntropy } from "../../lib/walk/entropy";
import type { Packet } from "../../lib/walk/facts";
import type { SeenFlow } from "../../lib/walk/select";
import { labFor, walkOn } from "./helpers";

function packet(o: Partial<Packet>): Packet {
  return {
    node: "cent222", iface: "eth1", frame: 1, at: 0, src: "10.47.255.238", dst: "10.99.225.17", srcPort: 40000, dstPort: 80, tunnel: "MPLSoUDP",
    labels: [38], outerSrc: "10.169.25.20", outerDst: "10.169.25.21", tunnelSrcPort: 54321, tunnelDstPort: 6635, info: "", payload: 0, flags: "S", ...o,
  };
}

function flow(node: string, index: number, udpSrcPort: number | null, tuple: Partial<SeenFlow["entry"]> = {}): SeenFlow {
  const entry = { index, srcIp: "10.47.255.238", dstIp: "10.99.225.17", srcPort: 40000, dstPort: 80, udpSrcPort, ...tuple } as SeenFlow["entry"];
  return { key: `${node}|${index}`, node, entry, first: entry, previous: null, tcpStates: [], packets: 0, bytes: 0 } as unknown as SeenFlow;
}

const fm = { byIp: { "10.169.25.20": "cent222", "10.169.25.21": "cent333" } };

describe("flowsByEntropy", () => {
  it("ties a frame to the flow on the sending node whose SPort is its outer source port", () => {
    const p = packet({});
    const flows = [flow("cent333", 7, 54321), flow("cent222", 4660, 54321), flow("cent222", 12, 50000)];
    expect(flowsByEntropy([p], flows, fm).get(p)).toEqual({ node: "cent222", index: 4660, key: "cent222|4660", port: 54321, tuple: true });
  });

  it("uses the 5-tuple to choose between entries sharing a port, and ties nothing when still ambiguous", () => {
    const p = packet({});
    const flows = [flow("cent222", 1, 54321, { srcPort: 1 }), flow("cent222", 2, 54321)];
    expect(flowsByEntropy([p], flows, fm).get(p)?.index).toBe(2);
    const q = packet({ srcPort: 9 });
    expect(flowsByEntropy([q], flows, fm).has(q)).toBe(false);
  });

  it("ignores frames without an outer source port, other tunnels and ports no flow has", () => {
    const gre = packet({ tunnel: "MPLSoGRE", tunnelSrcPort: null, tunnelDstPort: null });
    const other = packet({ tunnelSrcPort: 1234 });
    const m = flowsByEntropy([gre, other], [flow("cent222", 1, 54321)], fm);
    expect(m.size).toBe(0);
    expect(entropyText([other], m, [])).toBe("1 with UDP source port 1234 matching no flow entry's SPort");
  });

  it("says which flow the frames belong to", () => {
    const ps = [packet({}), packet({ at: 1 })];
    const flows = [flow("cent222", 4660, 54321)];
    expect(entropyText(ps, flowsByEntropy(ps, flows, fm), [{ flow: flows[0]!, what: "haproxy's connection" }]))
      .toBe("2 with UDP source port 54321 = SPort of flow 4660 on cent222 (haproxy's connection)");
  });
});

describe("the lab's overlay capture carries each flow's SPort", () => {
  let lab: Lab;
  beforeAll(async () => { lab = await labFor(); });
  afterAll(async () => { await lab?.stop(); });

  it("stage 5 ties the MPLSoUDP frames to haproxy's flow by their UDP source port", async () => {
    const r = await walkOn(lab, { largePath: undefined });
    const overlay = r.stage("overlay")!;
    expect(overlay.verdict).toBe("pass");
    const m = /MPLSoUDP frames captured to [\d.]+ with label \d+ \(\d+ with UDP source port (\d+) = SPort of flow (\d+) on cent222 \(haproxy's connection\)\)/.exec(overlay.reason);
    expect(m, overlay.reason).not.toBeNull();
    expect(overlay.reason).not.toContain("matching no flow entry");
    // the proxy stage's flow is that entry, and its SPort that port
    const proxyRows = r.stage("proxy")!.evidence.flatMap((e) => e.rows);
    expect(JSON.stringify(proxyRows)).toContain(m![2]);
    // the replies the backend node sends carry its own reply flow's SPort, not the ingress node's
    const back = r.stage("return-overlay")!;
    expect(back.reason).toMatch(/MPLSoUDP frames from [\d.]+ captured \(\d+ with UDP source port (\d+) = SPort of flow \d+ on cent333 \(the pod's reply\)\)/);
    expect(back.reason).not.toContain("matching no flow entry");
    expect(/UDP source port (\d+)/.exec(back.reason)![1]).not.toBe(m![1]);
  }, 60_000);
});
