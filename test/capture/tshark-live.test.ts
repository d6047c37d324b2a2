/**
 * A fresh capture built with lib/capture/build.ts, decoded by both tshark and packetwalk and
 * compared field by field (tshark also validates every IP/TCP/UDP checksum the builder wrote).
 * Skipped with a message when tshark is not installed (CI: apt-get install tshark).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildFrame, eth, ipv4, ipv6, mpls, tcp, udp, vlan, gre, payload, icmp } from "../../lib/capture/build";
import { writePcap, writePcapng } from "../../lib/capture/file/writer";
import { readCapture } from "../../lib/capture/read";
import { httpExchange, scenarioFrames } from "../../lib/capture/scenario";
import { findTshark, normaliseProtocols, runTsharkFields } from "./helpers";

const tshark = findTshark();
const why = tshark ? "" : " (skipped: tshark not installed; apt-get install tshark)";
let dir = "";

beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-capture-tshark-")); });
afterAll(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

function extraFrames() {
  const t = (k: number) => ({ sec: 1732457000, nsec: k * 1000 });
  return [
    // QinQ (802.1ad outer, 802.1Q inner) MPLSoGRE
    { data: buildFrame([eth(), vlan(200, { tpid: 0x88a8 }), vlan(100), ipv4("192.168.0.204", "10.169.25.20"), gre(), mpls(20),
      ipv4("15.15.15.2", "101.101.101.1"), tcp(40400, 80, { flags: "SYN", seq: 5 })]), time: t(1) },
    // GRE with a key
    { data: buildFrame([eth(), ipv4("192.168.0.204", "10.169.25.20"), gre({ key: 77 }), mpls(20),
      ipv4("15.15.15.2", "101.101.101.1"), tcp(40401, 80, { flags: "SYN", seq: 9 })]), time: t(2) },
    // ICMP echo over MPLSoUDP
    { data: buildFrame([eth(), ipv4("10.169.25.20", "10.169.25.21"), udp(50001, 6635, { checksum: false }), mpls(38),
      ipv4("10.47.255.238", "10.99.225.17"), icmp(8, { rest: 0x00010001 }), payload("ping")]), time: t(3) },
    // plain UDP with a checksum, no tunnel
    { data: buildFrame([eth(), ipv4("10.47.255.238", "10.96.0.10"), udp(33000, 33001), payload("\u0012\u0034query")]), time: t(4) },
    // IPv6 underlay, MPLSoUDP with UDP checksum
    { data: buildFrame([eth(), ipv6("fd00::20", "fd00::21"), udp(50002, 6635), mpls(38),
      ipv4("10.47.255.238", "10.99.225.17"), tcp(51900, 80, { flags: "SYN", seq: 1 })]), time: t(5) },
  ];
}

describe("builder → tshark ↔ packetwalk" + why, () => {
  it.skipIf(!tshark)("scenario capture: every field agrees and every checksum is good", async () => {
    const frames = [...scenarioFrames({ rounds: 2 }), ...extraFrames(),
      ...httpExchange({ tunnel: "mplsoudp", mplsUdpPort: 51234, client: "10.47.255.238", server: "10.99.225.17", clientPort: 51999 })];
    const file = path.join(dir, "built.pcap");
    fs.writeFileSync(file, writePcap(frames, { nanosecond: true }));
    const rows = runTsharkFields(file, ["-d", "udp.port==51234,mpls"]);
    const ours = await readCapture(file);
    expect(ours.length).toBe(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const w = rows[i]!;
      const r = ours.row(i);
      const where = `frame ${w.no}`;
      expect(r.epoch, where).toBe(w.epoch);
      expect(r.protocols.replace(/:http$/, "").replace(/:icmp$/, ""), where)
        .toBe(normaliseProtocols(w.protocols).replace(/:http$/, "").replace(/:icmp$/, "").replace("ieee8021ad", "vlan"));
      const v4 = (xs: (string | undefined)[]) => xs.filter((x): x is string => x !== undefined && !x.includes(":"));
      expect(v4([r.outerSrc, r.src]), where).toEqual(w.ipSrc);
      expect(v4([r.outerDst, r.dst]), where).toEqual(w.ipDst);
      expect(r.labels ?? [], where).toEqual(w.labels);
      if (r.proto === 6) {
        expect(r.srcPort, where).toBe(w.srcPort);
        expect(r.dstPort, where).toBe(w.dstPort);
      }
      if (w.method) expect(r.http, where).toMatchObject({ method: w.method, host: w.host });
    }
    const sums = execFileSync("tshark", [
      "-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
      "-d", "udp.port==51234,mpls", "-T", "fields", "-e", "ip.checksum.status", "-e", "tcp.checksum.status",
      "-e", "udp.checksum.status", "-e", "icmp.checksum_bad", "-e", "_ws.expert.severity",
    ], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    sums.split("\n").filter(Boolean).forEach((line, k) => {
      const [ip, tcpS, udpS] = line.split("\t");
      // status 1 = good, 2 = not present/unverified (UDP checksum 0 on tunnels); 0 = bad
      for (const s of [ip, tcpS, udpS].flatMap((x) => (x ? x.split(",") : []))) expect(s, `frame ${k + 1}: ${line}`).not.toBe("0");
      expect(ip, `frame ${k + 1}`).toMatch(/^1(,1)*$/);
    });
  });

  it.skipIf(!tshark)("pcapng written by writePcapng (big-endian, ns) reads the same in tshark", () => {
    const frames = scenarioFrames({ rounds: 1 }).slice(0, 12);
    const file = path.join(dir, "built.pcapng");
    fs.writeFileSync(file, Buffer.concat([writePcapng(frames.slice(0, 6), { littleEndian: false, tsresol: 9 }), writePcapng(frames.slice(6))]));
    const rows = runTsharkFields(file);
    expect(rows.map((r) => r.epoch)).toEqual(frames.map((f) => {
      const t = f.time as { sec: number; nsec: number };
      return `${t.sec}.${String(t.nsec).padStart(9, "0")}`;
    }));
  });

  it.skipIf(!tshark)("L2 MPLS payloads whose MAC starts with 4 or 6 decode like tshark with decode-as", async () => {
    const l2 = (mac: string, label: number, port: number) => buildFrame([
      eth(), ipv4("10.169.25.20", "10.169.25.21"), udp(50000 + port, 6635, { checksum: false }), mpls(label),
      eth({ dst: mac, src: "02:aa:bb:cc:dd:01" }), ipv4("10.47.255.238", "10.99.225.17"), tcp(port, 80, { flags: "SYN", seq: 1 }),
    ]);
    const frames = [
      { data: l2("46:11:22:33:44:55", 40, 51601), time: 1 }, { data: l2("66:00:00:00:00:01", 41, 51602), time: 2 },
      { data: l2("45:00:00:54:00:00", 42, 51603), time: 3 }, { data: l2("60:00:00:00:00:08", 43, 51604), time: 4 },
    ];
    const file = path.join(dir, "l2.pcap");
    fs.writeFileSync(file, writePcap(frames));
    const decodeAs = [40, 41, 42, 43].flatMap((l) => ["-d", `mpls.label==${l},pwethnocw`]);
    const rows = runTsharkFields(file, decodeAs);
    const ours = await readCapture(file);
    rows.forEach((w, i) => {
      const r = ours.row(i);
      expect(r.protocols, `frame ${i + 1}`).toBe("eth:ip:udp:mpls:eth:ip:tcp");
      expect([r.outerSrc, r.src]).toEqual(w.ipSrc);
      expect(r.srcPort).toBe(w.srcPort);
    });
  });
});
