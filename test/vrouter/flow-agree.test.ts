/**
 * Issue #11.5, "parsers agree": parseFlowColumns and parseFlowStream give exactly parseFlow's rows,
 * errors, warnings, commands and table headers on every input. A differential test over generated and
 * mutated inputs (blank lines inside entries, byte-order marks, CRLF, ANSI escapes, prompts, garbage),
 * with stream chunks cut at every offset (inside `\r\n`, escape sequences and UTF-8 sequences), and the
 * disagreements seen before the three shared one reader, each pinned by name.
 */
import { describe, expect, it } from "vitest";
import { parseFlow, parseFlowColumns, parseFlowStream, type TextChunk } from "../../lib/vrouter/flow";
import { generateFlowDump } from "../bench/parse";
import { prng } from "../helpers/prng";
import { fixture, sharedFixtureNames } from "./helpers";

type Result = ReturnType<typeof parseFlow>;

/** What the three must agree on (rows of the columns made the same way as parseFlow's). */
function view(r: Pick<Result, "errors" | "warnings" | "commands" | "headers" | "header" | "rates">, rows: unknown[]) {
  return { rows, errors: r.errors, warnings: r.warnings, commands: r.commands, headers: r.headers, header: r.header, rates: r.rates };
}

function columnsView(input: string | Uint8Array) {
  const c = parseFlowColumns(input);
  return view(c, c.columns.rows());
}

async function streamView(chunks: TextChunk[]) {
  const r = await parseFlowStream(chunks);
  return view(r, r.rows);
}

/** `text` cut at the given offsets (string offsets for strings, byte offsets for bytes). */
function cut<T extends string | Uint8Array>(text: T, at: number[]): T[] {
  const out: T[] = [];
  let p = 0;
  for (const a of [...at].sort((x, y) => x - y)) {
    out.push(text.slice(p, a) as T);
    p = a;
  }
  out.push(text.slice(p) as T);
  return out;
}

/** Asserts that the columns (from the string and from its bytes) and the stream (in `cuts`) give parseFlow's result. */
async function agree(text: string, ctx: string, cuts: number[][] = []): Promise<Result> {
  const want = parseFlow(text);
  const wantView = view(want, want.rows);
  const bytes = Buffer.from(text, "utf8");
  expect(columnsView(text), `${ctx} columns(string)`).toStrictEqual(wantView);
  expect(columnsView(bytes), `${ctx} columns(bytes)`).toStrictEqual(wantView);
  expect(columnsView(new Uint8Array(bytes)), `${ctx} columns(Uint8Array)`).toStrictEqual(wantView);
  expect(await streamView([text]), `${ctx} stream(one chunk)`).toStrictEqual(wantView);
  for (const at of cuts) {
    expect(await streamView(cut(text, at.map((a) => Math.min(a, text.length)))), `${ctx} stream(string cut at ${at})`).toStrictEqual(wantView);
    expect(await streamView(cut(bytes, at.map((a) => Math.min(a, bytes.length)))), `${ctx} stream(bytes cut at ${at})`).toStrictEqual(wantView);
  }
  return want;
}

const ENTRY =
  "   292028<=>398064       10.0.0.3:49494                                6 (0->2)\n" +
  "                         169.254.0.4:22\n" +
  "(Gen: 1, K(nh):5, Action:N(SD), Flags:, TCP:SSrEEr, QOS:-1, S(nh):10,\n" +
  " Stats:3/33993,  SPort 60311, TTL 0, Sinfo 0.0.0.0)\n\n";

describe("the three known disagreements", () => {
  it("a byte-order mark: dropped at the start by all three (the columns read bytes, whose decoder dropped it, while parseFlow counted four errors)", async () => {
    const text = `\ufeff${ENTRY}`;
    const r = await agree(text, "bom", [[1], [2], [3]]);
    expect(r.errors).toStrictEqual([]);
    expect(r.rows.map((x) => x.packets)).toStrictEqual([3]);
    // Inside the text a BOM is text, for all three alike.
    await agree(`${ENTRY}\ufeff${ENTRY}`, "bom inside", [[ENTRY.length + 1]]);
  });

  it("an ANSI escape cut between stream chunks is removed, not left inside a field", async () => {
    const text = `\x1b[H\x1b[2J${ENTRY.replace("Action:N(SD)", "Action:\x1b[1mN(SD)\x1b[0m")}`;
    const esc = text.indexOf("\x1b[1m");
    const r = await agree(text, "ansi", [[esc + 1], [esc + 2], [esc + 3], [1], [2, 3]]);
    expect(r.rows[0].action).toBe("N(SD)");
    const s = await parseFlowStream([text.slice(0, esc + 2), text.slice(esc + 2)]);
    expect(s.rows[0].action).toBe("N(SD)");
  });

  it("a blank line inside an entry: the same packets, errors and warnings from all three", async () => {
    // After the Stats field: the entry keeps its 3 packets; the rest of the block is an error.
    const after = ENTRY.replace("Stats:3/33993,", "Stats:3/33993,\n");
    const r1 = await agree(after, "blank after Stats", [[after.indexOf("\n\n") + 1]]);
    expect(r1.rows.map((x) => x.packets)).toStrictEqual([3]);
    // Before the Stats field, between the lines of an entry, and as spaces or a tab only.
    const variants = [
      ENTRY.replace("S(nh):10,\n", "S(nh):10,\n\n"),
      ENTRY.replace("6 (0->2)\n", "6 (0->2)\n\n"),
      ENTRY.replace("169.254.0.4:22\n", "169.254.0.4:22\n\n"),
      ENTRY.replace("S(nh):10,\n", "S(nh):10,\n   \n"),
      ENTRY.replace("S(nh):10,\n", "S(nh):10,\n\t\n"),
      ENTRY.replace(/\n/g, "\n\n"), // double spacing
    ];
    for (const [i, t] of variants.entries()) await agree(t + ENTRY, `blank variant ${i}`, [[t.length], [t.indexOf("\n\n") + 1]]);
  });
});

describe("stream chunks cut at every offset", () => {
  // CRLF, escapes (complete and cut), UTF-8 of two, three and four bytes, a prompt, a BOM, garbage.
  const text =
    "\ufeff[root@cent222 ~]# flow -l\r\n" +
    "Flow table(size 161218560, entries 629760)\r\n\r\n" +
    "\x1b[1m" + ENTRY.replace(/\n/g, "\r\n") +
    ENTRY.replace("Action:N(SD)", "Action:N(\u00e9\u2013\u{1F600})") +
    ENTRY.replace("10.0.0.3", "x.x.x.x").replace("(Gen", "\x1b[0m(Gen").replace("Sinfo 0.0.0.0", "Sinfo 0.0.0.0\x1b[K") +
    "garbage \x1b[ line\n" +
    "$ nh --get 5\nId:5 Type:Encap\n\n" +
    "# flow -l\n" +
    ENTRY.replace("   292028", "\r   292029");

  it("string chunks: two chunks, cut at each offset", async () => {
    const want = parseFlow(text);
    expect(want.rows.length).toBeGreaterThan(3);
    for (let i = 0; i <= text.length; i++) {
      expect(await streamView([text.slice(0, i), text.slice(i)]), `cut at ${i}`).toStrictEqual(view(want, want.rows));
    }
  });

  it("byte chunks: two chunks, cut at each byte offset (inside UTF-8 sequences too), and one byte per chunk", async () => {
    const want = parseFlow(text);
    const u = Buffer.from(text, "utf8");
    for (let i = 0; i <= u.length; i++) {
      expect(await streamView([u.subarray(0, i), u.subarray(i)]), `cut at byte ${i}`).toStrictEqual(view(want, want.rows));
    }
    const ones: Uint8Array[] = [];
    for (let i = 0; i < u.length; i++) ones.push(u.subarray(i, i + 1));
    expect(await streamView(ones)).toStrictEqual(view(want, want.rows));
    expect(columnsView(u)).toStrictEqual(view(want, want.rows));
  });
});

const JUNK = [
  "\n", "\n\n", " \n", "\t\n", "\r\n", "\r", "\ufeff", "\x1b[0m", "\x1b[2J", "\x1b[K\n", "\x1b[", "\x1b(B", "\x1b", "(", ")", ",", ":",
  "<=>", "->", "\u00e9", "\u2013", "\u{1F600}", "$ flow -l\n", "[root@x ~]# nh --get 5\n", "user@mx> show route\n", "# \n",
  "Flow Index:", "Oflow entries:", "Gen: ", "9999999999", "-1", "\t",
];

function mutate(t: string, r: () => number): string {
  const ops = 1 + Math.floor(r() * 3);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(r() * (t.length + 1));
    const op = Math.floor(r() * 7);
    if (op <= 2) t = t.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)] + t.slice(at);
    else if (op === 3) t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 12));
    else if (op === 4) t = t.slice(0, at) + String.fromCharCode(32 + Math.floor(r() * 95)) + t.slice(at + 1);
    else if (op === 5) {
      // A blank line at a line boundary inside the text.
      const nl = t.indexOf("\n", at);
      if (nl >= 0) t = `${t.slice(0, nl + 1)}\n${t.slice(nl + 1)}`;
    } else t = r() < 0.5 ? t.replace(/\n/g, "\r\n") : `\ufeff${t}`;
  }
  return t;
}

describe("differential: generated and mutated inputs", () => {
  it("agrees on every real sample and on generated dumps", async () => {
    for (const name of sharedFixtureNames()) await agree(fixture(name), name, [[100], [7, 300, 301]]);
    await agree(generateFlowDump(200, 3), "generated", [[1000, 20_000]]);
  });

  it("agrees on 600 mutations (each also streamed in random chunks of strings or bytes)", async () => {
    const r = prng(0x11_5);
    const bases = [
      ...sharedFixtureNames().map((n) => fixture(n)).filter((t) => t.includes("Gen:") || t.includes("Flow Index")),
      generateFlowDump(12, 5),
      ENTRY.repeat(3),
    ];
    for (let round = 0; round < 600; round++) {
      const t = mutate(bases[Math.floor(r() * bases.length)], r);
      const cuts = Array.from({ length: 1 + Math.floor(r() * 4) }, () => Math.floor(r() * (t.length + 1)));
      await agree(t, `round ${round}: ${JSON.stringify(t.slice(0, 60))}`, [cuts]);
    }
  });
});

describe("pastes read through the hygiene layer: the three still agree", () => {
  const pastes: [string, string][] = [
    ["prompt + en dash + indented block", `bash-5.1# flow –l\n${ENTRY.replace(/^/gm, "    ")}`],
    ["double spacing", ENTRY.split("\n").join("\n\n")],
    ["grep pipe with separators and a partial record", `$ flow -l | grep -A3 10.0.0.3\n${ENTRY}--\n(Gen: 1, K(nh):5, Action:F, Flags:, QOS:-1, S(nh):10,\n--\n${ENTRY}`],
    ["comments, notes, elisions, BOM/ANSI/CRLF", `\ufeff# flows\r\n${ENTRY.replace("6 (0->2)", "6 (0->2)  <-- this one").replace(/\n/g, "\r\n")}...\r\n\x1b[1m# more\x1b[0m\r\n${ENTRY}`],
    ["flow -r", "# flow –r\nNew =    2, Flow setup rate =    3 flows/sec, Flow rate =    3 flows/sec, for last  548 ms\n"],
    ["e-mail quoting", ENTRY.replace(/^/gm, "> ")],
  ];
  for (const [name, text] of pastes) {
    it(`${name}: stream chunks cut at every offset`, async () => {
      const r = await agree(text, name, Array.from({ length: text.length + 1 }, (_, i) => [i]));
      expect(r.errors, name).toEqual([]);
    });
  }
});
