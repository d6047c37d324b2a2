/**
 * The parser kinds, without the parsers: what `packetwalk parse --help` and argument checks need, so
 * they do not load the parsers (`detect.ts` loads every one of them). `detect.ts`'s `KINDS` is the same
 * list (a test keeps the two equal).
 */
import type { ToolKind } from "./text";

/** Every kind `parseAny` accepts. */
export const KINDS: readonly ToolKind[] = ["flow", "nh", "rt", "mpls", "vif", "vxlan", "dropstats", "junos-route"];

/**
 * True when `s` names a parser kind.
 *
 * @example
 * isKind("nh") // => true
 */
export function isKind(s: string): s is ToolKind {
  return (KINDS as readonly string[]).includes(s);
}
