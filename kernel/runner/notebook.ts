/**
 * nbformat 4 notebooks: reading with clear errors, cell ids, and papermill-style parameters
 * (a cell tagged `parameters`; values injected in a new cell tagged `injected-parameters` after it),
 * written in TypeScript.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";

/** An output of a code cell, as nbformat stores it. */
export type Output =
  | { output_type: "stream"; name: "stdout" | "stderr"; text: string }
  | { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "execute_result"; execution_count: number | null; data: Record<string, unknown>; metadata: Record<string, unknown> }
  | { output_type: "error"; ename: string; evalue: string; traceback: string[] };

export interface CodeCell {
  id: string;
  cell_type: "code";
  metadata: Record<string, unknown> & { tags?: string[] };
  source: string;
  outputs: Output[];
  execution_count: number | null;
}
export interface TextCell {
  id: string;
  cell_type: "markdown" | "raw";
  metadata: Record<string, unknown> & { tags?: string[] };
  source: string;
  attachments?: Record<string, unknown>;
}
export type Cell = CodeCell | TextCell;

export interface Notebook {
  nbformat: 4;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

const joinSource = (s: unknown): string => (Array.isArray(s) ? s.join("") : typeof s === "string" ? s : "");

/**
 * A fresh nbformat cell id (8 random hex digits, unique in practice).
 *
 * @example
 * newCellId(); // "3fa85f64"
 */
export function newCellId(): string {
  return randomBytes(4).toString("hex");
}

/**
 * Normalises a parsed notebook object: sources joined into strings, nbformat 4.5 cell ids added where
 * missing or invalid, outputs arrays present. Throws an Error naming `where` and the cell at fault when
 * the object is not an nbformat 4 notebook.
 *
 * @example
 * const nb = normalizeNotebook(JSON.parse(text), "walk.ipynb");
 */
export function normalizeNotebook(raw: unknown, where: string): Notebook {
  const nb = raw as Partial<Notebook> | null;
  if (!nb || typeof nb !== "object") throw new Error(`${where}: not a notebook (expected a JSON object)`);
  if (nb.nbformat !== 4) throw new Error(`${where}: nbformat ${String(nb.nbformat)} is not supported (expected 4)`);
  if (!Array.isArray(nb.cells)) throw new Error(`${where}: has no "cells" array`);
  const seen = new Set<string>();
  const cells: Cell[] = nb.cells.map((c, i) => {
    if (!c || typeof c !== "object") throw new Error(`${where}: cell ${i + 1} is not an object`);
    const type = (c as Cell).cell_type;
    if (type !== "code" && type !== "markdown" && type !== "raw") throw new Error(`${where}: cell ${i + 1} has unknown cell_type ${JSON.stringify(type)}`);
    let id = typeof c.id === "string" && /^[a-zA-Z0-9_-]{1,64}$/.test(c.id) ? c.id : newCellId();
    while (seen.has(id)) id = newCellId();
    seen.add(id);
    const metadata = (c.metadata && typeof c.metadata === "object" ? c.metadata : {}) as Cell["metadata"];
    const source = joinSource(c.source);
    if (type === "code") {
      const outputs = Array.isArray((c as CodeCell).outputs) ? (c as CodeCell).outputs : [];
      return { id, cell_type: "code", metadata, source, outputs, execution_count: (c as CodeCell).execution_count ?? null };
    }
    const text: TextCell = { id, cell_type: type, metadata, source };
    if ((c as TextCell).attachments) text.attachments = (c as TextCell).attachments;
    return text;
  });
  return { nbformat: 4, nbformat_minor: Math.max(5, nb.nbformat_minor ?? 5), metadata: nb.metadata ?? {}, cells };
}

/**
 * Reads a notebook file, with errors that name the file.
 *
 * @example
 * const nb = readNotebook("notebooks/packet-walk.ipynb");
 */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read notebook ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return normalizeNotebook(raw, file);
}

/** A parameter value: anything JSON can hold. */
export type ParamValue = string | number | boolean | null | ParamValue[] | { [k: string]: ParamValue };

/** JavaScript's reserved words (strict mode, as modules are), TypeScript's, and names that cannot be bound. */
const RESERVED = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "import in instanceof new null return super switch this throw true try typeof var void while with yield let static " +
    "implements interface package private protected public await arguments eval undefined NaN Infinity").split(" "),
);

/**
 * Names a parameter must not take: they would shadow what notebook code (and tslab's wrapper around each
 * cell: `exports`, `require`, `__tslab__`) relies on — Node's and the language's globals, and the
 * kernel's own `input`.
 */
const SHADOWING = new Set(
  ("process require module exports console globalThis global Buffer setTimeout setInterval setImmediate clearTimeout " +
    "clearInterval clearImmediate queueMicrotask structuredClone fetch __dirname __filename __tslab__ Object Array String " +
    "Number Boolean Symbol BigInt Promise Error TypeError RangeError JSON Math Date RegExp Map Set WeakMap WeakSet Proxy " +
    "Reflect URL URLSearchParams TextEncoder TextDecoder AbortController AbortSignal performance crypto input").split(" "),
);

/**
 * Checks a parameter name: a plain identifier, not a reserved word, not a global it would shadow.
 * Returns an error message or null.
 *
 * @example
 * checkParamName("fip");        // null
 * checkParamName("x;process"); // "parameter name \"x;process\" is not an identifier…"
 * checkParamName("process");   // "parameter name \"process\" would shadow the global process…"
 */
export function checkParamName(name: string): string | null {
  if (!/^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/.test(name)) return `parameter name ${JSON.stringify(name)} is not an identifier (letters, digits, _ and $, not starting with a digit)`;
  if (RESERVED.has(name)) return `parameter name ${JSON.stringify(name)} is a reserved word`;
  if (SHADOWING.has(name)) return `parameter name ${JSON.stringify(name)} would shadow the global ${name} that notebook code relies on; choose another name`;
  return null;
}

/**
 * A parameter value as a TypeScript literal that evaluates to exactly the value: JSON, with U+2028 and
 * U+2029 escaped (line terminators in older parsers and in tslab's line handling), `-0` kept, and a
 * `"__proto__"` key written as a computed key (in an object literal it would set the prototype).
 *
 * @example
 * valueLiteral("a\u2028b");          // '"a\\u2028b"'
 * valueLiteral({ __proto__: 1 } as never); // '{["__proto__"]: 1}' (for an own "__proto__" key)
 */
export function valueLiteral(value: ParamValue): string {
  if (typeof value === "number" && Object.is(value, -0)) return "-0";
  if (Array.isArray(value)) return `[${value.map(valueLiteral).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const fields = Object.keys(value).map((k) => `${k === "__proto__" ? '["__proto__"]' : JSON.stringify(k).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029")}: ${valueLiteral(value[k])}`);
    return `{${fields.join(", ")}}`;
  }
  return JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/**
 * Parses `key=value` from the command line. The value is JSON when it parses as JSON (numbers,
 * booleans, null, arrays, objects, quoted strings) and a plain string otherwise, as papermill's `-p`.
 *
 * @example
 * parseParamArg("port=80");            // { name: "port", value: 80 }
 * parseParamArg("fip=101.101.101.1");  // { name: "fip", value: "101.101.101.1" }
 * parseParamArg('nodes=["cent222"]');  // { name: "nodes", value: ["cent222"] }
 */
export function parseParamArg(arg: string): { name: string; value: ParamValue } | { error: string } {
  const eq = arg.indexOf("=");
  if (eq <= 0) return { error: `--param ${JSON.stringify(arg)}: expected key=value` };
  const name = arg.slice(0, eq);
  const bad = checkParamName(name);
  if (bad) return { error: `--param: ${bad}` };
  const text = arg.slice(eq + 1);
  try {
    return { name, value: JSON.parse(text) as ParamValue };
  } catch {
    return { name, value: text };
  }
}

/**
 * The TypeScript source of the injected-parameters cell. Values are written as JSON literals
 * ({@link valueLiteral}), which are valid TypeScript expressions, so no value can inject code and every
 * value round-trips exactly. Throws on a name {@link checkParamName} refuses.
 *
 * @example
 * parametersSource({ fip: "101.101.101.1", port: 80 });
 * // '// Parameters injected by packetwalk run\nlet fip = "101.101.101.1";\nlet port = 80;\n'
 */
export function parametersSource(params: Record<string, ParamValue>): string {
  const lines = ["// Parameters injected by packetwalk run"];
  for (const [name, value] of Object.entries(params)) {
    const bad = checkParamName(name);
    if (bad) throw new Error(bad);
    // JSON escapes quotes, backslashes and control characters; valueLiteral also U+2028/9 and __proto__.
    lines.push(`let ${name} = ${valueLiteral(value)};`);
  }
  return lines.join("\n") + "\n";
}

/**
 * Names declared at the top level of a parameters cell (`let|const|var name`).
 *
 * @example
 * declaredNames('let fip = "x";\nconst nodes: string[] = [];'); // ["fip", "nodes"]
 */
export function declaredNames(source: string): string[] {
  const names: string[] = [];
  for (const m of source.matchAll(/^\s*(?:export\s+)?(?:let|const|var)\s+([A-Za-z_$][A-Za-z0-9_$]*)/gm)) names.push(m[1]);
  return names;
}

/**
 * Injects parameters after the cell tagged `parameters` (or at the top when there is none), replacing
 * an earlier injected cell. Returns the new notebook and warnings for names the parameters cell does
 * not declare.
 *
 * @example
 * const { notebook, warnings } = injectParameters(nb, { fip: "101.101.101.1" });
 */
export function injectParameters(nb: Notebook, params: Record<string, ParamValue>): { notebook: Notebook; warnings: string[] } {
  const warnings: string[] = [];
  const cells = nb.cells.filter((c) => !(c.metadata.tags ?? []).includes("injected-parameters"));
  if (Object.keys(params).length === 0) return { notebook: { ...nb, cells }, warnings };
  const at = cells.findIndex((c) => (c.metadata.tags ?? []).includes("parameters"));
  if (at < 0) warnings.push("no cell is tagged 'parameters'; the injected parameters go first");
  else {
    const declared = new Set(declaredNames(cells[at].source));
    for (const name of Object.keys(params)) {
      if (!declared.has(name)) warnings.push(`parameter ${name} is not declared in the parameters cell`);
    }
  }
  const injected: CodeCell = {
    id: newCellId(),
    cell_type: "code",
    metadata: { tags: ["injected-parameters"] },
    source: parametersSource(params),
    outputs: [],
    execution_count: null,
  };
  const out = [...cells];
  out.splice(at + 1, 0, injected);
  return { notebook: { ...nb, cells: out, metadata: { ...nb.metadata, packetwalk: { ...(nb.metadata.packetwalk as object), parameters: params } } }, warnings };
}
