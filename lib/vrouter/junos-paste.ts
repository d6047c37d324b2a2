/**
 * What people paste around Junos output, recognised line by line so the route parsers see only output:
 * CLI prompts (`user@mx> show route …`, `user@mx# run show route …`, also indented as in Markdown),
 * a bare `show route …` command line, `{master}` / `{master:0}` / `{primary:node0}` banners, `[edit …]`,
 * `---(more)---` / `---(more 45%)---` pager lines, Markdown code fences, and elisions or comments authors
 * write between outputs (`...deleted..`, `--- snip ---`, `# note`). Prompts become `commands`; the
 * other lines become warnings naming the line and its kind.
 *
 * Elisions and notes are the shared hygiene layer's (`hygiene.ts`: `isElision`, `noteStart`). The rest is
 * not routed through `cleanLines`: Junos output collides with its generic rules (terse rows marked `#`
 * and the `# = Forwarding Use Only` legend are not comments; `{master}`, `[edit]` and `---(more)---`
 * are Junos's own; the detail form's nested indentation must not be read as a quoted block).
 * {@link classifyJunosPasteLine} is the one place that decides.
 */
import type { CommandRecord, ParseWarning } from "./types";
import { parsePromptLine } from "./text";
import { isElision, noteStart } from "./hygiene";

/** What a pasted line is, when it is not output. */
export type PasteKind = "prompt" | "command" | "banner" | "pager" | "fence" | "elision" | "note" | "comment";

/** First characters of the non-output lines other than prompts and command lines: `{ [ - ( ` ~ . # / < = _ …` and `r`/`n`/`f`/`l`/`s` of `re0:`… */
const QUICK_START = new Set([..."{[-(`~.#/<=_\u2026rnfls"].map((c) => c.charCodeAt(0)));

/**
 * Classifies a raw line: null for output, else its kind and (for prompts and command lines) the command.
 *
 * @example
 * classifyJunosPasteLine("    rw@gw-01> show route 100.64.100.71") // => { kind: "prompt", prompt: "rw@gw-01>", command: "show route 100.64.100.71" }
 * classifyJunosPasteLine("{master:0}") // => { kind: "banner", prompt: "", command: "" }
 */
export function classifyJunosPasteLine(raw: string): { kind: PasteKind; prompt: string; command: string } | null {
  const t = raw.trim();
  if (t === "") return null;
  const c0 = t.charCodeAt(0);
  // Fast path: output lines start with a digit, a space-separated marker or a letter and hold no '@'.
  const hasAt = t.indexOf("@") > 0;
  if (!hasAt && !QUICK_START.has(c0) && !/^(?:run|show|cli)\s/.test(t)) return null;
  let m: RegExpExecArray | null;
  // `{master}`, `{master:0}`, `{primary:node0}`, `{linecard}`…, optionally followed by `[edit]`.
  if (/^\{[\w:-]+\}(?:\[edit[^\]]*\])?$/.test(t)) return { kind: "banner", prompt: "", command: "" };
  if (/^\[edit(?:\s[^\]]*)?\]$/.test(t)) return { kind: "banner", prompt: "", command: "" };
  // Per routing engine / cluster node sections (`re0:`, `node1:`) and their rule.
  if (/^(?:re|node|fpc|lcc|sfc)\d+:$/.test(t) || /^-{20,}$/.test(t)) return { kind: "banner", prompt: "", command: "" };
  if (/^-+\s*\(more(?:\s+\d+%)?\)\s*-+$|^-+\s*more\s*-+$/i.test(t)) return { kind: "pager", prompt: "", command: "" };
  if (/^(?:```|~~~)/.test(t)) return { kind: "fence", prompt: "", command: "" };
  // `user@host> cmd`, `user@host# cmd`, `user@host:pfe> `, `{master}user@host> `, `root@r1:PE1> `.
  if (hasAt && (m = /^((?:\{[\w:-]+\})?[\w.-]+@[\w.:-]+[>#%])(?:\s+(.*))?$/.exec(t))) {
    return { kind: "prompt", prompt: m[1], command: (m[2] ?? "").trim() };
  }
  // A bare command line (`show route protocol static 10.0.0.0/8`, `run show route …`, `cli -c "show route …"`).
  if ((m = /^((?:run\s+)?show\s+route\b.*|cli\s+-c\s+.*show\s+route\b.*)$/.exec(t))) return { kind: "command", prompt: "", command: m[1] };
  // Elisions and notes.
  if (/^(?:\.{2,}.*|\[\.\.\.\]|<snip>|-{2,}\s*snip\s*-*|\(\s*(?:output\s+)?(?:truncated|snipped|omitted)[^)]*\)|\.\.\.?\s*(?:deleted|snip|truncated|omitted).*)$/i.test(t)) {
    return { kind: "elision", prompt: "", command: "" };
  }
  // The shared hygiene layer's elisions (`<output omitted>`, `=== snip ===`, `…`) and a note alone on its line (`<-- the gateway`).
  if (isElision(t)) return { kind: "elision", prompt: "", command: "" };
  if (noteStart(t) === 0) return { kind: "note", prompt: "", command: "" };
  // `# note`, `// note`; not the legend (`# = Forwarding Use Only`) nor a terse row marked `#` (`# ? 0.0.0.0/0  M 255`).
  if (/^(?:#|\/\/)\s+\S/.test(t) && !/^#\s*=/.test(t) && !/^#\s+(?:[?VIN]\s+)?\S+\s+[A-Z]\s+\d+\b/.test(t)) return { kind: "comment", prompt: "", command: "" };
  return null;
}

/**
 * Marks the output lines of a Junos paste: `keep[i]` is false for prompts, banners, pagers, fences,
 * elisions and comments; prompts and command lines are recorded in `commands`, everything else dropped
 * is a warning (prompts and banners are expected and not warned about).
 *
 * @example
 * const r = junosPaste(["user@mx> show route", "", "inet.0: 1 destinations, 1 routes (1 active, 0 holddown, 0 hidden)", "{master}"]);
 * r.keep // => [false, true, true, false]
 */
export function junosPaste(lines: readonly string[]): { keep: boolean[]; commands: CommandRecord[]; warnings: ParseWarning[] } {
  const commands: CommandRecord[] = [];
  const warnings: ParseWarning[] = [];
  let wrappedPrompt = -1;
  const keep = lines.map((raw, i) => {
    if (i === wrappedPrompt) {
      // The rest of a command line a terminal wrapped at its width (`… | display` / `json`).
      const cmd = commands[commands.length - 1];
      cmd.command += raw.trim();
      warnings.push({ line: i + 1, column: 1, message: "wrapped command line joined", text: raw.trim() });
      return false;
    }
    const c = classifyJunosPasteLine(raw);
    if (c === null) return true;
    if ((c.kind === "prompt" || c.kind === "command") && raw.length >= 79 && i + 1 < lines.length && /^[\w|./:"-]+(?: [\w|./:"-]+)*$/.test(lines[i + 1].trim()) && lines[i + 1].length < 80) {
      wrappedPrompt = i + 1;
    }
    const column = raw.length - raw.trimStart().length + 1;
    if (c.kind === "prompt" || c.kind === "command") {
      const p = c.kind === "prompt" ? parsePromptLine(raw.trim()) : null;
      const command = c.command.replace(/^run\s+/, "");
      commands.push({ line: i + 1, prompt: c.prompt, command: c.command, tool: /^(?:cli\s+-c\s+.*)?show\s+route\b/.test(command) || /\bshow\s+route\b/.test(command) ? "junos-route" : p?.tool ?? null });
      if (c.kind === "command") warnings.push({ line: i + 1, column, message: "command line without a prompt skipped", text: raw.trim() });
      return false;
    }
    if (c.kind !== "banner") warnings.push({ line: i + 1, column, message: `${c.kind} line skipped`, text: raw.trim() });
    return false;
  });
  return { keep, commands, warnings };
}
