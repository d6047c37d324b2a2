/**
 * `vxlan --dump` / `vxlan --get VNID` → {@link VxlanRow} rows.
 */
import type { VrouterParseResult, VxlanRow } from "./types";
import { parseTwoColumns } from "./two-column";
import { RANGES } from "./values";

export type { VxlanRow } from "./types";

/**
 * Parses `vxlan --dump` / `vxlan --get` output.
 *
 * @example
 * parseVxlan("VXLAN Table\n\nVNID    NextHop\n----------------\n    38    547\n").rows
 * // => [{ line: 5, vnid: 38, nh: 547 }]
 */
export function parseVxlan(text: string): VrouterParseResult<VxlanRow> {
  const r = parseTwoColumns(text, "vxlan", ["VXLAN Table", "VNID"], RANGES.vnid);
  return {
    kind: "vxlan",
    rows: r.rows.map(([line, vnid, nh]) => ({ line, vnid, nh })),
    warnings: r.warnings,
    errors: r.errors,
    commands: r.commands,
  };
}
