/** History kept across a user's sessions: tail, range, search, one session per kernel process. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { globToRegExp, historyFile, HistoryStore } from "../../kernel/history";

describe("HistoryStore", () => {
  it("keeps cells across sessions: tail, range (absolute and relative sessions), search with unique and n", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-hist-"));
    const file = path.join(dir, "sub", "history.jsonl");
    try {
      const a = new HistoryStore(file);
      expect(a.session).toBe(1);
      a.add(1, "const x = 1");
      a.add(2, "x + 1", "2");
      const b = new HistoryStore(file); // a later kernel of the same user
      expect(b.session).toBe(2);
      b.add(1, "x + 1");
      b.add(2, "console.log(x)");
      expect(b.query({ hist_access_type: "tail", n: 3 })).toEqual([
        [1, 2, "x + 1"],
        [2, 1, "x + 1"],
        [2, 2, "console.log(x)"],
      ]);
      expect(b.query({ hist_access_type: "tail", n: 1, output: true })).toEqual([[2, 2, ["console.log(x)", null]]]);
      expect(b.query({ hist_access_type: "range", session: 1, start: 2, stop: 3, output: true })).toEqual([[1, 2, ["x + 1", "2"]]]);
      expect(b.query({ hist_access_type: "range", session: 0, start: 1 })).toEqual([[2, 1, "x + 1"], [2, 2, "console.log(x)"]]);
      expect(b.query({ hist_access_type: "range", session: -1, start: 1, stop: 2 })).toEqual([[1, 1, "const x = 1"]]);
      expect(b.query({ hist_access_type: "search", pattern: "x + *" })).toHaveLength(2);
      expect(b.query({ hist_access_type: "search", pattern: "x + *", unique: true })).toEqual([[2, 1, "x + 1"]]);
      expect(b.query({ hist_access_type: "search", pattern: "*x*", n: 2 })).toEqual([[2, 1, "x + 1"], [2, 2, "console.log(x)"]]);
      expect(b.query({ hist_access_type: "nonsense" })).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("skips torn lines, works without a file, and finds the user's Jupyter data dir", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-hist-"));
    const file = path.join(dir, "h.jsonl");
    try {
      fs.writeFileSync(file, '{"session":4,"line":1,"input":"a"}\n{"session":5,"li\n');
      expect(new HistoryStore(file).session).toBe(5);
      const none = new HistoryStore(null);
      none.add(1, "y");
      expect(none.query({ hist_access_type: "tail", n: 5 })).toEqual([[1, 1, "y"]]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(historyFile({ HOME: "/home/ann" })).toBe("/home/ann/.local/share/jupyter/packetwalk/history.jsonl");
    expect(historyFile({ HOME: "/h", XDG_DATA_HOME: "/x" })).toBe("/x/jupyter/packetwalk/history.jsonl");
    expect(historyFile({ JUPYTER_DATA_DIR: "/j" })).toBe("/j/packetwalk/history.jsonl");
    expect(historyFile({ PACKETWALK_HISTORY_FILE: "" })).toBeNull();
    expect(globToRegExp("a?c*").test("abcdef")).toBe(true);
    expect(globToRegExp("a.c").test("abc")).toBe(false);
  });
});
