/**
 * The agent's "kstate" introspect — the vRouter's own tables as the agent reads them back over netlink
 * (`KInterfaceReq`, `KNHReq`, `KRouteReq`/`KRouteGetReq`, `KMplsReq`, `KFlowReq`; tf-controller
 * `src/vnsw/agent/kstate/`) — into the same rows `parseVif`, `parseNh`, `parseRt`, `parseMpls` and
 * `parseFlow` give. These are the tables `vif`, `nh`, `rt`, `mpls` and `flow` print, with the same ids,
 * indexes and counters, which is why the walk reads them rather than the agent's oper tables
 * (`ItfReq`, `NhListReq`…, whose ids and names are the agent's). Fields the agent does not send are
 * `null` (see {@link INTROSPECT_FIELDS} for the ones it does); values it words differently are mapped
 * to the utility's words (`TUNNEL_GRE` → `MPLSoGRE`, `FORWARD` → `F`, ` SYN | ESTB ` → `SE`).
 *
 * Pure, never throws: cut or malformed XML gives the rows before the cut and one error.
 */
import { makeFlowRow, freshAttrs, freshFlowKey } from "../vrouter/flow/row";
import { decodeVifFlags, VIF_FLAGS } from "../vrouter/vif";
import type { FlowEntry, MplsRow, NhRow, ParseResult, ParseWarning, RtRow, VifRow } from "../vrouter/types";
import { readSandesh, type SandeshDocument, type SandeshRow, type SandeshStruct, type SandeshValue } from "./sandesh";

/** What an introspect parser returns: the rows, and how the answer continues. */
export interface IntrospectParseResult<R> extends ParseResult<R> {
  /** The response names read (`KNHResp`; `ErrResp` / `InternalErrResp` when the agent refused). */
  responses: string[];
  /** The path of the request that continues this answer (`Snh_NextKFlowReq?x=100`), `null` when complete. */
  next: string | null;
  /** The agent's refusal (`ErrResp`: "Invalid Input !!!"), `null` when it answered. */
  refused: string | null;
}

/**
 * The row fields each introspect reader fills from the agent's answer (every other field of the row is
 * `null`, `false` or `""` because the agent does not send it). The lab's differential tests compare
 * exactly these with the utilities' rows.
 */
export const INTROSPECT_FIELDS = {
  vif: ["name", "rid", "index", "osName", "type", "hwAddr", "ipAddr", "vrf", "policy", "mtu", "qos", "ref", "nh", "parentIndex",
    "speedMbps", "duplex", "rxPackets", "rxBytes", "rxErrors", "txPackets", "txBytes", "txErrors", "mirrorIndex"],
  nh: ["id", "type", "family", "rid", "refCount", "vrf", "valid", "policy", "ecmp", "tunnelType", "oif", "encapFamily", "encapLen",
    "encapData", "encapDstMac", "encapSrcMac", "sip", "dip", "sport", "dport", "subNhs", "subNhCount"],
  rt: ["family", "vrf", "match", "prefix", "address", "prefixLen", "ppl", "labelValid", "proxyArp", "label", "nh"],
  mpls: ["label", "nh"],
  flow: ["index", "rindex", "srcIp", "srcPort", "dstIp", "dstPort", "proto", "vrf", "dvrf", "vrfTranslated", "action", "actionCode",
    "dropReason", "snat", "dnat", "spat", "tcpFlags", "tcpState", "packets", "bytes", "gen", "keyNh", "qos", "ttl", "udpSrcPort",
    "ecmpIndex", "evicted", "evictCandidate", "newFlow", "modified", "linkLocal"],
} as const;

const REFUSALS = new Set(["ErrResp", "InternalErrResp"]);

function str(v: SandeshValue | undefined): string | null {
  return typeof v === "string" ? v.trim() : null;
}

class Reader {
  readonly warnings: ParseWarning[] = [];
  constructor(readonly row: SandeshRow) {}
  warn(message: string, text?: string): void {
    this.warnings.push({ line: this.row.line, column: this.row.column, message, ...(text !== undefined ? { text } : {}) });
  }
  text(field: string): string | null {
    const v = str(this.row.value[field]);
    return v === null || v === "" ? null : v;
  }
  /** An integer field; absent → null; unreadable → null with a warning. */
  int(field: string): number | null {
    const t = this.text(field);
    if (t === null) return null;
    if (!/^-?\d+$/.test(t)) {
      this.warn(`${this.row.type}.${field}: expected an integer, got ${JSON.stringify(t)}`, t);
      return null;
    }
    const n = Number(t);
    if (!Number.isSafeInteger(n)) {
      this.warn(`${this.row.type}.${field}: ${t} is too large to be exact`, t);
      return null;
    }
    return n;
  }
  /** A counter the agent sends in a signed field narrower than the kernel's: a negative value wrapped. */
  counter(field: string, bits: 32 | 64): number | null {
    const n = this.int(field);
    if (n === null) return null;
    if (n >= 0) return n;
    if (bits === 32) {
      this.warn(`${this.row.type}.${field}: ${n} is the kernel's counter wrapped into a signed 32-bit field: read as ${n + 2 ** 32} (modulo 2^32)`);
      return n + 2 ** 32;
    }
    this.warn(`${this.row.type}.${field}: negative counter ${n}`);
    return null;
  }
  list(field: string): SandeshValue[] {
    const v = this.row.value[field];
    return Array.isArray(v) ? v : [];
  }
}

function finish<R>(kind: string, doc: SandeshDocument, rows: R[], warnings: ParseWarning[], stop: (link: { field: string; link: string; value: string }) => boolean): IntrospectParseResult<R> {
  const refusedName = doc.responses.find((r) => REFUSALS.has(r)) ?? null;
  const refused = refusedName ? `${refusedName}: ${(doc.fields.resp ?? "").trim() || "refused"}` : null;
  const link = [...doc.links].reverse().find((l) => !stop(l));
  const next = link ? `Snh_${link.link}?x=${encodeURIComponent(link.value)}` : null;
  return { kind, rows, warnings, errors: doc.errors, responses: doc.responses, next, refused };
}

/* ------------------------------------------------------------------ vif ---------------------------------------------- */

const VIF_TYPES: Record<string, string> = { HOST: "Host", AGENT: "Agent", PHYSICAL: "Physical", VIRTUAL: "Virtual" };

/**
 * `KInterfaceResp` (`/Snh_KInterfaceReq?if_id=-1`, or one `if_id`) → `vif --list` rows. The agent sends
 * only the Policy and mirror flags (`POLICY MIRR_RX MIRR_TX`): `l3`, `l2`, `dhcp` read false and `flags`
 * holds `P`/`Mr`/`Mt` only; no drops, no multicast VRF; a vif type the agent calls `INVALID` (Stats,
 * Monitoring…) is `null` with a warning.
 *
 * @example
 * parseIntrospectVif(xml).rows.find((v) => v.osName === "vhost0")?.ipAddr; // "10.169.25.20"
 */
export function parseIntrospectVif(xml: string): IntrospectParseResult<VifRow> {
  const doc = readSandesh(xml, ["KInterfaceInfo"]);
  const warnings: ParseWarning[] = [];
  const rows = doc.rows.map((row) => {
    const r = new Reader(row);
    const idx = r.int("idx") ?? -1;
    const rid = r.int("rid") ?? 0;
    const rawType = r.text("type");
    const type = rawType === null ? null : VIF_TYPES[rawType] ?? null;
    if (rawType !== null && type === null) r.warn(`KInterfaceInfo.type ${JSON.stringify(rawType)}: the agent does not name this vif type (Stats, Monitoring… print as INVALID)`, rawType);
    const kflags = (r.text("flags") ?? "NIL").split(/\s+/).filter((f) => f && f !== "NIL");
    const letters = kflags.map((f) => (f === "POLICY" ? "P" : f === "MIRR_RX" ? "Mr" : f === "MIRR_TX" ? "Mt" : "")).join("");
    for (const f of kflags) if (!["POLICY", "MIRR_RX", "MIRR_TX"].includes(f)) r.warn(`KInterfaceInfo.flags: unknown flag ${f}`, f);
    const sym = decodeVifFlags(letters).symbols;
    const name = r.text("name");
    const speed = r.int("speed");
    const physical = type === "Physical";
    const mirror = r.int("mirror_id");
    const parent = r.int("parent_vif_id");
    const nh = r.int("nh_id");
    const vif: VifRow = {
      line: row.line, name: `vif${rid}/${idx}`, rid, index: idx, osKind: name === null || name === "NULL" ? "" : "OS",
      osName: name === null || name === "NULL" ? null : name,
      speedMbps: physical && speed !== null && speed >= 0 ? speed : null,
      duplex: physical && speed !== null && speed >= 0 ? r.int("duplexity") : null,
      vlanOuter: null, vlanInner: null, vlanMac: null, bridgeIndex: null,
      parentIndex: parent !== null && parent >= 0 ? parent : null,
      nh: nh !== null && nh > 0 ? nh : null,
      type, hwAddr: r.text("mac"), ipAddr: r.text("ip"), ip6Addr: null, vrf: r.int("vrf"), mcastVrf: null,
      flags: letters, flagsDecoded: sym.join(" "), flagNames: sym.map((s) => VIF_FLAGS[s] ?? s).join(", "),
      policy: sym.includes("P"), l3: false, l2: false, dhcp: false,
      mtu: r.int("mtu"), qos: r.int("qos_map_index"), ref: r.int("ref_cnt"),
      // 255 (VR_MAX_MIRROR_INDICES) is "no mirror", which the utility does not print.
      mirrorIndex: mirror !== null && mirror >= 0 && mirror < 255 ? mirror : null,
      rxPackets: r.counter("ipackets", 64), rxBytes: r.counter("ibytes", 64), rxErrors: r.counter("ierrors", 64),
      txPackets: r.counter("opackets", 64), txBytes: r.counter("obytes", 64), txErrors: r.counter("oerrors", 64),
      drops: null, isid: null, bmac: null, core: null,
      rxDevicePackets: null, rxDeviceBytes: null, rxDeviceErrors: null, rxDeviceNoMbufs: null, rxPortPackets: null, rxPortErrors: null,
      rxPortSyscalls: null, rxPortNoMbufs: null, rxQueuePackets: null, rxQueueErrors: null, rxQueueErrorsToLcore: null,
      txQueuePackets: null, txQueueErrors: null, txPortPackets: null, txPortErrors: null, txPortSyscalls: null,
      txDevicePackets: null, txDeviceBytes: null, txDeviceErrors: null,
      fabricInterface: null, fabricStatus: null, fabricDriver: null, slaveInterfaces: null, vlanId: null, vlanFwdInterface: null,
      txXVif: null, ddp: null, swlb: null, vlanMode: null, vlans: null, nativeVlan: null, outerVlanId: null, extra: null,
    };
    warnings.push(...r.warnings);
    return vif;
  });
  return finish("vif", doc, rows, warnings, () => true);
}

/* ------------------------------------------------------------------ nh ----------------------------------------------- */

const NH_TYPES: Record<string, string> = { ENCAP: "Encap", TUNNEL: "Tunnel", DISCARD: "Drop", RECEIVE: "Receive", RESOLVE: "Resolve", COMPOSITE: "Composite", DEAD: "Dead" };
const NH_FLAGS: Record<string, string> = {
  VALID: "Valid", POLICY: "Policy", TUNNEL_GRE: "MPLSoGRE", TUNNEL_UDP: "Udp", TUNNEL_MPLS_UDP: "MPLSoUDP", ECMP: "Ecmp",
  FABRIC_MULTICAST: "Fabric", TUNNEL_SIP_COPY: "Copy SIP",
};

/**
 * `KNHResp` (`/Snh_KNHReq?nh_id=N`, `-1` for all) → `nh --get` / `nh --list` rows. Flags are the
 * agent's subset (valid, policy, the tunnel kind, ECMP, fabric multicast, SIP copy) in the utility's
 * words; a type the agent calls `INVALID` (L2 Receive, Vrf_Translate…) is kept as printed, with a warning.
 *
 * @example
 * const nh = parseIntrospectNh(xml).rows[0];
 * nh.tunnelType; // "MPLSoUDP"
 * nh.dip;        // "10.169.25.21"
 */
export function parseIntrospectNh(xml: string): IntrospectParseResult<NhRow> {
  const doc = readSandesh(xml, ["KNHInfo"]);
  const warnings: ParseWarning[] = [];
  const rows = doc.rows.map((row) => {
    const r = new Reader(row);
    const rawType = r.text("type") ?? "";
    const type = NH_TYPES[rawType] ?? rawType;
    if (!NH_TYPES[rawType]) r.warn(`KNHInfo.type ${JSON.stringify(rawType)}: not a type the agent names (kept as printed)`, rawType);
    const kflags = (r.text("flags") ?? "NIL").split("|").map((f) => f.trim()).filter((f) => f && f !== "NIL");
    const flags = kflags.map((f) => NH_FLAGS[f] ?? f);
    for (const f of kflags) if (!NH_FLAGS[f]) r.warn(`KNHInfo.flags: unknown flag ${f} (kept)`, f);
    const hex = r.text("encap");
    const bytes = hex && /^([0-9a-fA-F]{2})+$/.test(hex) ? hex.toLowerCase().match(/../g)! : [];
    if (hex && bytes.length === 0) r.warn(`KNHInfo.encap: expected hex bytes, got ${JSON.stringify(hex.slice(0, 40))}`, hex);
    const mac = (from: number) => (bytes.length >= from + 6 ? bytes.slice(from, from + 6).join(":") : null);
    const oifs = r.list("encap_oif_id").map((v) => str(v)).filter((v): v is string => v !== null && /^-?\d+$/.test(v)).map(Number);
    const subs = r.list("component_nh").filter((v): v is SandeshStruct => typeof v === "object" && !Array.isArray(v));
    const sub = subs.map((s) => {
      const id = Number(str(s.nh_id) ?? "NaN");
      const label = Number(str(s.label) ?? "-1");
      return `${id}` + (label >= 0 ? `(${label})` : "");
    });
    const fam = r.text("encap_family");
    const tunnelType =
      type !== "Tunnel" ? null : flags.includes("MPLSoGRE") ? "MPLSoGRE" : flags.includes("MPLSoUDP") ? "MPLSoUDP" : flags.includes("Udp") ? "UDP" : null;
    const tun = type === "Tunnel";
    const nh: NhRow = {
      line: row.line, id: r.int("id") ?? -1, type, family: r.text("family") ?? "", rid: r.int("rid"), refCount: r.int("ref_cnt"), vrf: r.int("vrf"),
      flags: flags.length ? flags.join(", ") : "None", valid: flags.includes("Valid"), policy: flags.includes("Policy"), ecmp: flags.includes("Ecmp"),
      tunnelType,
      // The utility prints `Oif:` for encap, tunnel and receive next hops only.
      oif: type === "Encap" || type === "Tunnel" || type === "Receive" ? oifs[0] ?? null : null,
      // `EncapFmly:%04x`: ETH_P_ARP is 0806, none 0000; anything else the agent calls INVALID.
      encapFamily: type === "Encap" ? (fam === "ETH_P_ARP" ? "0806" : fam === "NO_ENCAP" ? "0000" : fam) : null,
      encapLen: bytes.length ? bytes.length : null, encapData: bytes.length ? bytes.join(" ") : null,
      encapDstMac: mac(0), encapSrcMac: mac(6),
      sip: tun ? r.text("tun_sip") : null, dip: tun ? r.text("tun_dip") : null,
      sport: tun ? r.int("tun_sport") : null, dport: tun ? r.int("tun_dport") : null, nhVrf: null,
      subNhs: type === "Composite" ? sub.join(" ") : null, subNhCount: type === "Composite" ? sub.length : null, moreComponents: null,
      directNh: null, directLabel: null, l3VxlanMac: null, bmac: null, pbbLabel: null, transportLabel: null, cryptOif: null, validHashKeys: null,
      oifs: oifs.length > 1 ? oifs.join(" ") : null, nextNh: null, nextNhLabel: null, hitCount: null, ecmpWeights: null, frrState: null,
      frrUpdates: null, frrValidList: null, transportLabelCount: null, transportLabels: null, srv6BlockLen: null, srv6Block: null,
      containerCount: null, containerDips: null, extra: null,
    };
    warnings.push(...r.warnings);
    return nh;
  });
  return finish("nh", doc, rows, warnings, () => true);
}

/* ------------------------------------------------------------------ rt ----------------------------------------------- */

const RT_FAMILIES: Record<string, RtRow["family"]> = { AF_INET: "inet", AF_INET6: "inet6", AF_BRIDGE: "bridge" };

/**
 * `KRouteResp` (`/Snh_KRouteReq?vrf_id=V&family=inet` for a dump, `/Snh_KRouteGetReq?vrf_id=V&prefix=A&prefix_len=L`
 * for `rt --get`) → `rt` rows. `match` is the `rt --get` query when given. Only the label-valid (`L`) and
 * proxy-ARP (`P`) flags are sent; the label is `null` unless label-valid (the utility prints `-`); a
 * bridge route's MAC and index are read, an inet route has no stitched MAC in the answer.
 *
 * @example
 * const rt = parseIntrospectRt(xml, { match: "10.99.225.17/32" }).rows[0];
 * [rt.prefix, rt.label, rt.nh]; // ["10.99.225.17/32", 38, 51]
 */
export function parseIntrospectRt(xml: string, opts: { match?: string } = {}): IntrospectParseResult<RtRow> {
  const doc = readSandesh(xml, ["KRouteInfo"]);
  const warnings: ParseWarning[] = [];
  const rows = doc.rows.map((row) => {
    const r = new Reader(row);
    const fam = RT_FAMILIES[r.text("family") ?? ""] ?? "inet";
    if (!RT_FAMILIES[r.text("family") ?? ""]) r.warn(`KRouteInfo.family ${JSON.stringify(r.text("family"))}: read as inet`);
    const lf = (r.text("label_flags") ?? "").split(/\s+/);
    const labelValid = lf.includes("MPLS");
    const proxyArp = lf.includes("PROXY-ARP");
    const bridge = fam === "bridge";
    const address = bridge ? null : r.text("prefix");
    const plen = bridge ? null : r.int("prefix_len");
    const ppl = r.int("replace_plen");
    const rt: RtRow = {
      line: row.line, family: fam, vrf: r.int("vrf_id"), match: opts.match ?? null,
      prefix: address !== null && plen !== null ? `${address}/${plen}` : null, address, prefixLen: plen, ppl: bridge ? null : ppl,
      flags: (labelValid ? "L" : "") + (proxyArp ? "P" : ""), labelValid, proxyArp, trapArp: false, floodArp: false, macIpLearnt: false, dhcpFlood: false,
      label: labelValid ? r.int("label") : null, nh: r.int("nh_id"), stitchedMac: null, stitchedIndex: null,
      index: bridge ? r.int("index") : null, mac: bridge ? r.text("rtr_mac") : null, packets: null, extra: null,
    };
    warnings.push(...r.warnings);
    return rt;
  });
  return finish("rt", doc, rows, warnings, () => true);
}

/* ------------------------------------------------------------------ mpls --------------------------------------------- */

/**
 * `KMplsResp` (`/Snh_KMplsReq?mpls_label=L`, `-1` for all) → `mpls` rows. The agent sends the label in a
 * signed 16-bit field: a label above 32767 arrives negative and cannot be told apart from others, so it
 * is `null` with a warning.
 *
 * @example
 * parseIntrospectMpls(xml).rows; // [{ line: 1, label: 38, nh: 23 }]
 */
export function parseIntrospectMpls(xml: string): IntrospectParseResult<MplsRow> {
  const doc = readSandesh(xml, ["KMplsInfo"]);
  const warnings: ParseWarning[] = [];
  const rows = doc.rows.map((row) => {
    const r = new Reader(row);
    let label = r.int("label");
    if (label !== null && label < 0) {
      r.warn(`KMplsInfo.label ${label}: the agent's 16-bit label field wrapped (the label is above 32767); read as unknown`);
      label = null;
    }
    warnings.push(...r.warnings);
    return { line: row.line, label, nh: r.int("nhid") };
  });
  return finish("mpls", doc, rows, warnings, () => true);
}

/* ------------------------------------------------------------------ flow --------------------------------------------- */

const TCP_LETTERS: [string, string][] = [["SYN", "S"], ["SYN_R", "Sr"], ["ESTB", "E"], ["ESTB_R", "Er"], ["FIN", "F"], ["FIN_R", "Fr"], ["RST", "R"], ["HALF_CLOSE", "C"], ["DEAD", "D"]];
const FLOW_FLAG_LETTERS: [string, string][] = [["EVICTED", "E"], ["EVICT_CANDIDATE", "Ec"], ["NEW_FLOW", "N"], ["MODIFIED", "M"]];

/**
 * `KFlowResp` (`/Snh_KFlowReq?flow_idx=-1`, continued by `/Snh_NextKFlowReq?x=<flow_handle>` 100 entries
 * at a time) → `flow -l` rows. The action becomes the utility's `F`, `D(reason)`, `N(letters)`, `H`;
 * the TCP flags its letters. Not in the answer: the RPF next hop (`S(nh)`), `Sinfo`, HBS and the
 * overflow chain (`null`). The agent's flag list tests SPAT twice and never DPAT (tf-controller
 * `flow_kstate.cc`), so a destination port NAT does not show: `dpat` is false and `N(...)` lacks `Pd`.
 *
 * @example
 * const r = parseIntrospectFlow(xml);
 * r.rows[0].action; // "N(D)"
 * r.next;           // "Snh_NextKFlowReq?x=100" while more entries follow
 */
export function parseIntrospectFlow(xml: string): IntrospectParseResult<FlowEntry> {
  const doc = readSandesh(xml, ["KFlowInfo"]);
  const warnings: ParseWarning[] = [];
  const rows = doc.rows.map((row) => {
    const r = new Reader(row);
    const k = freshFlowKey();
    k.line = row.line;
    k.index = r.int("index") ?? -1;
    const rflow = r.int("rflow");
    k.rindex = rflow !== null && rflow >= 0 ? rflow : null;
    k.srcIp = r.text("sip") ?? "";
    k.dstIp = r.text("dip") ?? "";
    k.srcPort = r.int("sport") ?? 0;
    k.dstPort = r.int("dport") ?? 0;
    const proto = r.int("proto") ?? 0;
    // `byte` is signed in Sandesh: protocol numbers above 127 arrive negative.
    k.proto = proto < 0 ? proto + 256 : proto;
    k.vrf = r.int("vrf_id") ?? 0;
    const flags = (r.text("flags") ?? "").split("|").map((f) => f.trim()).filter(Boolean);
    const dvrf = r.int("d_vrf_id");
    k.vrfTranslated = flags.includes("VRFT");
    k.dvrf = k.vrfTranslated && dvrf !== null ? dvrf : k.vrf;
    k.family = k.srcIp.includes(":") || k.dstIp.includes(":") ? "inet6" : "inet";
    const a = freshAttrs();
    const act = r.text("action") ?? "";
    const nat = (flags.includes("SNAT") ? "S" : "") + (flags.includes("SPAT") ? "Ps" : "") + (flags.includes("DNAT") ? "D" : "") + (flags.includes("DPAT") ? "Pd" : "") + (flags.includes("LINK_LOCAL") ? "L" : "");
    a.action =
      act === "FORWARD" ? "F" : act === "DROP" ? `D(${r.text("drop_reason") ?? "Unknown"})` : act === "NAT" ? `N(${nat})` : act === "HOLD" ? "H" : act;
    if (!["FORWARD", "DROP", "NAT", "HOLD"].includes(act)) r.warn(`KFlowInfo.action ${JSON.stringify(act)}: kept as printed`, act);
    a.flowFlags = FLOW_FLAG_LETTERS.filter(([w]) => flags.includes(w)).map(([, l]) => l).join("");
    const tcpWords = (r.text("tcp_flags") ?? "").split("|").map((f) => f.trim()).filter(Boolean);
    a.tcpFlags = k.proto === 6 ? TCP_LETTERS.filter(([w]) => tcpWords.includes(w)).map(([, l]) => l).join("") : null;
    a.gen = r.int("gen_id");
    a.keyNh = r.int("nhid");
    a.qos = r.int("qos_id");
    a.ttl = r.int("ttl");
    a.udpSrcPort = r.int("underlay_udp_sport");
    a.ecmpIndex = r.int("ecmp_index");
    a.mirrorIndex = r.int("mirror_id");
    a.secondaryMirrorIndex = r.int("sec_mirror_id");
    a.underlayEcmpIndex = r.int("underlay_gw_index");
    a.packets = r.counter("pkts", 32) ?? 0;
    a.bytes = r.counter("bytes", 32) ?? 0;
    warnings.push(...r.warnings);
    return makeFlowRow(k, a, null);
  });
  // flow_handle "0" (or "0 evicted_set") means the table was read to its end.
  return finish("flow", doc, rows, warnings, (l) => l.field !== "flow_handle" || /^0(\s|$)/.test(l.value));
}
