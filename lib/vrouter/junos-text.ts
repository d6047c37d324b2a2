/**
 * The text forms of Junos `show route`, read line by line by one state machine that recognises each
 * line's shape, so brief (the default), `terse`, `detail` and `extensive` outputs, several tables, and
 * several commands pasted one after another are all read from one text: table headers
 * (`VRF.inet.0: 5 destinations, 5 routes (…)`), the legend, the terse column header, detail prefix and
 * entry lines, brief entry lines, and the lines under an entry.
 */
import type { JunosRouteRow, ParseError, ParseWarning } from "./types";
import { parseJunosNextHop } from "./junos-nexthop";
import { finishRoute, type RouteDraft } from "./junos-row";
import { applyDetailLine, keepDetailExtra, DETAIL_ENTRY_RE, DETAIL_PREFIX_RE, startAdvertisedEntry, startDetailEntry, type DetailState } from "./junos-detail";
import { applyAsPathLine, applyBriefAttributes, BRIEF_ENTRY_RE, BRIEF_PREFIX_ALONE_RE, briefEntry } from "./junos-brief";
import { parseTerseLine, TERSE_HEADER_RE, terseColumns, type TerseColumns } from "./junos-terse";
import { BGP_HEADER_RE, bgpColumns, parseBgpLine, type BgpColumns } from "./junos-bgp";

/** `VRF.inet.0: 5 destinations, 5 routes (5 active, 0 holddown, 0 hidden)` (the `(…)` may be wrapped off). */
export const TABLE_HEADER_RE = /^(\S+):\s+\d+\s+destinations?,\s+\d+\s+routes?\b/;
/** Lines printed under a table header that carry no route. */
const LEGEND_RE = /^(?:\+ = Active Route|@ = Routing Use Only|# = Forwarding Use Only|Limit\/Threshold:|Restart Complete|Restart in Progress|\* = Both)/;

/** First characters of {@link LEGEND_RE} lines. */
const LEGEND_START = new Set([..."+@#*LR"].map((c) => c.charCodeAt(0)));

type Mode = "none" | "brief" | "terse" | "detail" | "bgp";

/**
 * Reads the kept lines (`keep[i]`) of a Junos text output into rows.
 *
 * @example
 * parseJunosText(["inet.0: 1 destinations, 1 routes (1 active, 0 holddown, 0 hidden)", "0.0.0.0/0  *[Static/5] 1d 00:00:01", "  > to 10.0.0.1 via ge-0/0/0.0"], [true, true, true], [], []).map((r) => r.nextHopTo)
 * // => ["10.0.0.1"]
 */
export function parseJunosText(lines: readonly string[], keep: readonly boolean[], warnings: ParseWarning[], errors: ParseError[]): JunosRouteRow[] {
  const drafts: RouteDraft[] = [];
  let table = "";
  let prefix = "";
  let mode: Mode = "none";
  let cols: TerseColumns | null = null;
  let bgpCols: BgpColumns | null = null;
  let terseLong: { marks: string; validation: string | null; line: number } | null = null;
  /** receive/advertising-protocol: a prefix printed alone, its route on the next line. */
  let bgpPending: { prefix: string; active: boolean } | null = null;
  let detail: DetailState | null = null;
  let brief: RouteDraft | null = null;
  let terse: RouteDraft | null = null;
  /** The last brief line read (a wrapped remainder may follow it). */
  let last: { kind: "entry" | "hop" | "aspath"; text: string; rawLength: number; index: number } | null = null;
  let lastHeaderLine = -1;
  /** Index in `drafts` of the current table's first row. */
  let tableStart = 0;
  let lastDetail: { text: string; rawLength: number; index: number } | null = null;
  let sawTsi = false;
  // The line being read, for `warn` (one function for all lines; the column is computed only when used).
  let i = 0;
  let raw = "";
  let t = "";
  const columnOf = (): number => raw.length - raw.trimStart().length + 1;
  const warn = (message: string): void => {
    warnings.push({ line: i + 1, column: columnOf(), message, text: t });
  };
  for (i = 0; i < lines.length; i++) {
    if (!keep[i]) continue;
    raw = lines[i];
    t = raw.trim();
    if (t === "") continue;
    let m: RegExpExecArray | null;
    if (t.indexOf(" destination") > 0 && (m = TABLE_HEADER_RE.exec(t))) {
      markExtensive(drafts, tableStart);
      tableStart = drafts.length;
      table = m[1];
      prefix = "";
      mode = "none";
      cols = null;
      bgpCols = null;
      bgpPending = null;
      terseLong = null;
      detail = null;
      brief = null;
      terse = null;
      last = null;
      lastDetail = null;
      lastHeaderLine = i;
      continue;
    }
    if (LEGEND_START.has(t.charCodeAt(0)) && LEGEND_RE.test(t)) continue;
    if (lastHeaderLine >= 0 && i - lastHeaderLine <= 2 && /^[\w\s,]*\)\s*$/.test(t) && mode === "none") {
      warn("wrapped end of a table header skipped");
      continue;
    }
    if (t.charCodeAt(0) === 65 /* A */ && TERSE_HEADER_RE.test(t)) {
      mode = "terse";
      cols = terseColumns(raw);
      detail = null;
      brief = null;
      terse = null;
      continue;
    }
    if (t.startsWith("Prefix") && BGP_HEADER_RE.test(t)) {
      mode = "bgp";
      bgpCols = bgpColumns(raw);
      bgpPending = null;
      continue;
    }
    if (mode === "bgp" && bgpCols !== null) {
      const b = parseBgpLine(raw, bgpCols, i + 1, table, bgpPending?.prefix ?? "", warn);
      if (b !== null && "row" in b) {
        if (bgpPending !== null && !/^\s*[*+\-]\s/.test(raw)) b.row.active = bgpPending.active;
        bgpPending = null;
        drafts.push({ row: b.row, hops: [], resolved: [] });
        continue;
      }
      if (b !== null) {
        bgpPending = { prefix: b.prefixOnly, active: b.active };
        continue;
      }
    }
    if (t.indexOf(" announced)") > 0 && (m = DETAIL_PREFIX_RE.exec(t))) {
      mode = "detail";
      prefix = m[2];
      detail = null;
      brief = null;
      if (m[1] !== undefined) {
        // `show route receive-protocol bgp PEER detail`: `* PREFIX (1 entry, 1 announced)`, the attributes
        // follow without an entry line.
        detail = startAdvertisedEntry(i + 1, table, prefix, m[1] !== "-");
        drafts.push(detail.draft);
      }
      continue;
    }
    if ((mode === "detail" || mode === "none") && (t.indexOf("Preference") > 0 || t.indexOf("/-") > 0) && (m = DETAIL_ENTRY_RE.exec(t))) {
      if (prefix === "") errors.push({ line: i + 1, column: columnOf(), message: "route entry before any `PREFIX (n entry, n announced)` line", text: t });
      mode = "detail";
      detail = startDetailEntry(m, i + 1, table, prefix, "detail", warn);
      drafts.push(detail.draft);
      continue;
    }
    if (mode === "detail") {
      if (detail === null) {
        // TSI and other lines between the prefix and its first entry: extensive output.
        if (/^TSI:/.test(t)) sawTsi = true;
        continue;
      }
      if (t.startsWith("Indirect next hops") || t.startsWith("Forwarding nexthops") || t.startsWith("Node path count") || t.indexOf("Originating RIB") >= 0) detail.draft.row.form = "extensive";
      if (applyDetailLine(detail, t, warn)) {
        lastDetail = { text: t, rawLength: raw.length, index: i };
        continue;
      }
      if (lastDetail !== null && lastDetail.rawLength >= 79 && previousKept(keep, lines, i) === lastDetail.index) {
        // A terminal cut the line above at its width: re-read it whole.
        const joined: string = lastDetail.text + t;
        if (/^AS path:/.test(joined)) detail.draft.row.asPath = null;
        if (applyDetailLine(detail, joined, warn)) {
          warn("wrapped line joined to the line above");
          lastDetail = { text: joined, rawLength: raw.length, index: i };
          continue;
        }
      }
      lastDetail = null;
      keepDetailExtra(detail, t);
      warn("unknown route attribute kept in `extra`");
      continue;
    }
    if (mode === "terse") {
      const l = parseTerseLine(raw, cols, i + 1, table, prefix, warn);
      if (l !== null && l.kind === "destination") {
        prefix = l.prefix;
        terseLong = { marks: l.marks, validation: l.validation, line: i + 1 };
        continue;
      }
      if (l !== null && l.kind === "row") {
        if (terseLong !== null && previousKept(keep, lines, i) === i - 1) {
          l.row.active = terseLong.marks.includes("*") || terseLong.marks.includes("+");
          l.row.lastActive = terseLong.marks.includes("*") || terseLong.marks.includes("-");
          if (terseLong.validation !== null) l.row.validationState = terseLong.validation;
          l.row.line = terseLong.line;
        }
        terseLong = null;
        if (l.row.prefix !== prefix) prefix = l.row.prefix;
        terse = { row: l.row, hops: l.hop ? [l.hop] : [], resolved: [] };
        drafts.push(terse);
        continue;
      }
      if (l !== null && l.kind === "hop" && terse !== null) {
        terse.hops.push(l.hop);
        if (l.validation !== null) terse.row.validationState = l.validation;
        continue;
      }
      // Not terse after all (a brief output pasted after a terse one without its table header).
    }
    if (t.indexOf("[") >= 0 && (m = BRIEF_ENTRY_RE.exec(t))) {
      if (m[1] === undefined && prefix === "" && mode !== "brief") {
        errors.push({ line: i + 1, column: columnOf(), message: "route entry before any prefix", text: t });
      }
      mode = "brief";
      if (m[1] !== undefined) prefix = m[1];
      const e = briefEntry(m, i + 1, table, prefix, warn);
      brief = { row: e.row, hops: [], resolved: [] };
      drafts.push(brief);
      if (e.unknown.length > 0) {
        e.row.extra = e.unknown.join(", ");
        warn("unknown route attribute kept in `extra`");
      }
      last = { kind: "entry", text: t, rawLength: raw.length, index: i };
      continue;
    }
    if ((mode === "brief" || mode === "none") && table !== "" && (t.indexOf(" ") < 0 || t.indexOf(" ") === t.lastIndexOf(" ")) && BRIEF_PREFIX_ALONE_RE.test(t) && (brief === null || !/^\d+$/.test(t))) {
      // A long prefix on a line of its own; its entry line follows.
      mode = "brief";
      prefix = t;
      brief = null;
      continue;
    }
    if (mode === "brief" && brief !== null) {
      if (t.startsWith("AS path:") && applyAsPathLine(brief.row, t)) {
        last = { kind: "aspath", text: t, rawLength: raw.length, index: i };
        continue;
      }
      const hop = parseJunosNextHop(t.replace(/^Next hop:\s*/, ""), warn, false);
      if (hop !== null) {
        brief.hops.push(hop);
        last = { kind: "hop", text: t, rawLength: raw.length, index: i };
        continue;
      }
      if (/^\(hidden\b.*\)$/.test(t)) {
        brief.row.hidden = true;
        continue;
      }
      if (last !== null && previousKept(keep, lines, i) === last.index && joinWrapped(brief, last, t, table, warn)) {
        warn("wrapped line joined to the line above");
        last.index = i;
        last.rawLength = raw.length;
        continue;
      }
      last = null;
      brief.row.extra = brief.row.extra === null ? t : `${brief.row.extra}; ${t}`;
      warn("unknown route line kept in `extra`");
      continue;
    }
    if (mode === "terse" && terse !== null) {
      terse.row.extra = terse.row.extra === null ? t : `${terse.row.extra}; ${t}`;
      warn("unknown terse line kept in `extra`");
      continue;
    }
    errors.push({ line: i + 1, column: columnOf(), message: "unexpected line: expected a routing table, prefix or route entry", text: t });
  }
  markExtensive(drafts, tableStart);
  return drafts.map(finishRoute);

  /** An extensive output prints some entries as detail would: the whole table's detail rows are extensive. */
  function markExtensive(ds: RouteDraft[], from: number): void {
    const part = ds.slice(from).filter((d) => d.row.form === "detail" || d.row.form === "extensive");
    if (sawTsi || part.some((d) => d.row.form === "extensive")) for (const d of part) d.row.form = "extensive";
    sawTsi = false;
  }
}

/**
 * Re-reads a brief line with the remainder a terminal (cut mid-word at its width) or a page (cut at a
 * space) wrapped onto the next line; true when the joined line reads cleanly (the row or its last next
 * hop is then replaced).
 */
function joinWrapped(d: RouteDraft, last: { kind: "entry" | "hop" | "aspath"; text: string; rawLength: number }, rest: string, table: string, warn: (m: string) => void): boolean {
  const glued = last.text + rest;
  const spaced = `${last.text} ${rest}`;
  const tries = last.rawLength >= 79 ? [glued, spaced] : [spaced, glued];
  for (const joined of tries) {
    if (last.kind === "entry") {
      const m = BRIEF_ENTRY_RE.exec(joined);
      if (m === null) continue;
      const e = briefEntry(m, d.row.line, table, d.row.prefix, () => {});
      if (e.unknown.length > 0) continue;
      d.row = briefEntry(m, d.row.line, table, d.row.prefix, warn).row;
    } else if (last.kind === "hop") {
      const h = parseJunosNextHop(joined, () => {}, false);
      if (h === null || h.extra !== null) continue;
      d.hops[d.hops.length - 1] = parseJunosNextHop(joined, warn, false) ?? h;
    } else {
      if (!/,\s*validation-state:\s*\S+$|^AS path:[\d\s{}()[\]]*[IE?]$/.test(joined)) continue;
      d.row.asPath = null;
      applyAsPathLine(d.row, joined);
    }
    last.text = joined;
    return true;
  }
  return false;
}

/** Index of the kept, non-blank line before `i` (-1 when none). */
function previousKept(keep: readonly boolean[], lines: readonly string[], i: number): number {
  for (let k = i - 1; k >= 0; k--) if (keep[k] && lines[k].trim() !== "") return k;
  return -1;
}
