/**
 * The execution engine: tslab's converter (TypeScript 5.0 → CommonJS) and executor (vm in this
 * context), wrapped so that packetwalk's kernel gets what tslab's own server does not give:
 * structured errors, last-expression values as rich `execute_result`s, displays with several MIME
 * types, waiting for asynchronous renders before a cell ends, and interrupts that abort helpers' I/O.
 */
import * as util from "node:util";
import { interruptAll } from "../lib/cancel";
import { resetKernelState } from "../lib/kernel-reset";
import { DisplayBundle, normalizeBundle } from "../lib/display/bundle";
import { installSink } from "../lib/display/sink";
import { isDisplayHandle, toDisplayBundle } from "../lib/display/show";
import { packageRoot } from "../lib/display/version";
import { keepPacketwalkTypes } from "./keep-types";
import { hookRuntimeResolution, hookTypeResolution } from "./resolve";
import { expandShorthandProperties } from "./shorthand";

/** A Jupyter `error` output's content. */
export interface CellError {
  ename: string;
  evalue: string;
  traceback: string[];
}

/** What one execution produced besides streamed output. */
export interface CellOutcome {
  status: "ok" | "error";
  /** The value of the cell's last expression, rendered (absent when none). */
  result?: DisplayBundle;
  error?: CellError;
}

/** Where the engine sends output while a cell (or its background work) runs. */
export interface OutputTarget {
  stream(name: "stdout" | "stderr", text: string): void;
  display(bundle: DisplayBundle, opts: { displayId?: string; update?: boolean }): void;
  /** `clear_output` of the running cell. */
  clear?(wait: boolean): void;
  /** Asks the client for a line of input (`input_request` on stdin); rejects when stdin is not allowed. */
  input?(prompt: string, password: boolean): Promise<string>;
}

/**
 * What the protocol handler needs of an engine: run a cell, complete, inspect, tell whether code is
 * complete, interrupt, and a target for output. {@link Engine} is the real one (tslab's converter and
 * executor); the handler's tests pass a stub, so the protocol is tested without TypeScript or ZeroMQ.
 *
 * @example
 * const stub: CellEngine = {
 *   target: { stream: () => {}, display: () => {} },
 *   execute: async (code) => ({ status: "ok", result: { data: { "text/plain": code }, metadata: {} } }),
 *   complete: (_c, pos) => ({ start: pos, end: pos, candidates: [] }),
 *   inspect: () => null,
 *   isComplete: () => ({ status: "complete" }),
 *   interrupt: () => {},
 * };
 */
export interface CellEngine {
  /** Where output goes while a cell (or its background work) runs; the handler sets it. */
  target: OutputTarget;
  /** Runs one cell. Never rejects. */
  execute(code: string): Promise<CellOutcome>;
  complete(code: string, pos: number): { start: number; end: number; candidates: string[] };
  /** Hover documentation at `pos`, or null. */
  inspect(code: string, pos: number): string | null;
  isComplete(code: string): { status: "complete" | "incomplete" | "invalid" | "unknown"; indent?: string };
  /** Aborts helpers' I/O and the running cell; kernel state is kept. */
  interrupt(): void;
  /**
   * Forgets every cell (variables, declarations) and what helpers hold (open targets, SSH connections,
   * labs), keeping only what is loaded (TypeScript, packetwalk's modules): the next notebook starts as in
   * a fresh kernel, without paying for the load again. Resolves to the problems met (empty when clean).
   */
  reset?(): Promise<string[]>;
}

interface TslabExecutor {
  execute(src: string): Promise<boolean>;
  inspect(src: string, position: number): unknown;
  complete(src: string, position: number): { start: number; end: number; candidates: string[] };
  interrupt(): void;
  reset(): void;
  close(): void;
  locals: Record<string, unknown>;
}

const NO_VALUE = Symbol("no value");

/**
 * What the kernel defines in every notebook, declared as a first hidden cell: tslab keeps a cell's
 * declarations for the next cells (its converter drops `declare global`), and a name declared by a cell
 * is read from tslab's `exports`, where {@link Engine} then puts the function.
 */
const KERNEL_DECLARATIONS = `/** Asks the notebook's user for a line of text (stdin channel); \`password\` hides what is typed. */
declare function input(prompt?: string, options?: { password?: boolean }): Promise<string>;`;

/** Tracks the stack frames that belong to the kernel, so tracebacks show only the user's code. */
function cleanStack(stack: string | undefined, mapLine: (line: number) => number | null): string[] {
  if (!stack) return [];
  return stack
    .split("\n")
    // the frame of tslab's wrapper around the cell (its last line) maps to no cell line
    .filter((l) => !/^\s+at /.test(l) || !/evalmachine\.<anonymous>:(\d+)/.test(l) || mapLine(Number(/evalmachine\.<anonymous>:(\d+)/.exec(l)![1])) !== null)
    .filter((l) => !/^\s+at /.test(l) || !/node_modules[\\/]tslab|node:internal|node:vm|[\\/](dist[\\/])?kernel[\\/](engine|server|cli|handler)\.|sigintHandlersWrap|runInThisContext|^\s+at (async )?Promise\.(all|race)/.test(l))
    .map((l) => l.replace(/evalmachine\.<anonymous>:(\d+)(:\d+)?/g, (_m, n: string, col = "") => `cell:${mapLine(Number(n)) ?? n}${col}`).replace(/evalmachine\.<anonymous>/g, "cell"));
}

/**
 * Maps a line of the code tslab ran (its CommonJS conversion, wrapped on one first line) back to the
 * cell's own line: the cell line whose text the converted line carries (TypeScript's emit keeps most
 * statements as written), else the converted line less the conversion's header, within the cell; null
 * for the line of tslab's wrapper call (not the user's code).
 *
 * @example
 * cellLineOf(2, "throw new Error('x')", 'Object.defineProperty(exports, "__esModule", { value: true });\nthrow new Error(\'x\');'); // 1
 */
export function cellLineOf(runLine: number, cell: string, converted: string): number | null {
  const cellLines = cell.split("\n");
  const outLines = converted.split("\n");
  // tslab runs `(function(exports, require) { ` + converted + `\n})(…)`: the last line is its call.
  if (converted && runLine > outLines.length) return null;
  const norm = (t: string) => t.trim().replace(/;$/, "").replace(/\s+/g, " ");
  const text = norm(outLines[runLine - 1] ?? "");
  if (text) {
    const exact = cellLines.findIndex((l) => norm(l) === text);
    if (exact >= 0) return exact + 1;
    const within = cellLines.findIndex((l) => norm(l).length > 2 && (text.includes(norm(l)) || norm(l).includes(text)));
    if (within >= 0) return within + 1;
  }
  const header = outLines.findIndex((l) => !/^Object\.defineProperty\(exports, "__esModule"/.test(l));
  return Math.min(Math.max(1, runLine - Math.max(0, header)), cellLines.length);
}

/** Turns a thrown value into an `error` output (`mapLine` maps a line tslab ran to the cell's). */
export function toCellError(e: unknown, mapLine: (line: number) => number | null = (n) => n): CellError {
  if (e instanceof Error) {
    const interrupted = /Interrupted asynchronously|Script execution was interrupted/.test(e.message);
    const ename = interrupted ? "Interrupted" : e.name || "Error";
    const evalue = interrupted ? "the cell was interrupted; helpers' in-flight I/O was aborted, kernel state is kept" : e.message;
    const lines = cleanStack(e.stack, mapLine);
    return { ename, evalue, traceback: lines.length ? lines : [`${ename}: ${evalue}`] };
  }
  const text = typeof e === "string" ? e : util.inspect(e);
  return { ename: "Error", evalue: text, traceback: [`thrown: ${text}`] };
}

/**
 * The engine. One per kernel process.
 *
 * @example
 * const engine = new Engine({ cwd: process.cwd() });
 * engine.target = { stream: (n, t) => process.stdout.write(t), display: (b) => console.log(b.data) };
 * const outcome = await engine.execute("1 + 1");
 * outcome.result?.data["text/plain"]; // "2"
 */
export class Engine implements CellEngine {
  /** The current output target; background output after a cell ends goes to the last one. */
  target: OutputTarget;
  private executor: TslabExecutor;
  private readonly newExecutor: () => TslabExecutor;
  private lastValue: unknown = NO_VALUE;
  private errors: unknown[] = [];
  private diagnostics: string[] = [];
  private pending: Promise<unknown>[] = [];
  /** tslab's CommonJS conversion of the last cell, to map traceback lines back to the cell. */
  private lastConverted = "";
  private declared = false;

  constructor(opts: { cwd: string }) {
    const root = packageRoot();
    hookRuntimeResolution(root);
    hookTypeResolution(opts.cwd, root);
    this.target = { stream: () => {}, display: () => {} };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createConverter } = require("tslab/dist/converter") as { createConverter(o: object): { close(): void } };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createExecutor } = require("tslab/dist/executor") as {
      createExecutor(root: string, convs: object, console: { log(...a: unknown[]): void; error(...a: unknown[]): void }): TslabExecutor;
    };
    let node: { close(): void; convert(prev: string, src: string): { output?: string } } | undefined;
    const remember = (conv: NonNullable<typeof node>) => {
      keepPacketwalkTypes(conv);
      const convert = conv.convert.bind(conv);
      conv.convert = (prev, src) => {
        const r = convert(prev, src);
        this.lastConverted = r.output ?? "";
        return r;
      };
      return conv;
    };
    let browser: { close(): void } | undefined;
    const convs = {
      get node() {
        return (node ??= remember(createConverter({ isJS: false, isBrowser: false }) as NonNullable<typeof node>));
      },
      get browser() {
        return (browser ??= createConverter({ isJS: false, isBrowser: true }));
      },
      close() {
        node?.close();
        browser?.close();
      },
    };
    void convs.node; // warm the converter: this is most of start-up
    // The converter (TypeScript's program: lib files, packetwalk's types) is kept across resets; the
    // executor (the cells' names and declarations) is made anew.
    this.newExecutor = () => createExecutor(opts.cwd, convs, {
      log: (...args: unknown[]) => {
        // tslab calls console.log(value) with the last expression's value and nothing else.
        this.lastValue = args.length === 1 ? args[0] : args;
      },
      error: (...args: unknown[]) => {
        if (typeof args[0] === "string" && args[0].startsWith("%s%d:%d - %s")) {
          const [, file, line, col, text] = args as [string, string, number, number, string];
          this.diagnostics.push(`${file}${line}:${col} - ${text}`);
        } else {
          this.errors.push(args.length === 1 ? args[0] : util.format(...args));
        }
      },
    });
    this.executor = this.newExecutor();
    this.installSink();
    this.installTslabDisplay();
  }

  /** See {@link CellEngine.reset}. */
  async reset(): Promise<string[]> {
    interruptAll();
    await this.settlePending();
    const problems = await resetKernelState();
    this.executor = this.newExecutor();
    this.declared = false;
    this.lastValue = NO_VALUE;
    this.errors = [];
    this.diagnostics = [];
    this.pending = [];
    this.lastConverted = "";
    return problems;
  }

  /** `input(prompt, { password })` in cells: a line from the client over the stdin channel. */
  private readonly input = (prompt: unknown = "", opts: { password?: boolean } = {}): Promise<string> => {
    const ask = this.target.input;
    if (!ask) return Promise.reject(new Error("input(): no client is connected to answer it"));
    return ask(String(prompt), Boolean(opts?.password));
  };

  /** Declares the kernel's names for the type checker and defines them where tslab's cells read them. */
  private async declareKernelNames(): Promise<void> {
    this.declared = await this.executor.execute(KERNEL_DECLARATIONS);
    const tslab = (globalThis as { __tslab__?: { exports: Record<string, unknown> } }).__tslab__;
    if (tslab) tslab.exports.input = this.input;
    this.errors = [];
    this.diagnostics = [];
  }

  private installSink(): void {
    installSink({
      send: (bundle, opts) => this.target.display(bundle, opts),
      clear: (wait) => this.target.clear?.(wait),
      track: (work) => {
        this.pending.push(work);
      },
    });
  }

  /** tslab's own `display.raw()` sends one MIME type as a string; route it through our bundles. */
  private installTslabDisplay(): void {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
      jupyter.lastWriteDisplayData = (data: { data: Record<string, unknown>; metadata?: Record<string, unknown>; transient?: { display_id?: string } }, update: boolean) => {
        const b = normalizeBundle({ data: data.data, metadata: data.metadata ?? {} });
        this.target.display(b, { displayId: data.transient?.display_id, update });
      };
    } catch {
      // tslab's display API is optional.
    }
  }

  /** Runs one cell. Never rejects. */
  async execute(code: string): Promise<CellOutcome> {
    this.lastValue = NO_VALUE;
    this.errors = [];
    this.diagnostics = [];
    this.lastConverted = "";
    let ok = false;
    // tslab misses earlier cells' variables in shorthand properties ({ fip }); expand them first.
    const src = expandShorthandProperties(code);
    try {
      if (!this.declared) await this.declareKernelNames();
      ok = await this.executor.execute(src);
    } catch (e) {
      this.errors.push(e);
    }
    await this.settlePending();
    if (!ok || this.errors.length || this.diagnostics.length) {
      if (this.diagnostics.length) {
        return {
          status: "error",
          error: {
            ename: "TypeScriptError",
            evalue: this.diagnostics.join("; "),
            traceback: this.diagnostics.map((d) => `TypeScript: ${d}`),
          },
        };
      }
      return { status: "error", error: toCellError(this.errors[0] ?? new Error("the cell failed"), (n) => cellLineOf(n, src, this.lastConverted)) };
    }
    if (this.lastValue === NO_VALUE || isDisplayHandle(this.lastValue)) return { status: "ok" };
    try {
      const value = this.lastValue;
      this.lastValue = NO_VALUE;
      return { status: "ok", result: await toDisplayBundle(value) };
    } catch (e) {
      return { status: "ok", result: { data: { "text/plain": `[display failed: ${(e as Error).message}]` }, metadata: {} } };
    }
  }

  /** Waits for displays still rendering (charts), including ones started while waiting. */
  private async settlePending(): Promise<void> {
    while (this.pending.length) {
      const batch = this.pending;
      this.pending = [];
      await Promise.allSettled(batch);
    }
  }

  /** Interrupts: aborts helpers' I/O and the awaited promise of the running cell. */
  interrupt(): void {
    interruptAll();
    this.executor.interrupt();
  }

  complete(code: string, pos: number): { start: number; end: number; candidates: string[] } {
    try {
      return this.executor.complete(code, pos);
    } catch {
      return { start: pos, end: pos, candidates: [] };
    }
  }

  inspect(code: string, pos: number): string | null {
    try {
      const info = this.executor.inspect(code, pos);
      if (!info) return null;
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { printQuickInfo } = require("tslab/dist/inspect") as { printQuickInfo(i: unknown): string };
      return printQuickInfo(info);
    } catch {
      return null;
    }
  }

  isComplete(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
    return isCompleteCell(code);
  }

  close(): void {
    this.executor.close();
  }
}

interface ParsedFile {
  parseDiagnostics?: { start?: number; code: number }[];
}

/**
 * Whether a cell can run as typed, from TypeScript's own parser: `complete`; `incomplete` when the
 * first syntax error is at the end of the code (an open block, an unterminated template literal or
 * comment, `1 +`), with the indent of the next line; `invalid` when code before the end cannot parse.
 * Code ending in a blank line after an error is `invalid` (how a console user submits anyway).
 *
 * @example
 * isCompleteCell("function f() {");  // { status: "incomplete", indent: "  " }
 * isCompleteCell("const s = `abc");  // { status: "incomplete", indent: "" }
 * isCompleteCell("const = 1;");      // { status: "invalid" }
 */
export function isCompleteCell(code: string): { status: "complete" | "incomplete" | "invalid"; indent?: string } {
  if (!code.trim()) return { status: "complete" };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require("@tslab/typescript-for-tslab") as typeof import("typescript");
  const sf = ts.createSourceFile("cell.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS) as unknown as ParsedFile;
  const diags = sf.parseDiagnostics ?? [];
  if (!diags.length) return { status: "complete" };
  const end = code.trimEnd().length;
  const first = diags.reduce((a, b) => ((a.start ?? 0) <= (b.start ?? 0) ? a : b));
  // 1160 unterminated template literal, 1010 "*/ expected": open until their end.
  const open = first.code === 1160 || first.code === 1010;
  if (!open && (first.start ?? 0) < end) return { status: "invalid" };
  if (/(^|\n)\s*\n\s*$/.test(code)) return { status: "invalid" };
  if (open) return { status: "incomplete", indent: "" };
  const lastLine = code.slice(code.lastIndexOf("\n") + 1);
  const indent = /^\s*/.exec(lastLine)?.[0] ?? "";
  return { status: "incomplete", indent: /[{[(]\s*$/.test(code) ? indent + "  " : indent };
}
