/**
 * Range checks for the numbers the vRouter parsers read: an impossible value (a port above 65535, a prefix
 * length above 32/128, a negative counter, a number too large to be exact) becomes `null` plus a warning,
 * never `Infinity`, `NaN` or a silently rounded number.
 */
import type { ParseWarning } from "./types";
import { type SourceLine, warningAt } from "./text";

/** The ranges the parsers check. */
export const RANGES = {
  port: [0, 65535],
  label: [0, 1048575],
  vnid: [0, 16777215],
  prefix4: [0, 32],
  prefix6: [0, 128],
  count: [0, Number.MAX_SAFE_INTEGER],
} as const satisfies Record<string, readonly [number, number]>;

/**
 * Reads a decimal integer within `[min, max]`. Returns `{ value }` with `value` `null` for text that is
 * no integer; `problem` is set (and `value` `null`) when it is one but out of range or not exact.
 *
 * @example
 * checkedInt("70000", RANGES.port) // => { value: null, problem: "70000 is out of range 0–65535" }
 * checkedInt("443", RANGES.port) // => { value: 443, problem: null }
 */
export function checkedInt(s: string | undefined, range: readonly [number, number]): { value: number | null; problem: string | null } {
  if (s === undefined) return { value: null, problem: null };
  const t = s.trim();
  if (!/^-?\d{1,400}$/.test(t)) return { value: null, problem: null };
  const v = Number(t);
  if (!Number.isSafeInteger(v)) return { value: null, problem: `${t.length > 24 ? `${t.slice(0, 20)}…` : t} is too large to be exact` };
  if (v < range[0] || v > range[1]) return { value: null, problem: `${t} is out of range ${range[0]}–${range[1]}` };
  return { value: v, problem: null };
}

/**
 * {@link checkedInt} that pushes a `kind: "value"` warning for an impossible value at `col0` of `sl`.
 *
 * @example
 * const w: ParseWarning[] = [];
 * readChecked("-5", RANGES.count, { index: 0, text: "Drops:-5", offset: 0 }, 6, "Drops", w) // => null
 * w[0].message // => "Drops: -5 is out of range 0–9007199254740991; read as null"
 */
export function readChecked(
  s: string | undefined,
  range: readonly [number, number],
  sl: SourceLine,
  col0: number,
  what: string,
  warnings: ParseWarning[],
): number | null {
  const r = checkedInt(s, range);
  if (r.problem !== null) warnings.push({ ...warningAt(sl, col0, `${what}: ${r.problem}; read as null`), kind: "value" });
  return r.value;
}
