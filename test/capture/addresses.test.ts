/**
 * `listFrameAddresses` gives, frame by frame, exactly the addresses `readFrames` gives for the same
 * bytes (`ethSrc`, `ethDst`, every `ips[i].src` / `.dst`, `http.host`), and stops where `readFrames`
 * rejects with the same error: on the sample captures (`../shared/fixtures/pcap`, copied in
 * `fixtures/`), generated traffic of every tunnel kind with IPv6 and HTTP Hosts, every cut of some of
 * its frames, and seeded bit-flipped and cut copies of all of them. Its two users are checked against
 * what they did on `readFrames` before: the share's list of a capture's addresses
 * (`listCaptureAddresses`) and the output check's frame hits (`findLeftovers`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { listFrameAddresses } from "../../lib/capture/addresses";
import { buildFrame, eth, gre, ipv4, ipv6, mpls, payload, tcp, udp, vlan, vxlan } from "../../lib/capture/build";
import { createDecodeContext } from "../../lib/capture/decode";
import { writePcap, writePcapng } from "../../lib/capture/file/writer";
import { formatIpv4, formatIpv6, formatMac } from "../../lib/capture/format";
import { LINKTYPE_ETHERNET } from "../../lib/capture/link-types";
import { decodeRecord, readFrames, readRecords, type CapturedFrame } from "../../lib/capture/read";
import { httpExchange, scenarioFrames } from "../../lib/capture/scenario";
import { listCaptureAddresses } from "../../lib/redact/capture-addresses";
import { findAddresses } from "../../lib/redact/find-addresses";
import { findLeftovers } from "../../lib/redact/verify";
import { prng } from "../helpers/prng";

const FIXTURES = path.resolve(__dirname, "fixtures");
const SAMPLES = ["contrail-mplsogre-mplsoudp-http.pcap", "contrail-mplsogre-mplsoudp-http.pcapng", "contrail-any-sll.pcap",
  "contrail-any-sll2.pcap", "contrail-edge-cases.pcap"];

/** Ethernet traffic of every kind the decoders know: tunnels, VLANs, IPv6 at any depth, HTTP Hosts, trailers. */
function trafficFrames(): Uint8Array[] {
  const frames = scenarioFrames({ rounds: 2, responseBytes: 900 }).map((f) => f.data);
  for (const ex of [
    httpExchange({ tunnel: "mplsogre", vlan: 100, client: "15.15.15.2", server: "101.101.101.1", clientPort: 30003, labels: { forward: [20], reverse: [299808] } }),
    httpExchange({ tunnel: "mplsoudp", client: "10.47.255.238", server: "10.99.225.17", clientPort: 30005, mplsUdpPort: 51234, status: 404 }),
    httpExchange({ tunnel: "vxlan", client: "10.47.255.240", server: "10.47.255.250", clientPort: 30006, vni: 5001 }),
  ]) for (const f of ex) frames.push(f.data);
  const get = (host: string) => payload(`GET /x HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: t\r\n\r\n`);
  const v4in = [ipv4("15.15.15.2", "101.101.101.1"), tcp(40000, 80, { flags: "PSH,ACK" }), get("www.Juniper.net:8080")];
  const v6in = [ipv6("2001:db8:101::2", "2001:db8:101::1"), tcp(40001, 80, { flags: "PSH,ACK" }), get("[2001:db8::1]:80")];
  const outer = ipv4("192.168.0.204", "10.169.25.20");
  for (const layers of [
    [eth(), outer, gre({ key: 0xdeadbeef }), mpls(20), ...v4in],
    [eth(), vlan(7), outer, udp(61234, 6635), mpls(38), ...v4in],
    [eth(), outer, udp(50000, 4789), vxlan(5001), eth({ src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }), ...v4in],
    [eth(), outer, udp(60001, 6635), mpls(38), ipv4("10.1.1.1", "10.1.1.2"), udp(60002, 4789), vxlan(7), eth(), ...v4in],
    [eth(), ...v6in],
    [eth(), outer, gre(), mpls(20), ...v6in],
    [eth(), ipv6("2001:db8::a", "::ffff:10.1.2.3"), udp(5000, 5001), payload("x")],
    [eth(), ipv6("fe80::1", "ff02::1"), ipv4("10.2.2.2", "10.3.3.3"), tcp(1, 80), get("Example.COM")],
    [eth(), ipv4("10.1.1.1", "10.1.1.2"), udp(5000, 5001), payload("plain text over udp")],
  ] as Parameters<typeof buildFrame>[0][]) frames.push(buildFrame(layers));
  // with a trailer after the IP packet (Ethernet padding, an FCS)
  for (const f of frames.slice(0, 40)) {
    const d = new Uint8Array(f.length + 6).fill(0x5a);
    d.set(f);
    frames.push(d);
  }
  return frames;
}

/**
 * Every sample capture, the traffic as pcap and pcapng, every cut (≤ 200 bytes) of some frames, and
 * the frames with seeded bit flips in their headers.
 */
function captures(): { name: string; bytes: Uint8Array }[] {
  const out: { name: string; bytes: Uint8Array }[] = SAMPLES.map((name) => ({ name, bytes: new Uint8Array(fs.readFileSync(path.join(FIXTURES, name))) }));
  const frames = trafficFrames();
  const timed = frames.map((data, i) => ({ data, time: { sec: 1732456800 + i, nsec: 0 } }));
  out.push({ name: "traffic.pcap", bytes: writePcap(timed, { linkType: LINKTYPE_ETHERNET }) });
  out.push({ name: "traffic.pcapng", bytes: writePcapng(timed, { linkType: LINKTYPE_ETHERNET }) });
  const cuts: Uint8Array[] = [];
  for (const f of frames.filter((_, i) => i % 9 === 0)) for (let n = 0; n <= f.length && n <= 200; n++) cuts.push(f.slice(0, n));
  out.push({ name: "cuts.pcap", bytes: writePcap(cuts.map((data) => ({ data })), { linkType: LINKTYPE_ETHERNET }) });
  // each frame thrice with 1–3 seeded bit flips in its first 120 bytes, where the headers are
  const rand = prng(1616);
  const flipped: Uint8Array[] = [];
  for (const f of frames) {
    for (let k = 0; k < 3; k++) {
      const d = f.slice();
      const flips = 1 + Math.floor(rand() * 3);
      for (let j = 0; j < flips; j++) d[Math.floor(rand() * Math.min(120, d.length))]! ^= 1 << Math.floor(rand() * 8);
      flipped.push(d);
    }
  }
  out.push({ name: "header-flips.pcap", bytes: writePcap(flipped.map((data) => ({ data })), { linkType: LINKTYPE_ETHERNET }) });
  return out;
}

/** Seeded copies: bit flips anywhere (headers, records, file header), and the file cut short. */
function damaged(list: { name: string; bytes: Uint8Array }[], seed: number): { name: string; bytes: Uint8Array }[] {
  const rand = prng(seed);
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (const { name, bytes } of list) {
    for (let k = 0; k < 12; k++) {
      const b = bytes.slice();
      const flips = 1 + Math.floor(rand() * 40);
      // mostly inside the first bytes of records, where the headers are; some anywhere
      for (let j = 0; j < flips; j++) b[Math.floor(rand() * b.length)]! ^= 1 << Math.floor(rand() * 8);
      out.push({ name: `${name} flipped ${k}`, bytes: b });
    }
    for (let k = 0; k < 6; k++) {
      const n = Math.floor(rand() * bytes.length);
      out.push({ name: `${name} cut at ${n}`, bytes: bytes.slice(0, n) });
    }
  }
  return out;
}

/** One frame's addresses as text: `no | eth src | eth dst | ip src>dst,… | host`. */
const row = (f: CapturedFrame): string =>
  `${f.no}|${f.ethSrc ?? ""}|${f.ethDst ?? ""}|${f.ips.map((ip) => `${ip.version}:${ip.src}>${ip.dst}`).join(",")}|${f.http?.host ?? "-"}`;

const latin1 = new TextDecoder("latin1");

/** What readFrames decodes, frame by frame (readRecords + decodeRecord: readFrames keeps none when it rejects), and its error. */
async function reference(bytes: Uint8Array): Promise<{ frames: CapturedFrame[]; error?: string }> {
  const ctx = createDecodeContext();
  const frames: CapturedFrame[] = [];
  try {
    for await (const r of readRecords(bytes)) frames.push(decodeRecord(ctx, r));
  } catch (e) {
    return { frames, error: (e as Error).message };
  }
  return { frames };
}

function listed(bytes: Uint8Array): { rows: string[]; error?: string; fast: number } {
  const rows: string[] = [];
  let fast = 0;
  const { frames, error } = listFrameAddresses(bytes, (f) => {
    const d = f.data;
    const ips: string[] = [];
    for (let i = 0; i < f.ipCount; i++) {
      const fmt = f.ipVer[i] === 4 ? formatIpv4 : formatIpv6;
      ips.push(`${f.ipVer[i]}:${fmt(d, f.ipSrc[i]!)}>${fmt(d, f.ipDst[i]!)}`);
    }
    const host = f.hostLen > 0 ? latin1.decode(d.subarray(f.hostOff, f.hostOff + f.hostLen)) : "-";
    rows.push(`${f.no}|${f.ethOff >= 0 ? formatMac(d, f.ethOff + 6) : ""}|${f.ethOff >= 0 ? formatMac(d, f.ethOff) : ""}|${ips.join(",")}|${host}`);
    if (f.fast) fast++;
  });
  expect(frames).toBe(rows.length);
  return { rows, ...(error ? { error: error.message } : {}), fast };
}

async function compare(list: { name: string; bytes: Uint8Array }[]): Promise<{ fast: number; general: number; errors: number }> {
  let fast = 0, general = 0, errors = 0;
  for (const { name, bytes } of list) {
    const want = await reference(bytes);
    const got = listed(bytes);
    expect({ name, rows: got.rows, error: got.error }).toEqual({ name, rows: want.frames.map(row), error: want.error });
    if (want.error === undefined) expect((await readFrames(bytes)).map(row)).toEqual(got.rows);
    else {
      errors++;
      await expect(readFrames(bytes)).rejects.toThrow(want.error);
    }
    fast += got.fast;
    general += got.rows.length - got.fast;
  }
  return { fast, general, errors };
}

describe("listFrameAddresses = readFrames' addresses", () => {
  it("on the samples and generated traffic, both ways taken", async () => {
    const { fast, general, errors } = await compare(captures());
    expect(errors).toBe(0);
    // the comparison must cover both ways: the fast decoder's frames and the layer decoders'
    expect(fast).toBeGreaterThan(100);
    expect(general).toBeGreaterThan(100);
  });

  it("on seeded bit-flipped and cut copies", async () => {
    const { errors } = await compare(damaged(captures(), 2026));
    expect(errors).toBeGreaterThan(10);
  }, 60_000);

  it("takes Buffers and names the file in its errors; passes the callback's exceptions through", () => {
    const bytes = Buffer.from(writePcap([{ data: buildFrame([eth(), ipv4("10.0.0.1", "10.0.0.2"), udp(1, 2)]) }], { linkType: LINKTYPE_ETHERNET }));
    expect(listFrameAddresses(bytes, () => undefined)).toEqual({ frames: 1 });
    const cut = listFrameAddresses(bytes.subarray(0, bytes.length - 3), () => undefined, { name: "x.pcap" });
    expect(cut.frames).toBe(0);
    expect(cut.error?.message).toMatch(/x\.pcap/);
    expect(listFrameAddresses(Buffer.from("not a capture at all"), () => undefined).error).toBeDefined();
    expect(() => listFrameAddresses(bytes, () => { throw new Error("mine"); })).toThrow("mine");
  });
});

/** The share's list before: readFrames, each new eth src, eth dst, ip src, dst in order; null when it rejects. */
async function oldList(bytes: Uint8Array): Promise<string[] | null> {
  let frames;
  try {
    frames = await readFrames(bytes);
  } catch {
    return null;
  }
  const seen = new Set<string>();
  for (const f of frames) for (const v of [f.ethSrc, f.ethDst, ...f.ips.flatMap((ip) => [ip.src, ip.dst])]) if (v && !seen.has(v)) seen.add(v);
  return [...seen];
}

describe("its users: the same as on readFrames", () => {
  it("listCaptureAddresses: the share's originals of a capture, in the same order", async () => {
    for (const { name, bytes } of [...captures(), ...damaged(captures(), 7)]) {
      expect({ name, list: listCaptureAddresses(bytes) }).toEqual({ name, list: await oldList(bytes) });
    }
  }, 60_000);

  it("findLeftovers: the same frame hits, at the same first places", async () => {
    const rand = prng(99);
    const kinds = new Set<string>();
    let unreadable = 0;
    for (const { name, bytes } of [...captures(), ...damaged(captures(), 11).filter((_, i) => i % 3 === 0)]) {
      const { frames, error } = await reference(bytes);
      // originals: a random half of the capture's addresses and hosts, as the share registers them
      const originals = new Map<string, string>();
      for (const f of frames) {
        for (const v of [f.ethSrc, f.ethDst, ...f.ips.flatMap((ip) => [ip.src, ip.dst])]) {
          if (v && rand() < 0.5) for (const a of findAddresses(v)) originals.set(a.canonical, a.kind);
        }
        const host = f.http?.host?.replace(/:\d+$/, "").toLowerCase();
        if (host && rand() < 0.5) originals.set(host, host.length < 3 ? "node" : "host");
      }
      // the check before: every frame's fields through readFrames, the first place of each value
      const want: string[] = [];
      const seen = new Set<string>();
      const check = (no: number, v: string | undefined, kind: string, field: string): void => {
        if (!v) return;
        const canon = kind === "ipv6" ? findAddresses(v)[0]?.canonical : v.toLowerCase();
        if (canon && originals.has(canon) && !seen.has(canon)) {
          seen.add(canon);
          want.push(`frame ${no} (${field}) ${canon} ${kind}`);
        }
      };
      for (const f of frames) {
        check(f.no, f.ethSrc, "mac", "eth src");
        check(f.no, f.ethDst, "mac", "eth dst");
        f.ips.forEach((ip, i) => {
          check(f.no, ip.src, ip.version === 4 ? "ipv4" : "ipv6", `ip ${i + 1} src`);
          check(f.no, ip.dst, ip.version === 4 ? "ipv4" : "ipv6", `ip ${i + 1} dst`);
        });
        const host = f.http?.host?.replace(/:\d+$/, "").toLowerCase();
        if (host && originals.has(host) && !seen.has(host)) {
          seen.add(host);
          want.push(`frame ${f.no} (HTTP Host) ${host} host`);
        }
      }
      const got = await findLeftovers(new Map([["x.pcap", bytes]]), originals);
      expect({ name, hits: got.filter((l) => l.place.startsWith("frame ")).map((l) => `${l.place} ${l.value} ${l.kind}`) }).toEqual({ name, hits: want });
      expect(got.some((l) => l.kind === "unreadable")).toBe(error !== undefined);
      for (const w of want) kinds.add(w.split(" ").pop()!);
      if (error !== undefined) unreadable++;
    }
    // every kind of hit was compared, in readable captures and before an unreadable part
    expect([...kinds].sort()).toEqual(["host", "ipv4", "ipv6", "mac"]);
    expect(unreadable).toBeGreaterThan(5);
  }, 120_000);
});
