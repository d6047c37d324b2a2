/**
 * `flow -l`, `flow -l --match …` and `flow --get N` → {@link FlowEntry} rows: the entry point other
 * modules import (`parseFlow`), plus the streaming variant, the scanner itself, and the columnar
 * variant for large dumps (`parseFlowColumns`: bytes in, typed columns out, same rows).
 */
import type { FlowParseResult } from "../types";
import { normalizeText } from "../text";
import { FlowScanner } from "./scanner";

export type { FlowEntry, FlowParseResult, FlowTableHeader } from "../types";
export { FlowScanner, type FlowScannerOptions } from "./scanner";
export { parseFlowStream, type TextChunk } from "./stream";
export { parseFlowColumns, type FlowColumnsResult } from "./bytes";
export { FlowColumns } from "./columns";

/**
 * Parses `flow -l`, `flow -l --match …`, and `flow --get N` output (any release from R1.x to TF master,
 * prompts and other tools' output in the same transcript are skipped) into {@link FlowEntry} rows.
 * Never throws: malformed lines become `errors` with line and column, unknown attributes `warnings`.
 *
 * @example
 * const r = parseFlow(
 *   "   292028<=>398064       10.0.0.3:49494                                6 (0->2)\n" +
 *   "                         169.254.0.4:22\n" +
 *   "(Gen: 1, K(nh):5, Action:N(SD), Flags:, TCP:SSrEEr, QOS:-1, S(nh):10,\n" +
 *   " Stats:429/33993,  SPort 60311, TTL 0, Sinfo 0.0.0.0)\n");
 * r.rows[0].dnat // => true
 * r.rows[0].tcpDescription // => "SYN both ways, established both ways"
 */
export function parseFlow(text: string): FlowParseResult {
  const s = new FlowScanner();
  s.feed(normalizeText(typeof text === "string" ? text : String(text)));
  return s.finish();
}
