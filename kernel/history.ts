/**
 * Execution history kept across a user's kernel sessions, for `history_request` (tail, range, search)
 * as IPython keeps it: every stored cell is `[session, line, input]` (with `output=true`,
 * `[session, line, [input, output]]`). One JSON line per cell in a file under the user's Jupyter data
 * dir (`$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else `~/.local/share/jupyter`), at
 * `packetwalk/history.jsonl`; `PACKETWALK_HISTORY_FILE` names another file (tests), and `""` turns
 * history off. Each kernel process is one session, numbered after the last one in the file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** One stored cell. */
export interface HistoryEntry {
  session: number;
  line: number;
  input: string;
  output: string | null;
}

/** What a `history_request` carries (the fields this store reads). */
export interface HistoryQuery {
  hist_access_type?: string;
  output?: boolean;
  session?: number;
  start?: number;
  stop?: number | null;
  n?: number | null;
  pattern?: string;
  unique?: boolean;
}

/** A `history_reply` row. */
export type HistoryRow = [number, number, string | [string, string | null]];

/** Cells kept in the file: older ones are dropped when it is rewritten. */
const MAX_ENTRIES = 10_000;

/**
 * The history file for this user and environment, or null when history is off.
 *
 * @example
 * historyFile({ HOME: "/home/ann" }); // "/home/ann/.local/share/jupyter/packetwalk/history.jsonl"
 */
export function historyFile(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.PACKETWALK_HISTORY_FILE !== undefined) return env.PACKETWALK_HISTORY_FILE || null;
  const dataDir = env.JUPYTER_DATA_DIR || path.join(env.XDG_DATA_HOME || path.join(env.HOME || os.homedir(), ".local", "share"), "jupyter");
  return path.join(dataDir, "packetwalk", "history.jsonl");
}

/**
 * Turns a history glob (`*`, `?`, as IPython's search) into an anchored regular expression.
 *
 * @example
 * globToRegExp("1 + *").test("1 + 2"); // true
 */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}

function parseLines(text: string): HistoryEntry[] {
  const out: HistoryEntry[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    try {
      const e = JSON.parse(line) as HistoryEntry;
      if (typeof e.session === "number" && typeof e.line === "number" && typeof e.input === "string") out.push({ ...e, output: e.output ?? null });
    } catch {
      // a torn line (two kernels writing at once): skip it
    }
  }
  return out;
}

/**
 * The store. One per kernel process: it opens a new session on creation.
 *
 * @example
 * const h = new HistoryStore("/tmp/h.jsonl");
 * h.add(1, "1 + 2", "3");
 * h.query({ hist_access_type: "tail", n: 1 }); // [[h.session, 1, "1 + 2"]]
 */
export class HistoryStore {
  readonly session: number;
  private entries: HistoryEntry[];

  constructor(private readonly file: string | null) {
    this.entries = [];
    if (file) {
      try {
        this.entries = parseLines(fs.readFileSync(file, "utf8"));
      } catch {
        // no history yet
      }
    }
    this.session = this.entries.reduce((m, e) => Math.max(m, e.session), 0) + 1;
  }

  /** Stores one executed cell of this session with its `execute_result` text (and appends it to the file). */
  add(line: number, input: string, output: string | null = null): void {
    const entry: HistoryEntry = { session: this.session, line, input, output };
    this.entries.push(entry);
    if (!this.file) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      if (this.entries.length > MAX_ENTRIES * 1.5) {
        this.entries = this.entries.slice(-MAX_ENTRIES);
        fs.writeFileSync(this.file, this.entries.map((e) => JSON.stringify(e)).join("\n") + "\n");
      } else {
        fs.appendFileSync(this.file, JSON.stringify(entry) + "\n");
      }
    } catch {
      // history is best effort: a read-only home does not stop the kernel
    }
  }

  /**
   * Answers a `history_request`: `tail` (the last `n`), `range` (lines `start` ≤ line < `stop` of a
   * session; 0 or negative sessions count back from this one), `search` (glob on the input, the last
   * `n`, `unique` keeps the latest of equal inputs).
   */
  query(q: HistoryQuery): HistoryRow[] {
    const row = (e: HistoryEntry): HistoryRow => [e.session, e.line, q.output ? [e.input, e.output] : e.input];
    const lastN = (list: HistoryEntry[]) => (q.n && q.n > 0 ? list.slice(-q.n) : list);
    switch (q.hist_access_type) {
      case "tail":
        return lastN(this.entries).map(row);
      case "range": {
        const session = q.session === undefined || q.session <= 0 ? this.session + (q.session ?? 0) : q.session;
        const start = q.start ?? 0;
        const stop = q.stop ?? Infinity;
        return this.entries.filter((e) => e.session === session && e.line >= start && e.line < stop).map(row);
      }
      case "search": {
        const re = globToRegExp(q.pattern ?? "*");
        let found = this.entries.filter((e) => re.test(e.input));
        if (q.unique) {
          const seen = new Set<string>();
          found = found.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
        }
        return lastN(found).map(row);
      }
      default:
        return [];
    }
  }
}
