/**
 * Text plumbing shared by the vRouter parsers: input normalisation, the narrow prompt recogniser the flow
 * and Junos parsers still use, and the field helpers of the line parsers. Splitting a paste into
 * per-command sections and cleaning it is the hygiene layer's job (`hygiene.ts`). Everything here is pure
 * and linear-time.
 */
import type { ParseError, ParseWarning } from "./types";

/** The utility a command line runs, as the parsers name it. */
export type ToolKind =
  | "flow"
  | "nh"
  | "rt"
  | "mpls"
  | "vif"
  | "vxlan"
  | "dropstats"
  | "junos-route";

/** A prompt or bare command line recognised in the input (kept so callers can see what was run). */
export interface CommandLine {
  /** 1-based line in the input. */
  line: number;
  /** The prompt as printed (`(contrail-tools)[root@worker2 /]$`), `""` for a bare command line. */
  prompt: string;
  /** The command after the prompt (`flow -l --match 115.115.115.4`), `""` for a bare prompt. */
  command: string;
  /** The utility the command runs, `null` when it is none the parsers know (or the prompt is bare). */
  tool: ToolKind | null;
}

const ANSI_RE = /\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>cM78]/g;

/**
 * Normalises captured terminal text: `\r\n` and lone `\r` become `\n`, ANSI escape sequences
 * (`flow --get` clears the screen) are removed. Returns the input itself when there is nothing to do.
 *
 * @example
 * normalizeText("\x1b[H\x1b[2Jflow -l\r\n") // => "flow -l\n"
 */
export function normalizeText(text: string): string {
  let t = text;
  if (t.indexOf("\r") >= 0) t = t.replace(/\r\n?/g, "\n");
  if (t.indexOf("\x1b") >= 0) t = t.replace(ANSI_RE, "");
  return t;
}

/**
 * Splits normalised text into lines (no trailing `\n`). A final empty line after a trailing newline is dropped.
 *
 * @example
 * splitLines("a\nb\n") // => ["a", "b"]
 */
export function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

const TOOL_NAMES: Record<string, ToolKind> = {
  flow: "flow",
  nh: "nh",
  rt: "rt",
  mpls: "mpls",
  vif: "vif",
  vxlan: "vxlan",
  dropstats: "dropstats",
};

/**
 * Which utility a command string runs: the first word whose basename is a vRouter tool
 * (`$utils/nh`, `docker exec vrouter_vrouter-agent_1 flow -l`, `contrail-tools vif --list`), or a Junos
 * `show route`. `null` when none.
 *
 * @example
 * toolOfCommand("docker exec vrouter_vrouter-agent_1 flow -l") // => "flow"
 * toolOfCommand("show route table ns.inet.0 101.101.101.1/32 detail") // => "junos-route"
 */
export function toolOfCommand(command: string): ToolKind | null {
  const words = command.trim().split(/\s+/);
  if (words[0] === "show" && words[1] === "route") return "junos-route";
  for (let i = 0; i < words.length && i < 24; i++) {
    const w = words[i];
    if (w === "|" || w.startsWith("|")) break;
    const base = w.slice(w.lastIndexOf("/") + 1);
    const tool = TOOL_NAMES[base];
    if (tool !== undefined) return tool;
  }
  return null;
}

/** True for option-looking words: `-l`, `--get`, and the en-dash `–dump` of pasted docs. */
function isOptionWord(w: string | undefined): boolean {
  if (w === undefined) return true;
  return w.startsWith("-") || w.startsWith("\u2013") || w.startsWith("\u2014");
}

/**
 * The narrow prompt recogniser the flow and Junos parsers use until they read through the hygiene layer
 * (`parseShellLine` in `hygiene.ts` knows every shell's prompt and tells `# comments` from prompts); kept
 * unchanged so their behaviour does not move.
 *
 * Recognises a shell prompt (`# `, `$ `, `bash$ `, `[root@host ~]# `, `(contrail-tools)[root@worker2 /]$ `,
 * `root@host:/dir# `, Junos `user@mx> `) or a bare vRouter command line (`nh --list`, `$utils/rt --dump 0`)
 * at the start of a line. Returns the prompt and command, or `null` for an ordinary output line.
 *
 * @example
 * parsePromptLine("(contrail-tools)[root@worker2 /]$ nh --get 25")
 * // => { prompt: "(contrail-tools)[root@worker2 /]$", command: "nh --get 25", tool: "nh" }
 */
export function parsePromptLine(
  line: string,
): { prompt: string; command: string; tool: ToolKind | null } | null {
  const n = line.length;
  if (n === 0) return null;
  const c0 = line.charCodeAt(0);
  // Output lines of the tools that start with a space, a digit, '(' + letter content, etc. are never prompts,
  // except '(' for "(contrail-tools)[...]$".
  if (c0 === 32 || c0 === 9) return null;
  let i = 0;
  // Optional "(venv)" prefix.
  if (c0 === 40 /* ( */) {
    const close = line.indexOf(")");
    if (close < 0 || close > 64) return null;
    const inner = line.slice(1, close);
    if (!/^[\w.-]+$/.test(inner)) return null;
    i = close + 1;
  }
  // Optional "[user@host dir]" or "user@host:dir" or "bash"/"sh".
  if (line.charCodeAt(i) === 91 /* [ */) {
    const close = line.indexOf("]", i);
    if (close < 0 || close - i > 128) return null;
    if (line.indexOf("@", i) < 0 || line.indexOf("@", i) > close) return null;
    i = close + 1;
  } else {
    const m = /^(?:[\w.-]+@[\w.-]+(?::[^\s#$>%]*)?|bash|sh|bash-[\d.]+|\{[\w-]+\}[\w.-]*@[\w.-]+)/.exec(line.slice(i, i + 200));
    if (m) i += m[0].length;
  }
  const t = line.charCodeAt(i);
  const isTerm = t === 35 /* # */ || t === 36 /* $ */ || t === 62 /* > */ || t === 37; /* % */
  if (isTerm) {
    const after = line.charCodeAt(i + 1);
    if (i + 1 === n || after === 32 || after === 9) {
      const prompt = line.slice(0, i + 1);
      const command = line.slice(i + 1).trim();
      // A bare '$' or '#' with text after it must look like a command (not e.g. "# of flows").
      return { prompt, command, tool: command === "" ? null : toolOfCommand(command) };
    }
  }
  if (i > 0) return null;
  // Bare command line: first word is a tool (possibly with a path), next word an option or nothing.
  const words = line.trim().split(/\s+/, 3);
  const first = words[0];
  const base = first.slice(first.lastIndexOf("/") + 1);
  if (TOOL_NAMES[base] !== undefined && isOptionWord(words[1])) {
    const command = line.trim();
    return { prompt: "", command, tool: toolOfCommand(command) };
  }
  if (first === "show" && words[1] === "route") {
    return { prompt: "", command: line.trim(), tool: "junos-route" };
  }
  return null;
}

/** A line of input as a parser sees it. */
export interface SourceLine {
  /** 0-based line index in the original input. */
  index: number;
  /** The text (grep prefix removed). */
  text: string;
  /** Columns removed from the front (quoting, common indentation, grep prefix), added back when reporting a column. */
  offset: number;
  /** Synthetic blank line inserted at a section boundary. */
  boundary?: boolean;
  /** The command whose output this line is (`null` for text before any command). */
  command?: CommandLine | null;
  /** The command piped the output through `grep`/`head`/…: records may be partial. */
  filtered?: boolean;
}

/**
 * Splits a line into `label → value` fields, given the labels that may appear (`Type:`, `Fmly:`, `Rid:`…).
 * A label counts only at the start of the line or after whitespace; the longest label wins at a position.
 * The value runs to the next label. Text before the first label is returned as `lead`.
 *
 * @example
 * splitLabels("Vrf:0 Mcast Vrf:65535 Flags:PL3 QOS:-1", ["Vrf:", "Mcast Vrf:", "Flags:", "QOS:"]).fields.get("Mcast Vrf:")
 * // => { value: "65535", col0: 6 }
 */
export function splitLabels(
  line: string,
  labels: readonly string[],
): { lead: string; fields: Map<string, { value: string; col0: number }>; order: string[]; repeats: string[] } {
  const sorted = [...labels].sort((a, b) => b.length - a.length);
  const hits: { label: string; at: number }[] = [];
  const n = line.length;
  for (let i = 0; i < n; i++) {
    if (i > 0) {
      const prev = line.charCodeAt(i - 1);
      if (prev !== 32 && prev !== 9) continue;
    }
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    for (const l of sorted) {
      if (line.startsWith(l, i)) {
        hits.push({ label: l, at: i });
        i += l.length - 1;
        break;
      }
    }
  }
  const fields = new Map<string, { value: string; col0: number }>();
  const order: string[] = [];
  const repeats: string[] = [];
  const lead = (hits.length === 0 ? line : line.slice(0, hits[0].at)).trim();
  for (let k = 0; k < hits.length; k++) {
    const h = hits[k];
    const end = k + 1 < hits.length ? hits[k + 1].at : n;
    const value = line.slice(h.at + h.label.length, end).trim();
    if (!fields.has(h.label)) {
      fields.set(h.label, { value, col0: h.at });
      order.push(h.label);
    } else {
      // Repeated label (e.g. several `Oif:` of an underlay-ECMP tunnel): the first wins, the rest are returned.
      repeats.push(`${h.label}${value}`);
    }
  }
  return { lead, fields, order, repeats };
}

/**
 * Builds a {@link ParseError} for a {@link SourceLine}; `col0` is the 0-based column in `sl.text`.
 *
 * @example
 * errorAt({ index: 4, text: "junk", offset: 0 }, 0, "expected a route row").line // => 5
 */
export function errorAt(sl: SourceLine, col0: number, message: string): ParseError {
  return { line: sl.index + 1, column: sl.offset + col0 + 1, message, text: sl.text.trim() };
}

/**
 * Builds a {@link ParseWarning} for a {@link SourceLine}; `col0` is the 0-based column in `sl.text`.
 *
 * @example
 * warningAt({ index: 0, text: " Foo:1", offset: 0 }, 1, "unknown field").column // => 2
 */
export function warningAt(sl: SourceLine, col0: number, message: string, text?: string): ParseWarning {
  return { line: sl.index + 1, column: sl.offset + col0 + 1, message, text: text ?? sl.text.trim() };
}

/**
 * Parses a decimal integer (optional leading `-`), `null` for anything else (including empty and overlong input).
 *
 * @example
 * toInt("-1") // => -1
 * toInt("12a") // => null
 */
export function toInt(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  let neg = false;
  if (s.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
    if (n === 1) return null;
  }
  let v = 0;
  for (; i < n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return null;
    v = v * 10 + c;
  }
  return neg ? -v : v;
}

/**
 * Index of the first non-space (space or tab) character at or after `i`.
 *
 * @example
 * skipSpaces("   x", 0) // => 3
 */
export function skipSpaces(s: string, i: number): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/**
 * True when the line is empty or whitespace only.
 *
 * @example
 * isBlank(" \t ") // => true
 */
export function isBlank(s: string): boolean {
  return skipSpaces(s, 0) === s.length;
}

/**
 * True when the line is only dashes (a table rule or a vtest heading underline), at least 3.
 *
 * @example
 * isRule("  -------------------") // => true
 */
export function isRule(s: string): boolean {
  const t = s.trim();
  if (t.length < 3) return false;
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) !== 45) return false;
  return true;
}
