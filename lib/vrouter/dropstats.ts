/**
 * `dropstats` / `dropstats --debug` / `vif --get N --get-drop-stats` → {@link DropstatRow} rows
 * (`PRINT_DROP_STAT` lines: a label padded to a column, then the counter).
 */
import type { DropstatRow, ParseError, VrouterParseResult } from "./types";
import { errorAt, isBlank, isRule } from "./text";
import { cleanLines } from "./hygiene";
import { RANGES, readChecked } from "./values";

export type { DropstatRow } from "./types";

/**
 * Parses `dropstats` output: one row per counter, in printed order.
 *
 * @example
 * parseDropstats("Invalid NH                    2\nPCOW fails                    0\n").rows[0]
 * // => { line: 1, counter: "Invalid NH", value: 2 }
 */
export function parseDropstats(text: string): VrouterParseResult<DropstatRow> {
  const { lines, commands, warnings } = cleanLines(typeof text === "string" ? text : String(text), "dropstats", { strayColons: true });
  const errors: ParseError[] = [];
  const rows: DropstatRow[] = [];
  for (const sl of lines) {
    if (sl.boundary) continue;
    const t = sl.text;
    if (isBlank(t) || isRule(t)) continue;
    const body = t.trimEnd();
    const sp = Math.max(body.lastIndexOf(" "), body.lastIndexOf("\t"));
    const value = sp > 0 ? body.slice(sp + 1) : "";
    const counter = sp > 0 ? body.slice(0, sp).trim() : "";
    if (counter !== "" && /^-?\d{1,400}$/.test(value)) {
      rows.push({ line: sl.index + 1, counter, value: readChecked(value, RANGES.count, sl, sp + 1, counter, warnings) });
      continue;
    }
    errors.push(errorAt(sl, Math.max(0, sp + 1), "unexpected line: expected `Counter name    N`"));
  }
  return { kind: "dropstats", rows, warnings, errors, commands };
}
