/**
 * TCP (RFC 9293).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |          Source Port          |       Destination Port        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                        Sequence Number                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                    Acknowledgment Number                      |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  Data |     |A|C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsv |E|W|C|R|C|S|S|Y|I|            Window             |
 * |       |     | |R|E|G|K|H|T|N|N|                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |           Checksum            |         Urgent Pointer        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ```
 * Records ports, 9-bit flags, raw sequence/acknowledgment numbers, window and payload extent.
 * The next layer (HTTP) is found by port only when there is payload.
 * @module
 */
import * as ids from "../layer-ids";
import { type DecodeContext, u16, u32 } from "../context";
import * as registry from "../registry";

// module-level copies of the constants: the JIT folds these, not imported ones (see decode.ts)
const { LAYER_NONE, P_TCP_OFFSET } = ids;
const { IPPROTO_TCP } = registry;

/** TCP flag bits as in the header's low 9 bits. */
export const TCP_FIN = 0x001;
export const TCP_SYN = 0x002;
export const TCP_RST = 0x004;
export const TCP_PSH = 0x008;
export const TCP_ACK = 0x010;
export const TCP_URG = 0x020;
export const TCP_ECE = 0x040;
export const TCP_CWR = 0x080;
export const TCP_AE = 0x100;

/**
 * Decodes a TCP header; next layer by port when the segment carries data.
 * @example
 * // tcp 51000 → 80 [PSH, ACK] len 85: ctx.tcpFlags === 0x018, returns LAYER_HTTP
 * decodeTcp(ctx);
 */
export function decodeTcp(ctx: DecodeContext): number {
  const d = ctx.data;
  const o = ctx.off;
  const avail = ctx.end - o;
  if (avail < 20) return ctx.truncate();
  const dataOffset = (d[o + 12]! >> 4) << 2;
  if (dataOffset < 20) return ctx.fail(P_TCP_OFFSET);
  const src = u16(d, o);
  const dst = u16(d, o + 2);
  ctx.transportProto = IPPROTO_TCP;
  ctx.transportIp = ctx.ipCount;
  ctx.srcPort = src;
  ctx.dstPort = dst;
  ctx.seq = u32(d, o + 4);
  ctx.ack = u32(d, o + 8);
  ctx.tcpFlags = ((d[o + 12]! & 1) << 8) | d[o + 13]!;
  ctx.window = u16(d, o + 14);
  if (avail < dataOffset) {
    ctx.payloadOff = ctx.end;
    ctx.payloadLen = 0;
    return ctx.truncate();
  }
  ctx.off = o + dataOffset;
  ctx.payloadOff = ctx.off;
  ctx.payloadLen = ctx.end - ctx.off;
  if (ctx.payloadLen === 0) return LAYER_NONE;
  let next = ctx.reg.tcpPorts[dst]!;
  if (next === LAYER_NONE) next = ctx.reg.tcpPorts[src]!;
  return next;
}
