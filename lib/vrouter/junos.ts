/**
 * The gateway side: Junos `show route table VRF.inet.0 PREFIX detail` (text) and the same command with
 * `| display json` → {@link JunosRouteRow} rows, one per route entry (`*BGP Preference: …`), carrying the
 * protocol next hop (the compute node), the pushed VPN label and the tunnel.
 */
import type { JunosRouteRow, ParseError, ParseWarning, VrouterParseResult, CommandRecord } from "./types";
import { normalizeText, parsePromptLine, splitLines, toInt } from "./text";
import { lineColumnOf, locateJsonError } from "../json-errors";

export type { JunosRouteRow } from "./types";

function emptyRoute(line: number, table: string, prefix: string): JunosRouteRow {
  return {
    line,
    table,
    prefix,
    active: false,
    protocol: null,
    preference: null,
    preference2: null,
    routeDistinguisher: null,
    nextHopType: null,
    nextHopIndex: null,
    nextHopVia: null,
    nextHopTo: null,
    nextHopCount: 0,
    labelOperation: null,
    label: null,
    protocolNextHop: null,
    tunnelType: null,
    tunnelSource: null,
    tunnelDestination: null,
    state: null,
    localAs: null,
    peerAs: null,
    age: null,
    task: null,
    asPath: null,
    communities: null,
    localPref: null,
    routerId: null,
    source: null,
    primaryTable: null,
    extra: null,
  };
}

/** `Push 44` / `Push 44, Push 299776(top)` → the innermost (first) pushed label. */
function pushedLabel(op: string): number | null {
  const m = /Push (\d+)/.exec(op);
  return m ? Number(m[1]) : null;
}

function tunnelFromVia(via: string): string | null {
  if (via.startsWith("gr-")) return "GRE";
  if (via.startsWith("ip-")) return "IPIP";
  if (via.startsWith("ut-")) return "UDP";
  if (via.startsWith("vtep")) return "VXLAN";
  return null;
}

/** Keys of the detail output that carry nothing the walk needs: accepted silently. */
const IGNORED = new Set([
  "Address",
  "Next-hop reference count",
  "Label TTL action",
  "Load balance label",
  "Label element ptr",
  "Label parent element ptr",
  "Label element references",
  "Label element child references",
  "Label element lsp id",
  "Session Id",
  "Indirect next hop",
  "Validation State",
  "Announcement bits",
  "Thread",
  "Metric",
  "Metric2",
  "Inactive reason",
  "KRT in-kernel",
  "TSI",
  "Secondary Tables",
  "Originator ID",
  "Cluster list",
  "Accepted",
  "Import",
  "Page 0 idx 0, (group", // TSI lines
]);

/**
 * Parses Junos `show route … detail` text or `| display json` output (detected by the first `{`).
 *
 * @example
 * const r = parseJunosRoute(
 *   "k8s-ns-user-1.inet.0: 14 destinations, 14 routes (14 active, 0 holddown, 0 hidden)\n" +
 *   "101.101.101.1/32 (1 entry, 1 announced)\n" +
 *   "        *BGP    Preference: 170/-101\n" +
 *   "                Next hop type: Router, Next hop index: 606\n" +
 *   "                Next hop: via gr-2/2/0.32771, selected\n" +
 *   "                Label operation: Push 44\n" +
 *   "                Protocol next hop: 10.169.25.20\n");
 * r.rows[0].protocolNextHop // => "10.169.25.20"
 * r.rows[0].label // => 44
 * r.rows[0].tunnelType // => "GRE"
 */
export function parseJunosRoute(text: string): VrouterParseResult<JunosRouteRow> {
  const lines = splitLines(normalizeText(typeof text === "string" ? text : String(text)));
  const commands: CommandRecord[] = [];
  const warnings: ParseWarning[] = [];
  const errors: ParseError[] = [];
  // Prompts, `{master}` banners.
  const keep: boolean[] = lines.map((l, i) => {
    const t = l.trim();
    if (/^\{[\w:-]+\}$/.test(t)) return false;
    if (/^[\w.-]+@[\w.-]+[>#%]/.test(l)) {
      const p = parsePromptLine(l);
      commands.push({ line: i + 1, prompt: p?.prompt ?? l.trim(), command: p?.command ?? "", tool: p?.tool ?? null });
      return false;
    }
    return true;
  });
  const firstIdx = keep.findIndex((k, i) => k && lines[i].trim() !== "");
  if (firstIdx >= 0 && lines[firstIdx].trim().startsWith("{")) {
    return parseJson(lines, keep, commands, warnings, errors);
  }
  return parseText(lines, keep, commands, warnings, errors);
}

function parseText(
  lines: string[],
  keep: boolean[],
  commands: CommandRecord[],
  warnings: ParseWarning[],
  errors: ParseError[],
): VrouterParseResult<JunosRouteRow> {
  const rows: JunosRouteRow[] = [];
  let table = "";
  let prefix = "";
  let cur: JunosRouteRow | null = null;
  let pendingType: string | null = null;
  let pendingIndex: number | null = null;
  let sawSelected = false;
  let afterProtocolNh = false;
  const addExtra = (s: string): void => {
    if (cur) cur.extra = cur.extra === null ? s : `${cur.extra}; ${s}`;
  };
  for (let i = 0; i < lines.length; i++) {
    if (!keep[i]) continue;
    const l = lines[i];
    const t = l.trim();
    if (t === "") continue;
    let m: RegExpExecArray | null;
    if ((m = /^(\S+): \d+ destinations?, \d+ routes?/.exec(l))) {
      table = m[1];
      cur = null;
      continue;
    }
    if ((m = /^(\S+\/\d+)\s+\(\d+ entr(?:y|ies), \d+ announced\)/.exec(l))) {
      prefix = m[1];
      cur = null;
      continue;
    }
    if ((m = /^([*@#+\- ]{0,3})([A-Za-z][\w-]*)\s+Preference: (\d+)(?:\/(-?\d+))?/.exec(t))) {
      cur = emptyRoute(i + 1, table, prefix);
      cur.active = m[1].includes("*");
      cur.protocol = m[2];
      cur.preference = Number(m[3]);
      cur.preference2 = m[4] === undefined ? null : Number(m[4]);
      if (prefix === "") errors.push({ line: i + 1, column: 1, message: "route entry before any `PREFIX (n entry, n announced)` line", text: t });
      rows.push(cur);
      pendingType = null;
      pendingIndex = null;
      sawSelected = false;
      afterProtocolNh = false;
      continue;
    }
    if (cur === null) {
      if (/^(?:Restart Complete|Junos|JUNOS)/.test(t)) continue;
      errors.push({ line: i + 1, column: l.length - l.trimStart().length + 1, message: "unexpected line: expected a routing table, prefix or route entry", text: t });
      continue;
    }
    const colon = t.indexOf(": ");
    const key = colon > 0 ? t.slice(0, colon) : t;
    const val = colon > 0 ? t.slice(colon + 2).trim() : "";
    switch (key) {
      case "Route Distinguisher":
        cur.routeDistinguisher = val;
        break;
      case "Next hop type": {
        const mm = /^(.*?)(?:, Next hop index: (\d+))?$/.exec(val);
        pendingType = mm ? mm[1] : val;
        pendingIndex = mm && mm[2] !== undefined ? Number(mm[2]) : null;
        if (cur.nextHopType === null) {
          cur.nextHopType = pendingType;
          cur.nextHopIndex = pendingIndex;
        }
        break;
      }
      case "Next hop": {
        cur.nextHopCount++;
        const mm = /^(?:(\S+) )?via (\S+?)(?:,|\s|$)/.exec(val);
        const selected = /\bselected\b/.test(val);
        if (mm && (!sawSelected || selected)) {
          if (selected) sawSelected = true;
          cur.nextHopTo = mm[1] ?? null;
          cur.nextHopVia = mm[2];
          cur.nextHopType = pendingType ?? cur.nextHopType;
          cur.nextHopIndex = pendingIndex ?? cur.nextHopIndex;
          const tt = tunnelFromVia(mm[2]);
          if (tt !== null) cur.tunnelType = tt;
        }
        break;
      }
      case "Label operation":
        if (!afterProtocolNh || cur.labelOperation === null) {
          cur.labelOperation = val;
          const lb = pushedLabel(val);
          if (lb !== null && cur.label === null) cur.label = lb;
        }
        break;
      case "Protocol next hop":
        cur.protocolNextHop = val;
        afterProtocolNh = true;
        break;
      case "Tunnel type": {
        const mm = /^([\w-]+)/.exec(val);
        if (mm) cur.tunnelType = mm[1];
        break;
      }
      case "Destination address": {
        const mm = /^(\S+?)(?:,\s*Source address:\s*(\S+))?$/.exec(val);
        if (mm) {
          cur.tunnelDestination = mm[1];
          if (mm[2] !== undefined) cur.tunnelSource = mm[2];
        }
        break;
      }
      case "Source address":
        cur.tunnelSource = val;
        break;
      case "State":
        cur.state = val.replace(/^<|>$/g, "");
        break;
      case "Local AS": {
        const mm = /^(\d+)(?:\s+Peer AS: (\d+))?/.exec(val);
        if (mm) {
          cur.localAs = Number(mm[1]);
          if (mm[2] !== undefined) cur.peerAs = Number(mm[2]);
        }
        break;
      }
      case "Peer AS":
        cur.peerAs = toInt(val);
        break;
      case "Age": {
        const mm = /^(\S+)/.exec(val);
        cur.age = mm ? mm[1] : val;
        break;
      }
      case "Task":
        cur.task = val;
        break;
      case "AS path":
        cur.asPath = val;
        break;
      case "Communities":
        cur.communities = val;
        break;
      case "VPN Label":
        cur.label = toInt(val) ?? cur.label;
        break;
      case "Localpref":
        cur.localPref = toInt(val);
        break;
      case "Router ID":
        cur.routerId = val;
        break;
      case "Source":
        cur.source = val;
        break;
      case "Primary Routing Table":
        cur.primaryTable = val;
        break;
      default: {
        if (t.startsWith("Primary Routing Table ")) {
          cur.primaryTable = t.slice("Primary Routing Table ".length).trim();
          break;
        }
        if (t === "Import Accepted" || t.startsWith("Announcement bits") || IGNORED.has(key) || t.startsWith("Page 0")) break;
        if (/^(?:Label element|Load balance|Indirect next hop|Session Id|Validation State|Thread)/.test(t)) break;
        addExtra(t);
        warnings.push({ line: i + 1, column: l.length - l.trimStart().length + 1, message: "unknown route attribute kept in `extra`", text: t });
      }
    }
  }
  for (const r of rows) {
    if (r.tunnelDestination === null && r.tunnelType !== null && r.protocolNextHop !== null) r.tunnelDestination = r.protocolNextHop;
  }
  return { kind: "junos-route", rows, warnings, errors, commands };
}

type J = Record<string, unknown>;

/** `obj[key][0].data` (the `| display json` wrapping), or undefined. */
function d(obj: unknown, key: string): string | undefined {
  if (obj === null || typeof obj !== "object") return undefined;
  const arr = (obj as J)[key];
  if (!Array.isArray(arr) || arr.length === 0) return undefined;
  const first: unknown = arr[0];
  if (first === null || typeof first !== "object") return undefined;
  const data = (first as J).data;
  if (typeof data === "string") return data;
  if (typeof data === "number") return String(data);
  if (Array.isArray(data)) return ""; // [null]: a flag element such as selected-next-hop
  return undefined;
}

function arr(obj: unknown, key: string): unknown[] {
  if (obj === null || typeof obj !== "object") return [];
  const a = (obj as J)[key];
  return Array.isArray(a) ? a : [];
}

function parseJson(
  lines: string[],
  keep: boolean[],
  commands: CommandRecord[],
  warnings: ParseWarning[],
  errors: ParseError[],
): VrouterParseResult<JunosRouteRow> {
  // Blank out dropped lines (keeps line numbers of JSON errors right).
  const text = lines.map((l, i) => (keep[i] ? l : "")).join("\n");
  const rows: JunosRouteRow[] = [];
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // JSON.parse is the one call here that throws by design; report where it stopped.
    const msg = e instanceof Error ? e.message : String(e);
    const lc = lineColumnOf(text, locateJsonError(text)?.offset ?? 0);
    const lineText = lines[lc.line - 1] ?? "";
    errors.push({ line: lc.line, column: lc.column, message: `invalid JSON: ${msg}`, text: lineText.trim() });
    return { kind: "junos-route", rows, warnings, errors, commands };
  }
  const infos = arr(doc, "route-information");
  if (infos.length === 0) {
    errors.push({ line: 1, column: 1, message: "JSON has no `route-information`", text: "" });
  }
  const lineCache = new Map<string, number>();
  const lineOf = (needle: string): number => {
    let l = lineCache.get(needle);
    if (l === undefined) {
      const idx = text.indexOf(`"${needle}"`);
      l = idx < 0 ? 1 : lineColumnOf(text, idx).line;
      lineCache.set(needle, l);
    }
    return l;
  };
  for (const info of infos) {
    for (const tbl of arr(info, "route-table")) {
      const table = d(tbl, "table-name") ?? "";
      for (const rt of arr(tbl, "rt")) {
        const prefix = d(rt, "rt-destination") ?? "";
        const plen = d(rt, "rt-prefix-length");
        const fullPrefix = plen !== undefined && prefix.indexOf("/") < 0 ? `${prefix}/${plen}` : prefix;
        for (const e of arr(rt, "rt-entry")) {
          const r = emptyRoute(lineOf(prefix), table, fullPrefix);
          r.active = (d(e, "active-tag") ?? "").includes("*");
          r.protocol = d(e, "protocol-name") ?? null;
          r.preference = toInt(d(e, "preference"));
          r.preference2 = toInt(d(e, "preference2"));
          r.routeDistinguisher = d(e, "rt-route-distinguisher") ?? d(e, "route-distinguisher") ?? null;
          r.nextHopType = d(e, "nh-type") ?? null;
          r.nextHopIndex = toInt(d(e, "nh-index"));
          const nhs = arr(e, "nh");
          r.nextHopCount = nhs.length;
          const sel = nhs.find((n) => d(n, "selected-next-hop") !== undefined) ?? nhs[0];
          if (sel !== undefined) {
            r.nextHopType = d(sel, "nh-type") ?? r.nextHopType;
            r.nextHopIndex = toInt(d(sel, "nh-index")) ?? r.nextHopIndex;
            r.nextHopVia = d(sel, "via") ?? null;
            r.nextHopTo = d(sel, "to") ?? null;
            const op = d(sel, "mpls-label") ?? null;
            r.labelOperation = op;
            r.label = op === null ? null : pushedLabel(op);
            if (r.nextHopVia !== null) r.tunnelType = tunnelFromVia(r.nextHopVia);
            const tt = d(sel, "tunnel-type") ?? d(sel, "nh-tunnel-type");
            if (tt !== undefined) r.tunnelType = tt;
            r.tunnelDestination = d(sel, "tunnel-destination") ?? d(sel, "destination-address") ?? null;
            r.tunnelSource = d(sel, "tunnel-source") ?? d(sel, "source-address") ?? null;
          }
          const pnh = arr(e, "protocol-nh")[0];
          if (pnh !== undefined) {
            r.protocolNextHop = d(pnh, "to") ?? null;
            const op = d(pnh, "mpls-label");
            if (op !== undefined) {
              r.labelOperation = r.labelOperation ?? op;
              r.label = r.label ?? pushedLabel(op);
            }
          }
          const vpn = toInt(d(e, "route-label") ?? d(e, "vpn-label"));
          if (vpn !== null) r.label = vpn;
          r.state = d(e, "rt-entry-state") ?? null;
          r.localAs = toInt(d(e, "local-as"));
          r.peerAs = toInt(d(e, "peer-as"));
          r.age = d(e, "age") ?? null;
          r.task = d(e, "task-name") ?? null;
          r.asPath = d(e, "as-path")?.trim() ?? null;
          const comms = arr(e, "communities").flatMap((c) => arr(c, "community").map((x) => (x as J).data));
          r.communities = comms.length === 0 ? null : comms.filter((x) => typeof x === "string").join(" ");
          r.localPref = toInt(d(e, "local-preference"));
          r.routerId = d(e, "peer-id") ?? null;
          r.source = d(e, "gateway") ?? null;
          r.primaryTable = d(e, "primary-routing-table") ?? null;
          if (r.tunnelDestination === null && r.tunnelType !== null && r.protocolNextHop !== null) r.tunnelDestination = r.protocolNextHop;
          rows.push(r);
        }
      }
    }
  }
  return { kind: "junos-route", rows, warnings, errors, commands };
}
