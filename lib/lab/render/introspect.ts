/**
 * Renders the lab's vRouter tables as the agent's kstate introspect answers them (Sandesh XML:
 * `KInterfaceResp`, `KNHResp`, `KRouteResp`, `KMplsResp`, `KFlowResp`), from the same model the `vif`,
 * `nh`, `rt`, `mpls` and `flow` renderers print, so the two doors agree, faults included. The agent's
 * own wording is kept (tf-controller `src/vnsw/agent/kstate/`): `TUNNEL_GRE`, `DISCARD`, ` SYN | ESTB `,
 * the flag list that tests SPAT twice and never DPAT, lists of more than 100 entries sent as parts with
 * `more` and wrapped in `<__KNHResp_list type="slist">`, flows 100 per page with a `flow_handle` link.
 * Values the model does not hold (MTU, OS index) are left out rather than invented.
 */
import { TCP, type FlowEntry, type FlowTable } from "../flowtable";
import { lookupRoute, type ComputeState, type NextHop, type Route, type Vif } from "../model";
import { decodeVifFlags } from "../../vrouter/vif";

/** Entries per response part (the agent's `KState::kMaxEntriesPerResponse`). */
export const KSTATE_PAGE = 100;

const STYLESHEET = '<?xml-stylesheet type="text/xsl" href="/universal_parse.xsl"?>';

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

type Field = [name: string, type: string, id: number, value: string | number, link?: string];

function field([name, type, id, value, link]: Field): string {
  return `<${name} type="${type}" identifier="${id}"${link ? ` link="${link}"` : ""}>${esc(String(value))}</${name}>`;
}

function struct(type: string, fields: (Field | string | null)[]): string {
  return `<${type}>${fields.filter((f): f is Field | string => f !== null).map((f) => (typeof f === "string" ? f : field(f))).join("")}</${type}>`;
}

function list(name: string, id: number, itemType: string, items: string[]): string {
  return `<${name} type="list" identifier="${id}"><list type="${itemType}" size="${items.length}">${items.join("")}</list></${name}>`;
}

/** One answer of `items` (struct XML) in parts of {@link KSTATE_PAGE}, as the agent sends a list response. */
function parts(resp: string, listName: string, itemType: string, items: string[], tail = ""): string {
  if (items.length <= KSTATE_PAGE) {
    return `${STYLESHEET}<${resp} type="sandesh">${list(listName, 1, "struct", items)}${tail}${field(["more", "bool", 0, "false"])}</${resp}>`;
  }
  let out = `${STYLESHEET}<__${resp}_list type="slist">`;
  for (let i = 0; i < items.length; i += KSTATE_PAGE) {
    const last = i + KSTATE_PAGE >= items.length;
    out += `<${resp} type="sandesh">${list(listName, 1, "struct", items.slice(i, i + KSTATE_PAGE))}${last ? tail : ""}${field(["more", "bool", 0, last ? "false" : "true"])}</${resp}>`;
  }
  void itemType;
  return out + `</__${resp}_list>`;
}

/**
 * The agent's refusal for an object the vRouter does not have.
 *
 * @example
 * renderIntrospectError("InternalErrResp"); // '<?xml-stylesheet …?><InternalErrResp type="sandesh"><resp …>   Internal Error !!!   </resp></InternalErrResp>'
 */
export function renderIntrospectError(kind: "ErrResp" | "InternalErrResp", text?: string): string {
  const msg = text ?? (kind === "ErrResp" ? "   Invalid Input !!!   " : "   Internal Error !!!   ");
  return `${STYLESHEET}<${kind} type="sandesh">${field(["resp", "string", 1, msg])}</${kind}>`;
}

/* ----------------------------------------------------------- interfaces ---------------------------------------------- */

const VIF_TYPE: Record<Vif["type"], string> = { Host: "HOST", Agent: "AGENT", Physical: "PHYSICAL", Virtual: "VIRTUAL", Stats: "INVALID" };

function vifFlags(v: Vif): string {
  const sym = decodeVifFlags(v.flags).symbols;
  if (sym.length === 0) return "NIL";
  return (sym.includes("P") ? "POLICY " : "") + (sym.includes("Mr") ? "MIRR_RX " : "") + (sym.includes("Mt") ? "MIRR_TX " : "");
}

function vifInfo(v: Vif): string {
  return struct("KInterfaceInfo", [
    ["idx", "i32", 1, v.idx], ["type", "string", 2, VIF_TYPE[v.type]], ["flags", "string", 3, vifFlags(v)], ["vrf", "i32", 4, v.vrf, "KRouteReq"],
    ["rid", "i32", 5, 0], ["name", "string", 8, v.os],
    ["ibytes", "i64", 9, v.rxBytes], ["ipackets", "i64", 10, v.rxPackets], ["ierrors", "i64", 11, 0],
    ["obytes", "i64", 12, v.txBytes], ["opackets", "i64", 13, v.txPackets], ["oerrors", "i64", 14, 0],
    ["ref_cnt", "i32", 15, v.ref], ["mac", "string", 16, v.mac], ["ip", "string", 17, v.ip], ["mirror_id", "byte", 18, -1],
    ["speed", "i32", 19, v.speed ?? -1], ["duplexity", "i32", 20, v.type === "Physical" && v.speed !== undefined ? 1 : -1], ["qos_map_index", "i32", 21, v.qos],
    ["parent_vif_id", "i32", 42, -1], ["nh_id", "i16", 44, v.nh],
  ]);
}

/**
 * `KInterfaceReq` (`if_id` -1 for all): every vif, or the one asked (`InternalErrResp` when absent, as
 * `vif --get` fails).
 *
 * @example
 * renderKInterfaceResp(model.computes.get("cent222")!, -1);
 */
export function renderKInterfaceResp(c: ComputeState, ifId: number): string {
  if (ifId >= 0) {
    const v = c.vifs.get(ifId);
    return v ? parts("KInterfaceResp", "if_list", "struct", [vifInfo(v)]) : renderIntrospectError("InternalErrResp");
  }
  return parts("KInterfaceResp", "if_list", "struct", [...c.vifs.values()].sort((a, b) => a.idx - b.idx).map(vifInfo));
}

/* ----------------------------------------------------------- next hops ----------------------------------------------- */

const NH_TYPE: Record<NextHop["type"], string> = { Drop: "DISCARD", Resolve: "RESOLVE", Receive: "RECEIVE", Encap: "ENCAP", Tunnel: "TUNNEL", Composite: "COMPOSITE" };
// The agent's NHKState::FlagsToString, in its order (other flags of the utility are not in the answer).
const NH_FLAG_ORDER: [string, string][] = [["Valid", "VALID "], ["Policy", "POLICY "], ["MPLSoGRE", "TUNNEL_GRE "], ["Udp", "TUNNEL_UDP "], ["MPLSoUDP", "TUNNEL_MPLS_UDP "], ["Ecmp", "ECMP"], ["Fabric", "FABRIC_MULTICAST"], ["Copy SIP", "TUNNEL_SIP_COPY "]];

function nhFlags(nh: NextHop): string {
  const words = NH_FLAG_ORDER.filter(([f]) => nh.flags.includes(f)).map(([, w]) => w);
  return words.length ? words.map((w, i) => (i ? `| ${w}` : w)).join("") : "NIL";
}

// NHKState::EncapFamilyToString: ETH_P_ARP, NO_ENCAP (0), else INVALID. The model's encap NHs print `EncapFmly:` as given, 0806 by default.
function encapFamilyWord(nh: NextHop): string {
  if (nh.type !== "Encap") return "NO_ENCAP";
  const f = nh.encapFamily ?? "0806";
  return f === "0806" ? "ETH_P_ARP" : /^0+$/.test(f) ? "NO_ENCAP" : "INVALID";
}

function nhInfo(nh: NextHop): string {
  const tunnel = nh.type === "Tunnel";
  const data = nh.data ?? [];
  return struct("KNHInfo", [
    ["id", "i32", 1, nh.id], ["type", "string", 2, NH_TYPE[nh.type]], ["family", "string", 3, nh.family], ["rid", "i32", 4, 0],
    ["vrf", "i32", 5, nh.vrf, "KRouteReq"], ["flags", "string", 6, nhFlags(nh)], ["ref_cnt", "i32", 7, nh.refCnt],
    nh.type !== "Composite" ? ["encap_family", "string", 8, encapFamilyWord(nh)] : null,
    nh.type !== "Composite" ? list("encap_oif_id", 9, "i32", [`<element>${nh.oif ?? 0}</element>`]) : null,
    data.length ? ["encap_len", "i32", 10, data.length] : null,
    tunnel ? ["tun_sip", "string", 11, nh.sip ?? "0.0.0.0"] : null,
    tunnel ? ["tun_dip", "string", 12, nh.dip ?? "0.0.0.0"] : null,
    data.length ? ["encap", "string", 15, data.map((b) => b.toString(16).padStart(2, "0")).join("")] : null,
    nh.type === "Composite"
      ? list("component_nh", 16, "struct", (nh.sub ?? []).map((s) => struct("KComponentNH", [["nh_id", "i32", 1, s.nh, "KNHReq"], ["label", "i32", 2, s.label, "KMplsInfo"]])))
      : null,
  ]);
}

/**
 * `KNHReq` (`nh_id` -1 for all): every next hop, or the one asked (`InternalErrResp` when absent, as
 * `nh --get` fails). Unlike `nh --get`, a composite's members are not added: the agent answers one id.
 *
 * @example
 * renderKNHResp(model.computes.get("cent222")!, 51);
 */
export function renderKNHResp(c: ComputeState, nhId: number): string {
  if (nhId >= 0) {
    const nh = c.nhs.get(nhId);
    return nh ? parts("KNHResp", "nh_list", "struct", [nhInfo(nh)]) : renderIntrospectError("InternalErrResp");
  }
  return parts("KNHResp", "nh_list", "struct", [...c.nhs.values()].sort((a, b) => a.id - b.id).map(nhInfo));
}

/* ----------------------------------------------------------- routes -------------------------------------------------- */

function routeInfo(r: Route): string {
  const labelValid = r.flags.includes("L") && r.label !== null;
  const proxy = r.flags.includes("P");
  const lf = !labelValid && !proxy ? "--NONE--" : (labelValid ? "MPLS " : "") + (proxy ? "PROXY-ARP" : "");
  return struct("KRouteInfo", [
    ["vrf_id", "i32", 1, r.vrf], ["family", "string", 2, "AF_INET"], ["prefix", "string", 3, r.prefix], ["prefix_len", "i32", 4, r.plen],
    ["rid", "i16", 5, 0], ["label_flags", "string", 6, lf], ["label", "i32", 7, labelValid ? r.label! : 0], ["nh_id", "i32", 8, r.nh, "KNHReq"],
    ["replace_plen", "i32", 10, r.ppl],
  ]);
}

/**
 * `KRouteReq` (a VRF's inet routes) or, with `get`, `KRouteGetReq` (the longest-prefix match of an
 * address, as `rt --get` prints it; no route gives an empty list, as `rt --get` prints no row).
 *
 * @example
 * renderKRouteResp(model.computes.get("cent222")!, 2, { prefix: "10.99.225.17", plen: 32 });
 */
export function renderKRouteResp(c: ComputeState, vrf: number, get?: { prefix: string; plen: number }): string {
  if (get) {
    const r = lookupRoute(c, vrf, get.prefix);
    return parts("KRouteResp", "rt_list", "struct", r && r.plen <= get.plen ? [routeInfo(r)] : []);
  }
  return parts("KRouteResp", "rt_list", "struct", (c.routes.get(vrf) ?? []).map(routeInfo));
}

/* ----------------------------------------------------------- labels -------------------------------------------------- */

/**
 * `KMplsReq` (`mpls_label` -1 for all): the label map, or one label (an empty list when absent, as
 * `mpls --get` prints no row). The agent's label field is 16 bits: the lab's labels fit.
 *
 * @example
 * renderKMplsResp(model.computes.get("cent333")!, 38);
 */
export function renderKMplsResp(c: ComputeState, label: number): string {
  const info = (l: number, nh: number) => struct("KMplsInfo", [["label", "i16", 1, l > 32767 ? l - 65536 : l], ["rid", "i16", 2, 0], ["nhid", "i32", 3, nh, "KNHReq"]]);
  if (label >= 0) {
    const nh = c.mpls.get(label);
    return parts("KMplsResp", "mpls_list", "struct", nh === undefined ? [] : [info(label, nh)]);
  }
  return parts("KMplsResp", "mpls_list", "struct", [...c.mpls.entries()].sort((a, b) => a[0] - b[0]).map(([l, n]) => info(l, n)));
}

/* ----------------------------------------------------------- flows --------------------------------------------------- */

// FlowKState::SetFlowData's flag tests, in its order: SPAT twice, DPAT never.
const FLOW_FLAG_TESTS = ["ACTIVE", "MIRROR", "VRFT", "SNAT", "SPAT", "DNAT", "SPAT", "LINK_LOCAL", "EVICTED", "EVICT_CANDIDATE", "NEW_FLOW", "MODIFIED", "RFLOW_VALID"];
const TCP_TESTS: [number, string][] = [[TCP.SYN, "SYN"], [TCP.SYN_R, "SYN_R"], [TCP.ESTABLISHED, "ESTB"], [TCP.ESTABLISHED_R, "ESTB_R"], [TCP.FIN, "FIN"], [TCP.FIN_R, "FIN_R"], [TCP.RST, "RST"], [TCP.HALF_CLOSE, "HALF_CLOSE"], [TCP.DEAD, "DEAD"]];

function joinFlags(words: string[]): string {
  return words.map((w, i) => (i ? `| ${w} ` : ` ${w} `)).join("");
}

function flowInfo(e: FlowEntry): string {
  const set = new Set<string>(["ACTIVE"]);
  if (e.dvrf !== undefined) set.add("VRFT");
  if (e.action === "N") {
    if (e.nat.s) set.add("SNAT");
    if (e.nat.ps) set.add("SPAT");
    if (e.nat.d) set.add("DNAT");
    if (e.nat.pd) set.add("DPAT");
  }
  for (const f of e.flags) {
    const w = ({ E: "EVICTED", Ec: "EVICT_CANDIDATE", N: "NEW_FLOW", M: "MODIFIED" } as Record<string, string>)[f];
    if (w) set.add(w);
  }
  if (e.rindex >= 0) set.add("RFLOW_VALID");
  const flags = joinFlags(FLOW_FLAG_TESTS.filter((w) => set.has(w)));
  const action = { F: "FORWARD", D: "DROP", N: "NAT", H: "HOLD" }[e.action];
  return struct("KFlowInfo", [
    ["index", "i32", 1, e.index], ["rflow", "i32", 2, e.rindex], ["sip", "string", 3, e.sip], ["sport", "i32", 4, e.sport],
    ["dip", "string", 5, e.dip], ["dport", "i32", 6, e.dport], ["proto", "byte", 7, e.proto > 127 ? e.proto - 256 : e.proto], ["vrf_id", "i16", 8, e.vrf],
    ["action", "string", 9, action], ["flags", "string", 10, flags], ["d_vrf_id", "i16", 11, e.dvrf ?? e.vrf],
    ["bytes", "i32", 12, e.bytes | 0], ["pkts", "i32", 13, e.packets | 0], ["insight", "i32", 14, 0],
    e.proto === 6 ? ["tcp_flags", "string", 20, joinFlags(TCP_TESTS.filter(([b]) => e.tcp & b).map(([, w]) => w))] : null,
    e.action === "D" ? ["drop_reason", "string", 21, e.dropReason ?? "Unknown"] : null,
    ["nhid", "i32", 18, e.keyNh], ["underlay_udp_sport", "u16", 19, e.udpSport], ["ttl", "u16", 22, e.ttl], ["qos_id", "i16", 23, e.qos],
    ["gen_id", "i16", 24, e.gen],
  ]);
}

/**
 * `KFlowReq` (`flow_idx` -1 for the table, from its start) and `NextKFlowReq` (`x` = the handle the
 * previous page gave): up to {@link KSTATE_PAGE} active entries from index `from`, with the
 * `flow_handle` to ask next (`0` when the table was read to its end). One index: that entry, or
 * `ErrResp` when it is not active.
 *
 * @example
 * renderKFlowResp(node.flows, { from: 0 }); // first page
 */
export function renderKFlowResp(t: FlowTable, q: { index?: number; from?: number }): string {
  if (q.index !== undefined && q.index >= 0) {
    const e = t.get(q.index);
    return e ? parts("KFlowResp", "flow_list", "struct", [flowInfo(e)], field(["flow_handle", "string", 2, "0", "NextKFlowReq"])) : renderIntrospectError("ErrResp");
  }
  const from = q.from ?? 0;
  const all = t.entries();
  // First entry at or after `from` (entries are sorted by index).
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid]!.index < from) lo = mid + 1;
    else hi = mid;
  }
  const page = all.slice(lo, lo + KSTATE_PAGE);
  const next = all.length > lo + KSTATE_PAGE ? String(all[lo + KSTATE_PAGE]!.index) : "0";
  const body = `<KFlowResp type="sandesh">${list("flow_list", 1, "struct", page.map(flowInfo))}${field(["flow_handle", "string", 2, next, "NextKFlowReq"])}${field(["more", "bool", 0, "false"])}</KFlowResp>`;
  return STYLESHEET + body;
}
