/**
 * Assembling a {@link FlowEntry} row from the scanned fields, shared by the `flow -l` scanner and the
 * `flow --get` block parser.
 */
import type { FlowEntry } from "../types";
import {
  type FlowFlags,
  type NatFlags,
  type TcpFlags,
  decodeFlowFlags,
  decodeNat,
  decodeTcpFlags,
  describeTcpFlags,
  protoName,
  tcpState,
} from "./letters";

/** Mutable per-entry attributes filled by the block scanner (or the `--get` parser). */
export interface Attrs {
  gen: number | null;
  keyNh: number | null;
  action: string;
  flowFlags: string;
  tcpFlags: string | null;
  ecmpIndex: number | null;
  qos: number | null;
  rpfNh: number | null;
  packets: number;
  bytes: number;
  mirrorIndex: number | null;
  secondaryMirrorIndex: number | null;
  udpSrcPort: number | null;
  ttl: number | null;
  underlayEcmpIndex: number | null;
  hbs: string | null;
  sinfo: string | null;
  extra: string | null;
}

/**
 * An empty {@link Attrs}.
 *
 * @example
 * freshAttrs().packets // => 0
 */
export function freshAttrs(): Attrs {
  return {
    gen: null,
    keyNh: null,
    action: "",
    flowFlags: "",
    tcpFlags: null,
    ecmpIndex: null,
    qos: null,
    rpfNh: null,
    packets: 0,
    bytes: 0,
    mirrorIndex: null,
    secondaryMirrorIndex: null,
    udpSrcPort: null,
    ttl: null,
    underlayEcmpIndex: null,
    hbs: null,
    sinfo: null,
    extra: null,
  };
}

/**
 * NaN → null.
 *
 * @example
 * numOrNull(NaN) // => null
 */
export function numOrNull(v: number): number | null {
  return v === v ? v : null;
}

/** Fixed fields of a flow row that come from the entry line(s), not the attribute block. */
export interface FlowKey {
  source: "list" | "get";
  line: number;
  dump: number;
  index: number;
  rindex: number | null;
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  proto: number;
  vrf: number;
  dvrf: number;
  vrfTranslated: boolean;
  /** Computed from the addresses when absent. */
  family?: "inet" | "inet6";
}

/**
 * A FlowKey to fill in place (the scanners and the row sink keep one each and overwrite its fields per entry).
 *
 * @example
 * freshFlowKey().source // => "list"
 */
export function freshFlowKey(): FlowKey {
  return { source: "list", line: 0, dump: 0, index: 0, rindex: null, srcIp: "", srcPort: 0, dstIp: "", dstPort: 0, proto: 0, vrf: 0, dvrf: 0, vrfTranslated: false, family: "inet" };
}

/** What an action string decodes to (cached per distinct action). */
interface ActionInfo {
  code: string;
  dropReason: string | null;
  nat: NatFlags;
}

/** What a TCP flag string decodes to (cached per distinct string). */
interface TcpInfo {
  f: TcpFlags;
  state: string;
  desc: string;
}

const NO_NAT = decodeNat("");
const actionCache = new Map<string, ActionInfo>();
const flagsCache = new Map<string, FlowFlags>();
const tcpCache = new Map<string, TcpInfo>();

function actionInfo(action: string): ActionInfo {
  let v = actionCache.get(action);
  if (v !== undefined) return v;
  const code = action.length > 0 ? action[0] : "";
  let inner: string | null = null;
  const open = action.indexOf("(");
  if (open >= 0) inner = action.slice(open + 1, action.endsWith(")") ? action.length - 1 : action.length);
  v = { code, dropReason: code === "D" ? inner : null, nat: code === "N" && inner !== null ? decodeNat(inner) : NO_NAT };
  if (actionCache.size < 4096) actionCache.set(action, v);
  return v;
}

function flowFlagsInfo(s: string): FlowFlags {
  let v = flagsCache.get(s);
  if (v === undefined) {
    v = decodeFlowFlags(s);
    if (flagsCache.size < 1024) flagsCache.set(s, v);
  }
  return v;
}

function tcpInfo(s: string): TcpInfo {
  let v = tcpCache.get(s);
  if (v === undefined) {
    const f = decodeTcpFlags(s);
    v = { f, state: tcpState(f), desc: describeTcpFlags(f) };
    if (tcpCache.size < 1024) tcpCache.set(s, v);
  }
  return v;
}

/**
 * Builds a complete flow row (fixed field order = one hidden class for every row): decodes the action,
 * flow flags and TCP flags (each distinct string is decoded once and cached).
 *
 * @example
 * makeFlowRow({ source: "list", line: 1, dump: 0, index: 1, rindex: null, srcIp: "1.1.1.1", srcPort: 1,
 *   dstIp: "2.2.2.2", dstPort: 80, proto: 6, vrf: 0, dvrf: 0, vrfTranslated: false },
 *   { ...freshAttrs(), action: "N(D)", tcpFlags: "S" }, null).tcpState // => "syn"
 */
export function makeFlowRow(k: FlowKey, a: Attrs, oflow: string | null): FlowEntry {
  const act = actionInfo(a.action);
  const nat = act.nat;
  const ff = flowFlagsInfo(a.flowFlags);
  const isTcp = k.proto === 6 || a.tcpFlags !== null;
  const tcp = tcpInfo(a.tcpFlags ?? "");
  const f = tcp.f;
  return {
    index: k.index,
    rindex: k.rindex,
    srcIp: k.srcIp,
    srcPort: k.srcPort,
    dstIp: k.dstIp,
    dstPort: k.dstPort,
    proto: k.proto,
    vrf: k.vrf,
    action: a.action,
    snat: nat.snat,
    dnat: nat.dnat,
    spat: nat.spat,
    dpat: nat.dpat,
    tcpFlags: a.tcpFlags ?? "",
    packets: a.packets,
    bytes: a.bytes,
    source: k.source,
    line: k.line,
    dump: k.dump,
    family: k.family ?? (k.srcIp.indexOf(":") >= 0 || k.dstIp.indexOf(":") >= 0 ? "inet6" : "inet"),
    protoName: protoName(k.proto),
    dvrf: k.dvrf,
    vrfTranslated: k.vrfTranslated,
    gen: a.gen,
    keyNh: a.keyNh,
    actionCode: act.code,
    dropReason: act.dropReason,
    linkLocal: nat.linkLocal,
    flowFlags: a.flowFlags,
    evicted: ff.evicted,
    evictCandidate: ff.evictCandidate,
    newFlow: ff.newFlow,
    modified: ff.modified,
    deleteMarked: ff.deleteMarked,
    tcpSyn: f.tcpSyn,
    tcpSynR: f.tcpSynR,
    tcpEstablished: f.tcpEstablished,
    tcpEstablishedR: f.tcpEstablishedR,
    tcpFin: f.tcpFin,
    tcpFinR: f.tcpFinR,
    tcpRst: f.tcpRst,
    tcpHalfClose: f.tcpHalfClose,
    tcpDead: f.tcpDead,
    tcpState: isTcp ? tcp.state : null,
    tcpDescription: isTcp ? tcp.desc : null,
    ecmpIndex: a.ecmpIndex,
    qos: a.qos,
    rpfNh: a.rpfNh,
    mirrorIndex: a.mirrorIndex,
    secondaryMirrorIndex: a.secondaryMirrorIndex,
    udpSrcPort: a.udpSrcPort,
    ttl: a.ttl,
    underlayEcmpIndex: a.underlayEcmpIndex,
    hbs: a.hbs,
    sinfo: a.sinfo,
    oflowEntries: oflow,
    extra: a.extra,
  };
}

/**
 * Resets `a` to the empty state of {@link freshAttrs} (the scanner reuses one object).
 *
 * @example
 * const a = freshAttrs(); a.packets = 3; resetAttrs(a); a.packets // => 0
 */
export function resetAttrs(a: Attrs): void {
  a.gen = null;
  a.keyNh = null;
  a.action = "";
  a.flowFlags = "";
  a.tcpFlags = null;
  a.ecmpIndex = null;
  a.qos = null;
  a.rpfNh = null;
  a.packets = 0;
  a.bytes = 0;
  a.mirrorIndex = null;
  a.secondaryMirrorIndex = null;
  a.udpSrcPort = null;
  a.ttl = null;
  a.underlayEcmpIndex = null;
  a.hbs = null;
  a.sinfo = null;
  a.extra = null;
}
