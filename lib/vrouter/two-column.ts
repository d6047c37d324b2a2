/**
 * The two-number tables of `mpls --dump/--get` (`Label NextHop`) and `vxlan --dump/--get` (`VNID NextHop`).
 */
import type { ParseError, ParseWarning, CommandRecord } from "./types";
import { type ToolKind, errorAt, isBlank, isRule, normalizeText, selectLines, splitLines } from "./text";

/**
 * Parses a title + header + `a  b` rows table into `[line, a, b]` triples. `skip` lists the title and
 * header lines (matched after trimming, by prefix).
 *
 * @example
 * parseTwoColumns("MPLS Input Label Map\n\n   Label    NextHop\n-------\n      42        44\n", "mpls", ["MPLS Input", "Label"]).rows
 * // => [[5, 42, 44]]
 */
export function parseTwoColumns(
  text: string,
  tool: ToolKind,
  skip: readonly string[],
): { rows: [number, number, number][]; warnings: ParseWarning[]; errors: ParseError[]; commands: CommandRecord[] } {
  const all = splitLines(normalizeText(typeof text === "string" ? text : String(text)));
  const { lines, commands, warnings } = selectLines(all, tool);
  const errors: ParseError[] = [];
  const rows: [number, number, number][] = [];
  for (const sl of lines) {
    if (sl.boundary) continue;
    const t = sl.text;
    if (isBlank(t) || isRule(t)) continue;
    const body = t.trim();
    if (skip.some((s) => body.startsWith(s))) continue;
    const m = /^(-?\d{1,10})\s+(-?\d{1,10})$/.exec(body);
    if (m) {
      rows.push([sl.index + 1, Number(m[1]), Number(m[2])]);
      continue;
    }
    const lead = t.length - t.trimStart().length;
    errors.push(errorAt(sl, lead, `unexpected line: expected a \`${skip[skip.length - 1]}  NextHop\` row of two numbers`));
  }
  return { rows, warnings, errors, commands };
}
