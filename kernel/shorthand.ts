/**
 * Works around a tslab converter gap: a variable declared in an earlier cell is rewritten to
 * `exports.name` everywhere except in a shorthand property, so `{ fip }` throws
 * `ReferenceError: fip is not defined`. Expanding every shorthand property (`{ fip }` → `{ fip: fip }`)
 * before conversion is equivalent JavaScript and lets tslab rewrite the value.
 */

interface TsNode {
  kind: number;
  name?: { getStart(sf?: unknown): number; text: string };
  getStart(sf?: unknown): number;
}
interface TsModule {
  createSourceFile(name: string, text: string, target: number, setParents?: boolean, kind?: number): unknown;
  forEachChild(node: unknown, cb: (n: TsNode) => void): void;
  SyntaxKind: { ShorthandPropertyAssignment: number };
  ScriptTarget: { Latest: number };
  ScriptKind: { TS: number };
}

let ts: TsModule | null | undefined;

function loadTs(): TsModule | null {
  if (ts === undefined) {
    try {
      // tslab's own TypeScript: the same parser that will convert the cell.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ts = require("@tslab/typescript-for-tslab") as TsModule;
    } catch {
      ts = null;
    }
  }
  return ts;
}

/**
 * Rewrites every shorthand property `{ a }` of a cell as `{ a: a }`. Code that does not parse, or has no
 * shorthand property, is returned unchanged.
 *
 * @example
 * expandShorthandProperties("f({ fip, port: 80 })"); // "f({ fip: fip, port: 80 })"
 */
export function expandShorthandProperties(code: string): string {
  if (!code.includes("{")) return code;
  const t = loadTs();
  if (!t) return code;
  const sf = t.createSourceFile("cell.ts", code, t.ScriptTarget.Latest, true, t.ScriptKind.TS);
  const inserts: { at: number; text: string }[] = [];
  const visit = (node: TsNode) => {
    if (node.kind === t.SyntaxKind.ShorthandPropertyAssignment && node.name) {
      inserts.push({ at: node.name.getStart(sf), text: `${node.name.text}: ` });
    }
    t.forEachChild(node, visit);
  };
  t.forEachChild(sf, visit);
  if (!inserts.length) return code;
  let out = code;
  for (const ins of inserts.sort((a, b) => b.at - a.at)) out = out.slice(0, ins.at) + ins.text + out.slice(ins.at);
  return out;
}
