/**
 * Junos `show route … | display json` and `| display xml`: both carry the same element names
 * (route-information → route-table → rt → rt-entry → nh), JSON as `[{"data": …, "attributes": …}]`
 * arrays, XML as elements. One walker reads both through {@link StructNode}; a reply filtered down to
 * `rt` or `rt-entry` elements (`| display xml | match …`, an XPath `%` filter) is read too.
 */
import type { JunosRouteRow, ParseWarning } from "./types";
import { addLabelOperation, emptyNextHop, parseJunosNextHop, tunnelOfInterface, type JunosNextHop } from "./junos-nexthop";
import { boundedInt, emptyRoute, finishRoute, U32 } from "./junos-row";
import { xmlFindAll, type XmlElement } from "./xml";

/** A JSON object or an XML element, seen the same way. */
export interface StructNode {
  /** 1-based line where the node starts (best effort for JSON). */
  line: number;
  /** Text of the first child `key` (`""` for an empty/flag element), undefined when absent. */
  text(key: string): string | undefined;
  /** Every child `key`. */
  list(key: string): StructNode[];
  /** Attribute `name` (local name) of the first child `key`. */
  attr(key: string, name: string): string | undefined;
  /** The node's own text (`data` in JSON). */
  self(): string | undefined;
}

type J = Record<string, unknown>;

function localKey(k: string): string {
  const c = k.lastIndexOf(":");
  return c >= 0 ? k.slice(c + 1) : k;
}

/**
 * Wraps a parsed `| display json` value.
 *
 * @example
 * jsonNode({ a: [{ data: "x" }] }, 1).text("a") // => "x"
 */
export function jsonNode(v: unknown, line: number, lineOf?: (needle: string) => number): StructNode {
  const o = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as J) : {};
  const first = (key: string): J | undefined => {
    const a = o[key];
    if (!Array.isArray(a) || a.length === 0) return undefined;
    const f: unknown = a[0];
    return f !== null && typeof f === "object" ? (f as J) : undefined;
  };
  return {
    line,
    text(key) {
      const f = first(key);
      if (f === undefined) return undefined;
      const d = f.data;
      if (typeof d === "string") return d;
      if (typeof d === "number" && Number.isFinite(d)) return String(d);
      if (Array.isArray(d) || d === null || d === undefined) return ""; // [null]: a flag element
      return undefined;
    },
    list(key) {
      const a = o[key];
      if (!Array.isArray(a)) return [];
      return a.map((x) => {
        let l = line;
        if (lineOf !== undefined && key === "rt" && x !== null && typeof x === "object") {
          const dest = jsonNode(x, line).text("rt-destination");
          if (dest !== undefined && dest !== "") l = lineOf(dest);
        }
        return jsonNode(x, l, lineOf);
      });
    },
    self() {
      const d = o.data;
      return typeof d === "string" ? d : typeof d === "number" && Number.isFinite(d) ? String(d) : undefined;
    },
    attr(key, name) {
      const at = first(key)?.attributes;
      if (at === null || typeof at !== "object") return undefined;
      for (const [k, val] of Object.entries(at as J)) if (localKey(k) === name && (typeof val === "string" || typeof val === "number")) return String(val);
      return undefined;
    },
  };
}

/**
 * Wraps an XML element.
 *
 * @example
 * xmlNode(parseXml("<a><b>x</b></a>").root.children[0]).text("b") // => "x"
 */
export function xmlNode(el: XmlElement): StructNode {
  const child = (key: string): XmlElement | undefined => el.children.find((c) => c.name === key);
  return {
    line: el.line,
    text(key) {
      const c = child(key);
      return c === undefined ? undefined : c.text.trim();
    },
    list(key) {
      return el.children.filter((c) => c.name === key).map(xmlNode);
    },
    attr(key, name) {
      return child(key)?.attrs[name];
    },
    self() {
      return el.text.trim();
    },
  };
}

/**
 * The route tables of a JSON reply (`route-information` objects at the top or in an array).
 *
 * @example
 * jsonTables({ "route-information": [{ "route-table": [{}] }] }, () => 1).tables.length // => 1
 */
export function jsonTables(doc: unknown, lineOf: (needle: string) => number): { tables: StructNode[]; found: boolean } {
  const docs = Array.isArray(doc) ? doc : [doc];
  const tables: StructNode[] = [];
  let found = false;
  for (const d of docs) {
    const top = jsonNode(d, 1, lineOf);
    for (const info of top.list("route-information")) {
      found = true;
      tables.push(...info.list("route-table"));
    }
  }
  return { tables, found };
}

/**
 * The route tables of an XML reply; when the reply holds no `route-table` (filtered output), the `rt`
 * (or bare `rt-entry`) elements found, to be read as an unnamed table.
 *
 * @example
 * xmlTables(parseXml("<rt><rt-destination>1.1.1.1/32</rt-destination></rt>").root).loose.length // => 1
 */
export function xmlTables(root: XmlElement): { tables: StructNode[]; loose: StructNode[]; looseEntries: StructNode[]; found: boolean } {
  const tables = xmlFindAll(root, "route-table").map(xmlNode);
  const found = tables.length > 0 || xmlFindAll(root, "route-information").length > 0;
  if (tables.length > 0) return { tables, loose: [], looseEntries: [], found };
  const loose = xmlFindAll(root, "rt").map(xmlNode);
  const looseEntries = loose.length > 0 ? [] : xmlFindAll(root, "rt-entry").map(xmlNode);
  return { tables, loose, looseEntries, found: found || loose.length > 0 || looseEntries.length > 0 };
}

function hopOf(n: StructNode, warn: (m: string) => void): JunosNextHop {
  let h = emptyNextHop();
  h.selected = n.text("selected-next-hop") !== undefined;
  const via = n.text("via") ?? null;
  const local = n.text("nh-local-interface");
  if (via !== null && /[,(]/.test(via)) {
    // `Tunnel Composite, UDP (src … dest …)` printed inside <via>: read as brief notation.
    const p = parseJunosNextHop(`via ${via}`, warn);
    if (p !== null) h = { ...p, selected: h.selected };
  } else {
    h.via = via;
    if (via !== null) h.tunnelType = tunnelOfInterface(via);
  }
  if (local !== undefined && h.via === null) {
    h.via = local;
    h.type = "Local";
  }
  h.to = n.text("to") ?? null;
  const type = n.text("nh-type");
  if (type !== undefined && type !== "") h.type = type;
  if (h.via === "Tunnel Composite") h.type = "Tunnel Composite";
  const table = n.text("nh-table");
  if (table !== undefined && table !== "") h.table = table;
  const op = n.text("mpls-label") ?? n.text("label-operation");
  if (op !== undefined) addLabelOperation(h, op, warn);
  const lsp = n.text("lsp-name") ?? n.text("label-switched-path");
  if (lsp !== undefined && lsp !== "") h.lsp = lsp;
  const tt = n.text("tunnel-type") ?? n.text("nh-tunnel-type");
  if (tt !== undefined && tt !== "") h.tunnelType = tt;
  h.tunnelDestination = n.text("tunnel-destination") ?? n.text("destination-address") ?? h.tunnelDestination;
  h.tunnelSource = n.text("tunnel-source") ?? n.text("source-address") ?? h.tunnelSource;
  const w = n.text("nh-weight");
  if (w !== undefined && w !== "") h.weight = w;
  return h;
}

/**
 * Rows of one `rt-entry`.
 *
 * @example
 * entryRow(jsonNode({ "protocol-name": [{ data: "BGP" }] }, 1), "v.inet.0", "1.1.1.1/32", "json", 1, () => {}).protocol // => "BGP"
 */
export function entryRow(e: StructNode, table: string, prefix: string, form: string, line: number, warn: (m: string) => void): JunosRouteRow {
  const r = emptyRoute(line, table, prefix, form);
  const tag = e.text("active-tag") ?? "";
  r.active = tag.includes("*") || tag.includes("+") || e.text("current-active") !== undefined;
  r.lastActive = tag.includes("*") || tag.includes("-") || e.text("last-active") !== undefined;
  r.protocol = e.text("protocol-name") ?? null;
  r.preference = boundedInt(e.text("preference"), 0, U32, warn);
  r.preference2 = boundedInt(e.text("preference2"), -U32, U32, warn);
  r.routeDistinguisher = e.text("rt-route-distinguisher") ?? e.text("route-distinguisher") ?? null;
  r.nextHopType = e.text("nh-type") ?? null;
  r.nextHopIndex = boundedInt(e.text("nh-index"), 0, U32, warn);
  const hops = e.list("nh").map((n) => hopOf(n, warn));
  const sel = e.list("nh").find((n) => n.text("selected-next-hop") !== undefined) ?? e.list("nh")[0];
  if (sel !== undefined) {
    r.nextHopType = sel.text("nh-type") ?? r.nextHopType;
    r.nextHopIndex = boundedInt(sel.text("nh-index"), 0, U32, warn) ?? r.nextHopIndex;
  }
  const pnh = e.list("protocol-nh")[0];
  if (pnh !== undefined) {
    r.protocolNextHop = pnh.text("to") ?? null;
    const op = pnh.text("mpls-label");
    if (op !== undefined && !hops.some((h) => h.labelOperation !== null)) {
      const tmp = emptyNextHop();
      addLabelOperation(tmp, op, warn);
      r.labelOperation = op;
      if (tmp.labels.length > 0 && /Push/.test(op)) r.label = tmp.labels[0];
    }
  }
  const vpn = boundedInt(e.text("route-label") ?? e.text("vpn-label"), 0, 1048575, warn);
  if (vpn !== null) r.label = vpn;
  r.state = e.text("rt-entry-state") ?? e.text("state") ?? null;
  r.localAs = boundedInt(e.text("local-as"), 0, U32, warn);
  r.peerAs = boundedInt(e.text("peer-as"), 0, U32, warn);
  r.age = e.text("age") ?? null;
  const sec = e.attr("age", "seconds");
  if (sec !== undefined) r.ageSeconds = boundedInt(sec, 0, Number.MAX_SAFE_INTEGER, warn);
  r.task = e.text("task-name") ?? null;
  const asPath = e.text("as-path");
  r.asPath = asPath !== undefined ? asPath.replace(/\s+/g, " ").trim() : null;
  if (r.asPath === null) {
    const eff = e.list("bgp-path-attributes")[0]?.list("attr-as-path-effective")[0]?.text("attr-value");
    if (eff !== undefined) r.asPath = eff.trim();
  }
  const commValues = e
    .list("communities")
    .flatMap((c) => c.list("community").map((x) => x.self()))
    .filter((x): x is string => x !== undefined && x !== "");
  r.communities = commValues.length === 0 ? e.text("communities") || null : commValues.join(" ");
  r.localPref = boundedInt(e.text("local-preference"), 0, U32, warn);
  r.metric = boundedInt(e.text("metric"), 0, U32, warn);
  r.metric2 = boundedInt(e.text("metric2"), 0, U32, warn);
  r.med = boundedInt(e.text("med"), 0, U32, warn);
  r.validationState = e.text("validation-state") || null;
  r.routerId = e.text("peer-id") ?? null;
  r.source = e.text("gateway") ?? e.text("learned-from") ?? null;
  r.primaryTable = e.text("primary-routing-table") ?? null;
  if (e.text("inactive-reason") !== undefined && /Hidden|Unusable/.test(e.text("inactive-reason") ?? "")) r.hidden = true;
  return finishRoute({ row: r, hops, resolved: [] });
}

/**
 * Rows of route tables (JSON or XML nodes).
 *
 * @example
 * structuredRows([], "json", []).length // => 0
 */
export function structuredRows(tables: StructNode[], form: string, warnings: ParseWarning[], loose: StructNode[] = [], looseEntries: StructNode[] = []): JunosRouteRow[] {
  const rows: JunosRouteRow[] = [];
  const warnAt = (line: number) => (message: string) => warnings.push({ line, column: 1, message });
  const rtRows = (rt: StructNode, table: string): void => {
    const dest = rt.text("rt-destination") ?? "";
    const plen = rt.text("rt-prefix-length");
    const prefix = plen !== undefined && plen !== "" && dest.indexOf("/") < 0 ? `${dest}/${plen}` : dest;
    for (const e of rt.list("rt-entry")) {
      const line = form === "xml" ? e.line : rt.line; // JSON lines are known per destination only
      rows.push(entryRow(e, table, prefix, form, line, warnAt(line)));
    }
  };
  for (const tbl of tables) {
    const table = tbl.text("table-name") ?? "";
    for (const rt of tbl.list("rt")) rtRows(rt, table);
  }
  for (const rt of loose) rtRows(rt, "");
  for (const e of looseEntries) rows.push(entryRow(e, "", "", form, e.line, warnAt(e.line)));
  return rows;
}
