/**
 * Which parser a text needs ({@link detectKind}), a dispatcher ({@link parseAny}), and a whole-transcript
 * parser that runs the right parser on every command's output ({@link parseTranscript}).
 */
import type { ParseResult, VrouterParseResult } from "./types";
import type { ToolKind } from "./text";
import { readTranscript } from "./hygiene";
import { parseFlow } from "./flow";
import { parseNh } from "./nh";
import { parseRt } from "./rt";
import { parseMpls } from "./mpls";
import { parseVif } from "./vif";
import { parseVxlan } from "./vxlan";
import { parseDropstats } from "./dropstats";
import { looksLikeJunosRoute, parseJunosRoute } from "./junos";

/** Every kind {@link parseAny} accepts. */
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

/**
 * Guesses the kind of a text: from the first prompt / command line that names a tool, else from the
 * output's own headers (`Flow table(`, `Id:n  Type:`, `vRouter inet4 routing table`, `vif0/0`…).
 * `null` when nothing is recognisable.
 *
 * @example
 * detectKind("(contrail-tools)[root@worker2 /]$ nh --get 25\nId:25 ...") // => "nh"
 * detectKind("MPLS Input Label Map\n") // => "mpls"
 */
export function detectKind(text: string): ToolKind | null {
  // Read through the hygiene layer: a `bash-5.1#` prompt names the tool, a quoted or indented block is
  // looked at unindented, comments and notes do not count.
  const tr = readTranscript((typeof text === "string" ? text : String(text)).slice(0, 1 << 20));
  for (const c of tr.commands) if (c.tool !== null) return c.tool;
  const lines: string[] = [];
  for (let i = 0; i < tr.text.length && lines.length < 400; i++) if (!tr.skipped[i]) lines.push(tr.text[i]);
  for (const raw of lines) {
    const l = raw.trimStart();
    if (l.startsWith("Flow table(") || l.startsWith("Flow Index:") || /^\d+<=>\d+\s/.test(l) || /^Flow table\s*$/.test(l)) return "flow";
    if (/^New\s*=\s*-?\d+,\s*Flow setup rate\b/.test(l) || /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}:\s+Entries\s*=/.test(l)) return "flow";
    if (/^Id:\d+\s+Type:/.test(l)) return "nh";
    if (/^(?:Match \S+ in )?[vV]router (?:inet[46] |bridge )?(?:routing )?table/.test(l) || /^Kernel (?:IP|L2 Bridge)/.test(l)) return "rt";
    if (l.startsWith("MPLS Input Label Map")) return "mpls";
    if (l.startsWith("VXLAN Table")) return "vxlan";
    if (l.startsWith("Vrouter Interface Table") || /^vif\d+\/\d+\s/.test(raw)) return "vif";
    // Any table (`inet.0:`, `mpls.0:`, `ns.inet6.0:`), the terse column header, JSON or XML.
    if (looksLikeJunosRoute(l)) return "junos-route";
    if (/^(?:Invalid IF|Trap No IF|IF TX Discard)\s+\d+$/.test(l)) return "dropstats";
    if (/^vif\d+\/\d+\s/.test(l)) return "vif";
    if (/^[0-9a-fA-F:.]+\/\d+\s+\d+\s/.test(l)) return "rt";
  }
  return null;
}

/**
 * Runs the parser of `kind` on `text`.
 *
 * @example
 * parseAny("mpls", "      38        44\n").rows // => [{ line: 1, label: 38, nh: 44 }]
 */
export function parseAny(kind: ToolKind, text: string): VrouterParseResult<object> {
  switch (kind) {
    case "flow":
      return parseFlow(text);
    case "nh":
      return parseNh(text);
    case "rt":
      return parseRt(text);
    case "mpls":
      return parseMpls(text);
    case "vif":
      return parseVif(text);
    case "vxlan":
      return parseVxlan(text);
    case "dropstats":
      return parseDropstats(text);
    case "junos-route":
      return parseJunosRoute(text);
    default: {
      const never: never = kind;
      return { kind: String(never), rows: [], warnings: [], errors: [{ line: 1, column: 1, message: `unknown kind ${String(never)}`, text: "" }], commands: [] };
    }
  }
}

/** The results of {@link parseTranscript}, one per kind found. */
export type TranscriptResult = Partial<Record<ToolKind, ParseResult<object>>>;

/**
 * Parses a pasted terminal transcript holding the output of several commands (`nh --get`, `mpls --dump`,
 * `flow -l`…): every kind named by a command line is parsed (each parser skips the other tools' output).
 * Text with no command line is parsed with the detected kind.
 *
 * @example
 * const r = parseTranscript("# mpls --dump\nMPLS Input Label Map\n\n   Label    NextHop\n---\n      38  44\n# nh --get 44\nId:44 Type:Encap Fmly: AF_INET Rid:0 Ref_cnt:1 Vrf:2\n");
 * Object.keys(r) // => ["mpls", "nh"]
 */
export function parseTranscript(text: string): TranscriptResult {
  const norm = typeof text === "string" ? text : String(text);
  const { commands } = readTranscript(norm);
  const kinds: ToolKind[] = [];
  for (const c of commands) if (c.tool !== null && !kinds.includes(c.tool)) kinds.push(c.tool);
  if (kinds.length === 0) {
    const k = detectKind(norm);
    if (k !== null) kinds.push(k);
  }
  const out: TranscriptResult = {};
  for (const k of kinds) out[k] = parseAny(k, norm);
  return out;
}
