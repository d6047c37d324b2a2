/**
 * Arrow IPC tables (an investigation's `tables/*.arrow`) redacted cell by cell: read with arquero's
 * `fromArrow`, every string cell through the one text rewriter, integer columns named as addresses
 * (`src_ip`, `dip`, `addr` …, every value a whole number within 0…2³²−1: IPv4 as numbers, as
 * `parseFlowColumns` keeps them) through the address mapper, written back with `toArrow`.
 */
import * as aq from "arquero";
import type { TextRedactor } from "./text";

const ADDRESS_COLUMN = /(^|[_-])(ip|ipv4|addr|address|sip|dip|src|dst|source|destination)$|(Ip|Addr|Address)$/i;

/**
 * Redacts one Arrow IPC table; throws (with arquero's message) when the bytes are not Arrow IPC.
 *
 * @example
 * const out = redactArrow(fs.readFileSync("tables/flow-history.arrow"), redactor);
 * out.rows; // as many rows as before
 */
export function redactArrow(bytes: Uint8Array, r: TextRedactor): { bytes: Uint8Array; rows: number } {
  const t = aq.fromArrow(bytes);
  const cols: Record<string, unknown[]> = {};
  for (const name of t.columnNames()) {
    const values = t.array(name) as ArrayLike<unknown>;
    const arr = Array.from(values);
    const asAddress = ADDRESS_COLUMN.test(name) && arr.length > 0 && arr.every((v) => v === null || v === undefined || (typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 0xffffffff));
    cols[r.text(name)] = arr.map((v) => {
      if (typeof v === "string") return r.field(v);
      if (asAddress && typeof v === "number") {
        const b = Uint8Array.of(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
        const o = r.address({ kind: "ipv4", bytes: b, prefix: null, canonical: [...b].join(".") });
        return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
      }
      return v;
    });
  }
  const out = aq.table(cols);
  return { bytes: aq.toArrowIPC(out), rows: out.numRows() };
}
