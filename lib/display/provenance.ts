/**
 * Provenance: every helper output says what ran, where, when, and with which packetwalk, in the
 * output's `metadata.packetwalk`, so a shared notebook is auditable.
 */
import * as os from "node:os";
import { packetwalkVersion } from "./version";

/** What produced an output. All fields but `at` and `version` are optional. */
export interface Provenance {
  /** What ran: a command line (`flow -l --match 15.15.15.2`), a probe (`GET http://101.101.101.1/`), a helper. */
  what?: string;
  /** Where: a node name (`cent222`), a file, `local`. */
  where?: string;
  /** The target: `lab` or the inventory file. */
  target?: string;
  /** UTC timestamp, ISO 8601. */
  at: string;
  /** packetwalk version. */
  version: string;
  /** The kernel's host. */
  host: string;
  [key: string]: unknown;
}

/**
 * Builds a provenance record, stamping time, version and host.
 *
 * @example
 * provenance({ what: "flow -l", where: "cent222" });
 * // { what: "flow -l", where: "cent222", at: "2026-11-24T17:00:00.000Z", version: "0.1.0", host: "..." }
 */
export function provenance(fields: Partial<Provenance> = {}): Provenance {
  return {
    ...fields,
    at: fields.at ?? new Date().toISOString(),
    version: packetwalkVersion(),
    host: fields.host ?? os.hostname(),
  };
}
