/**
 * `mpls --dump` / `mpls --get LABEL` → {@link MplsRow} rows (identical layout from R2.20 to TF master).
 */
import type { MplsRow, VrouterParseResult } from "./types";
import { parseTwoColumns } from "./two-column";
import { RANGES } from "./values";

export type { MplsRow } from "./types";

/**
 * Parses `mpls --dump` / `mpls --get` output.
 *
 * @example
 * parseMpls("MPLS Input Label Map\n\n   Label    NextHop\n-------------------\n      38        44\n").rows
 * // => [{ line: 5, label: 38, nh: 44 }]
 */
export function parseMpls(text: string): VrouterParseResult<MplsRow> {
  const r = parseTwoColumns(text, "mpls", ["MPLS Input Label Map", "Label"], RANGES.label);
  return {
    kind: "mpls",
    rows: r.rows.map(([line, label, nh]) => ({ line, label, nh })),
    warnings: r.warnings,
    errors: r.errors,
    commands: r.commands,
  };
}
