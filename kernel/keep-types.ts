/**
 * Keeps packetwalk's declarations in tslab's TypeScript program from cell to cell.
 *
 * tslab's converter is a TypeScript watch program whose roots are the cell and the previous cells'
 * declarations. A file no root reaches any more is dropped from its cache: after a reset (no
 * declarations) a first cell such as `let inventory = ""` makes the program forget packetwalk's
 * types, and the next `import … from "packetwalk"` parses and binds every `.d.ts` of packetwalk,
 * arquero, ssh2, vega-lite and client-node again (about 1–1.5 s a notebook). One type-only import at
 * the head of the previous declarations keeps them reachable, so they are parsed once per kernel.
 * The line declares no name (nothing is added to a cell's scope, nothing is carried into the next
 * cell's declarations) and emits no code.
 */

/** The line put at the head of the previous cells' declarations: a type-only import of `moduleName`. */
export function keepTypesLine(moduleName = "packetwalk"): string {
  return `import type {} from ${JSON.stringify(moduleName)};\n`;
}

/** The converter methods that take the previous declarations first. */
export interface DeclarationsConverter {
  convert(prev: string, src: string): unknown;
  inspect?(prev: string, src: string, position: number): unknown;
  complete?(prev: string, src: string, position: number): unknown;
}

/**
 * The previous declarations with the keep line at their head (once).
 *
 * @example
 * withKeptTypes("declare let x: number;\n"); // 'import type {} from "packetwalk";\ndeclare let x: number;\n'
 */
export function withKeptTypes(prev: string, moduleName = "packetwalk"): string {
  const line = keepTypesLine(moduleName);
  return prev.startsWith(line) ? prev : line + prev;
}

/**
 * Wraps a tslab converter in place so every program it builds reaches `moduleName`'s types
 * (packetwalk's: the kernel's notebooks import them). The module must resolve from the kernel's
 * folder (`kernel/resolve.ts` makes `packetwalk` resolve from any folder).
 *
 * @example
 * const conv = keepPacketwalkTypes(createConverter({ isJS: false, isBrowser: false }));
 * conv.convert("", 'let inventory = "";'); // packetwalk's .d.ts files stay parsed for the next cell
 */
export function keepPacketwalkTypes<C extends DeclarationsConverter>(conv: C, moduleName = "packetwalk"): C {
  const keep = (prev: string) => withKeptTypes(prev, moduleName);
  const convert = conv.convert.bind(conv);
  conv.convert = (prev, src) => convert(keep(prev), src);
  const inspect = conv.inspect?.bind(conv);
  if (inspect) conv.inspect = (prev, src, position) => inspect(keep(prev), src, position);
  const complete = conv.complete?.bind(conv);
  if (complete) conv.complete = (prev, src, position) => complete(keep(prev), src, position);
  return conv;
}
