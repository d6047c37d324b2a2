/**
 * The gateway side: Junos `show route` in every form an engineer gets → {@link JunosRouteRow} rows, one
 * per route entry: brief (the default), `terse`, `detail`, `extensive` (text), `| display json` and
 * `| display xml`, detected from the text. Pasted prompts, `{master}` banners, pager lines and author
 * notes are skipped (`junos-paste.ts`); each row carries the protocol next hop (the compute node), the
 * next hops with their label operations and tunnels, and the pushed VPN label.
 */
import type { JunosRouteRow, ParseError, ParseWarning, VrouterParseResult } from "./types";
import { normalizeText, splitLines } from "./text";
import { lineColumnOf, locateJsonError } from "../json-errors";
import { junosPaste } from "./junos-paste";
import { parseJunosText } from "./junos-text";
import { jsonTables, structuredRows, xmlTables } from "./junos-structured";
import { parseXml } from "./xml";

export type { JunosRouteRow } from "./types";
export { junosNextHops, type JunosNextHop } from "./junos-nexthop";

/** Which form a Junos `show route` output is in, from its first output line. */
export type JunosRouteForm = "json" | "xml" | "text";

/**
 * The form of an output's kept lines: `json` when the first starts with `{` or `[`, `xml` with `<`.
 *
 * @example
 * junosRouteForm(["<rpc-reply>"], [true]) // => "xml"
 */
export function junosRouteForm(lines: readonly string[], keep: readonly boolean[]): JunosRouteForm {
  for (let i = 0; i < lines.length; i++) {
    if (!keep[i]) continue;
    const t = lines[i].trim();
    if (t === "") continue;
    if (t.startsWith("<")) return "xml";
    if (t.startsWith("{") || (t.startsWith("[") && !/^\[edit\b/.test(t) && !/^\[[A-Za-z][\w-]*\/\d/.test(t))) return "json";
    return "text";
  }
  return "text";
}

/**
 * Parses Junos `show route` output in any form (see the module comment). Never throws.
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
 * parseJunosRoute("vrf1.inet.0: 1 destinations, 1 routes (1 active, 0 holddown, 0 hidden)\n" +
 *   "20.0.0.0/24        *[BGP/170] 00:08:30, localpref 100, from 1.1.1.2\n" +
 *   "                    >  via Tunnel Composite, UDP (src 1.1.1.1 dest 1.1.1.2), Push 21\n").rows[0].tunnelDestination // => "1.1.1.2"
 */
export function parseJunosRoute(text: string): VrouterParseResult<JunosRouteRow> {
  const norm = normalizeText(typeof text === "string" ? text : String(text));
  const lines = splitLines(norm.charCodeAt(0) === 0xfeff ? norm.slice(1) : norm);
  const { keep, commands, warnings } = junosPaste(lines);
  const errors: ParseError[] = [];
  let rows: JunosRouteRow[];
  try {
    const form = junosRouteForm(lines, keep);
    if (form === "json") rows = parseJson(lines, keep, warnings, errors);
    else if (form === "xml") rows = parseXmlRoutes(lines, keep, warnings, errors);
    else rows = parseJunosText(lines, keep, warnings, errors);
  } catch (e) {
    // Not expected: a parser bug must not take the caller down with it.
    rows = [];
    errors.push({ line: 1, column: 1, message: `internal error: ${e instanceof Error ? e.message : String(e)}`, text: "" });
  }
  markHiddenByCommand(rows, commands);
  for (const r of rows) {
    const problem = prefixProblem(r.prefix);
    if (problem !== null) warnings.push({ line: r.line, column: 1, message: problem, text: r.prefix });
  }
  return { kind: "junos-route", rows, warnings, errors, commands };
}

/**
 * Why an inet/inet6 prefix cannot be (length above 32/128, an octet above 255), or null.
 *
 * @example
 * prefixProblem("10.0.0.0/33") // => "prefix length 33 is above 32"
 */
export function prefixProblem(prefix: string): string | null {
  let m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d+)$/.exec(prefix);
  if (m) {
    if ([m[1], m[2], m[3], m[4]].some((o) => Number(o) > 255)) return `IPv4 address ${prefix.split("/")[0]} has an octet above 255`;
    if (m[5].length > 3 || Number(m[5]) > 32) return `prefix length ${m[5]} is above 32`;
    return null;
  }
  m = /^([0-9A-Fa-f:]*:[0-9A-Fa-f:]*)\/(\d+)$/.exec(prefix);
  if (m && isIpv6(m[1]) && (m[2].length > 3 || Number(m[2]) > 128)) return `prefix length ${m[2]} is above 128`;
  return null;
}

/** An IPv6 address: at most one `::`, groups of 1–4 hex digits, at most eight (not an EVPN/L3VPN prefix). */
function isIpv6(a: string): boolean {
  const halves = a.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  return groups.length <= (halves.length === 2 ? 7 : 8) && groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g));
}

/**
 * Whether a line starts a Junos `show route` output in any form (a table header, the terse column header,
 * a JSON or XML `route-information`): for kind detection.
 *
 * @example
 * looksLikeJunosRoute("inet.0: 9 destinations, 11 routes (9 active, 0 holddown, 1 hidden)") // => true
 * looksLikeJunosRoute('<route-information xmlns="http://xml.juniper.net/junos/21.4R3/junos-routing">') // => true
 */
export function looksLikeJunosRoute(line: string): boolean {
  const t = line.trim();
  return /^\S+:\s+\d+\s+destinations?,\s+\d+\s+routes?\b/.test(t) || /^A\s+(?:V\s+)?Destination\s+P\s+Prf\b/.test(t) || /<route-information\b|"route-information"/.test(t);
}

/** Rows printed by `show route … hidden …` are hidden routes even when the form does not say so. */
function markHiddenByCommand(rows: JunosRouteRow[], commands: readonly { line: number; command: string }[]): void {
  // Rows and commands are both in line order: one pass.
  let k = -1;
  for (const r of rows) {
    while (k + 1 < commands.length && commands[k + 1].line < r.line) k++;
    if (k >= 0 && /\bshow\s+route\b.*\bhidden\b/.test(commands[k].command)) r.hidden = true;
  }
}

function parseJson(lines: string[], keep: boolean[], warnings: ParseWarning[], errors: ParseError[]): JunosRouteRow[] {
  // Blank out dropped lines (keeps line numbers of JSON errors right).
  const text = lines.map((l, i) => (keep[i] ? l : "")).join("\n");
  const whole = tryJson(text);
  if (whole.ok) return jsonRows(whole.doc, text, 0, lineIndex(text), warnings, errors);
  // A terminal wrapped a line inside a string: join and retry.
  const repaired = unwrapJsonStrings(text);
  const base = repaired?.text ?? text;
  const noteRepairs = (): void => {
    for (const l of repaired?.lines ?? []) warnings.push({ line: l, column: 1, message: "wrapped line joined inside a JSON string", text: (lines[l - 1] ?? "").trim() });
  };
  if (repaired !== null) {
    const r = tryJson(base);
    if (r.ok) {
      noteRepairs();
      return jsonRows(r.doc, base, 0, lineIndex(base), warnings, errors);
    }
  }
  // Several replies pasted one after another (`… | display json` run twice): each document on its own.
  const docs = jsonDocuments(base);
  if (docs.length > 1) {
    noteRepairs();
    const rows: JunosRouteRow[] = [];
    const lineAt = lineIndex(base);
    for (const d of docs) {
      const part = base.slice(d.start, d.end);
      const r = tryJson(part);
      if (r.ok) rows.push(...jsonRows(r.doc, base, d.start, lineAt, warnings, errors));
      else jsonError(base, d.start, part, r.message, lines, errors);
    }
    return rows;
  }
  jsonError(text, 0, text, whole.message, lines, errors);
  return [];
}

/** `JSON.parse` without the throw (the one call here that throws by design). */
function tryJson(text: string): { ok: true; doc: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, doc: JSON.parse(text) };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

/** Reports where a JSON document (at `offset` of `text`) stopped being JSON. */
function jsonError(text: string, offset: number, part: string, message: string, lines: string[], errors: ParseError[]): void {
  const lc = lineColumnOf(text, offset + (locateJsonError(part)?.offset ?? 0));
  const lineText = lines[lc.line - 1] ?? "";
  errors.push({ line: lc.line, column: lc.column, message: `invalid JSON: ${message}`, text: lineText.trim() });
}

/** Spans of the top-level `{…}` / `[…]` values of a text (strings skipped), the last one possibly unclosed. */
function jsonDocuments(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (depth === 0) start = i;
      depth++;
    } else if ((c === 125 || c === 93) && depth > 0) {
      depth--;
      if (depth === 0) out.push({ start, end: i + 1 });
    }
  }
  if (depth > 0 && start >= 0) out.push({ start, end: text.length });
  return out;
}

/** Line numbers of offsets in a text: newline offsets indexed once, looked up by binary search. */
function lineIndex(text: string): (offset: number) => number {
  const starts: number[] = [0];
  for (let k = text.indexOf("\n"); k >= 0; k = text.indexOf("\n", k + 1)) starts.push(k + 1);
  return (offset: number): number => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

function jsonRows(doc: unknown, text: string, from: number, lineAt: (offset: number) => number, warnings: ParseWarning[], errors: ParseError[]): JunosRouteRow[] {
  // Destinations are looked up in document order: one forward scan.
  let cursor = from;
  const lineOf = (needle: string): number => {
    const idx = text.indexOf(`"${needle}"`, cursor);
    if (idx < 0) return lineAt(cursor);
    cursor = idx + needle.length + 2;
    return lineAt(idx);
  };
  const { tables, found } = jsonTables(doc, lineOf);
  if (!found) {
    errors.push({ line: 1, column: 1, message: "JSON has no `route-information`", text: "" });
    return [];
  }
  return structuredRows(tables, "json", warnings);
}

/**
 * A terminal wraps long JSON lines anywhere, also inside a string: joins each line break that falls
 * inside a string literal with the next line (its indentation dropped). Null when there is none.
 */
function unwrapJsonStrings(text: string): { text: string; lines: number[] } | null {
  // Pass 1: where line breaks fall inside a string literal (none in well-formed JSON).
  const cuts: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34) inString = false;
      else if (c === 10) cuts.push(i);
    } else if (c === 34) inString = true;
  }
  if (cuts.length === 0) return null;
  // Pass 2: drop each such break and the indentation after it.
  const parts: string[] = [];
  const lines: number[] = [];
  let from = 0;
  let line = 1;
  let counted = 0;
  for (const at of cuts) {
    parts.push(text.slice(from, at));
    for (let k = text.indexOf("\n", counted); k >= 0 && k < at; k = text.indexOf("\n", k + 1)) {
      line++;
      counted = k + 1;
    }
    lines.push(line + 1);
    let k = at + 1;
    while (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9) k++;
    from = k;
  }
  parts.push(text.slice(from));
  // Keep line numbers of later lines: one blank line per joined break, at the end.
  return { text: parts.join("") + "\n".repeat(cuts.length), lines };
}

function parseXmlRoutes(lines: string[], keep: boolean[], warnings: ParseWarning[], errors: ParseError[]): JunosRouteRow[] {
  const text = lines.map((l, i) => (keep[i] ? l : "")).join("\n");
  const doc = parseXml(text);
  for (const p of doc.problems) warnings.push({ line: p.line, column: 1, message: `XML: ${p.message}`, text: (lines[p.line - 1] ?? "").trim() });
  for (const o of doc.outside) warnings.push({ line: o.line, column: 1, message: "text outside the XML elements skipped", text: o.text });
  const { tables, loose, looseEntries, found } = xmlTables(doc.root);
  if (!found) {
    errors.push({ line: 1, column: 1, message: "XML has no `route-information`, `rt` or `rt-entry` element", text: (lines.find((l, i) => keep[i] && l.trim() !== "") ?? "").trim() });
    return [];
  }
  return structuredRows(tables, "xml", warnings, loose, looseEntries);
}
