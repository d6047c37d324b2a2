/**
 * Renders the MPLS input label map as TF vRouter `mpls --dump` / `mpls --get <label>` print it
 * (`utils/mpls.c`: `%8d    %6d` rows under a 19-dash rule).
 */
import type { ComputeState } from "../model";

const HEADER = "MPLS Input Label Map\n\n   Label    NextHop\n-------------------\n";

function row(label: number, nh: number): string {
  return `${String(label).padStart(8)}    ${String(nh).padStart(6)}\n`;
}

/**
 * Renders `mpls --dump`.
 *
 * @example
 * renderMplsDump(model.computes.get("cent333")!); // "MPLS Input Label Map\n\n   Label    NextHop\n---...\n      38        23\n"
 */
export function renderMplsDump(c: ComputeState): string {
  return HEADER + [...c.mpls.entries()].sort((a, b) => a[0] - b[0]).map(([l, n]) => row(l, n)).join("");
}

/**
 * Renders `mpls --get <label>`; an unknown label prints the header and no row.
 *
 * @example
 * renderMplsGet(model.computes.get("cent333")!, 38);
 */
export function renderMplsGet(c: ComputeState, label: number): string {
  const nh = c.mpls.get(label);
  return HEADER + (nh === undefined ? "" : row(label, nh));
}
