/**
 * The text hygiene layer every vRouter parser reads through: it turns output as people paste it (from
 * tickets, chat, wiki pages, terminals, vendor documentation) into the clean lines a parser expects, and
 * turns every line it skips into a warning that names the line (1-based, of the ORIGINAL input) and the
 * kind of thing skipped. It never removes or renumbers lines: a parser's errors keep the original line
 * numbers, and columns stay those of the original line (the columns removed from the front are in
 * `SourceLine.offset`).
 *
 * What it handles, in order:
 * 1. byte-order marks, ANSI escapes, CRLF / lone CR, non-breaking spaces;
 * 2. e-mail quoting (`> ` on every line, nested too);
 * 3. a block indented as a whole (Markdown, RST: 1–8 spaces or tabs), from its common indentation, so the
 *    formats' own indented continuation lines keep their relative indentation; the same for one command's
 *    output indented under an unindented prompt line;
 * 4. markup written into the output (Markdown fences and the `'''` typed for one, `**bold**`, a leading `|`);
 * 5. notes written after data on the same line (`---> text`, `<-- text`, `<== text`, arrows of 3+ characters);
 * 6. double spacing (an empty line after every line);
 * 7. prompts of every shell seen in the field and the commands after them (`bash-5.1#`, `sh-4.2#`,
 *    `(contrail-tools)[root@x /]$`, `[prod] root@host:~ #`, `root@host:/dir#`, `user@mx>`, `$ `, `# `),
 *    en-dash options (`flow –l`) and pipes (`| grep …`), a `user@host` prompt indented by a list item; `#` comment lines (a `# text` line is a prompt only
 *    when `text` is a command, so a comment never swallows the output after it);
 * 8. the output of other commands in the same paste (skipped, one warning per command);
 * 9. grep's `--` separators and `-b`/`-n` prefixes, and the partial records of `grep -A/-B/-C`
 *    (lines are marked `filtered` so a parser reports a broken record as a warning, not an error);
 * 10. elisions (`...`, `[...]`, `--- snip ---`, `..deleted..`, `<output omitted>`) and sentences people write
 *     between outputs ("The routes are below:");
 * 11. `Flags: X=…` legends and their lines wrapped by the page.
 *
 * A parser calls {@link cleanLines} (line-oriented parsers) or {@link cleanText} (parsers that scan a whole
 * string, e.g. a byte scanner: it gets a cleaned string plus a map back to original lines).
 */
import type { ParseWarning } from "./types";
import { type CommandLine, type SourceLine, type ToolKind, normalizeText, splitLines } from "./text";

/** What a hygiene warning is about. */
export type HygieneKind =
  | "quote"
  | "markup"
  | "note"
  | "comment"
  | "grep-separator"
  | "elision"
  | "prose"
  | "pager"
  | "shell"
  | "stray"
  | "help"
  | "legend";

/** A warning of the hygiene layer: `kind` says what was skipped or rewritten. */
export interface HygieneWarning extends ParseWarning {
  kind: HygieneKind;
}

/** Per-parser switches. Every step is on by default. */
export interface HygieneOptions {
  /** Strip a block's common indentation (off for a format whose every line may be indented by itself). */
  dedent?: boolean;
  /** Drop `Flags: X=Meaning` legend lines (the parser never sees them). */
  legends?: boolean;
  /**
   * Read a `:` typed right after a number and before a space or the line end (`Oif:9: Len:14`,
   * `Vrf:112: Mcast`, `65  110:` of an edited paste) as a space. Off by default: a format whose own
   * output has `0: ` (Junos `inet.0: 3 destinations`) must not turn it on.
   */
  strayColons?: boolean;
  /**
   * Which sentences written into the paste are skipped: `"any"` (default: every line {@link isProse}
   * accepts) or `"punctuated"` (only those ending in `.`, `:`, `!` or `?`, as an author's sentence does, or
   * set in Markdown bold:
   * for a parser that reports any other unreadable line as an error, e.g. `flow`).
   */
  prose?: "any" | "punctuated";
}

/** One command's output inside a transcript. */
export interface HygieneSection {
  /** The command line that opened the section, `null` for text before any command. */
  command: CommandLine | null;
  /** The tool of the section, `null` when unknown. */
  tool: ToolKind | null;
  /** 0-based index of the first output line. */
  start: number;
  /** 0-based index one past the last output line. */
  end: number;
  /** The command piped through `grep -b`/`-n`: lines carry a `123-`/`123:` prefix. */
  grepPrefix: boolean;
  /** The command piped through `grep` (or `head`/`tail`/`awk`/`sed`): records may be partial. */
  filtered: boolean;
}

/** The whole input after hygiene, before a parser picks its tool's sections. */
export interface Transcript {
  /** The cleaned text of every original line (same count, same order as the input's lines). */
  text: string[];
  /** Columns removed from the front of each line (quote marks, common indentation). */
  offset: number[];
  /** Lines skipped by hygiene (`true`), never shown to a parser. */
  skipped: boolean[];
  /** Lines an author set in Markdown bold (`**…**`): a sentence there is the author's, whatever its end. */
  bold: boolean[];
  sections: HygieneSection[];
  commands: CommandLine[];
  warnings: HygieneWarning[];
}

/* ---------------------------------------------------------------------------------------------- */
/* Prompts and commands                                                                           */
/* ---------------------------------------------------------------------------------------------- */

const TOOL_WORDS: Readonly<Record<string, ToolKind>> = {
  flow: "flow",
  nh: "nh",
  nhchain: "nh",
  rt: "rt",
  mpls: "mpls",
  vif: "vif",
  vxlan: "vxlan",
  dropstats: "dropstats",
};

/** First words that make `# word …` a command rather than a comment. */
const COMMAND_WORDS = new Set([
  "sudo", "docker", "kubectl", "oc", "crictl", "podman", "nerdctl", "ctr", "ssh", "contrail-tools", "cat", "grep",
  "egrep", "less", "more", "tail", "head", "ls", "cd", "echo", "ip", "ifconfig", "tcpdump", "ping", "curl", "watch",
  "exit", "export", "source", "python", "python3", "journalctl", "systemctl", "ps", "netstat", "ss", "awk", "sed",
  "cut", "sort", "wc", "find", "tee", "vrfstats", "vrouter", "vrmemstats", "qosmap", "mirror", "vrftable", "vrinfo",
  "dpdkinfo", "dpdkconf", "dpdkvifstats.py", "contrail-status", "show", "cli", "set", "clear", "traceroute",
  "ethtool", "lspci", "dmesg", "kill", "top", "date", "hostname", "uname", "nsenter", "chroot", "bash", "sh",
]);

/**
 * Which utility a command runs: the first word (before any pipe) whose basename is a vRouter tool
 * (`$utils/nh`, `docker exec vrouter_vrouter-agent_1 flow -l`, `nhchain` → `nh`), or a Junos `show route`.
 *
 * @example
 * commandTool("sudo docker exec contrail_vrouter_agent vif --get 0/0") // => "vif"
 * commandTool("show route table ns.inet.0 | display json") // => "junos-route"
 */
export function commandTool(command: string): ToolKind | null {
  const words = command.trim().split(/\s+/, 32);
  if (words[0] === "show" && words[1] === "route") return "junos-route";
  for (const w of words) {
    if (w.startsWith("|")) break;
    const tool = TOOL_WORDS[w.slice(w.lastIndexOf("/") + 1)];
    if (tool !== undefined) return tool;
  }
  return null;
}

/** True when the text after a bare `#` reads as a command (else the line is a comment). */
function looksLikeCommand(text: string): boolean {
  const first = text.split(/\s+/, 1)[0];
  if (first === "") return true;
  if (commandTool(text) !== null && TOOL_WORDS[first.slice(first.lastIndexOf("/") + 1)] !== undefined) return true;
  if (COMMAND_WORDS.has(first)) return true;
  return /^(?:\.{0,2}\/|\$\w)/.test(first);
}

/** A command an author wrapped in backticks (`` ` mc_contrail nh --get 29 ` ``) without them. */
function unquote(command: string): string {
  const m = /^`+\s*(.*?)\s*`+$/.exec(command);
  return m === null ? command : m[1];
}

// `(venv)` prefix, `[tag] ` prefix, then the prompt body, an optional space, and the terminator.
const PROMPT_RE =
  /^(\([\w.-]{1,64}\)\s?)?(\[[\w.-]{1,32}\]\s)?(\[[^\]@]{1,128}@[^\]]{1,128}\]|\{[\w:-]+\}[\w.-]*@[\w.-]+|[\w.-]+@[\w.-]+(?::[^\s#$>%]{0,200})?|[\w.-]+:[~/][^\s#$>%]{0,200}|(?:ba|z|k|c|tc|da)?sh(?:-\d+(?:\.\d+)*)?)( ?)([#$>%])(?=\s|$)/;

/** A recognised shell line: a prompt (with or without a command). */
export interface ShellLine {
  /** The prompt as printed (`bash-5.1#`, `[prod] root@host:~ #`), `""` for a bare command line. */
  prompt: string;
  /** The command after the prompt, `""` for a bare prompt. */
  command: string;
  tool: ToolKind | null;
}

/**
 * Reads a line as a shell prompt, a bare command line (`nh --list`, `$utils/rt --dump 0`), or a `#` comment.
 * Returns `"comment"` for a comment, `null` for an ordinary output line.
 *
 * @example
 * parseShellLine("bash-5.1# nhchain --get 51") // => { prompt: "bash-5.1#", command: "nhchain --get 51", tool: "nh" }
 * parseShellLine("[prod] root@host:~ #") // => { prompt: "[prod] root@host:~ #", command: "", tool: null }
 * parseShellLine("# sample output") // => "comment"
 */
export function parseShellLine(line: string): ShellLine | "comment" | null {
  const n = line.length;
  if (n === 0) return null;
  const c0 = line.charCodeAt(0);
  if (c0 === 32 || c0 === 9) return null;
  if (c0 === 35 /* # */ || c0 === 36 /* $ */) {
    const after = n > 1 ? line.charCodeAt(1) : 32;
    if (after === 32 || after === 9) {
      const command = unquote(line.slice(1).trim());
      if (c0 === 35 && !looksLikeCommand(unquote(command))) return "comment";
      return { prompt: line[0], command, tool: command === "" ? null : commandTool(command) };
    }
    if (c0 === 35) return "comment"; // `#comment`, `##`, `#---`
    // `$utils/nh --list` (a vtest bare command line) falls through.
  }
  if (c0 === 40 || c0 === 91 || c0 === 123 || (c0 >= 48 && c0 <= 57) || (c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122) || c0 === 95) {
    const m = PROMPT_RE.exec(line.length > 400 ? line.slice(0, 400) : line);
    if (m !== null && (m[3] !== undefined)) {
      // `sh` / `bash` alone need their terminator right after (`bash-5.1#`, `sh$`), never `show route >`.
      const prompt = m[0];
      const command = unquote(line.slice(prompt.length).trim());
      return { prompt, command, tool: command === "" ? null : commandTool(command) };
    }
  }
  // Bare command line: a tool word (maybe with a path) then an option word (`-l`, `--get`, `–dump`) or nothing.
  const words = line.trim().split(/\s+/, 3);
  const first = words[0];
  const base = first.slice(first.lastIndexOf("/") + 1);
  if (TOOL_WORDS[base] !== undefined && (words[1] === undefined || /^[-\u2013\u2014]/.test(words[1]))) {
    const command = line.trim();
    return { prompt: "", command, tool: commandTool(command) };
  }
  if (first === "show" && words[1] === "route") return { prompt: "", command: line.trim(), tool: "junos-route" };
  return null;
}

/* ---------------------------------------------------------------------------------------------- */
/* Line classes                                                                                   */
/* ---------------------------------------------------------------------------------------------- */

const ELISION_EDGE = new Set([..."-=*.~_<>[](){}\u2026"].map((c) => c.charCodeAt(0)));
const ELISION_WORDS =
  /^(?:snip(?:ped)?|cut|deleted|omitted|truncated|trimmed|removed|skipped|etc|more|(?:output|lines?|rest|entries|rows|text)(?: (?:of output|of the output))? (?:omitted|deleted|truncated|snipped|removed|skipped|trimmed))$/i;

/**
 * True for an elision a person wrote into pasted output: `...`, `…`, `[...]`, `--- snip ---`, `..deleted..`,
 * `<output omitted>`. A rule of dashes alone (`-----`, a table rule) is not one.
 *
 * @example
 * isElision("--- snip ---") // => true
 * isElision("-------------------") // => false
 */
export function isElision(line: string): boolean {
  const t = line.trim();
  if (t.length < 1 || t.length > 60) return false;
  // Cheap exit for data lines: an elision starts or ends with punctuation.
  if (!ELISION_EDGE.has(t.charCodeAt(0)) && !ELISION_EDGE.has(t.charCodeAt(t.length - 1))) return false;
  let core = t.replace(/^[\s\-=*.~_<>\[\](){}\u2026]+/, "").replace(/[\s\-=*.~_<>\[\](){}\u2026]+$/, "");
  if (core === "") return /\.\.|\u2026/.test(t);
  core = core.replace(/\s+/g, " ");
  return core.length < t.length && ELISION_WORDS.test(core);
}

/**
 * Where a note written after data starts: an arrow of 3+ characters (`-->`, `==>`, `<--`, `<==`, longer
 * runs too) with whitespace (or the line start) before it and whitespace (or the end) after it. Returns the
 * index of the whitespace before the arrow, `-1` when the line has none. Linear (no regex backtracking).
 *
 * @example
 * noteStart("100.64.1.18/32  32  P  -  90    ---> to the VM") // => 28
 * noteStart("FRR State: 0 -> 1") // => -1
 */
export function noteStart(t: string): number {
  const n = t.length;
  let i = 0;
  while (i < n) {
    const c = t.charCodeAt(i);
    let start = -1;
    let end = -1;
    if (c === 45 || c === 61) {
      let j = i;
      while (j < n && t.charCodeAt(j) === c) j++;
      if (j - i >= 2 && j < n && t.charCodeAt(j) === 62) {
        start = i;
        end = j + 1;
      }
      if (start < 0) {
        i = j;
        continue;
      }
    } else if (c === 60 && i + 1 < n) {
      const d = t.charCodeAt(i + 1);
      if (d === 45 || d === 61) {
        let j = i + 1;
        while (j < n && t.charCodeAt(j) === d) j++;
        if (j - i - 1 >= 2) {
          start = i;
          end = j;
        }
      }
    }
    if (start >= 0) {
      const before = start === 0 || t.charCodeAt(start - 1) === 32 || t.charCodeAt(start - 1) === 9;
      const after = end === n || t.charCodeAt(end) === 32 || t.charCodeAt(end) === 9;
      if (before && after) {
        let k = start;
        while (k > 0 && (t.charCodeAt(k - 1) === 32 || t.charCodeAt(k - 1) === 9)) k--;
        return k;
      }
      i = end;
      continue;
    }
    i++;
  }
  return -1;
}

/**
 * True for a sentence a person wrote into the paste ("The routes of VRF 2 are below:"): 4+ words, at least
 * three quarters of them plain words, two or more in lower case, and nothing shaped like the tools' output
 * (`Label:value`, `X=Meaning`, `a/b`, a column gap of 3+ spaces, a trailing counter). Tool headers (`MPLS Input Label Map`, `Vrouter Interface Table`) are
 * capitalised word lists and never match.
 *
 * @example
 * isProse("The output below shows the routes of VRF 2:") // => true
 * isProse("MPLS Input Label Map") // => false
 */
export function isProse(line: string): boolean {
  const t = line.trim();
  if (t.length < 12 || t.length > 400 || t.indexOf("=") >= 0 || /\S:\S|\w\/\w|\w\(\w|\S[ \t]{3,}\S|\s-?\d+$/.test(t)) return false;
  const words = t.split(/\s+/);
  if (words.length < 4) return false;
  let plain = 0;
  let lower = 0;
  for (const w of words) {
    if (/^["'(]?[A-Za-z][a-z'\u2019-]*[,.:;!?")]{0,2}$/.test(w)) {
      plain++;
      const c = w.charCodeAt(w[0] === "(" || w[0] === '"' || w[0] === "'" ? 1 : 0);
      if (c >= 97 && c <= 122 && w.replace(/[^A-Za-z]/g, "").length >= 2) lower++;
    }
  }
  return plain * 4 >= words.length * 3 && lower >= 2;
}

/** A command asking for the tool's usage text (`--help`, `–help`, `-h`). */
const HELP_RE = /(?:^|\s)(?:--?|[\u2013\u2014]-?)(?:help|h)(?=\s|$)/;

/** A pager's prompt left in the paste (`:` of `less`, `--More--`, `(END)`), or a run of colons an author used as an elision. */
const PAGER_RE = /^(?::{1,3}|--More--(?:\(\d+%\))?|\(END\)|lines \d+-\d+(?:\/\d+)?(?: \(END\))?)$/;
/** What the shell or the login prints between commands. */
const SHELL_CHATTER_RE = /^(?:You have (?:new )?mail in \S+|Last login: .*|logout|Connection to \S+ closed\.?|exit)$/;
/** Drawing people add to explain output: box-drawing characters, arrows (`├──`, `→`). */
const DRAWING_RE = /[\u2190-\u21ff\u2500-\u257f]/;

/** A legend line the tools print: `Flags: L=Label Valid, P=Proxy ARP, …`. */
const LEGEND_START_RE = /^Flags:\s*[A-Z][A-Za-z0-9]*=/;
/** A legend continuation: only `X=Meaning` items. */
const LEGEND_ITEMS_RE = /^(?:[A-Za-z][A-Za-z0-9]*=[^=,:]+?(?:,\s*|\s+(?=[A-Za-z][A-Za-z0-9]*=)|\s*$))+$/;

/**
 * Reads a line that follows a `Flags: X=Meaning, …` legend: `"items"` when it holds only more items (the
 * tools print their legends over several lines), `"wrapped"` when it starts with the end of the previous
 * item that a page pushed to a new line (`learnt route`, `ARP, Ml=MAC-IP learnt route`), `null` when the
 * legend is over.
 *
 * @example
 * legendContinuation("Mt=Transmit Mirror, Tc=Transmit Checksum Offload, L3=Layer 3") // => "items"
 * legendContinuation("Mirror, Mt=Transmit Mirror") // => "wrapped"
 * legendContinuation("vRouter inet4 routing table 0/2/unicast") // => null
 */
export function legendContinuation(body: string): "items" | "wrapped" | null {
  if (body.length > 300 || body.indexOf(":") >= 0 || /\S[ \t]{3,}\S/.test(body)) return null;
  if (LEGEND_ITEMS_RE.test(body)) return "items";
  const eq = /(?:^|[\s,])[A-Za-z][A-Za-z0-9]*=/.exec(body);
  const frag = (eq === null ? body : body.slice(0, eq.index)).replace(/,\s*$/, "").trim();
  if (frag === "" || frag.split(/\s+/).length > 4) return null;
  // Alone, a fragment is words (`learnt route`); before more items it may be a number (`Layer` / `2, D=DHCP`).
  if (eq === null) return /^[A-Za-z][A-Za-z\-/ ]*$/.test(frag) ? "wrapped" : null;
  if (!/^[A-Za-z0-9][A-Za-z0-9\-/ ]*$/.test(frag)) return null;
  return LEGEND_ITEMS_RE.test(body.slice(eq.index).replace(/^[\s,]+/, "")) ? "wrapped" : null;
}

/* ---------------------------------------------------------------------------------------------- */
/* The pipeline                                                                                   */
/* ---------------------------------------------------------------------------------------------- */

function warn(warnings: HygieneWarning[], kind: HygieneKind, line0: number, column1: number, message: string, text: string): void {
  warnings.push({ line: line0 + 1, column: column1, message, text, kind });
}

function leadingBlank(s: string): number {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

/**
 * Normalises raw input: byte-order marks (anywhere: concatenated files), CRLF and lone CR, ANSI escapes,
 * non-breaking spaces. Line count is unchanged except that a lone CR counts as a line break.
 *
 * @example
 * normalizeInput("\uFEFFnh --list\r\n") // => "nh --list\n"
 */
export function normalizeInput(text: string): string {
  let t = normalizeText(typeof text === "string" ? text : String(text));
  if (t.indexOf("\uFEFF") >= 0) t = t.replace(/\uFEFF/g, "");
  if (t.indexOf("\u00A0") >= 0) t = t.replace(/\u00A0/g, " ");
  return t;
}

/**
 * Runs steps 1–7 of the hygiene (everything but choosing a tool's sections) over a whole paste.
 *
 * @example
 * const t = readTranscript("    $ mpls --dump\n    MPLS Input Label Map\n");
 * t.text[1] // => "MPLS Input Label Map"
 * t.commands[0].command // => "mpls --dump"
 */
export function readTranscript(input: string, options: HygieneOptions = {}): Transcript {
  const text = splitLines(normalizeInput(input));
  const n = text.length;
  const offset = new Array<number>(n).fill(0);
  const skipped = new Array<boolean>(n).fill(false);
  const bold = new Array<boolean>(n).fill(false);
  const warnings: HygieneWarning[] = [];

  // 2. E-mail quoting: every non-blank line starts with `>` (nested quotes repeat it).
  for (let depth = 0; depth < 4; depth++) {
    let all = true;
    let any = false;
    for (let i = 0; i < n && all; i++) {
      const t = text[i];
      if (t.trim() === "") continue;
      any = true;
      if (!/^ {0,3}>(?: |\t|$)/.test(t)) all = false;
    }
    if (!all || !any) break;
    let first = -1;
    for (let i = 0; i < n; i++) {
      const m = /^ {0,3}>[ \t]?/.exec(text[i]);
      if (m === null) continue;
      if (first < 0) first = i;
      text[i] = text[i].slice(m[0].length);
      offset[i] += m[0].length;
    }
    if (first >= 0) warn(warnings, "quote", first, 1, "e-mail quoting `>` removed from every line", ">");
  }

  // 3. A block indented as a whole: strip the common indentation (1–8 columns).
  if (options.dedent !== false) {
    let min = Infinity;
    for (let i = 0; i < n; i++) {
      const t = text[i];
      const lead = leadingBlank(t);
      if (lead === t.length) continue;
      if (lead < min) min = lead;
      if (min === 0) break;
    }
    if (min >= 1 && min <= 8) {
      for (let i = 0; i < n; i++) {
        const cut = Math.min(min, leadingBlank(text[i]));
        text[i] = text[i].slice(cut);
        offset[i] += cut;
      }
      // No warning: nothing is skipped (columns in errors and warnings still count from the original line).
    }
  }

  // 4–5. Markup and notes after data, line by line (columns kept: markup becomes spaces).
  for (let i = 0; i < n; i++) {
    let t = text[i];
    if (t === "") continue;
    // A fence, or the `'''` an author typed for one.
    if (/^\s*(?:```|~~~)/.test(t) || /^\s*'''\s*$/.test(t)) {
      skipped[i] = true;
      warn(warnings, "markup", i, offset[i] + 1, "Markdown code fence skipped", t.trim());
      continue;
    }
    if (t.indexOf("**") >= 0 || t.charCodeAt(0) === 124 /* | */) {
      const before = t;
      t = t.replace(/\*\*/g, "  ");
      if (t !== before) bold[i] = true;
      const lead = /^\|\\?(?=\s)|^\\\|(?=\s)/.exec(t);
      if (lead !== null) t = " ".repeat(lead[0].length) + t.slice(lead[0].length);
      if (t !== before) {
        text[i] = t;
        warn(warnings, "markup", i, offset[i] + 1, "markup (`**`, a leading `|`) removed", before.trim());
      }
    }
    if (t.indexOf(">") >= 0 || t.indexOf("<") >= 0) {
      const at = noteStart(t);
      if (at >= 0) {
        const note = t.slice(at).trim();
        const data = t.slice(0, at);
        if (data.trim() === "") {
          skipped[i] = true;
          warn(warnings, "note", i, offset[i] + 1, "note line skipped", note);
        } else {
          text[i] = data;
          warn(warnings, "note", i, offset[i] + at + leadingBlank(t.slice(at)) + 1, "note after the data removed", note);
        }
      }
    }
  }

  // 6. Double spacing: (almost) no two non-blank lines are adjacent. Single blank lines are then dropped;
  // a run of 2+ blank lines stays one record separator.
  {
    let nonBlank = 0;
    let adjacent = 0;
    let prevNonBlank = false;
    for (let i = 0; i < n; i++) {
      if (skipped[i]) continue;
      const blank = text[i].trim() === "";
      if (!blank) {
        nonBlank++;
        if (prevNonBlank) adjacent++;
      }
      prevNonBlank = !blank;
    }
    if (nonBlank >= 3 && adjacent * 5 <= nonBlank) {
      for (let i = 0; i < n; i++) {
        if (skipped[i] || text[i].trim() !== "") continue;
        let j = i;
        while (j + 1 < n && !skipped[j + 1] && text[j + 1].trim() === "") j++;
        if (j === i && i > 0 && i + 1 < n) {
          skipped[i] = true;
        }
        i = j;
      }
      // No warning: an empty line is no content (the parsers skip blank lines anyway; here they stop
      // being read as record separators).
    }
  }

  // 7. Prompts, commands, comments → sections.
  const sections: HygieneSection[] = [];
  const commands: CommandLine[] = [];
  let cur: HygieneSection = { command: null, tool: null, start: 0, end: 0, grepPrefix: false, filtered: false };
  for (let i = 0; i < n; i++) {
    if (skipped[i]) continue;
    const t = text[i];
    if (t === "") continue;
    const c = t.charCodeAt(0);
    if (c === 32 || c === 9) {
      // An indented `# text` is a comment (the tools never print `#` at the start of a line).
      const lead = leadingBlank(t);
      // A prompt with a user and host (`(contrail-tools)[root@x /]$ flow -l`, `root@host:~#`) indented by a
      // Markdown list or a quote while its output is not: still the command line (no tool prints one).
      if (lead <= 8 && t.charCodeAt(lead) !== 35 && t.charCodeAt(lead) !== 36) {
        const p = parseShellLine(t.slice(lead));
        if (p !== null && p !== "comment" && p.prompt.indexOf("@") > 0) {
          text[i] = t.slice(lead);
          offset[i] += lead;
          i--; // read it again, unindented
          continue;
        }
      }
      if (t.charCodeAt(lead) === 35 && (lead + 1 === t.length || t.charCodeAt(lead + 1) === 32 || t.charCodeAt(lead + 1) === 35)) {
        skipped[i] = true;
        warn(warnings, "comment", i, offset[i] + lead + 1, "comment line skipped", t.trim());
      }
      continue;
    }
    const p = parseShellLine(t);
    if (p === null) continue;
    if (p === "comment") {
      skipped[i] = true;
      warn(warnings, "comment", i, offset[i] + 1, "comment line skipped", t.trim());
      continue;
    }
    const cmd: CommandLine = { line: i + 1, prompt: p.prompt, command: p.command, tool: p.tool };
    commands.push(cmd);
    cur.end = i;
    if (cur.end > cur.start || cur.command !== null) sections.push(cur);
    const pipe = p.command.indexOf("|");
    const piped = pipe >= 0 ? p.command.slice(pipe) : "";
    cur = {
      command: cmd,
      tool: p.tool,
      start: i + 1,
      end: i + 1,
      grepPrefix: /\|\s*e?grep\b[^|]*\s-\w*[bn]/.test(piped),
      filtered: /\|\s*(?:e?grep|head|tail|awk|sed|more|less)\b/.test(piped) && !/\|\s*(?:more|less)\s*$/.test(piped),
    };
  }
  cur.end = n;
  if (cur.end > cur.start || cur.command !== null) sections.push(cur);

  // 3b. A command's output indented as a whole under an unindented prompt line (an author indents the
  // output block, not the command): the same 1–8 column rule, per section.
  if (options.dedent !== false) {
    for (const s of sections) {
      if (s.command === null) continue;
      let min = Infinity;
      for (let i = s.start; i < s.end && min > 0; i++) {
        if (skipped[i]) continue;
        const lead = leadingBlank(text[i]);
        if (lead < text[i].length && lead < min) min = lead;
      }
      if (min < 1 || min > 8) continue;
      for (let i = s.start; i < s.end; i++) {
        const cut = Math.min(min, leadingBlank(text[i]));
        text[i] = text[i].slice(cut);
        offset[i] += cut;
      }
    }
  }
  return { text, offset, skipped, bold, sections, commands, warnings };
}

/**
 * The lines a parser of `tool` reads: its sections (or those no command opened), cleaned, with grep
 * prefixes, separators, elisions and legends taken out, and a synthetic blank `boundary` line after each
 * section. Other commands' output is skipped with one warning each; every other skipped line gives a
 * {@link HygieneWarning}.
 *
 * Hook for a parser: `const { lines, commands, warnings } = cleanLines(text, "nh")`, then read `lines`
 * (`sl.text`, `sl.index` is the 0-based ORIGINAL line, `sl.offset` the columns removed, `sl.filtered` set
 * in a `| grep` section) and push the parser's own warnings after the returned ones.
 *
 * @example
 * const r = cleanLines("bash-5.1# mpls --get 7\n   Label    NextHop\n--\n       7        12   <-- here\n", "mpls");
 * r.lines.filter((l) => !l.boundary).map((l) => [l.index, l.text.trim()]) // => [[1, "Label    NextHop"], [3, "7        12"]]
 * r.warnings.map((w) => w.kind) // => ["grep-separator", "note"]
 */
export function cleanLines(
  input: string,
  tool: ToolKind,
  options: HygieneOptions = {},
): { lines: SourceLine[]; commands: CommandLine[]; warnings: ParseWarning[] } {
  const tr = readTranscript(input, options);
  return selectSections(tr, tool, options);
}

/**
 * Picks `tool`'s lines out of a {@link Transcript} (what {@link cleanLines} does after reading it).
 *
 * @example
 * selectSections(readTranscript("# rt --dump 0\n0.0.0.0/0  0  -  0  -\n"), "rt").lines[0].text // => "0.0.0.0/0  0  -  0  -"
 */
export function selectSections(
  tr: Transcript,
  tool: ToolKind,
  options: HygieneOptions = {},
): { lines: SourceLine[]; commands: CommandLine[]; warnings: ParseWarning[] } {
  const out: SourceLine[] = [];
  const warnings: ParseWarning[] = [...tr.warnings];
  const legends = options.legends !== false;
  for (const s of tr.sections) {
    if (s.command !== null && s.tool === tool && HELP_RE.test(s.command.command)) {
      // `nh –help`: usage text, no data.
      if (s.end > s.start) {
        warnings.push(hw("help", s.start, 1, `skipped ${s.end - s.start} line(s) of \`${s.command.command}\` output: help text`, s.command.command));
      }
      continue;
    }
    if (s.command !== null && s.command.command !== "" && s.tool !== tool) {
      if (s.end > s.start) {
        warnings.push({
          line: s.start + 1,
          column: 1,
          message: `skipped ${s.end - s.start} line(s) of \`${s.command.command}\` output: not ${tool}`,
          text: s.command.command,
        });
      }
      continue;
    }
    let inLegend = false;
    for (let i = s.start; i < s.end; i++) {
      if (tr.skipped[i]) continue;
      let text = tr.text[i];
      let offset = tr.offset[i];
      if (s.grepPrefix) {
        const m = /^\d+[-:]/.exec(text);
        if (m) {
          offset += m[0].length;
          text = text.slice(m[0].length);
        }
      }
      if (options.strayColons === true) {
        const at = strayColon(text);
        if (at >= 0) {
          warnings.push(hw("stray", i, offset + at + 1, "stray `:` after a number read as a space", text.trim()));
          text = text.replace(/(\d):(?=[ \t]|$)/g, "$1 ");
        }
      }
      const body = text.trim();
      if (body === "") {
        inLegend = false;
        out.push({ index: i, text, offset, command: s.command, filtered: s.filtered });
        continue;
      }
      if (body === "--") {
        warnings.push(hw("grep-separator", i, offset + leadingBlank(text) + 1, "grep separator `--` skipped", body));
        continue;
      }
      if (isElision(body)) {
        warnings.push(hw("elision", i, offset + leadingBlank(text) + 1, "elision in the pasted output skipped", body));
        continue;
      }
      const b0 = body.charCodeAt(0);
      if (body.length <= 24 && (b0 === 58 || b0 === 45 || b0 === 40 || b0 === 108) && PAGER_RE.test(body)) {
        warnings.push(hw("pager", i, offset + leadingBlank(text) + 1, "pager prompt or colon elision skipped", body));
        continue;
      }
      if ((b0 === 89 || b0 === 76 || b0 === 108 || b0 === 67 || b0 === 101) && SHELL_CHATTER_RE.test(body)) {
        warnings.push(hw("shell", i, offset + leadingBlank(text) + 1, "shell message skipped", body));
        continue;
      }
      if (DRAWING_RE.test(body)) {
        warnings.push(hw("prose", i, offset + leadingBlank(text) + 1, "an explanation drawn into the paste skipped", body));
        continue;
      }
      if (isProse(body) && (options.prose !== "punctuated" || /[.:!?]$/.test(body) || tr.bold[i])) {
        warnings.push(hw("prose", i, offset + leadingBlank(text) + 1, "a sentence written into the paste skipped", body));
        continue;
      }
      if (legends && body.length <= 300) {
        if (LEGEND_START_RE.test(body) && body.indexOf("=") > 0) {
          inLegend = true;
          continue;
        }
        if (inLegend) {
          const k = legendContinuation(body);
          if (k === "items") continue;
          if (k === "wrapped") {
            warnings.push(hw("legend", i, offset + leadingBlank(text) + 1, "legend line wrapped by the page skipped", body));
            continue;
          }
          inLegend = false;
        }
      }
      out.push({ index: i, text, offset, command: s.command, filtered: s.filtered });
    }
    out.push({ index: s.end, text: "", offset: 0, boundary: true, command: s.command, filtered: s.filtered });
  }
  // In input order (a stable sort: warnings of one line keep their order).
  warnings.sort((a, b) => a.line - b.line);
  return { lines: out, commands: tr.commands, warnings };
}

/** Index of the first `:` typed right after a digit and before a space/tab or the end, `-1` when none. */
function strayColon(t: string): number {
  let i = t.indexOf(":");
  while (i > 0) {
    const p = t.charCodeAt(i - 1);
    const n = i + 1 < t.length ? t.charCodeAt(i + 1) : 32;
    if (p >= 48 && p <= 57 && (n === 32 || n === 9)) return i;
    i = t.indexOf(":", i + 1);
  }
  return -1;
}

function hw(kind: HygieneKind, line0: number, column1: number, message: string, text: string): HygieneWarning {
  return { line: line0 + 1, column: column1, message, text, kind };
}

/** {@link cleanText}'s result: the cleaned string and the way back to the original lines. */
export interface CleanText {
  /** The lines a parser reads, joined with `\n` (a section boundary is an empty line). */
  text: string;
  /** For each line of `text`, its 1-based line in the original input. */
  lineOf: number[];
  /** For each line of `text`, the columns removed from the front of the original line. */
  columnOffset: number[];
  /** For each line of `text`, true in a `| grep …` section (records there may be partial). */
  filtered: boolean[];
  commands: CommandLine[];
  warnings: ParseWarning[];
}

/**
 * The hook for whole-text parsers (flow's byte scanner, the Junos parser): the same hygiene as
 * {@link cleanLines}, returned as one string plus a line map; {@link remapProblem} turns a line/column
 * the parser reports on the cleaned text back into the original input's.
 *
 * @example
 * const c = cleanText("    # nh --get 1\n    Id:1  Type:Drop\n", "nh");
 * c.text // => "Id:1  Type:Drop\n\n" (the empty line is the section's end)
 * c.lineOf // => [2, 3]
 */
export function cleanText(input: string, tool: ToolKind, options: HygieneOptions = {}): CleanText {
  const { lines, commands, warnings } = cleanLines(input, tool, options);
  const parts: string[] = [];
  const lineOf: number[] = [];
  const columnOffset: number[] = [];
  const filtered: boolean[] = [];
  for (const sl of lines) {
    parts.push(sl.text);
    lineOf.push(sl.index + 1);
    columnOffset.push(sl.offset);
    filtered.push(sl.filtered === true);
  }
  return { text: parts.length === 0 ? "" : `${parts.join("\n")}\n`, lineOf, columnOffset, filtered, commands, warnings };
}

/**
 * Maps a problem reported on {@link CleanText.text} (1-based line/column there) back to the original input.
 *
 * @example
 * const c = cleanText("  x\n  y\n", "nh");
 * remapProblem(c, { line: 2, column: 1, message: "m", text: "y" }) // => { line: 2, column: 3, message: "m", text: "y" }
 */
export function remapProblem<T extends { line: number; column: number }>(c: CleanText, p: T): T {
  const k = p.line - 1;
  if (k < 0 || k >= c.lineOf.length) return p;
  return { ...p, line: c.lineOf[k], column: p.column + c.columnOffset[k] };
}
