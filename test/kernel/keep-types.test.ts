/**
 * The kernel keeps packetwalk's declarations in tslab's TypeScript program from cell to cell
 * (`kernel/keep-types.ts`): a cell that imports nothing must not make the next import parse every
 * declaration file again. Checked with tslab's own converter, counting how often TypeScript reads a
 * package's entry declaration file (a read is a parse), with arquero standing in for packetwalk (it
 * resolves from this folder without the kernel's resolution hook).
 */
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { keepPacketwalkTypes, keepTypesLine, withKeptTypes } from "../../kernel/keep-types";

interface Converter {
  convert(prev: string, src: string): { output?: string; declOutput?: string; diagnostics: { messageText: string }[] };
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ts = require("@tslab/typescript-for-tslab") as { sys: { readFile(p: string, enc?: string): string | undefined } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createConverter } = require("tslab/dist/converter") as { createConverter(o: object): Converter };

const ENTRY = `${path.sep}arquero${path.sep}dist${path.sep}types${path.sep}index.d.ts`;

/**
 * Runs cells through a converter and counts the reads of arquero's entry declarations; `null` is a
 * kernel reset between notebooks (the previous declarations start empty again).
 */
function readsOver(conv: Converter, cells: (string | null)[]): { reads: number; results: ReturnType<Converter["convert"]>[] } {
  const original = ts.sys.readFile;
  let reads = 0;
  ts.sys.readFile = (p, enc) => {
    if (p.endsWith(ENTRY)) reads++;
    return original.call(ts.sys, p, enc);
  };
  const results: ReturnType<Converter["convert"]>[] = [];
  try {
    let prev = "";
    for (const c of cells) {
      if (c === null) {
        prev = "";
        continue;
      }
      const r = conv.convert(prev, c);
      results.push(r);
      prev = r.declOutput ?? prev;
    }
  } finally {
    ts.sys.readFile = original;
  }
  return { reads, results };
}

describe("keeping a package's types in tslab's program", () => {
  const open: Converter[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  // two notebooks on one kernel, as `packetwalk walk` runs them: the second starts with a cell that imports nothing
  const cells = ['import * as aq from "arquero";\nconst t = aq.table({ a: [1] });', null, 'let inventory = "";', 'import { table } from "arquero";\nconst n = table({ b: [2] }).numRows();'];

  it("parses the package's declarations once, however the cells between import it", () => {
    const kept = keepPacketwalkTypes(createConverter({ isJS: false, isBrowser: false }), "arquero");
    open.push(kept);
    const withKeep = readsOver(kept, cells);
    expect(withKeep.results.map((r) => r.diagnostics.map((d) => d.messageText))).toEqual([[], [], []]);
    // the first import (or the keep line of the first cell) reads it; nothing after reads it again
    expect(withKeep.reads).toBe(1);
    // the keep line names nothing: it is not carried into the cells' declarations
    for (const r of withKeep.results) expect(r.declOutput ?? "").not.toContain("import type {}");

    // without it, the cell that imports nothing drops the files and the next import parses them again
    const plain = createConverter({ isJS: false, isBrowser: false });
    open.push(plain);
    expect(readsOver(plain, cells).reads).toBe(2);
  }, 120_000);

  it("puts the line at the head of the declarations once", () => {
    expect(keepTypesLine()).toBe('import type {} from "packetwalk";\n');
    const once = withKeptTypes("declare let x: number;\n");
    expect(once).toBe('import type {} from "packetwalk";\ndeclare let x: number;\n');
    expect(withKeptTypes(once)).toBe(once);
  });
});
