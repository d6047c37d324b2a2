/**
 * Fuzzing: every parser on mutated real samples (seeded, reproducible). The parsers must never throw,
 * and must report problems as errors/warnings with sane 1-based positions. Hangs would show as a test
 * timeout; the scanners are linear by construction (hand-written loops, anchored simple regexes).
 */
import { describe, expect, it } from "vitest";
import { KINDS, parseAny, detectKind, parseTranscript } from "../../lib/vrouter/detect";
import { parseFlowStream } from "../../lib/vrouter/flow";
import { toTable } from "../../lib/vrouter/table";
import type { ParseResult } from "../../lib/vrouter/types";
import { fixture, localFixture, sharedFixtureNames } from "./helpers";
import { prng } from "../helpers/prng";


const JUNK = ["(", ")", ":", ",", "<=>", "->", "/", "-", "[", "]", "\t", "\r", "\x1b[2J", "\n", "\n\n", " ", "Id:", "vif0/", "Flow Index:", "Gen: ", "Sub NH(label):", "{", "}", "\"data\"", "\u00e9", "\u2013", "9999999999999999999999", "-1", "0x", "NULL", "# ", "$ "];

function mutate(text: string, r: () => number): string {
  const pick = <T>(a: readonly T[]): T => a[Math.floor(r() * a.length)];
  let t = text;
  const ops = 1 + Math.floor(r() * 4);
  for (let k = 0; k < ops; k++) {
    const op = Math.floor(r() * 7);
    const at = Math.floor(r() * (t.length + 1));
    switch (op) {
      case 0: // truncate
        t = t.slice(0, at);
        break;
      case 1: {
        // flip bytes
        const chars = t.split("");
        for (let i = 0; i < 1 + Math.floor(r() * 8) && chars.length > 0; i++) {
          chars[Math.floor(r() * chars.length)] = String.fromCharCode(Math.floor(r() * 128));
        }
        t = chars.join("");
        break;
      }
      case 2: {
        // shuffle lines
        const lines = t.split("\n");
        for (let i = lines.length - 1; i > 0; i--) {
          const j = Math.floor(r() * (i + 1));
          [lines[i], lines[j]] = [lines[j], lines[i]];
        }
        t = lines.join("\n");
        break;
      }
      case 3: // insert junk
        t = t.slice(0, at) + Array.from({ length: 1 + Math.floor(r() * 6) }, () => pick(JUNK)).join("") + t.slice(at);
        break;
      case 4: {
        // duplicate / drop a line
        const lines = t.split("\n");
        const i = Math.floor(r() * lines.length);
        if (r() < 0.5) lines.splice(i, 0, lines[i] ?? "");
        else lines.splice(i, 1);
        t = lines.join("\n");
        break;
      }
      case 5: // delete a span
        t = t.slice(0, at) + t.slice(at + Math.floor(r() * 40));
        break;
      default: // random printable junk
        t = t.slice(0, at) + Array.from({ length: Math.floor(r() * 30) }, () => String.fromCharCode(32 + Math.floor(r() * 95))).join("") + t.slice(at);
    }
  }
  return t;
}

function checkResult(r: ParseResult<object>, text: string, ctx: string): void {
  expect(Array.isArray(r.rows), ctx).toBe(true);
  // Line numbers refer to the normalised text (a lone CR is a line break).
  const nLines = text.replace(/\r\n?/g, "\n").split("\n").length + 1;
  const badPos = [...r.errors, ...r.warnings].filter(
    (p) => !(Number.isInteger(p.line) && p.line >= 1 && p.line <= nLines && Number.isInteger(p.column) && p.column >= 1 && typeof p.message === "string"),
  );
  expect(badPos, ctx).toEqual([]);
  const badCells: string[] = [];
  for (const row of r.rows) {
    for (const [k, v] of Object.entries(row)) {
      const ok = v === null || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && !Number.isNaN(v));
      if (!ok) badCells.push(`${k}=${String(v)}`);
    }
  }
  expect(badCells, ctx).toEqual([]);
}

const SAMPLES: [string, string][] = [
  ...sharedFixtureNames().map((f): [string, string] => [f, fixture(f)]),
  ["junos-route-detail.txt", localFixture("junos-route-detail.txt")],
  ["junos-route-detail.json", localFixture("junos-route-detail.json")],
  ["cent222-walk.txt", localFixture("cent222-walk.txt")],
  ["cent333-walk.txt", localFixture("cent333-walk.txt")],
];

describe("fuzz: mutated real samples", () => {
  for (const [name, text] of SAMPLES) {
    it(`never throws on mutations of ${name}`, () => {
      const r = prng(0xc0ffee ^ name.length ^ text.length);
      for (let round = 0; round < 30; round++) {
        const m = mutate(text, r);
        for (const kind of KINDS) {
          const ctx = `${name} round ${round} kind ${kind}`;
          let res: ParseResult<object> | undefined;
          expect(() => {
            res = parseAny(kind, m);
          }, ctx).not.toThrow();
          if (res) checkResult(res, m, ctx);
        }
        expect(() => detectKind(m)).not.toThrow();
        expect(() => parseTranscript(m)).not.toThrow();
      }
    });
  }

  it("never throws on pathological inputs (long lines, deep parentheses, huge numbers, binary)", async () => {
    const r = prng(7);
    const inputs = [
      "",
      "\n\n\n",
      "(".repeat(100_000),
      " ".repeat(100_000) + "1<=>",
      "1<=>2 " + "1".repeat(5000) + ":1 6 (0)\n 2.2.2.2:2\n(" + "Gen: 1, ".repeat(20_000) + ")\n",
      "Id:1 Type:Encap Fmly: AF_INET Rid:0 Ref_cnt:1 Vrf:0\n" + ("      Sub NH(label): " + "1(2) ".repeat(20_000) + "\n"),
      "vif0/0 " + "Vlan(o/i)(,S): ".repeat(5000) + "\n            Vrf:" + "9".repeat(400) + " Flags:" + "P".repeat(50_000) + "\n",
      "10.0.0.0/" + "9".repeat(1000) + "   1  L  2  3  -\n",
      Array.from({ length: 20_000 }, (_, i) => `${i}<=>${i + 1}  1.1.1.1:1  6 (0)`).join("\n"),
      '{"route-information":[{"route-table":[{"rt":[{"rt-entry":[' + '{"nh":[{}]},'.repeat(5000) + "{}]}]}]}]}",
      Array.from({ length: 4096 }, () => String.fromCharCode(Math.floor(r() * 256))).join(""),
      "Flow Index:                   1\n" + "                              NextHop(Index, VRF, Type): \n".repeat(1000),
      // Quadratic traps: entry-looking lines without any colon / paren, a long --get block of digit lines,
      // a composite member line that almost matches.
      Array.from({ length: 20_000 }, (_, i) => `${i} 1111111111 6 0`).join("\n"),
      "Flow Index:                   1\n" + Array.from({ length: 20_000 }, (_, i) => `${i} 2 3`).join("\n"),
      "Id:1 Type:Composite Fmly: AF_INET Rid:0 Ref_cnt:1 Vrf:0\n      Sub NH(label): 1\n" + ("      " + "1".repeat(40) + "x\n").repeat(2000),
      "(Gen: 1, K(" + "(".repeat(50_000) + "\n",
    ];
    for (const [i, text] of inputs.entries()) {
      for (const kind of KINDS) {
        let res: ParseResult<object> | undefined;
        expect(() => {
          res = parseAny(kind, text);
        }, `input ${i} kind ${kind}`).not.toThrow();
        if (res) checkResult(res, text, `input ${i} kind ${kind}`);
      }
      await expect(parseFlowStream([text.slice(0, 1000), text.slice(1000)])).resolves.toBeDefined();
    }
  });

  it("parse results of mutated samples still make tables", () => {
    const r = prng(99);
    for (const [name, text] of SAMPLES.slice(0, 6)) {
      const kind = detectKind(text);
      if (kind === null) continue;
      const res = parseAny(kind, mutate(text, r));
      expect(() => toTable(res), name).not.toThrow();
    }
  });
});
