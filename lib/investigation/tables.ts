/**
 * Large tables of an investigation (flow histories, frame tables), stored as Arrow IPC files under
 * `tables/` and listed in the evidence log with their row count and hash. arquero reads them back here;
 * DuckDB (`read_arrow`/`FROM 'tables/flow-history.arrow'` with the arrow extension), Polars
 * (`pl.read_ipc`) and pyarrow (`pa.ipc.open_file`) read the same files.
 */
import * as aq from "arquero";
import type { TableRecord } from "./layout";
import type { Investigation } from "./reader";
import type { InvestigationWriter } from "./writer";

/**
 * Stores an arquero table as Arrow IPC in the investigation and records it.
 *
 * @example
 * storeTable(writer, "flow-history", flowHistoryTable(snapshots)); // tables/flow-history.arrow
 */
export function storeTable(writer: InvestigationWriter, name: string, table: ReturnType<typeof aq.table>): TableRecord {
  return writer.addTable(name, aq.toArrowIPC(table), table.numRows());
}

/**
 * The names of the tables an investigation lists, in log order (a name stored twice counts once).
 *
 * @example
 * investigationTables(openInvestigation("out/investigation")); // ["flow-history", "frames-cent222-ens3", …]
 */
export function investigationTables(inv: Investigation): string[] {
  return [...new Set(inv.records.filter((r): r is TableRecord => r.kind === "table").map((r) => r.name))];
}

/**
 * A table of the investigation as an arquero table, read from its Arrow IPC file after checking the
 * file against the hash in its record. Null when the investigation lists no such table, or its file is
 * missing or altered (the investigation's `warnings` say which).
 *
 * @example
 * const h = readInvestigationTable(openInvestigation("out/investigation"), "flow-history");
 * h?.filter((d) => d.node === "cent222").groupby("snapshot").count().objects();
 */
export function readInvestigationTable(inv: Investigation, name: string): ReturnType<typeof aq.table> | null {
  const rec = [...inv.records].reverse().find((r): r is TableRecord => r.kind === "table" && r.name === name);
  if (!rec) return null;
  const bytes = inv.file(rec.file);
  if (!bytes) return null;
  try {
    return aq.fromArrow(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch {
    return null;
  }
}
