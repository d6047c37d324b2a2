/**
 * `show route receive-protocol bgp PEER` and `show route advertising-protocol bgp PEER`: the column
 * header `Prefix  Nexthop  MED  Lclpref  AS path`, one line per route (`* 10.6.0.0/16  192.168.41.2  100  I`),
 * a long prefix on its own line with the rest on the next (`*   Self   I`). Each line is a BGP route as
 * the peer sent it (or as it is sent to the peer): its BGP next hop is the row's protocol next hop.
 */
import type { JunosRouteRow } from "./types";
import { boundedInt, emptyRoute, U32 } from "./junos-row";

/** The column header (printed indented by two). */
export const BGP_HEADER_RE = /^Prefix\s+Nexthop\s+MED\s+Lclpref\s+AS path\s*$/;

/** Column positions of the header line (raw columns). */
export interface BgpColumns {
  nexthop: number;
  medEnd: number;
  lclpref: number;
  asPath: number;
}

/**
 * Columns of a `Prefix  Nexthop  MED  Lclpref  AS path` header.
 *
 * @example
 * bgpColumns("  Prefix                  Nexthop              MED     Lclpref    AS path").asPath // => 66
 */
export function bgpColumns(raw: string): BgpColumns {
  return { nexthop: raw.indexOf("Nexthop"), medEnd: raw.indexOf("MED") + 3, lclpref: raw.indexOf("Lclpref"), asPath: raw.indexOf("AS path") };
}

/**
 * Reads one line under the header: a route, or (`prefixOnly`) a prefix whose route is on the next line.
 * Null when the line is neither.
 *
 * @example
 * const c = bgpColumns("  Prefix                  Nexthop              MED     Lclpref    AS path");
 * parseBgpLine("* 10.6.0.0/16             192.168.41.2                 100        I", c, 1, "inet.0", "", () => {})
 * // => { row: { prefix: "10.6.0.0/16", protocolNextHop: "192.168.41.2", localPref: 100, asPath: "I", … } }
 */
export function parseBgpLine(raw: string, cols: BgpColumns, line: number, table: string, pendingPrefix: string, warn: (m: string) => void): { row: JunosRouteRow } | { prefixOnly: string; active: boolean } | null {
  const re = /\S+/g;
  const tk: { s: string; start: number; end: number }[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(raw)) !== null) tk.push({ s: m[0], start: m.index, end: m.index + m[0].length });
  if (tk.length === 0) return null;
  let i = 0;
  let active = false;
  if (/^[*+\-]$/.test(tk[0].s)) {
    active = tk[0].s !== "-";
    i = 1;
  }
  if (tk[i] === undefined) return null;
  let prefix = pendingPrefix;
  // The prefix sits left of the Nexthop column; a line starting at that column continues a prefix line.
  if (tk[i].start < cols.nexthop - 1) {
    prefix = tk[i++].s;
    if (tk[i] === undefined) return { prefixOnly: prefix, active };
  }
  if (prefix === "" || tk[i] === undefined) return null;
  const row = emptyRoute(line, table, prefix, "bgp");
  row.protocol = "BGP";
  row.active = active;
  row.protocolNextHop = tk[i++].s;
  for (; i < tk.length; i++) {
    const t = tk[i];
    if (t.start >= cols.asPath - 1 || !/^\d+$/.test(t.s)) {
      row.asPath = raw.slice(t.start).trim();
      break;
    }
    if (t.end <= cols.medEnd + 2) row.med = boundedInt(t.s, 0, U32, warn);
    else row.localPref = boundedInt(t.s, 0, U32, warn);
  }
  return { row };
}
