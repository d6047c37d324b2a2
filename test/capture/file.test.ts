/**
 * pcap / pcapng reading and writing: every magic and byte order, pcapng sections, interfaces and
 * timestamp resolutions, chunk boundaries, live streams and malformed files.
 */
import * as fs from "node:fs";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { CaptureFormatError } from "../../lib/capture/errors";
import { CaptureParser } from "../../lib/capture/file/parser";
import { PcapWriter, writePcap, writePcapng } from "../../lib/capture/file/writer";
import { readCapture, readFrames, readRecords, watchCapture } from "../../lib/capture/read";
import { scenarioFrames } from "../../lib/capture/scenario";
import { fixture } from "./helpers";

const frames = scenarioFrames({ rounds: 1 }).slice(0, 25);

async function collect(source: Parameters<typeof readRecords>[0]) {
  const out: { no: number; sec: number; nsec: number; len: number; link: number; bytes: string }[] = [];
  for await (const r of readRecords(source)) {
    out.push({ no: r.no, sec: r.tsSec, nsec: r.tsNsec, len: r.data.length, link: r.linkType, bytes: Buffer.from(r.data).toString("hex") });
  }
  return out;
}

describe("pcap magics", () => {
  const cases = [
    { nanosecond: false, littleEndian: true, magic: "d4c3b2a1" },
    { nanosecond: false, littleEndian: false, magic: "a1b2c3d4" },
    { nanosecond: true, littleEndian: true, magic: "4d3cb2a1" },
    { nanosecond: true, littleEndian: false, magic: "a1b23c4d" },
  ];
  for (const c of cases) {
    it(`readRecords(pcap ${c.magic}) returns the frames and timestamps written`, async () => {
      const img = writePcap(frames, c);
      expect(img.subarray(0, 4).toString("hex")).toBe(c.magic);
      const got = await collect(img);
      expect(got).toHaveLength(frames.length);
      got.forEach((r, k) => {
        const t = frames[k]!.time as { sec: number; nsec: number };
        expect(r.sec).toBe(t.sec);
        // microsecond files keep microseconds
        expect(r.nsec).toBe(c.nanosecond ? t.nsec : Math.floor(t.nsec / 1000) * 1000);
        expect(r.bytes).toBe(Buffer.from(frames[k]!.data).toString("hex"));
        expect(r.link).toBe(1);
      });
    });
  }

  it("keeps nanoseconds exactly in nanosecond pcap", async () => {
    const img = writePcap([{ data: frames[0]!.data, time: { sec: 1732456800, nsec: 123456789 } }], { nanosecond: true });
    const [r] = await collect(img);
    expect(r).toMatchObject({ sec: 1732456800, nsec: 123456789 });
  });
});

describe("pcapng", () => {
  it("reads both byte orders and several sections with different link types and resolutions", async () => {
    const a = writePcapng(frames.slice(0, 3), { littleEndian: true, tsresol: 6 });
    const b = writePcapng(frames.slice(3, 6), { littleEndian: false, tsresol: 9 });
    const c = writePcapng(frames.slice(6, 8), { littleEndian: true, tsresol: 0x80 | 20 }); // 2^-20 s
    const got = await collect(Buffer.concat([a, b, c]));
    expect(got).toHaveLength(8);
    got.forEach((r, k) => {
      const t = frames[k]!.time as { sec: number; nsec: number };
      expect(r.sec, `frame ${k + 1}`).toBe(t.sec);
      const tol = k < 3 ? 1000 : k < 6 ? 0 : 954; // µs, ns, 2^-20 s
      expect(Math.abs(r.nsec - t.nsec), `frame ${k + 1}`).toBeLessThanOrEqual(tol);
      expect(r.bytes).toBe(Buffer.from(frames[k]!.data).toString("hex"));
    });
  });

  it("applies if_tsoffset and reads obsolete packet blocks (type 2); skips unknown blocks", async () => {
    const block = (type: number, body: Buffer) => {
      const b = Buffer.alloc(12 + body.length);
      b.writeUInt32LE(type, 0); b.writeUInt32LE(b.length, 4); body.copy(b, 8); b.writeUInt32LE(b.length, b.length - 4);
      return b;
    };
    const shb = Buffer.alloc(16);
    shb.writeUInt32LE(0x1a2b3c4d, 0); shb.writeUInt16LE(1, 4); shb.writeBigInt64LE(-1n, 8);
    const idb = Buffer.alloc(8 + 12 + 4); // link type 1, if_tsoffset = 1000 s, end of options
    idb.writeUInt16LE(1, 0); idb.writeUInt16LE(14, 8); idb.writeUInt16LE(8, 10); idb.writeBigInt64LE(1000n, 12);
    const data = Buffer.from(frames[0]!.data);
    const pad = (4 - (data.length % 4)) % 4;
    const pb = Buffer.alloc(20 + data.length + pad); // interface 0, drops 0, ts = 1.5 s in µs
    pb.writeUInt16LE(0, 0); pb.writeUInt32LE(0, 4); pb.writeUInt32LE(1_500_000, 8);
    pb.writeUInt32LE(data.length, 12); pb.writeUInt32LE(data.length, 16); data.copy(pb, 20);
    const nrb = Buffer.alloc(4); // name resolution block: end of records only
    const got = await collect(Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), block(4, nrb), block(2, pb)]));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ sec: 1001, nsec: 500_000_000, len: data.length });
  });

  it("reads simple packet blocks (no timestamps) for interface 0", async () => {
    const got = await collect(writePcapng(frames.slice(0, 2), { simple: true }));
    expect(got.map((r) => r.len)).toEqual([frames[0]!.data.length, frames[1]!.data.length]);
  });

  it("uses each interface's link type: a raw-IP section after an Ethernet one", async () => {
    const raw = frames.slice(0, 2).map((f) => ({ ...f, data: f.data.subarray(14) }));
    const t = await readCapture(Buffer.concat([writePcapng(frames.slice(0, 2)), writePcapng(raw, { linkType: 101, littleEndian: false })]));
    expect(t.length).toBe(4);
    expect(t.row(2).protocols).toBe("raw:ip:gre:mpls:ip:tcp");
    expect(t.row(2).src).toBe(t.row(0).src);
    expect(t.columns.linkType[2]).toBe(101);
  });

  it("reads the sample pcapng with the same timestamps as the pcap", async () => {
    const a = await collect(fixture("contrail-mplsogre-mplsoudp-http.pcap"));
    const b = await collect(fixture("contrail-mplsogre-mplsoudp-http.pcapng"));
    expect(b).toEqual(a);
  });
});

describe("link types", () => {
  it.each([
    [101, 0x45], [12, 0x45], [14, 0x45], [228, 0x45],
  ])("decodes raw IPv4 with link type %i", async (linkType) => {
    const data = frames[0]!.data.subarray(14);
    const t = await readCapture(writePcap([{ data, time: 1 }], { linkType }));
    expect(t.row(0)).toMatchObject({ tunnel: "mplsogre", src: "15.15.15.2", dst: "101.101.101.1", labels: [20] });
  });

  it("decodes raw IPv6 with link type 229 and 101", async () => {
    const v6 = scenarioFrames().find((f) => f.data[14 + 20 + 4 + 4] === 0x60)!;
    const inner = v6.data.subarray(14 + 20 + 4 + 4);
    for (const linkType of [229, 101]) {
      const t = await readCapture(writePcap([{ data: inner, time: 1 }], { linkType }));
      expect(t.row(0)).toMatchObject({ src: "2001:db8::15", dst: "2001:db8:101::1", srcPort: 40200, dstPort: 80 });
    }
  });

  it("keeps the frames of an unknown link type without failing the file, with one warning (issue #11: not a malformed row per frame)", async () => {
    const t = await readCapture(writePcap([{ data: frames[0]!.data, time: 1 }], { linkType: 147 }));
    expect(t.length).toBe(1);
    expect(t.row(0).malformed).toBeUndefined();
    expect(t.warnings).toEqual(["link type 147 (user0) is not decoded: 1 frame kept without layers"]);
  });
});

describe("streaming", () => {
  it("gives identical tables for every chunk size (records cut at every boundary)", async () => {
    const img = fs.readFileSync(fixture("contrail-mplsogre-mplsoudp-http.pcapng"));
    const whole = [...(await readCapture(img)).rows()];
    for (const size of [1, 2, 3, 5, 7, 13, 64, 100, 1000, 4096]) {
      const chunks: Uint8Array[] = [];
      for (let o = 0; o < img.length; o += size) chunks.push(img.subarray(o, o + size));
      const t = await readCapture(chunks);
      expect([...t.rows()], `chunk size ${size}`).toEqual(whole);
    }
  });

  it("reads a live stream as it arrives (tcpdump -w - -U through a PassThrough)", async () => {
    const img = writePcap(frames);
    const stream = new PassThrough();
    const seen: number[] = [];
    const reader = (async () => { for await (const r of readRecords(stream)) seen.push(r.no); })();
    // header + first record, then wait: the first record must be delivered before the rest exists
    const firstEnd = 24 + 16 + frames[0]!.data.length;
    stream.write(img.subarray(0, firstEnd + 5));
    for (let k = 0; k < 50 && seen.length === 0; k++) await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([1]);
    stream.end(img.subarray(firstEnd + 5));
    await reader;
    expect(seen).toHaveLength(frames.length);
  });

  it("watchCapture(stream, onFrame) decodes frames as they arrive and stops on abort", async () => {
    const img = writePcap(frames);
    const stream = new PassThrough();
    const ac = new AbortController();
    const seen: string[] = [];
    const done = watchCapture(stream, (f) => {
      seen.push(`${f.no} ${f.tunnel} ${f.http?.method ?? ""}`.trim());
      if (f.no === 4) ac.abort();
    }, { signal: ac.signal });
    const recEnd = (k: number) => 24 + frames.slice(0, k).reduce((a, f) => a + 16 + f.data.length, 0);
    stream.write(img.subarray(0, recEnd(2) + 3));
    for (let k = 0; k < 50 && seen.length < 2; k++) await new Promise((r) => setImmediate(r));
    expect(seen).toEqual(["1 mplsogre", "2 mplsogre"]);
    stream.write(img.subarray(recEnd(2) + 3, recEnd(6)));
    expect(await done).toBe(4);
    expect(seen[3]).toBe("4 mplsogre GET");
  });

  it("watchCapture stops on abort while waiting for more of a live stream", async () => {
    const img = writePcap(frames);
    const stream = new PassThrough();
    const ac = new AbortController();
    let n = 0;
    const done = watchCapture(stream, () => { n++; }, { signal: ac.signal });
    stream.write(img.subarray(0, 24 + 16 + frames[0]!.data.length));
    for (let k = 0; k < 50 && n === 0; k++) await new Promise((r) => setImmediate(r));
    ac.abort(); // nothing more will arrive: the wait must end
    expect(await done).toBe(1);
  });

  it("bounds memory: the parser keeps at most one partial record", () => {
    const img = writePcap(frames);
    const p = new CaptureParser();
    let n = 0;
    for (let o = 0; o < img.length; o += 97) p.push(img.subarray(o, o + 97), () => { n++; });
    p.end();
    expect(n).toBe(frames.length);
    expect((p as unknown as { carry: Uint8Array | null }).carry?.length ?? 0).toBe(0);
  });

  it("PcapWriter streams to a Writable and the result reads back", async () => {
    const sink = new PassThrough();
    const parts: Buffer[] = [];
    sink.on("data", (b: Buffer) => parts.push(b));
    const w = new PcapWriter(sink, { bufferSize: 256 });
    for (const f of frames) if (!w.write(f.data, f.time)) await w.drained();
    await w.end();
    const back = await readFrames(Buffer.concat(parts));
    expect(back).toHaveLength(frames.length);
    expect(back[3]!.http).toMatchObject({ method: "GET", path: "/api/v1/status" });
  });
});

describe("malformed files", () => {
  const img = writePcap(frames.slice(0, 5));
  const recordStarts: number[] = [];
  for (let o = 24, k = 0; k < 5; k++) { recordStarts.push(o); o += 16 + frames[k]!.data.length; }

  async function errorOf(source: Uint8Array) {
    const seen: number[] = [];
    try {
      for await (const r of readRecords(source)) seen.push(r.no);
    } catch (e) {
      return { seen, error: e as CaptureFormatError };
    }
    return { seen, error: undefined };
  }

  it("names the offset of a record cut short, after every frame before it", async () => {
    const cut = img.subarray(0, recordStarts[4]! + 20);
    const { seen, error } = await errorOf(cut);
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(error).toBeInstanceOf(CaptureFormatError);
    expect(error!.offset).toBe(recordStarts[4]);
    expect(error!.message).toMatch(/file ends inside a record: 20 of \d+ bytes present/);
  });

  it("names the offset of an impossible captured length", async () => {
    const bad = Buffer.from(img);
    bad.writeUInt32LE(0x7fffffff, recordStarts[2]! + 8);
    const { seen, error } = await errorOf(bad);
    expect(seen).toEqual([1, 2]);
    expect(error!.offset).toBe(recordStarts[2]);
    expect(error!.message).toContain("record captured length 2147483647 exceeds");
  });

  it("rejects a non-capture at offset 0", async () => {
    const { error } = await errorOf(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
    expect(error!.offset).toBe(0);
    expect(error!.message).toContain("not a pcap or pcapng file (magic 0x47455420)");
    await expect(readCapture(Buffer.from("hello world"), { name: "x.txt" })).rejects.toThrow(/x.txt: offset 0: not a pcap/);
  });

  it("rejects an empty file and a missing file", async () => {
    await expect(readCapture(new Uint8Array(0), { name: "empty.pcap" })).rejects.toThrow(/empty input/);
    await expect(readCapture("/nonexistent/x.pcap")).rejects.toThrow(/\/nonexistent\/x.pcap: offset 0: cannot read: ENOENT/);
  });

  it("keeps the frames before a corrupt pcapng block and reports it in table.error", async () => {
    const ng = Buffer.from(writePcapng(frames.slice(0, 4)));
    // corrupt the third EPB's trailing length
    let o = 0, blocks = 0, target = -1;
    while (o < ng.length) {
      const type = ng.readUInt32LE(o), len = ng.readUInt32LE(o + 4);
      if (type === 6 && ++blocks === 3) { target = o; ng.writeUInt32LE(len + 4, o + len - 4); break; }
      o += len;
    }
    const t = await readCapture(ng, { name: "bad.pcapng" });
    expect(t.length).toBe(2);
    expect(t.error?.offset).toBe(target);
    expect(t.error?.message).toBe(`bad.pcapng: offset ${target}: block trailing length differs from leading length`);
  });

  it("rejects an enhanced packet block for an undeclared interface", async () => {
    const ng = Buffer.from(writePcapng(frames.slice(0, 1)));
    const epb = 28 + ng.readUInt32LE(28 + 4); // after the SHB (28 bytes) and the IDB
    ng.writeUInt32LE(7, epb + 8); // the EPB's interface id
    const { error } = await errorOf(ng);
    expect(error!.message).toContain("packet for undeclared interface 7");
    expect(error!.offset).toBe(epb);
  });
});
