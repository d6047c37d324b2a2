/**
 * The lab's fabric frames and pcap records, byte for byte as the lab wrote them before it used capture's
 * frame builder and pcap writer (the hex below came from the lab's former own builder): folding the
 * lab onto lib/capture changed no byte of what its captures hold.
 */
import { describe, expect, it } from "vitest";
import { PcapWriter } from "../../lib/capture/file/writer";
import { segmentFrame } from "../../lib/lab/frames";
import { pcapTime } from "../../lib/lab/tcpdump";

const OPTS = Buffer.from([0x02, 0x04, 0x05, 0x78, 0x01, 0x01, 0x04, 0x02]);

const MPLSOUDP_GET = "5254003caa215254008e1b20080045000079000340004011f2f60aa919140aa91915ec2c19eb006500000002613f45000059000240004006450b0a2fffee0a63e111c7380050000003e8000007d07018faf0572500000204057801010402474554202f20485454502f312e310d0a486f73743a207777772e6a756e697065722e6e65740d0a0d0a";
const MPLSOGRE_SYN = "5254008e1b20000586714ac008004500004400054000402f5555c0a800cc0aa91914000088470001413f4500002800044000400652550f0f0f02656565019c40005000000001000000005002faf02fe90000";
const PLAIN_FIN = "02000000000202000000000108004500002b00064000400626800a2fffee0a2ffffa9c411f90fffffff0000000075011faf01d550000627965";
const PCAP = "d4c3b2a102000400000000000000000000000400010000006031436741e20100390000003900000002000000000202000000000108004500002b00064000400626800a2fffee0a2ffffa9c411f90fffffff0000000075011faf01d55000062796561314367e803000052000000520000005254008e1b20000586714ac008004500004400054000402f5555c0a800cc0aa91914000088470001413f4500002800044000400652550f0f0f02656565019c40005000000001000000005002faf02fe90000";
const PCAP_SLL_HEADER = "d4c3b2a10200040000000000000000000000040071000000";

const udpSpec = {
  ethSrc: "52:54:00:8e:1b:20", ethDst: "52:54:00:3c:aa:21", src: "10.47.255.238", dst: "10.99.225.17", srcPort: 51000, dstPort: 80,
  seq: 1000, ack: 2000, flags: 0x18, payload: Buffer.from("GET / HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n"), options: OPTS,
  encap: { kind: "udp" as const, src: "10.169.25.20", dst: "10.169.25.21", label: 38, udpSrcPort: 60460 },
};
const greSpec = {
  ethSrc: "00:05:86:71:4a:c0", ethDst: "52:54:00:8e:1b:20", src: "15.15.15.2", dst: "101.101.101.1", srcPort: 40000, dstPort: 80,
  seq: 1, ack: 0, flags: 0x02, payload: Buffer.alloc(0),
  encap: { kind: "gre" as const, src: "192.168.0.204", dst: "10.169.25.20", label: 20 },
};
const plainSpec = {
  ethSrc: "02:00:00:00:00:01", ethDst: "02:00:00:00:00:02", src: "10.47.255.238", dst: "10.47.255.250", srcPort: 40001, dstPort: 8080,
  seq: 0xfffffff0, ack: 7, flags: 0x11, payload: Buffer.from("bye"),
};

describe("lab frames", () => {
  it("MPLSoUDP, MPLSoGRE and plain segments are the bytes the lab always wrote", () => {
    expect(segmentFrame({ ...udpSpec, ipId: 2, outerIpId: 3 }).toString("hex")).toBe(MPLSOUDP_GET);
    expect(segmentFrame({ ...greSpec, ipId: 4, outerIpId: 5 }).toString("hex")).toBe(MPLSOGRE_SYN);
    expect(segmentFrame({ ...plainSpec, ipId: 6 }).toString("hex")).toBe(PLAIN_FIN);
  });

  it("IP identifications run on, inner header first", () => {
    const a = segmentFrame(greSpec);
    const b = segmentFrame(greSpec);
    const outerA = a.readUInt16BE(14 + 4), innerA = a.readUInt16BE(14 + 20 + 4 + 4 + 4);
    const outerB = b.readUInt16BE(14 + 4), innerB = b.readUInt16BE(14 + 20 + 4 + 4 + 4);
    expect(outerA).toBe((innerA + 1) & 0xffff);
    expect(innerB).toBe((outerA + 1) & 0xffff);
    expect(outerB).toBe((innerB + 1) & 0xffff);
  });

  it("pcap streams: header at once, each record as written, times rounded to the microsecond", () => {
    const chunks: Buffer[] = [];
    const w = new PcapWriter((c) => chunks.push(Buffer.from(c)), { linkType: 1, bufferSize: 0 });
    expect(chunks.length).toBe(1);
    w.write(Buffer.from(PLAIN_FIN, "hex"), pcapTime(1732456800123.4567));
    expect(chunks.length).toBe(2);
    w.write(Buffer.from(MPLSOGRE_SYN, "hex"), pcapTime(1732456801000.9996));
    expect(chunks.length).toBe(3);
    expect(Buffer.concat(chunks).toString("hex")).toBe(PCAP);
    const sll: Buffer[] = [];
    new PcapWriter((c) => sll.push(Buffer.from(c)), { linkType: 113, bufferSize: 0 });
    expect(Buffer.concat(sll).toString("hex")).toBe(PCAP_SLL_HEADER);
  });
});
