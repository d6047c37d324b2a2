/**
 * Byte-exact frame building for the lab's fabric captures: Ethernet II, IPv4 (header checksum), TCP and
 * UDP (pseudo-header checksums), GRE (protocol 0x8847) and MPLS label stack entries, and the classic
 * pcap file format (microsecond timestamps, linktype 1).
 */

function ipBytes(ip: string): number[] {
  return ip.split(".").map((x) => Number(x) & 255);
}

function macBuf(mac: string): Buffer {
  return Buffer.from(mac.split(":").map((x) => parseInt(x, 16)));
}

/**
 * The Internet checksum (RFC 1071) of some buffers, as one sum.
 *
 * @example
 * checksum(Buffer.from([0x45, 0x00, 0x00, 0x1c])); // 0xbae3
 */
export function checksum(...bufs: Buffer[]): number {
  let sum = 0;
  let odd: number | undefined;
  for (const b of bufs) {
    let i = 0;
    if (odd !== undefined && b.length) {
      sum += (odd << 8) | b[0];
      odd = undefined;
      i = 1;
    }
    for (; i + 1 < b.length; i += 2) sum += (b[i] << 8) | b[i + 1];
    if (i < b.length) odd = b[i];
  }
  if (odd !== undefined) sum += odd << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

let ipId = 1;

/**
 * An IPv4 packet (20-byte header, DF set, checksum filled).
 *
 * @example
 * ipv4("15.15.15.2", "101.101.101.1", 6, tcpSegment);
 */
export function ipv4(src: string, dst: string, proto: number, payload: Buffer, ttl = 64): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h.writeUInt16BE(20 + payload.length, 2);
  h.writeUInt16BE(ipId = (ipId + 1) & 0xffff, 4);
  h.writeUInt16BE(0x4000, 6);
  h[8] = ttl;
  h[9] = proto;
  Buffer.from(ipBytes(src)).copy(h, 12);
  Buffer.from(ipBytes(dst)).copy(h, 16);
  h.writeUInt16BE(checksum(h), 10);
  return Buffer.concat([h, payload]);
}

function pseudo(src: string, dst: string, proto: number, len: number): Buffer {
  const p = Buffer.alloc(12);
  Buffer.from(ipBytes(src)).copy(p, 0);
  Buffer.from(ipBytes(dst)).copy(p, 4);
  p[9] = proto;
  p.writeUInt16BE(len, 10);
  return p;
}

/**
 * A TCP segment with a correct checksum.
 *
 * @example
 * tcp("15.15.15.2", "101.101.101.1", 40000, 80, 1, 0, 0x02, Buffer.alloc(0));
 */
export function tcp(
  src: string, dst: string, sport: number, dport: number, seq: number, ack: number, flags: number, payload: Buffer,
  options: Buffer = Buffer.alloc(0), window = 64240,
): Buffer {
  const optLen = (options.length + 3) & ~3;
  const h = Buffer.alloc(20 + optLen);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt32BE(seq >>> 0, 4);
  h.writeUInt32BE(ack >>> 0, 8);
  h[12] = ((20 + optLen) / 4) << 4;
  h[13] = flags;
  h.writeUInt16BE(window, 14);
  options.copy(h, 20);
  const sum = checksum(pseudo(src, dst, 6, h.length + payload.length), h, payload);
  h.writeUInt16BE(sum, 16);
  return Buffer.concat([h, payload]);
}

/**
 * A UDP datagram, with a correct checksum or (`withChecksum` false) checksum 0, as the vRouter sends
 * MPLSoUDP.
 *
 * @example
 * udp("10.169.25.20", "10.169.25.21", 51000, 6635, mplsPacket, false);
 */
export function udp(src: string, dst: string, sport: number, dport: number, payload: Buffer, withChecksum = true): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(8 + payload.length, 4);
  if (withChecksum) {
    let sum = checksum(pseudo(src, dst, 17, 8 + payload.length), h, payload);
    if (sum === 0) sum = 0xffff;
    h.writeUInt16BE(sum, 6);
  }
  return Buffer.concat([h, payload]);
}

/**
 * One MPLS label stack entry (bottom of stack) in front of a payload.
 *
 * @example
 * mpls(38, innerIpPacket); // 00 02 61 3f ...
 */
export function mpls(label: number, payload: Buffer, ttl = 63, bottom = true): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(((label & 0xfffff) << 12) | (bottom ? 0x100 : 0) | (ttl & 0xff), 0);
  return Buffer.concat([h, payload]);
}

/**
 * A GRE header (no options) with protocol type 0x8847 (MPLS unicast) in front of a payload.
 *
 * @example
 * ipv4("192.168.0.204", "10.169.25.20", 47, gre(mpls(20, inner)));
 */
export function gre(payload: Buffer, proto = 0x8847): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt16BE(proto, 2);
  return Buffer.concat([h, payload]);
}

/**
 * An Ethernet II frame.
 *
 * @example
 * ether("52:54:00:8e:1b:20", "00:05:86:71:4a:c0", 0x0800, ipPacket);
 */
export function ether(dst: string, src: string, type: number, payload: Buffer): Buffer {
  const h = Buffer.alloc(14);
  macBuf(dst).copy(h, 0);
  macBuf(src).copy(h, 6);
  h.writeUInt16BE(type, 12);
  return Buffer.concat([h, payload]);
}

/**
 * The 24-byte global header of a classic pcap file (little endian, microseconds, Ethernet).
 *
 * @example
 * fs.writeFileSync("x.pcap", Buffer.concat([pcapHeader(), pcapRecord(Date.now(), frame)]));
 */
export function pcapHeader(linktype = 1, snaplen = 262144): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(snaplen, 16);
  h.writeUInt32LE(linktype, 20);
  return h;
}

/**
 * One pcap record for a frame captured at `atMs` (epoch milliseconds, fractional).
 *
 * @example
 * out.write(pcapRecord(performance.timeOrigin + performance.now(), frame));
 */
export function pcapRecord(atMs: number, frame: Buffer, snaplen = 262144): Buffer {
  const h = Buffer.alloc(16);
  const sec = Math.floor(atMs / 1000);
  const usec = Math.min(999999, Math.round((atMs - sec * 1000) * 1000));
  const cap = Math.min(frame.length, snaplen);
  h.writeUInt32LE(sec, 0);
  h.writeUInt32LE(usec, 4);
  h.writeUInt32LE(cap, 8);
  h.writeUInt32LE(frame.length, 12);
  return Buffer.concat([h, cap < frame.length ? frame.subarray(0, cap) : frame]);
}
