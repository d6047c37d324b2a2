/**
 * Investigations: every piece of evidence recorded once (commands, poll snapshots, probes, captures,
 * tables, notes), replayed anywhere, annotated and packed into one file to send.
 *
 * @example
 * import { investigation } from "packetwalk";
 * const inv = investigation.openInvestigation("out/investigation");
 * const replay = new investigation.ReplayRunner(inv);
 */
export * from "./layout";
export { createInvestigation, appendToInvestigation, recordInto, newInvestigationId, sha256Hex, LIVE_FLUSH_MS, InvestigationWriter, type CreateOptions, type WriterOptions, type NewRecord } from "./writer";
export { openInvestigation, InvestigationError, type Investigation } from "./reader";
export { RecordingRunner } from "./recording-runner";
export { ReplayRunner } from "./replay-runner";
export { packInvestigation, PACKED_NAME } from "./pack";
export { packTar, readTar, type TarEntry } from "./tar";
export { describeTarget, inventoryWithoutSecrets } from "./target";
export { investigationTimeline, type TimelineRow } from "./timeline";
export { storeTable, investigationTables, readInvestigationTable } from "./tables";
