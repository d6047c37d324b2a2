/**
 * Junos `show route` in its default (brief) form: the entry line
 * `10.0.0.0/24   *[BGP/170] 2d 07:03:17, MED 100, localpref 200, from 192.168.1.19` (the prefix on its own
 * line above when it is long; secondary entries `[EVPN/170] …` without a prefix), the
 * `AS path: 64500 I, validation-state: unverified` line, and next-hop lines (read by
 * `parseJunosNextHop`).
 */
import type { JunosRouteRow } from "./types";
import { boundedInt, emptyRoute, U32 } from "./junos-row";

/**
 * `PREFIX *[PROTO/PREF(/PREF2)] rest` or `[PROTO/PREF] rest`; a hidden route prints `[BGP ]`; an EVPN
 * prefix may carry its route type (`…/304 MAC/IP`).
 */
export const BRIEF_ENTRY_RE = /^(?:(\S+(?: [A-Z][A-Z/-]*(?=\s))?)\s+)?([*+\-@#]{0,3})\s*\[([A-Za-z][\w-]*)(?:\/(\d*))?(?:\/(-?\d+))?\s*\]\s*(.*)$/;

/** A prefix alone on its line (long inet6/EVPN/L3VPN/flow prefixes, with an EVPN route type; mpls.0 labels). */
export const BRIEF_PREFIX_ALONE_RE = /^(?:[^\s\[\]]*[/:][^\s\[\]]*|\d+(?:\(S=0\))?)(?: [A-Z][A-Z/-]*)?$/;

/**
 * A row from a brief entry line (matched by {@link BRIEF_ENTRY_RE}); attributes the line does not
 * explain are returned in `unknown`.
 *
 * @example
 * const m = BRIEF_ENTRY_RE.exec("10.0.0.0/24 *[Static/5] 08:27:04")!;
 * briefEntry(m, 1, "inet.0", "", () => {}).row.protocol // => "Static"
 */
export function briefEntry(m: RegExpExecArray, line: number, table: string, prefix: string, warn: (message: string) => void): { row: JunosRouteRow; unknown: string[] } {
  const row = emptyRoute(line, table, m[1] ?? prefix, "brief");
  const marks = m[2] ?? "";
  row.active = marks.includes("*") || marks.includes("+");
  row.lastActive = marks.includes("*") || marks.includes("-");
  row.protocol = m[3];
  if (m[4] === undefined || m[4] === "") row.hidden = true;
  else row.preference = boundedInt(m[4], 0, U32, warn);
  if (m[5] !== undefined) row.preference2 = boundedInt(m[5], -U32, U32, warn);
  const unknown = applyBriefAttributes(row, m[6] ?? "", warn);
  return { row, unknown };
}

/**
 * Reads `2d 07:03:17, metric 1, MED 100, localpref 200, from 192.168.1.19` into the row (the age first).
 * Returns the parts it does not know.
 *
 * @example
 * const r = emptyRoute(1, "inet.0", "0.0.0.0/0", "brief");
 * applyBriefAttributes(r, "00:08:56, localpref 100, from 192.168.1.19", () => {}); r.source // => "192.168.1.19"
 */
export function applyBriefAttributes(row: JunosRouteRow, rest: string, warn: (message: string) => void): string[] {
  const unknown: string[] = [];
  const parts = rest.split(",").map((p) => p.trim()).filter((p) => p !== "");
  let m: RegExpExecArray | null;
  parts.forEach((p, i) => {
    if (i === 0 && row.age === null && /^(?:\d+[ywd])*\s*(?:\d+:)?\d+:\d+$|^(?:\d+[ywd])+$/.test(p)) row.age = p;
    else if ((m = /^metric (\d+)$/.exec(p))) row.metric = boundedInt(m[1], 0, U32, warn);
    else if ((m = /^metric2 (\d+)$/.exec(p))) row.metric2 = boundedInt(m[1], 0, U32, warn);
    else if ((m = /^MED (\d+)$/.exec(p))) row.med = boundedInt(m[1], 0, U32, warn);
    else if ((m = /^localpref (\d+)$/.exec(p))) row.localPref = boundedInt(m[1], 0, U32, warn);
    else if ((m = /^from (\S+)$/.exec(p))) row.source = m[1];
    else if (/^tag2? \d+$/.test(p)) {
      /* route tags: not kept */
    } else unknown.push(p);
  });
  return unknown;
}

/**
 * `AS path: 65000 I, validation-state: unverified` (also `AS path: ?`, `AS path: I (Originator)`).
 *
 * @example
 * const r = emptyRoute(1, "inet.0", "0.0.0.0/0", "brief");
 * applyAsPathLine(r, "AS path: 64500 I, validation-state: unverified"); r.asPath // => "64500 I"
 */
export function applyAsPathLine(row: JunosRouteRow, t: string): boolean {
  const m = /^AS path:\s*(.*?)(?:,\s*validation-state:\s*(\S+))?\s*$/.exec(t);
  if (!m) return false;
  if (row.asPath === null) row.asPath = m[1];
  if (m[2] !== undefined) row.validationState = m[2];
  return true;
}
