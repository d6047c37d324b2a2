/**
 * The two-number tables of `mpls --dump/--get` (`Label NextHop`) and `vxlan --dump/--get` (`VNID NextHop`).
 */
import type { ParseError, ParseWarning, CommandRecord } from "./types";
import { type ToolKind, errorAt, isBlank, isRule } from "./text";
import { cleanLines } from "./hygiene";
import { RANGES, readChecked } from "./values";

/**
 * Parses a title + header + `a  b` rows table into `[line, a, b]` triples. `skip` lists the title and
 * header lines (matched after trimming, by prefix); `range` bounds the first column (a value outside it,
 * or a next hop that is no exact non-negative number, is a warning and `null`).
 *
 * @example
 * parseTwoColumns("MPLS Input Label Map\n\n   Label    NextHop\n-------\n      42        44\n", "mpls", ["MPLS Input", "Label"], [0, 1048575]).rows
 * // => [[5, 42, 44]]
 */
export function parseTwoColumns(
  text: string,
  tool: ToolKind,
  skip: readonly string[],
  range: readonly [number, number],
): { rows: [number, number | null, number | null][]; warnings: ParseWarning[]; errors: ParseError[]; commands: CommandRecord[] } {
  const { lines, commands, warnings } = cleanLines(typeof text === "string" ? text : String(text), tool, { strayColons: true });
  const errors: ParseError[] = [];
  const rows: [number, number | null, number | null][] = [];
  const name = skip[skip.length - 1];
  for (const sl of lines) {
    if (sl.boundary) continue;
    const t = sl.text;
    if (isBlank(t) || isRule(t)) continue;
    const body = t.trim();
    if (skip.some((s) => body.startsWith(s))) continue;
    const m = /^(-?\d{1,400})\s+(-?\d{1,400})$/.exec(body);
    if (m) {
      const lead = t.length - t.trimStart().length;
      const a = readChecked(m[1], range, sl, lead, name, warnings);
      const b = readChecked(m[2], RANGES.count, sl, t.lastIndexOf(m[2]), "NextHop", warnings);
      rows.push([sl.index + 1, a, b]);
      continue;
    }
    const lead = t.length - t.trimStart().length;
    errors.push(errorAt(sl, lead, `unexpected line: expected a \`${name}  NextHop\` row of two numbers`));
  }
  return { rows, warnings, errors, commands };
}
