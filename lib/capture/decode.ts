/**
 * The layer loop and the friendly per-frame API.
 *
 * `decodeInto` is the zero-allocation path (gopacket `DecodingLayerParser.DecodeLayers`): it walks
 * decoders by layer id, each returning the next id from the registry tables, and leaves every result
 * in a reusable {@link DecodeContext}. `decodeFrame` sits on top for small uses and returns a plain
 * {@link DecodedFrame} object with strings and copied payload.
 *
 * @module
 */
import { DecodeContext } from "./context";
import { formatIpv4, formatIpv6, formatMac, tcpFlagNames } from "./format";
import { decodeChdlc } from "./layers/chdlc";
import { decodeEthernet } from "./layers/ethernet";
import { decodeGre } from "./layers/gre";
import { decodeHttp } from "./layers/http";
import { decodeIcmp, decodeIcmpv6 } from "./layers/icmp";
import { decodeIpv4 } from "./layers/ipv4";
import { decodeIpv6 } from "./layers/ipv6";
import { decodeJuniper } from "./layers/juniper";
import { decodeMpls } from "./layers/mpls";
import { decodeNull } from "./layers/null";
import { decodePpp } from "./layers/ppp";
import { decodeRawIp } from "./layers/raw-ip";
import { decodeSll } from "./layers/sll";
import { decodeSll2 } from "./layers/sll2";
import { decodeTcp } from "./layers/tcp";
import { decodeUdp } from "./layers/udp";
import { decodeVlan } from "./layers/vlan";
import { decodeVxlan } from "./layers/vxlan";
import * as ids from "./layer-ids";
import { HTTP_METHODS, LAYER_NAMES, type MplsPayloadKind, PROBLEM_MESSAGES, TUNNEL_NAMES } from "./layer-ids";
import { createRegistry, defaultRegistry, type Registry, type RegistryOptions } from "./registry";

// Numeric constants as module-level bindings. TypeScript's CommonJS output reads an imported constant
// from the exporting module's object at every use, and V8 cannot fold those loads (each export is
// written twice, `void 0` then its value, so the field is mutable); a module-level const it folds like
// a literal, which turns the layer switch below into a jump table. The layer decoders do the same.
const {
  FLAG_MALFORMED, FLAG_TRUNCATED, FLAG_UNSUPPORTED, LAYER_CHDLC, LAYER_COUNT, LAYER_ETHERNET, LAYER_JUNIPER, LAYER_NULL,
  LAYER_PPP, LAYER_GRE, LAYER_HTTP, LAYER_ICMP,
  LAYER_ICMPV6, LAYER_IPV4, LAYER_IPV6, LAYER_MPLS, LAYER_NONE, LAYER_RAW_IP, LAYER_SLL, LAYER_SLL2, LAYER_TCP, LAYER_UDP,
  LAYER_VLAN, LAYER_VXLAN, MAX_LAYERS, MPLS_KIND_ETHERNET, MPLS_KIND_IP, MPLS_KIND_IPV4, MPLS_KIND_IPV6, P_LINKTYPE,
  P_TOO_DEEP, TUNNEL_NONE,
} = ids;

/** A layer decoder: reads `ctx.data[ctx.off..ctx.end)`, records fields, returns the next layer id. */
export type LayerDecoder = (ctx: DecodeContext) => number;

/**
 * Decodes layers from `layer` on (already on `ctx.layers`): runs its decoder, puts the next id on the
 * stack and goes on, until a decoder returns `LAYER_NONE` or the stack is full (`P_TOO_DEEP`); with
 * `one`, stops after the first decoder. Returns the next layer id not yet decoded.
 *
 * Its switch is the one id → decoder table (gopacket `layertypes.go`): {@link decodeInto} and
 * {@link LAYER_DECODERS} both go through it. A switch over module consts rather than an array of
 * functions, and with the loop inside, so V8 makes direct calls and spends its inlining budget on the
 * decoders (a call through an array of 15 functions is never inlined; a switch in a function called
 * per layer ate the budget itself: ~9% more instructions per frame on cooked captures).
 */
function decodeLayers(ctx: DecodeContext, layer: number, one: boolean): number {
  for (;;) {
    switch (layer) {
      case LAYER_ETHERNET: layer = decodeEthernet(ctx); break;
      case LAYER_VLAN: layer = decodeVlan(ctx); break;
      case LAYER_SLL: layer = decodeSll(ctx); break;
      case LAYER_SLL2: layer = decodeSll2(ctx); break;
      case LAYER_RAW_IP: layer = decodeRawIp(ctx); break;
      case LAYER_IPV4: layer = decodeIpv4(ctx); break;
      case LAYER_IPV6: layer = decodeIpv6(ctx); break;
      case LAYER_GRE: layer = decodeGre(ctx); break;
      case LAYER_MPLS: layer = decodeMpls(ctx); break;
      case LAYER_UDP: layer = decodeUdp(ctx); break;
      case LAYER_VXLAN: layer = decodeVxlan(ctx); break;
      case LAYER_TCP: layer = decodeTcp(ctx); break;
      case LAYER_ICMP: layer = decodeIcmp(ctx); break;
      case LAYER_ICMPV6: layer = decodeIcmpv6(ctx); break;
      case LAYER_HTTP: layer = decodeHttp(ctx); break;
      case LAYER_NULL: layer = decodeNull(ctx); break;
      case LAYER_PPP: layer = decodePpp(ctx); break;
      case LAYER_CHDLC: layer = decodeChdlc(ctx); break;
      case LAYER_JUNIPER: layer = decodeJuniper(ctx); break;
      default: layer = LAYER_NONE;
    }
    if (layer === LAYER_NONE || one) return layer;
    if (ctx.layerCount >= MAX_LAYERS) { ctx.fail(P_TOO_DEEP); return LAYER_NONE; }
    ctx.layers[ctx.layerCount++] = layer;
  }
}

/**
 * The decoder of each layer id as a function (for callers that decode one layer at a time), made from
 * the one id → decoder switch in `decodeLayers`; an id without a decoder decodes nothing (`LAYER_NONE`).
 * @example
 * ctx.layers[ctx.layerCount++] = LAYER_TCP;
 * LAYER_DECODERS[LAYER_TCP](ctx); // decodes a TCP header at ctx.off, returns the next layer id
 */
export const LAYER_DECODERS: readonly LayerDecoder[] = Array.from(
  { length: LAYER_COUNT },
  (_, layer): LayerDecoder => (ctx) => decodeLayers(ctx, layer, true),
);

/**
 * Which labels carry IP and which Ethernet: a map, a record or a function from label to kind
 * (build it from `mpls --dump`: labels whose next hop is an L2/bridge NH carry Ethernet).
 */
export type MplsLabelMap =
  | ReadonlyMap<number, MplsPayloadKind>
  | Readonly<Record<number, MplsPayloadKind>>
  | ((label: number) => MplsPayloadKind | undefined);

/** Options shared by every decoding entry point. */
export interface DecodeOptions extends RegistryOptions {
  /** Registry to use; default built from the port options (or {@link defaultRegistry}). */
  registry?: Registry;
  /** MPLS payload per label; unlisted labels fall back to the plausibility check. */
  mplsPayload?: MplsLabelMap;
}

const KIND_CODES: Record<MplsPayloadKind, number> = {
  ip: MPLS_KIND_IP, ipv4: MPLS_KIND_IPV4, ipv6: MPLS_KIND_IPV6, ethernet: MPLS_KIND_ETHERNET,
};

/**
 * Creates a decode context for the options (registry and label map resolved once).
 * @example
 * const ctx = createDecodeContext({ mplsPayload: new Map([[40, "ethernet"]]) });
 */
export function createDecodeContext(options: DecodeOptions = {}): DecodeContext {
  const { mplsUdpPorts, vxlanPorts, httpPorts } = options;
  const reg = options.registry ??
    (mplsUdpPorts || vxlanPorts || httpPorts ? createRegistry({ mplsUdpPorts, vxlanPorts, httpPorts }) : defaultRegistry);
  const ctx = new DecodeContext(reg);
  const map = options.mplsPayload;
  if (map !== undefined) {
    const kinds = new Uint8Array(1 << 20);
    if (typeof map === "function") {
      // asked once per label value here, so the hot path is a table load
      ctx.labelKinds = kinds;
      for (let l = 0; l < 1 << 20; l++) {
        const k = map(l);
        if (k !== undefined) kinds[l] = KIND_CODES[k] ?? 0;
      }
    } else {
      const entries: Iterable<[number | string, MplsPayloadKind]> =
        map instanceof Map ? map.entries() : Object.entries(map as Record<number, MplsPayloadKind>);
      for (const [label, kind] of entries) {
        const l = Number(label);
        if (Number.isInteger(l) && l >= 0 && l < 1 << 20) kinds[l] = KIND_CODES[kind] ?? 0;
      }
      ctx.labelKinds = kinds;
    }
  }
  return ctx;
}

/**
 * Decodes one frame into `ctx` (no allocation). Never throws; problems are in `ctx.flags`.
 * @example
 * const ctx = createDecodeContext();
 * decodeInto(ctx, buf, 40, 40 + caplen, LINKTYPE_ETHERNET);
 * if (ctx.flags & FLAG_TRUNCATED) console.log("cut short");
 */
export function decodeInto(ctx: DecodeContext, data: Uint8Array, off: number, end: number, linkType: number): void {
  ctx.reset(data, off, end);
  ctx.linkType = linkType;
  const layer = linkType >= 0 && linkType < ctx.reg.linkTypes.length ? ctx.reg.linkTypes[linkType]! : LAYER_NONE;
  if (layer === LAYER_NONE) {
    // not a broken frame: a link type we do not decode (the frame table warns once per file)
    ctx.flags |= FLAG_UNSUPPORTED;
    ctx.problem = P_LINKTYPE;
    ctx.unsupportedValue = linkType;
    return;
  }
  ctx.layers[ctx.layerCount++] = layer;
  decodeLayers(ctx, layer, false);
}

/** One IP header of a decoded frame. */
export interface DecodedIp {
  version: 4 | 6;
  src: string;
  dst: string;
  /** Protocol / upper-layer next header. */
  proto: number;
}

/** A decoded frame as a plain object (strings and copies; safe to keep). */
export interface DecodedFrame {
  /** Layer names in order, e.g. `["eth","ip","gre","mpls","ip","tcp","http"]`. */
  layers: string[];
  /** The layers joined with `:`. */
  protocols: string;
  /** Captured bytes. */
  caplen: number;
  truncated: boolean;
  malformed: boolean;
  /** Decoding stopped at a protocol value no table knows (`unsupportedValue`). */
  unsupported: boolean;
  unsupportedValue?: number;
  /** e.g. `"ip at offset 14: total length below header length"`. */
  problem?: string;
  /** Outermost Ethernet addresses. */
  ethSrc?: string;
  ethDst?: string;
  /** First 802.1Q VLAN id. */
  vlan?: number;
  /** Tunnel type (`"mplsogre"`, `"mplsoudp"`, `"vxlan"`, `"gre"`, `"mpls"`, `"ipip"`) or `""`. */
  tunnel: string;
  /** Outer (underlay) addresses when tunnelled. */
  outerSrc?: string;
  outerDst?: string;
  /** Innermost IP addresses (or inner MACs for an L2 payload without IP). */
  src?: string;
  dst?: string;
  /** Every IP header, outermost first. */
  ips: DecodedIp[];
  /** MPLS labels, top of stack first. */
  labels: number[];
  vni?: number;
  /** UDP ports of the tunnel (MPLSoUDP, VXLAN); the source port is the sender's flow entropy. */
  tunnelSrcPort?: number;
  tunnelDstPort?: number;
  /** Outer (underlay) IP header's TTL / hop limit and DSCP, when tunnelled. */
  outerTtl?: number;
  outerDscp?: number;
  /** First GRE header's flags-and-version word, and its key when the K bit (0x2000) is set. */
  greFlags?: number;
  greKey?: number;
  /** Innermost transport protocol number (6, 17, 1, 58). */
  proto?: number;
  srcPort?: number;
  dstPort?: number;
  tcpFlags?: number;
  /** Flag names, Wireshark order: `["SYN","ACK"]`. */
  tcpFlagNames?: string[];
  seq?: number;
  ack?: number;
  window?: number;
  icmpType?: number;
  icmpCode?: number;
  /** Transport payload length (-1 when no transport was decoded). */
  payloadLength: number;
  /** Copy of the transport payload. */
  payload?: Uint8Array;
  http?: { kind: "request" | "response"; method?: string; path?: string; host?: string; status?: number };
}

const latin1 = new TextDecoder("latin1");

/**
 * Decodes one frame into a plain object. Never throws.
 * @example
 * const f = decodeFrame(bytes, LINKTYPE_ETHERNET);
 * f.tunnel;   // "mplsoudp"
 * f.labels;   // [38]
 * f.http?.path; // "/login"
 */
export function decodeFrame(bytes: Uint8Array, linkType: number, options: DecodeOptions | DecodeContext = {}): DecodedFrame {
  const ctx = options instanceof DecodeContext ? options : createDecodeContext(options);
  decodeInto(ctx, bytes, 0, bytes.length, linkType);
  return frameFromContext(ctx);
}

/**
 * Builds a {@link DecodedFrame} from a context just filled by {@link decodeInto}.
 * @example
 * decodeInto(ctx, buf, off, end, 1);
 * const frame = frameFromContext(ctx);
 */
export function frameFromContext(ctx: DecodeContext): DecodedFrame {
  const d = ctx.data;
  const layers: string[] = [];
  for (let i = 0; i < ctx.layerCount; i++) layers.push(LAYER_NAMES[ctx.layers[i]!]!);
  const ips: DecodedIp[] = [];
  for (let i = 0; i < ctx.ipCount; i++) {
    const o = ctx.ipOff[i]!;
    const v4 = ctx.ipVer[i] === 4;
    ips.push({
      version: v4 ? 4 : 6,
      src: v4 ? formatIpv4(d, o + 12) : formatIpv6(d, o + 8),
      dst: v4 ? formatIpv4(d, o + 16) : formatIpv6(d, o + 24),
      proto: ctx.ipProto[i]!,
    });
  }
  const f: DecodedFrame = {
    layers,
    protocols: layers.join(":"),
    caplen: ctx.frameEnd - ctx.start,
    truncated: (ctx.flags & FLAG_TRUNCATED) !== 0,
    malformed: (ctx.flags & FLAG_MALFORMED) !== 0,
    unsupported: (ctx.flags & FLAG_UNSUPPORTED) !== 0,
    tunnel: TUNNEL_NAMES[ctx.tunnel]!,
    ips,
    labels: Array.from(ctx.labels.subarray(0, ctx.labelCount)),
    payloadLength: ctx.payloadLen,
  };
  if (f.unsupported) f.unsupportedValue = ctx.unsupportedValue;
  if (ctx.problem !== 0 || f.truncated) f.problem = problemText(ctx);
  if (ctx.ethCount > 0) {
    f.ethDst = formatMac(d, ctx.ethOff[0]!);
    f.ethSrc = formatMac(d, ctx.ethOff[0]! + 6);
  }
  if (ctx.vlanId >= 0) f.vlan = ctx.vlanId;
  if (ctx.tunnel !== TUNNEL_NONE && ips.length > 0) {
    f.outerSrc = ips[0]!.src;
    f.outerDst = ips[0]!.dst;
    f.outerTtl = outerTtl(ctx);
    f.outerDscp = outerDscp(ctx);
  }
  if (ctx.greFlags >= 0) {
    f.greFlags = ctx.greFlags;
    if ((ctx.greFlags & 0x2000) !== 0) f.greKey = ctx.greKey;
  }
  if (ctx.tunnel !== TUNNEL_NONE && ctx.ipCount <= ctx.tunnelIpCount) {
    // tunnel without inner IP: show the inner MACs when there are any
    if (ctx.ethCount > 1) {
      const e = ctx.ethOff[Math.min(ctx.ethCount, 4) - 1]!;
      f.dst = formatMac(d, e);
      f.src = formatMac(d, e + 6);
    }
  } else if (ips.length > 0) {
    f.src = ips[ips.length - 1]!.src;
    f.dst = ips[ips.length - 1]!.dst;
  } else if (ctx.ethCount > 0) {
    f.src = f.ethSrc;
    f.dst = f.ethDst;
  }
  if (ctx.vni >= 0) f.vni = ctx.vni;
  if (ctx.tunnelDstPort >= 0) { f.tunnelSrcPort = ctx.tunnelSrcPort; f.tunnelDstPort = ctx.tunnelDstPort; }
  if (ctx.transportProto !== 0 && ctx.transportIp === ctx.ipCount) {
    f.proto = ctx.transportProto;
    if (ctx.srcPort >= 0) { f.srcPort = ctx.srcPort; f.dstPort = ctx.dstPort; }
    if (ctx.transportProto === 6) {
      f.tcpFlags = ctx.tcpFlags;
      f.tcpFlagNames = tcpFlagNames(ctx.tcpFlags);
      f.seq = ctx.seq;
      f.ack = ctx.ack;
      f.window = ctx.window;
    }
    if (ctx.icmpType >= 0) { f.icmpType = ctx.icmpType; f.icmpCode = ctx.icmpCode; }
    if (ctx.payloadLen >= 0) f.payload = Uint8Array.prototype.slice.call(d, ctx.payloadOff, ctx.payloadOff + ctx.payloadLen);
  } else {
    f.payloadLength = -1;
  }
  if (ctx.httpKind === 1) {
    f.http = {
      kind: "request",
      method: HTTP_METHODS[ctx.httpMethod],
      path: latin1.decode(d.subarray(ctx.httpPathOff, ctx.httpPathOff + ctx.httpPathLen)),
    };
  } else if (ctx.httpKind === 2) {
    f.http = { kind: "response", status: ctx.httpStatus };
  }
  if (f.http && ctx.httpHostLen > 0) {
    f.http.host = latin1.decode(d.subarray(ctx.httpHostOff, ctx.httpHostOff + ctx.httpHostLen));
  }
  return f;
}

/**
 * TTL (IPv4) or hop limit (IPv6) of the frame's first IP header (-1 when there is none).
 * @example outerTtl(ctx) // 64
 */
export function outerTtl(ctx: DecodeContext): number {
  if (ctx.ipCount === 0) return -1;
  const o = ctx.ipOff[0]!;
  return ctx.ipVer[0] === 4 ? ctx.data[o + 8]! : ctx.data[o + 7]!;
}

/**
 * DSCP of the frame's first IP header: the upper 6 bits of the TOS / traffic class (-1 when none).
 * @example outerDscp(ctx) // 46 for EF
 */
export function outerDscp(ctx: DecodeContext): number {
  if (ctx.ipCount === 0) return -1;
  const o = ctx.ipOff[0]!;
  const d = ctx.data;
  return ctx.ipVer[0] === 4 ? d[o + 1]! >> 2 : (((d[o]! & 0x0f) << 4) | (d[o + 1]! >> 4)) >> 2;
}

/**
 * Text of the context's problem: `"<layer> at offset N: <what>"`, or `""` when there is none.
 * @example problemText(ctx) // "tcp at offset 54: truncated header"
 */
export function problemText(ctx: DecodeContext): string {
  if (ctx.problem === 0 && (ctx.flags & FLAG_TRUNCATED) === 0) return "";
  if (ctx.problem === P_LINKTYPE) return `unsupported link type ${ctx.unsupportedValue}`;
  const layer = LAYER_NAMES[ctx.problemLayer] || "frame";
  const what = ctx.problem !== 0 ? PROBLEM_MESSAGES[ctx.problem] : "truncated";
  return `${layer} at offset ${ctx.problemOffset}: ${what}`;
}
