/**
 * `--record DIR` for the commands that reach nodes (exec, flows, probe): the investigation to record
 * into, opened exactly as a notebook's `openTarget(…, { record: DIR })` opens it — created when the
 * folder holds none, added to when it does.
 */
import * as path from "node:path";
import { LIVE_FLUSH_MS, type InvestigationWriter } from "../../lib/investigation/writer";
import type { Inventory } from "../../lib/remote/inventory";
import type { CommandIO } from "./types";

/** The `--record` option, as the commands declare it. */
export const RECORD_OPTION = { record: { type: "string" } } as const;

/** The usage line every recording command shares. */
export const RECORD_USAGE = `--record DIR records every command (node, command line, times, exit, output), snapshot and probe
  into the investigation folder DIR (created, or added to when it holds one; see packetwalk note, pack
  and walk --replay).`;

/**
 * Opens `--record DIR` for a command, or returns null when it was not given. A folder that cannot be
 * recorded into is a message on stderr and `"error"` (the command exits 2 before reaching any node).
 *
 * @example
 * const rec = await openCliRecording(values.record, io, { command: "exec", inventory: inv, source: values.inventory ?? "", parameters: { node } });
 * if (rec === "error") return 2;
 */
export async function openCliRecording(
  dir: string | undefined,
  io: CommandIO,
  o: { command: string; inventory?: Inventory; source: string; parameters: Record<string, unknown> },
): Promise<InvestigationWriter | null | "error"> {
  if (dir === undefined) return null;
  const { recordInto } = await import("../../lib/investigation/writer.js");
  const { describeTarget } = await import("../../lib/investigation/target.js");
  const where = path.resolve(io.cwd, dir);
  try {
    const target = o.inventory ? describeTarget(o.inventory, "inventory", o.source) : { kind: "inventory" as const, source: o.source.replace(/^.*[\\/]/, "") || "(none)", nodes: [] };
    // Records gathered for a poll round and written together, as a notebook's: a killed command loses at most that.
    const w = recordInto(where, { target, parameters: { command: o.command, ...o.parameters }, flushMs: LIVE_FLUSH_MS });
    io.stderr.write(`recording into ${path.relative(io.cwd, where) || "."} (${w.manifest.id}${w.created ? ", new" : ""})\n`);
    return w;
  } catch (e) {
    io.stderr.write(`packetwalk ${o.command}: --record ${dir}: ${(e as Error).message}\n`);
    return "error";
  }
}
