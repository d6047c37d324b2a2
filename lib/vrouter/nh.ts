/**
 * `nh --get N` / `nh --list` → {@link NhRow} rows. Accepts the R2.x layout (Flags on the first line,
 * `Vrf:n  Sip:…  Dip:…` tunnel line), the R3.0–R3.2 transition, and R4.0 … TF master (Flags on line 2,
 * `Encap Data:`, `Sip:… Dip:…`), with any continuation indent and the doubled blank lines of pasted docs.
 */
import type { NhRow, ParseError, ParseWarning, VrouterParseResult } from "./types";
import { type SourceLine, errorAt, isBlank, isRule, splitLabels, toInt, warningAt } from "./text";
import { cleanLines } from "./hygiene";
import { RANGES, readChecked } from "./values";

export type { NhRow } from "./types";

const KNOWN_TYPES = new Set([
  "Dead",
  "Receive",
  "L2 Receive",
  "Encap",
  "Tunnel",
  "Drop",
  "Resolve",
  "Composite",
  "Vrf_Translate",
  "Invalid",
  "Indirect",
  "Receieve", // R1.x typo
  "Vxlan Vrf", // R1.x
]);

const KNOWN_FLAGS = new Set([
  "None",
  "Valid",
  "Policy",
  "Policy(R)",
  "Flow Lookup",
  "MPLSoGRE",
  "MPLSoMPLSoGRE",
  "MPLSoUDP",
  "MPLSoMPLSoUDP",
  "Udp",
  "Ecmp",
  "Fabric",
  "Evpn",
  "Tor",
  "Encap",
  "Multicast",
  "RouteLookup",
  "l3_vxlan",
  "Vxlan",
  "Unicast Flood",
  "Copy SIP",
  "Pbb",
  "Indirect",
  "Etree Root",
  "Mac Learn",
  "Evpn Control Word",
  "Encrypt Traffic",
  "Underlay Ecmp",
  "L2",
  "L3",
  "Multi Proto",
  "SRv6",
  "Weighted Ecmp",
  "FRR",
  "MPLS",
]);

const FIRST_LINE_LABELS = ["Id:", "Type:", "Fmly:", "Flags:", "Rid:", "Ref_cnt:", "Vrf:"];
const CONT_LABELS = [
  "Flags:",
  "Ref_cnt:",
  "Oif:",
  "EncapFmly:",
  "Len:",
  "Data:",
  "Encap Data:",
  "Flags ",
  "Sip:",
  "Dip:",
  "Vrf:",
  "Sport:",
  "Dport:",
  "Sub NH(label):",
  "Direct NH(label):",
  "Valid Hash Key Parameters:",
  "L3_Vxlan_Mac:",
  "Bmac:",
  "Label:",
  "Transport Label:",
  "CryptOif:",
  "EncapValid:",
  "Next NH:",
  "NH Label:",
  "NH Hit Count:",
  "ECMP Weights:",
  "FRR State:",
  "FRR Updates:",
  "FRR State Valid List:",
  "Number of Transport Labels:",
  "Transport Labels:",
  "Block Len:",
  "Block:",
  "Number of Containers:",
  "Container Dips:",
];

/** A continuation line whose indentation a page or an author flattened still starts with one of these. */
const FLAT_CONT_RE = /^(?:Flags:|EncapFmly:|Oif:|Encap Data:|Sip:|Sub NH\(label\):|Next NH:|ECMP Weights:|FRR State|Block Len:|Number of Containers:|Container Dips:|Vrf:\d+\s+Sip:)/;

// Members separated by mandatory whitespace: no ambiguous split of a digit run, so no backtracking blow-up.
const SUBNH_RE = /^-?\d+(?:\(-?\d+\))?(?:\s+-?\d+(?:\(-?\d+\))?)*(?:\s+and \d+ more components\.*)?\s*$/;

/** One composite member: next hop id and its label (`null` when printed without one). */
export interface SubNh {
  nh: number;
  label: number | null;
}

/**
 * Parses the `subNhs` column of an {@link NhRow} (`21(0) 50(10) -1`) into members.
 *
 * @example
 * subNhList({ subNhs: "21(0) 50(10) 7" }) // => [{ nh: 21, label: 0 }, { nh: 50, label: 10 }, { nh: 7, label: null }]
 */
export function subNhList(row: Pick<NhRow, "subNhs">): SubNh[] {
  const out: SubNh[] = [];
  if (row.subNhs === null || row.subNhs === undefined) return out;
  for (const tok of row.subNhs.split(/\s+/)) {
    const m = /^(-?\d+)(?:\((-?\d+)\))?$/.exec(tok);
    if (m) out.push({ nh: Number(m[1]), label: m[2] === undefined ? null : Number(m[2]) });
  }
  return out;
}

/** Normalises a flag list: drops the trailing `", "` and empty items. */
function normFlags(s: string): string[] {
  return s
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f !== "");
}

function tunnelTypeOf(type: string, flags: string[]): string | null {
  if (type !== "Tunnel") return null;
  if (flags.includes("SRv6")) return "SRv6";
  for (const f of flags) {
    if (f === "MPLSoGRE" || f === "MPLSoMPLSoGRE") return "MPLSoGRE";
    if (f === "MPLSoUDP" || f === "MPLSoMPLSoUDP") return "MPLSoUDP";
    if (f === "Vxlan") return "VXLAN";
    if (f === "Udp") return "UDP";
  }
  if (flags.includes("MPLS")) return "MPLS";
  return null;
}

/** Hex bytes → `aa:bb:…` for bytes [from, from+6). */
function macFrom(bytes: string[], from: number): string | null {
  if (bytes.length < from + 6) return null;
  const b = bytes.slice(from, from + 6);
  return b.every((x) => /^[0-9a-fA-F]{2}$/.test(x)) ? b.join(":").toLowerCase() : null;
}

interface Rec {
  first: SourceLine;
  lines: SourceLine[];
}

/**
 * Parses `nh --get` / `nh --list` output into one {@link NhRow} per record (a `--get` on a composite
 * prints the composite and then its members: one row each).
 *
 * @example
 * const r = parseNh(
 *   "Id:21         Type:Tunnel         Fmly: AF_INET  Rid:0  Ref_cnt:1     Vrf:0\n" +
 *   "              Flags:Valid, MPLSoUDP, Etree Root,\n" +
 *   "              Oif:0 Len:14 Data:00 1b 21 bb f9 46 00 1b 21 bb f9 48 08 00\n" +
 *   "              Sip:8.0.0.2 Dip:8.0.0.3\n");
 * r.rows[0].dip // => "8.0.0.3"
 * r.rows[0].tunnelType // => "MPLSoUDP"
 */
export function parseNh(text: string): VrouterParseResult<NhRow> {
  const { lines, commands, warnings } = cleanLines(typeof text === "string" ? text : String(text), "nh", { strayColons: true });
  const errors: ParseError[] = [];
  const rows: NhRow[] = [];
  let cur: Rec | null = null;
  const flush = (): void => {
    if (cur !== null) {
      const row = buildNh(cur, errors, warnings);
      if (row !== null) rows.push(row);
    }
    cur = null;
  };
  for (const sl of lines) {
    if (sl.boundary) {
      flush();
      continue;
    }
    const t = sl.text;
    if (isBlank(t) || isRule(t)) continue;
    const lead = t.length - t.trimStart().length;
    if (t.startsWith("Id:", lead)) {
      flush();
      cur = { first: sl, lines: [] };
      continue;
    }
    if (cur !== null && (lead > 0 || FLAT_CONT_RE.test(t))) {
      (cur as Rec).lines.push(sl);
      continue;
    }
    flush();
    if (sl.filtered && lead > 0) {
      // `nh --list | grep -A/-B`: the rest of a record whose `Id:` line the filter dropped.
      warnings.push(warningAt(sl, lead, "line of a partial record (grep context) skipped", t.trim()));
      continue;
    }
    errors.push(errorAt(sl, lead, "unexpected line: expected a next hop record (`Id:n  Type:…`)"));
  }
  flush();
  return { kind: "nh", rows, warnings, errors, commands };
}

function buildNh(rec: Rec, errors: ParseError[], warnings: ParseWarning[]): NhRow | null {
  const sl = rec.first;
  const t = sl.text;
  const { fields, lead } = splitLabels(t, FIRST_LINE_LABELS);
  const get = (l: string): string | undefined => fields.get(l)?.value;
  const id = toInt(get("Id:"));
  if (id === null) {
    errors.push(errorAt(sl, t.indexOf("Id:") + 3, "expected a numeric next hop id after `Id:`"));
    return null;
  }
  if (lead !== "") warnings.push(warningAt(sl, 0, "text before `Id:` ignored", lead));
  const type = get("Type:") ?? "";
  if (type === "") errors.push(errorAt(sl, 0, `nh ${id}: missing \`Type:\``));
  else if (!KNOWN_TYPES.has(type)) warnings.push(warningAt(sl, fields.get("Type:")?.col0 ?? 0, `nh ${id}: unknown next hop type \`${type}\` kept raw`, type));
  const family = (get("Fmly:") ?? "").trim();
  let flagsRaw = get("Flags:");
  let rid = toInt(get("Rid:"));
  let refCount = toInt(get("Ref_cnt:"));
  const vrf = toInt(get("Vrf:"));
  const extra: string[] = [];

  let oif: number | null = null;
  let encapFamily: string | null = null;
  let encapLen: number | null = null;
  let encapData: string | null = null;
  let sip: string | null = null;
  let dip: string | null = null;
  let sport: number | null = null;
  let dport: number | null = null;
  let nhVrf: number | null = null;
  let subNhs: string | null = null;
  let moreComponents: number | null = null;
  let directNh: number | null = null;
  let directLabel: number | null = null;
  let l3VxlanMac: string | null = null;
  let bmac: string | null = null;
  let pbbLabel: number | null = null;
  let transportLabel: number | null = null;
  let cryptOif: number | null = null;
  let validHashKeys: string | null = null;
  let nextNh: number | null = null;
  let nextNhLabel: number | null = null;
  let hitCount: number | null = null;
  let ecmpWeights: string | null = null;
  let frrState: string | null = null;
  let frrUpdates: number | null = null;
  let frrValidList: string | null = null;
  let transportLabelCount: number | null = null;
  let transportLabels: string | null = null;
  let srv6BlockLen: number | null = null;
  let srv6Block: string | null = null;
  let containerCount: number | null = null;
  let containerDips: string | null = null;
  const oifs: number[] = [];
  let inSubNh = false;
  /** A number, tolerating one stray `:`/`,` after it (`Oif:0:` of an edited paste), with a warning. */
  const numOf = (cl: SourceLine, col: number, label: string, v: string): number | null => {
    const n = toInt(v);
    if (n !== null) return n;
    const m = /^(-?\d{1,20})[:,;]$/.exec(v);
    if (m === null) return null;
    warnings.push({ ...warningAt(cl, col, `nh ${id}: stray \`${v.slice(-1)}\` after \`${label}${m[1]}\` ignored`, v), kind: "value" });
    return Number(m[1]);
  };
  const list = (v: string): string => v.split(/[\s,]+/).filter((x) => x !== "").join(" ");

  for (const cl of rec.lines) {
    const body = cl.text.trim();
    const col = cl.text.length - cl.text.trimStart().length;
    if (inSubNh && SUBNH_RE.test(body)) {
      const more = /\s*and (\d+) more components\.*\s*$/.exec(body);
      if (more) moreComponents = Number(more[1]);
      subNhs = `${subNhs ?? ""} ${more ? body.slice(0, more.index) : body}`.trim().split(/\s+/).join(" ");
      continue;
    }
    inSubNh = false;
    const sp = splitLabels(body, CONT_LABELS);
    if (sp.lead !== "" || sp.order.length === 0) {
      extra.push(body);
      warnings.push(warningAt(cl, col, `nh ${id}: unknown line kept in \`extra\``, body));
      continue;
    }
    for (const r of sp.repeats) {
      // Several `Oif:` on one line (underlay ECMP): every one is an outgoing interface.
      const o = /^Oif:(-?\d+)/.exec(r);
      if (o) oifs.push(Number(o[1]));
      extra.push(r);
    }
    for (const label of sp.order) {
      const f = sp.fields.get(label);
      if (f === undefined) continue;
      const v = f.value;
      const numLabel = label === "Oif:" || label === "Len:" || label === "Ref_cnt:" || label === "Vrf:";
      const n = numLabel ? numOf(cl, col + f.col0, label, v) : null;
      switch (label) {
        case "Flags:":
          flagsRaw = v;
          break;
        case "Flags ": // R3.0–R3.2 tunnel line repeats the flags
          break;
        case "Ref_cnt:":
          refCount = n;
          break;
        case "Oif:":
          // SRv6 / underlay-ECMP tunnels print one `Oif:` line per path: the first is `oif`, all are `oifs`.
          if (oif === null) oif = n;
          if (n !== null) oifs.push(n);
          break;
        case "EncapFmly:":
          encapFamily = v;
          break;
        case "Len:":
          if (encapLen === null) encapLen = n;
          break;
        case "Data:":
        case "Encap Data:":
          if (encapData === null) encapData = v === "" || v === "NULL" ? null : v.split(/\s+/).join(" ");
          break;
        case "Sip:":
          sip = v;
          break;
        case "Dip:":
          dip = v;
          break;
        case "Vrf:":
          nhVrf = n;
          break;
        case "Sport:":
          sport = readChecked(v, RANGES.port, cl, col + f.col0, `nh ${id}: Sport`, warnings);
          break;
        case "Dport:":
          dport = readChecked(v, RANGES.port, cl, col + f.col0, `nh ${id}: Dport`, warnings);
          break;
        case "Next NH:":
          nextNh = toInt(v);
          break;
        case "NH Label:":
          nextNhLabel = toInt(v);
          break;
        case "NH Hit Count:":
          hitCount = readChecked(v, RANGES.count, cl, col + f.col0, `nh ${id}: NH Hit Count`, warnings);
          break;
        case "ECMP Weights:":
          ecmpWeights = list(v);
          break;
        case "FRR State:":
          frrState = v.split(/\s+/).join(" ");
          break;
        case "FRR Updates:":
          frrUpdates = toInt(v);
          break;
        case "FRR State Valid List:":
          frrValidList = list(v);
          break;
        case "Number of Transport Labels:":
          transportLabelCount = toInt(v);
          break;
        case "Transport Labels:":
          transportLabels = list(v);
          break;
        case "Block Len:":
          srv6BlockLen = toInt(v);
          break;
        case "Block:":
          srv6Block = v;
          break;
        case "Number of Containers:":
          containerCount = toInt(v);
          break;
        case "Container Dips:": {
          // `Container Dips:[1]: 2001:db8:4800:e001:: [2]: …`: the SRv6 SIDs (micro-SID containers) in order.
          const dips = [...v.matchAll(/\[\d+\]:\s*(\S+)/g)].map((x) => x[1]);
          const all = dips.length > 0 ? dips : v.split(/\s+/).filter((x) => x !== "");
          containerDips = containerDips === null ? all.join(" ") : `${containerDips} ${all.join(" ")}`;
          break;
        }
        case "Sub NH(label):": {
          const m = /\s*and (\d+) more components\.*\s*$/.exec(v);
          if (m) moreComponents = Number(m[1]);
          subNhs = (m ? v.slice(0, m.index) : v).trim().split(/\s+/).join(" ");
          inSubNh = true;
          break;
        }
        case "Direct NH(label):": {
          const m = /^(-?\d+)\((-?\d+)\)/.exec(v);
          directNh = m ? Number(m[1]) : toInt(v);
          directLabel = m ? Number(m[2]) : null;
          break;
        }
        case "Valid Hash Key Parameters:":
          validHashKeys = v;
          break;
        case "L3_Vxlan_Mac:":
          l3VxlanMac = v;
          break;
        case "Bmac:":
          bmac = v;
          break;
        case "Label:":
          pbbLabel = toInt(v);
          break;
        case "Transport Label:":
          transportLabel = toInt(v);
          break;
        case "CryptOif:":
          cryptOif = toInt(v);
          break;
        default:
          extra.push(`${label}${v}`);
      }
      if (
        ((numLabel && n === null) || ((label === "Sport:" || label === "Dport:") && !/^-?\d+$/.test(v)))
      ) {
        errors.push(errorAt(cl, col + f.col0, `nh ${id}: expected a number after \`${label}\``));
      }
    }
  }
  if (rid === null && get("Rid:") !== undefined) errors.push(errorAt(sl, fields.get("Rid:")?.col0 ?? 0, `nh ${id}: expected a number after \`Rid:\``));
  if (rid === null) rid = null;
  const flags = normFlags(flagsRaw ?? "");
  for (const f of flags) {
    if (!KNOWN_FLAGS.has(f)) warnings.push(warningAt(sl, 0, `nh ${id}: unknown flag \`${f}\` kept raw`, f));
  }
  const bytes = encapData === null ? [] : encapData.split(" ");
  return {
    line: sl.index + 1,
    id,
    type,
    family,
    rid,
    refCount,
    vrf,
    flags: flags.join(", "),
    valid: flags.includes("Valid"),
    policy: flags.includes("Policy") || flags.includes("Policy(R)"),
    ecmp: flags.includes("Ecmp"),
    tunnelType: tunnelTypeOf(type, flags),
    oif,
    encapFamily,
    encapLen,
    encapData,
    encapDstMac: macFrom(bytes, 0),
    encapSrcMac: macFrom(bytes, 6),
    sip,
    dip,
    sport,
    dport,
    nhVrf,
    subNhs,
    subNhCount: subNhs === null ? null : subNhs.split(" ").filter((x) => x !== "").length,
    moreComponents,
    directNh,
    directLabel,
    l3VxlanMac,
    bmac,
    pbbLabel,
    transportLabel,
    cryptOif,
    validHashKeys,
    oifs: oifs.length === 0 ? null : oifs.join(" "),
    nextNh,
    nextNhLabel,
    hitCount,
    ecmpWeights,
    frrState,
    frrUpdates,
    frrValidList,
    transportLabelCount,
    transportLabels,
    srv6BlockLen,
    srv6Block,
    containerCount,
    containerDips,
    extra: extra.length === 0 ? null : extra.join("; "),
  };
}
