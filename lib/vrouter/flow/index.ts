/**
 * `flow -l`, `flow -l --match …` and `flow --get N` → {@link FlowEntry} rows or columns: the entry
 * points other modules import. `parseFlow` (rows), `parseFlowColumns` (typed columns, for whole-node
 * tables) and `parseFlowStream` (chunks in, rows out as they complete) are one reader (`reader.ts`) with
 * two sinks (`sinks.ts`), so they give the same entries, errors and warnings on every input.
 */
export type { FlowEntry, FlowParseResult, FlowTableHeader } from "../types";
export { parseFlow, parseFlowColumns, type FlowColumnsResult } from "./parse";
export { parseFlowStream, type TextChunk, type FlowStreamOptions } from "./stream";
export { FlowScanner, type FlowScannerOptions } from "./scanner";
export { FlowColumns } from "./columns";
