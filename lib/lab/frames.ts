/**
 * The lab's fabric frames: one TCP segment as it appears on a hop — plain Ethernet, MPLSoGRE, or
 * MPLSoUDP to port 6635 with UDP checksum 0 as the vRouter sends it — built with capture's frame
 * builder (`lib/capture/build.ts`), which fills lengths and the IPv4, TCP and UDP checksums. What is
 * the lab's own here is the choice of layers and the running IPv4 identification counter.
 *
 * The lab is not the decoder's oracle: tshark is (`test/capture/oracle.test.ts` on fixture captures,
 * `test/lab/capture.test.ts` on the lab's own captures, which also checks every checksum). See README.md.
 * @module
 */
import { buildFrame, eth, gre, ipv4, type LayerSpec, mpls, payload, tcp, udp } from "../capture/build";

/** The vRouter's MPLSoUDP destination port. */
const MPLSOUDP_PORT = 6635;

/** One TCP segment on a hop. */
export interface SegmentFrameSpec {
  /** Ethernet source and destination MACs. */
  ethSrc: string;
  ethDst: string;
  /** The segment's IPv4 addresses and TCP ports. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP flag bits (SYN 0x02, ACK 0x10, …). */
  flags: number;
  payload: Uint8Array;
  /** TCP option bytes (padded to 4). */
  options?: Uint8Array;
  /** The tunnel the packet travels in on this hop (none: plain Ethernet). */
  encap?: { kind: "gre" | "udp"; src: string; dst: string; label: number; udpSrcPort?: number };
  /** IPv4 identification of the inner and outer headers; default the next values of the lab's counter (inner first). */
  ipId?: number;
  outerIpId?: number;
}

let lastIpId = 1;

/** The next IPv4 identification of the lab's frames (2, 3, … wrapping at 16 bits). */
function nextIpId(): number {
  lastIpId = (lastIpId + 1) & 0xffff;
  return lastIpId;
}

/**
 * The Ethernet frame of a segment on a hop (IPv4 DF, TTL 64, TCP window 64240; MPLS TTL 63).
 * @example
 * segmentFrame({ ethSrc: "00:05:86:71:4a:c0", ethDst: "52:54:00:8e:1b:20", src: "15.15.15.2", dst: "101.101.101.1",
 *   srcPort: 40000, dstPort: 80, seq: 1, ack: 0, flags: 0x02, payload: Buffer.alloc(0),
 *   encap: { kind: "gre", src: "192.168.0.204", dst: "10.169.25.20", label: 20 } }); // eth:ip:gre:mpls:ip:tcp
 */
export function segmentFrame(s: SegmentFrameSpec): Buffer {
  const innerId = s.ipId ?? nextIpId();
  const layers: LayerSpec[] = [eth({ src: s.ethSrc, dst: s.ethDst })];
  const e = s.encap;
  if (e !== undefined) {
    layers.push(ipv4(e.src, e.dst, { id: s.outerIpId ?? nextIpId(), ttl: 64 }));
    layers.push(e.kind === "gre" ? gre() : udp(e.udpSrcPort ?? 0, MPLSOUDP_PORT, { checksum: false }));
    layers.push({ ...mpls(e.label), ttl: 63 });
  }
  layers.push(
    ipv4(s.src, s.dst, { id: innerId, ttl: 64 }),
    tcp(s.srcPort, s.dstPort, { seq: s.seq, ack: s.ack, flags: s.flags, window: 64240, ...(s.options ? { options: s.options } : {}) }),
  );
  if (s.payload.length > 0) layers.push(payload(s.payload));
  const f = buildFrame(layers);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
}
