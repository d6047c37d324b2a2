/**
 * Tables as MIME bundles: `text/html` (arquero's HTML, row-capped) and an aligned `text/plain` with
 * "N of M rows" when capped.
 */
import type { ColumnTable } from "arquero";
import type { DisplayBundle } from "./bundle";

/** Options for {@link tableBundle}. */
export interface TableOptions {
  /** Rows shown at most (default 50). */
  maxRows?: number;
  /** Longest cell in the text rendering before it is cut with `…` (default 48). */
  maxCellWidth?: number;
  /** A caption above the table. */
  title?: string;
}

/**
 * Whether `x` looks like an arquero table (duck-typed, so tables from another arquero copy count too).
 *
 * @example
 * isArqueroTable(aq.table({ a: [1] })); // true
 */
export function isArqueroTable(x: unknown): x is ColumnTable {
  const t = x as Partial<ColumnTable> | null;
  return (
    !!t &&
    typeof t === "object" &&
    typeof t.numRows === "function" &&
    typeof t.columnNames === "function" &&
    typeof t.objects === "function"
  );
}

/**
 * Formats one cell value for text: numbers as is, null/undefined as empty, objects as JSON.
 *
 * @example
 * formatCell(null); // ""
 * formatCell({ a: 1 }); // '{"a":1}'
 */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || typeof v === "bigint") return String(v);
  if (v instanceof Date) return v.toISOString();
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function cut(s: string, width: number): string {
  const one = s.replace(/\s*\n\s*/g, " ⏎ ");
  return one.length > width ? one.slice(0, Math.max(1, width - 1)) + "…" : one;
}

/**
 * Renders rows as an aligned plain-text table (numbers right-aligned).
 *
 * @example
 * textTable(["a", "b"], [{ a: 1, b: "x" }]);
 * // "a  b\n-  -\n1  x"
 */
export function textTable(columns: string[], rows: Record<string, unknown>[], maxCellWidth = 48): string {
  const cells = rows.map((r) => columns.map((c) => cut(formatCell(r[c]), maxCellWidth)));
  const numeric = columns.map((c) => rows.length > 0 && rows.every((r) => r[c] == null || typeof r[c] === "number"));
  const widths = columns.map((c, i) => Math.max(cut(c, maxCellWidth).length, ...cells.map((row) => row[i].length)));
  const pad = (s: string, i: number) => (numeric[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]));
  const lines = [
    columns.map((c, i) => pad(cut(c, maxCellWidth), i)).join("  "),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...cells.map((row) => row.map(pad).join("  ")),
  ];
  return lines.map((l) => l.trimEnd()).join("\n");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * A table's display bundle: `text/html` + `text/plain`, capped at `maxRows` with "N of M rows".
 *
 * @example
 * tableBundle(aq.table({ node: ["cent222"], flows: [2] })).data["text/plain"];
 * // "node     flows\n-------  -----\ncent222      2\n(1 row)"
 */
export function tableBundle(table: ColumnTable, opts: TableOptions = {}): DisplayBundle {
  const maxRows = opts.maxRows ?? 50;
  const total = table.numRows();
  const shown = Math.min(total, maxRows);
  const columns = table.columnNames();
  const rows = table.objects({ limit: shown }) as Record<string, unknown>[];
  const count = shown < total ? `${shown} of ${total} rows` : `${total} row${total === 1 ? "" : "s"}`;
  const title = opts.title ? `${opts.title}\n` : "";
  const plain = `${title}${textTable(columns, rows, opts.maxCellWidth ?? 48)}\n(${count})`;
  const caption = opts.title ? `<caption style="text-align:left;font-weight:bold">${escapeHtml(opts.title)}</caption>` : "";
  const head = columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${columns.map((c) => {
      const v = r[c];
      const align = typeof v === "number" ? ' style="text-align:right"' : "";
      return `<td${align}>${escapeHtml(formatCell(v))}</td>`;
    }).join("")}</tr>`)
    .join("\n");
  const html =
    `<div class="packetwalk-table"><table>${caption}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>` +
    `<div style="font-size:smaller;color:#666">${escapeHtml(count)}</div></div>`;
  return { data: { "text/html": html, "text/plain": plain }, metadata: {} };
}
