/**
 * Frame-by-frame comparison with tshark's stored decoding of the sample captures
 * (test/capture/fixtures/tshark-*.txt|tsv, copied from shared/fixtures/pcap).
 */
import { describe, expect, it } from "vitest";
import { type FrameTable } from "../../lib/capture/table/frame-table";
import { readCapture } from "../../lib/capture/read";
import { fixture, normaliseProtocols, parseTsharkFields, readText, type TsharkRow } from "./helpers";

/** What tshark's ip.src/ip.dst list for a row: every IPv4 header, outer first. */
function ipv4List(t: FrameTable, i: number, which: "src" | "dst"): string[] {
  const r = t.row(i);
  const out: string[] = [];
  const outer = which === "src" ? r.outerSrc : r.outerDst;
  const inner = which === "src" ? r.src : r.dst;
  if (outer !== undefined) out.push(outer);
  if (inner !== undefined) out.push(inner);
  return out.filter((a) => !a.includes(":"));
}

function compareWithTshark(t: FrameTable, rows: TsharkRow[]): void {
  expect(t.length).toBe(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const want = rows[i]!;
    const got = t.row(i);
    const where = `frame ${want.no}`;
    expect(got.no, where).toBe(want.no);
    expect(got.epoch, where).toBe(want.epoch);
    // tshark marks http only on the frame that completes a reassembled message; compare without it
    expect(got.protocols.replace(/:http$/, ""), where).toBe(normaliseProtocols(want.protocols).replace(/:http$/, ""));
    expect(ipv4List(t, i, "src"), where).toEqual(want.ipSrc);
    expect(ipv4List(t, i, "dst"), where).toEqual(want.ipDst);
    expect(got.labels ?? [], where).toEqual(want.labels);
    expect(got.srcPort ?? -1, where).toBe(want.srcPort);
    expect(got.dstPort ?? -1, where).toBe(want.dstPort);
    if (want.method) {
      expect(got.http?.method, where).toBe(want.method);
      expect(got.http?.host, where).toBe(want.host);
    }
    if (got.http?.method) expect(want.method, `${where}: request tshark did not see`).toBe(got.http.method);
  }
}

describe("readCapture(pcap) against tshark-fields.tsv", () => {
  const rows = parseTsharkFields(readText("tshark-fields.tsv"));

  it("decodes every frame of contrail-mplsogre-mplsoudp-http.pcap like tshark", async () => {
    const t = await readCapture(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
    expect(t.error).toBeUndefined();
    compareWithTshark(t, rows);
  });

  it("decodes the pcapng copy identically", async () => {
    const t = await readCapture(fixture("contrail-mplsogre-mplsoudp-http.pcapng"));
    expect(t.error).toBeUndefined();
    compareWithTshark(t, rows);
  });

  it("puts each response status on the segment that starts the response (tshark: the one that completes it)", async () => {
    const t = await readCapture(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
    const starts = [...t.rows()].filter((r) => r.http?.status).map((r) => [r.no, r.http!.status]);
    const tshark = rows.filter((r) => r.status).map((r) => [r.no, r.status]);
    expect(starts.map((s) => s[1])).toEqual(tshark.map((s) => s[1]));
    // same message: our frame is at or before tshark's, in the same stream
    starts.forEach((s, k) => expect(s[0]! <= tshark[k]![0]!).toBe(true));
  });

  it("reads tunnel details tshark shows in the verbose dissection of frame 14", async () => {
    const t = await readCapture(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
    const r = t.row(13);
    expect(r).toMatchObject({
      no: 14, caplen: 171, tunnel: "mplsoudp", outerSrc: "10.169.25.20", outerDst: "10.169.25.21", labels: [38],
      src: "10.47.255.238", dst: "10.99.225.17", srcPort: 51000, dstPort: 80, tcpFlags: ["PSH", "ACK"],
      seq: 1370692205, ack: 2037556078, payloadLength: 85,
      http: { method: "GET", path: "/login", host: "10.99.225.17" },
    });
  });

  it("keeps the outer UDP ports, TTL and DSCP of frame 14 as tshark's verbose dissection shows them", async () => {
    const text = readText("tshark-verbose-frame14-mplsoudp-get.txt");
    const udp = /User Datagram Protocol, Src Port: (\d+), Dst Port: (\d+)/.exec(text)!;
    const ttl = /Time to Live: (\d+)/.exec(text)!;
    const dscp = /Differentiated Services Codepoint: .*\((\d+)\)/.exec(text)!;
    const r = (await readCapture(fixture("contrail-mplsogre-mplsoudp-http.pcap"))).row(13);
    expect(r).toMatchObject({ tunnelSrcPort: Number(udp[1]), tunnelDstPort: Number(udp[2]), outerTtl: Number(ttl[1]), outerDscp: Number(dscp[1]) });
    expect(r.tunnelSrcPort).toBe(60460);
  });

  it("reads VLAN 100, the two-label stack, VNI 5001 and the IPv6 inner frames", async () => {
    const t = await readCapture(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
    expect(t.row(66)).toMatchObject({ vlan: 100, tunnel: "mplsogre", labels: [20] });
    expect(t.row(79)).toMatchObject({ labels: [16, 20], http: { method: "POST", path: "/index.html" } });
    expect(t.bottomLabel(79)).toBe(20);
    expect(t.toArquero().get("mplsLabel", 79)).toBe(20);
    expect(t.row(86)).toMatchObject({ tunnel: "vxlan", vni: 5001, src: "10.47.255.240", dst: "10.47.255.250" });
    expect(t.row(99)).toMatchObject({
      tunnel: "mplsogre", src: "2001:db8::15", dst: "2001:db8:101::1", http: { host: "[2001:db8:101::1]", path: "/metrics" },
    });
  });
});

/** Parses tshark's default one-line summary (`tshark -r`). */
function parseSummary(text: string) {
  return text.split("\n").filter((l) => l.trim()).map((line) => {
    const m = /^\s*(\d+)\s+([\d.]+)\s+(\S+) → (\S+)\s+(\S+) (\d+) (.*)$/.exec(line);
    if (!m) throw new Error(`unparsed tshark line: ${line}`);
    const info = m[7]!;
    const ports = /^(\d+) → (\d+) \[([^\]]+)\] Seq=(\d+)(?: Ack=(\d+))?.* Len=(\d+)/.exec(info);
    return {
      no: Number(m[1]), rel: Number(m[2]), src: m[3]!, dst: m[4]!, proto: m[5]!, len: Number(m[6]), info,
      ports: ports ? {
        src: Number(ports[1]), dst: Number(ports[2]), flags: ports[3]!.split(", "), seq: Number(ports[4]),
        ack: ports[5] ? Number(ports[5]) : undefined, len: Number(ports[6]),
      } : undefined,
    };
  });
}

/** Relative sequence numbers as tshark prints them (raw − ISN of each direction). */
function relativeSeq(t: FrameTable) {
  const isn = new Map<string, number>();
  return (i: number) => {
    const r = t.row(i);
    const k = `${r.src}:${r.srcPort}>${r.dst}:${r.dstPort}`;
    const back = `${r.dst}:${r.dstPort}>${r.src}:${r.srcPort}`;
    if (r.tcpFlags?.includes("SYN")) isn.set(k, r.seq!);
    const seq = (r.seq! - (isn.get(k) ?? r.seq!)) >>> 0;
    const ack = (r.ack! - (isn.get(back) ?? r.ack!)) >>> 0;
    return { seq, ack };
  };
}

describe("readCapture(linux cooked captures) against tshark", () => {
  it("decodes contrail-any-sll2.pcap like tshark-sll2-first12.txt", async () => {
    const t = await readCapture(fixture("contrail-any-sll2.pcap"));
    const want = parseSummary(readText("tshark-sll2-first12.txt"));
    const rel = relativeSeq(t);
    const t0 = t.row(0).time;
    for (const w of want) {
      const i = w.no - 1;
      const r = t.row(i);
      const where = `frame ${w.no}`;
      expect(r.protocols.startsWith("sll2:"), where).toBe(true);
      expect(r.src, where).toBe(w.src);
      expect(r.dst, where).toBe(w.dst);
      expect(r.len, where).toBe(w.len);
      expect(r.time - t0, where).toBeCloseTo(w.rel, 6);
      if (w.ports) {
        expect(r.srcPort, where).toBe(w.ports.src);
        expect(r.dstPort, where).toBe(w.ports.dst);
        expect(r.tcpFlags, where).toEqual(w.ports.flags);
        expect(r.payloadLength, where).toBe(w.ports.len);
        const s = rel(i);
        expect(s.seq, where).toBe(w.ports.seq);
        if (w.ports.ack !== undefined) expect(s.ack, where).toBe(w.ports.ack);
      } else {
        rel(i);
      }
      if (w.proto === "HTTP") {
        const h = r.http!;
        if (h.method) expect(w.info.startsWith(`${h.method} ${h.path} HTTP/1.1`), where).toBe(true);
        else expect(w.info.startsWith(`HTTP/1.1 ${h.status} `), where).toBe(true);
      }
    }
  });

  it("decodes contrail-any-sll.pcap (v1) to the same frames as v2, 4 bytes shorter", async () => {
    const v1 = await readCapture(fixture("contrail-any-sll.pcap"));
    const v2 = await readCapture(fixture("contrail-any-sll2.pcap"));
    expect(v1.length).toBe(v2.length);
    for (let i = 0; i < v1.length; i++) {
      const a = v1.row(i);
      const b = v2.row(i);
      expect(a.protocols.replace(/^sll:/, ""), `frame ${i + 1}`).toBe(b.protocols.replace(/^sll2:/, ""));
      expect(a.caplen + 4).toBe(b.caplen);
      expect({ ...a, protocols: "", caplen: 0, len: 0 }).toEqual({ ...b, protocols: "", caplen: 0, len: 0 });
    }
  });
});

describe("readCapture(edge cases) against tshark with decode-as", () => {
  const want = parseSummary(readText("tshark-edge-cases-decode-as.txt"));

  const check = (t: FrameTable) => {
    expect(t.length).toBe(want.length);
    for (const w of want) {
      const r = t.row(w.no - 1);
      const where = `frame ${w.no}`;
      expect(r.src, where).toBe(w.src);
      expect(r.dst, where).toBe(w.dst);
      expect(r.len, where).toBe(w.len);
      expect(r.srcPort, where).toBe(w.ports!.src);
      expect(r.dstPort, where).toBe(w.ports!.dst);
      expect(r.tcpFlags, where).toEqual(w.ports!.flags);
    }
  };

  it("finds the inner IPv4 behind MPLSoUDP on 51234 and behind L2 labels without a label map", async () => {
    const t = await readCapture(fixture("contrail-edge-cases.pcap"));
    check(t);
    expect(t.row(0)).toMatchObject({ tunnel: "mplsoudp", protocols: "eth:ip:udp:mpls:ip:tcp", labels: [38] });
    // the MAC starting 46: looks like IPv4 to a first-nibble guess; the plausibility check says Ethernet
    expect(t.row(4).protocols).toBe("eth:ip:udp:mpls:eth:ip:tcp");
    expect(t.row(3)).toMatchObject({ tunnel: "mplsogre", protocols: "eth:ip:gre:mpls:eth:ip:tcp" });
  });

  it("decodes the same with an explicit label map (as from mpls --dump)", async () => {
    const labels = [...(await readCapture(fixture("contrail-edge-cases.pcap"))).rows()].map((r) => r.labels![0]!);
    const map = new Map(labels.map((l, i) => [l, i === 0 ? "ip" as const : "ethernet" as const]));
    check(await readCapture(fixture("contrail-edge-cases.pcap"), { mplsPayload: map }));
  });

  it("stops at UDP 51234 when the legacy port is not configured (like tshark's default)", async () => {
    const t = await readCapture(fixture("contrail-edge-cases.pcap"), { mplsUdpPorts: [6635] });
    expect(t.row(0)).toMatchObject({ protocols: "eth:ip:udp", tunnel: "", srcPort: 50000, dstPort: 51234, payloadLength: 44 });
  });
});
