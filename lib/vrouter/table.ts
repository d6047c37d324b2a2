/**
 * Rows → tables: an arquero ColumnTable for the notebook ({@link toTable}) and a plain aligned text
 * table for the terminal ({@link formatTable}).
 */
import * as aq from "arquero";
import type { ParseResult } from "./types";

/** The arquero table type returned by {@link toTable}. */
export type ColumnTable = ReturnType<typeof aq.from>;

/**
 * Column names of rows in first-seen order (the union over all rows, so `flow --get` detail columns
 * that `flow -l` rows lack are still included).
 *
 * @example
 * columnNames([{ a: 1 }, { a: 2, b: 3 }]) // => ["a", "b"]
 */
export function columnNames(rows: readonly object[]): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  return names;
}

/**
 * Makes an arquero table from a parse result (or its rows), one column per field.
 *
 * @example
 * toTable(parseMpls("MPLS Input Label Map\n\n   Label    NextHop\n---\n      38        44\n")).numRows() // => 1
 */
export function toTable<R extends object>(result: ParseResult<R> | readonly R[], columns?: string[]): ColumnTable {
  const rows = (Array.isArray(result) ? result : (result as ParseResult<R>).rows) as R[];
  const names = columns ?? columnNames(rows);
  // Fill absent fields with null so every column has a value per row.
  const filled = rows.map((r) => {
    const o: Record<string, unknown> = {};
    for (const n of names) {
      const v = (r as Record<string, unknown>)[n];
      o[n] = v === undefined ? null : v;
    }
    return o;
  });
  return aq.from(filled, names);
}

/** Options of {@link formatTable}. */
export interface FormatTableOptions {
  /** Columns to show, in order (default: all). Unknown names are ignored. */
  columns?: readonly string[];
  /** Cells wider than this are cut with `…` (default 40). */
  maxCellWidth?: number;
  /** Text for null cells (default `-`). */
  nullText?: string;
}

function cellText(v: unknown, nullText: string): string {
  if (v === null || v === undefined) return nullText;
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (typeof v === "string") return v.replace(/[\r\n\t]+/g, " ");
  return String(v);
}

/**
 * Formats rows as a plain aligned text table: a header, a rule, one line per row; numbers right
 * aligned, wide cells truncated with `…`, nulls as `-`, booleans as `yes`/`no`.
 *
 * @example
 * formatTable([{ label: 38, nh: 44 }, { label: 1000, nh: 5 }])
 * // => "label  nh\n-----  --\n   38  44\n 1000   5\n"
 */
export function formatTable(rows: readonly object[], opts: FormatTableOptions = {}): string {
  const max = Math.max(1, opts.maxCellWidth ?? 40);
  const nullText = opts.nullText ?? "-";
  const all = columnNames(rows);
  const cols = opts.columns ? opts.columns.filter((c) => all.includes(c)) : all;
  if (cols.length === 0) return rows.length === 0 ? "(no rows)\n" : "";
  const cut = (s: string): string => (s.length > max ? `${s.slice(0, Math.max(0, max - 1))}…` : s);
  const header = cols.map(cut);
  const numeric = cols.map((c) => rows.every((r) => {
    const v = (r as Record<string, unknown>)[c];
    return v === null || v === undefined || typeof v === "number";
  }));
  const body = rows.map((r) => cols.map((c) => cut(cellText((r as Record<string, unknown>)[c], nullText))));
  const widths = cols.map((_, i) => Math.max(header[i].length, ...body.map((b) => b[i].length)));
  const fmt = (cells: string[]): string =>
    cells
      .map((s, i) => (numeric[i] ? s.padStart(widths[i]) : i === cells.length - 1 ? s : s.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const out = [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt)];
  if (rows.length === 0) out.push("(no rows)");
  return `${out.join("\n")}\n`;
}

/** The columns `packetwalk parse` shows by default for each kind (all columns with `--all`). */
export const DISPLAY_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  flow: ["index", "rindex", "srcIp", "srcPort", "dstIp", "dstPort", "proto", "vrf", "dvrf", "action", "tcpFlags", "tcpState", "keyNh", "rpfNh", "packets", "bytes", "udpSrcPort"],
  nh: ["id", "type", "family", "vrf", "flags", "oif", "tunnelType", "sip", "dip", "encapDstMac", "subNhs", "nhVrf"],
  rt: ["family", "vrf", "prefix", "index", "mac", "ppl", "flags", "label", "nh", "stitchedMac"],
  mpls: ["label", "nh"],
  vxlan: ["vnid", "nh"],
  dropstats: ["counter", "value"],
  vif: ["name", "osName", "type", "ipAddr", "hwAddr", "vrf", "flags", "nh", "rxPackets", "txPackets", "drops"],
  "junos-route": ["table", "prefix", "active", "protocol", "protocolNextHop", "label", "nextHopVia", "tunnelType", "tunnelDestination", "source"],
};
