/**
 * Analyses on the sample capture: frame list, conversations, HTTP reassembly (checked against
 * tshark's reassembled HTTP frames), the ladder diagram (compiled by vega-lite) and a probe's
 * connection.
 */
import { beforeAll, describe, expect, it } from "vitest";
import * as vl from "vega-lite";
import { connectionFrames } from "../../lib/capture/analyses/connection";
import { conversationRows, conversations } from "../../lib/capture/analyses/conversations";
import { frameList, frameListRows } from "../../lib/capture/analyses/frame-list";
import { httpExchanges, httpExchangeTable } from "../../lib/capture/analyses/http-exchanges";
import { ladderChart } from "../../lib/capture/analyses/ladder";
import type { FrameTable } from "../../lib/capture/table/frame-table";
import { type CapturedFrame, readCapture, readFrames } from "../../lib/capture/read";
import { writePcap } from "../../lib/capture/file/writer";
import { httpExchange } from "../../lib/capture/scenario";
import { fixture, parseTsharkFields, readText } from "./helpers";

let t: FrameTable;
let frames: CapturedFrame[];
beforeAll(async () => {
  t = await readCapture(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
  frames = await readFrames(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
});

describe("frameList(table)", () => {
  it("matches tshark's summary lines (innermost addresses, flags, relative seq/ack, HTTP lines)", () => {
    const rows = frameListRows(t);
    const lines = readText("tshark-default-first20.txt").split("\n").filter(Boolean);
    lines.forEach((line, k) => {
      const r = rows[k]!;
      const m = /^\s*(\d+)\s+([\d.]+)\s+(\S+) → (\S+)\s+(\S+) (\d+) (.*?)\s*$/.exec(line)!;
      expect(r["No."]).toBe(Number(m[1]));
      expect(r.Time).toBeCloseTo(Number(m[2]), 6);
      expect(r.Source).toBe(m[3]);
      expect(r.Destination).toBe(m[4]);
      expect(r.Length).toBe(Number(m[6]));
      const info = m[7]!;
      if (m[5] === "HTTP") {
        // tshark: "GET /api/v1/status HTTP/1.1" / "HTTP/1.1 200 OK  (text/html)"
        expect(info.startsWith(r.Info.slice(r.Tunnel.length + 1)), `frame ${m[1]}: ${r.Info}`).toBe(true);
        expect(r.Protocol).toBe("HTTP");
      } else {
        // tshark: "40000 → 80 [SYN] Seq=0 Win=64240 Len=0 MSS=…": compare ports, flags, Seq, Ack, Len
        const strip = (s: string) => s.replace(/ Win=\d+/, "").replace(/ (MSS|SACK_PERM).*$/, "");
        expect(r.Info).toBe(`${r.Tunnel} ${strip(info)}`);
        expect(r.Protocol).toBe("TCP");
      }
    });
  });

  it("shows the tunnel with its label and underlay endpoints", () => {
    const rows = frameListRows(t);
    expect(rows[0]!.Tunnel).toBe("MPLSoGRE[20] 192.168.0.204→10.169.25.20");
    expect(rows[1]!.Tunnel).toBe("MPLSoGRE[299808] 10.169.25.20→192.168.0.204");
    expect(rows[10]!.Tunnel).toBe("MPLSoUDP[38] 10.169.25.20→10.169.25.21");
    expect(rows[76]!.Tunnel).toBe("MPLSoGRE[16,20] 192.168.0.204→10.169.25.20");
    expect(rows[86]!.Tunnel).toBe("VXLAN[5001] 10.169.25.20→10.169.25.22");
    expect(frameList(t).numRows()).toBe(106);
    expect(frameList(t).columnNames()).toEqual(["No.", "Time", "Source", "Destination", "Protocol", "Length", "Tunnel", "Info"]);
  });
});

describe("conversations(table)", () => {
  it("keys inner 5-tuples with the tunnel and counts both directions", () => {
    const rows = conversationRows(t);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toMatchObject({
      tunnel: "mplsogre", outerA: "192.168.0.204", outerB: "10.169.25.20", labelsAB: "20", labelsBA: "299808",
      addrA: "15.15.15.2", portA: 40000, addrB: "101.101.101.1", portB: 80, packets: 10, packetsAB: 5, packetsBA: 5,
      firstFrame: 1, lastFrame: 10,
    });
    expect(rows.find((r) => r.portA === 40101)).toMatchObject({ labelsAB: "16,20", labelsBA: "16,299808" });
    expect(rows.find((r) => r.tunnel === "vxlan")).toMatchObject({ vni: 5001, packets: 10 });
    expect(conversations(t).numRows()).toBe(10);
  });

  it("separates the same inner 5-tuple seen in two different tunnels", async () => {
    // overlay addresses repeat across virtual networks: same pod IPs and ports, different labels/endpoints
    const base = { client: "10.47.255.238", server: "10.99.225.17", clientPort: 51000 } as const;
    const a = httpExchange({ ...base, tunnel: "mplsoudp", labels: { forward: [38], reverse: [27] } });
    const b = httpExchange({ ...base, tunnel: "mplsogre", underlayServer: "10.169.25.30", labels: { forward: [44], reverse: [45] } });
    const rows = conversationRows(await readCapture(writePcap([...a, ...b])));
    expect(rows.map((r) => [r.tunnel, r.outerB, r.labelsAB, r.packets])).toEqual([
      ["mplsoudp", "10.169.25.21", "38", 10],
      ["mplsogre", "10.169.25.30", "44", 10],
    ]);
  });
});

describe("httpExchanges(frames)", () => {
  it("pairs every request with its response; the done frame is the one tshark marks", () => {
    const ex = httpExchanges(frames);
    const oracle = parseTsharkFields(readText("tshark-fields.tsv"));
    const requests = oracle.filter((r) => r.method);
    const responses = oracle.filter((r) => r.status);
    expect(ex).toHaveLength(requests.length);
    ex.forEach((e, k) => {
      expect(e.requestFrame).toBe(requests[k]!.no);
      expect(e.method).toBe(requests[k]!.method);
      expect(e.host).toBe(requests[k]!.host);
      expect(e.status).toBe(responses[k]!.status);
      expect(e.doneFrame, `exchange ${k}`).toBe(responses[k]!.no);
      expect(e.complete).toBe(true);
      expect(e.ttfbMs).toBeGreaterThan(0);
      expect(e.totalMs).toBeGreaterThanOrEqual(e.ttfbMs);
    });
  });

  it("gives timings: request start, first response byte, done", () => {
    const e = httpExchanges(frames).find((x) => x.requestFrame === 57)!;
    // frames 57 (request), 59 (first response byte), 62 (last byte; 60–61 in between)
    expect(e).toMatchObject({
      client: "10.47.255.238", server: "10.99.225.17", tunnel: "mplsoudp", labels: "38", status: 404,
      responseFrame: 59, doneFrame: 62,
    });
    const time = (no: number) => frames[no - 1]!.time;
    expect(e.ttfbMs).toBeCloseTo((time(59) - time(57)) * 1000, 6);
    expect(e.totalMs).toBeCloseTo((time(62) - time(57)) * 1000, 6);
    expect(httpExchangeTable(frames).numRows()).toBe(10);
  });

  it("survives retransmissions and reordering", () => {
    const conn = frames.filter((f) => f.srcPort === 40001 || f.dstPort === 40001);
    const shuffled = [...conn.slice(0, 3), conn[6]!, conn[5]!, conn[4]!, conn[3]!, conn[5]!, ...conn.slice(7)];
    const [e] = httpExchanges(shuffled);
    expect(e).toMatchObject({ method: "GET", status: 200, complete: true });
  });
});

describe("ladderChart(table)", () => {
  it("is a vega-lite v5 spec that compiles, one arrow per packet", () => {
    const conn = connectionFrames(t, { client: "15.15.15.2", clientPort: 40000, server: "101.101.101.1", serverPort: 80 });
    const spec = ladderChart(conn);
    expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    const compiled = vl.compile(spec as unknown as vl.TopLevelSpec);
    expect(compiled.spec).toBeTruthy();
    const values = ((spec.layer as { data: { values: unknown[] } }[])[1]!.data.values) as { label: string; from: number; to: number }[];
    expect(values).toHaveLength(10);
    expect(values[0]).toMatchObject({ label: "[SYN]", from: 0, to: 1 });
    expect(values[3]).toMatchObject({ label: "GET /api/v1/status" });
    expect(values[5]).toMatchObject({ label: "HTTP 200", from: 1, to: 0 });
  });
});

describe("connectionFrames(table, spec)", () => {
  it("returns the probe connection's frames both directions, whatever the tunnel", () => {
    const c = connectionFrames(t, { client: "15.15.15.2", clientPort: 40000, server: "101.101.101.1", serverPort: 80 });
    expect([...c.rows()].map((r) => r.no)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const any = connectionFrames(t, { client: "15.15.15.2", server: "101.101.101.1" });
    expect(any.length).toBe(52); // ports 40000–40002, 40100, 40101
    expect(new Set([...any.rows()].map((r) => r.vlan ?? 0))).toEqual(new Set([0, 100]));
    const svc = connectionFrames(t, { client: "10.47.255.238", server: "10.99.225.17", serverPort: 80 });
    expect(svc.length).toBe(34);
    expect(new Set([...svc.rows()].map((r) => r.tunnel))).toEqual(new Set(["mplsoudp"]));
  });
});
