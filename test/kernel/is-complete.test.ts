/** is_complete from TypeScript's parser, and traceback lines mapped back to the cell. */
import { describe, expect, it } from "vitest";
import { cellLineOf, isCompleteCell } from "../../kernel/engine";

describe("isCompleteCell", () => {
  it("complete code", () => {
    for (const c of ["1", "const x = 1;", "function f() {\n  return 1;\n}", "const t = `a${1}b`;", "", "// just a comment"]) {
      expect(isCompleteCell(c), c).toEqual({ status: "complete" });
    }
  });

  it("incomplete code, with the next line's indent; an unterminated template literal is incomplete", () => {
    expect(isCompleteCell("function f() {")).toEqual({ status: "incomplete", indent: "  " });
    expect(isCompleteCell("if (a) {\n  for (;;) {")).toEqual({ status: "incomplete", indent: "    " });
    expect(isCompleteCell("const o = {\n  a: 1,")).toEqual({ status: "incomplete", indent: "  " });
    expect(isCompleteCell("const s = `abc")).toEqual({ status: "incomplete", indent: "" });
    expect(isCompleteCell("const s = `a${1}")).toEqual({ status: "incomplete", indent: "" });
    expect(isCompleteCell("/* open")).toEqual({ status: "incomplete", indent: "" });
    expect(isCompleteCell("1 +")).toMatchObject({ status: "incomplete" });
  });

  it("invalid code: an error before the end, or an error submitted with a blank line", () => {
    for (const c of ["const = 1;", ") 1", "let 1x = 2;", "function f() {\n\n\n"]) {
      expect(isCompleteCell(c), c).toEqual({ status: "invalid" });
    }
  });
});

describe("cellLineOf", () => {
  const header = 'Object.defineProperty(exports, "__esModule", { value: true });';
  it("maps a converted line back to the cell line carrying the same statement", () => {
    expect(cellLineOf(2, 'throw new Error("x")', `${header}\nthrow new Error("x");\n`)).toBe(1);
    const cell = "const a = 1;\n\n// note\nif (a) {\n  throw new Error('boom');\n}";
    const conv = `${header}\nexports.a = void 0;\nconst a = 1;\nexports.a = a;\nif (a) {\n    throw new Error('boom');\n}\n`;
    expect(cellLineOf(6, cell, conv)).toBe(5);
  });
  it("falls back to the converted line less the header, within the cell", () => {
    expect(cellLineOf(2, "x()", `${header}\nsomethingElse();`)).toBe(1);
    expect(cellLineOf(40, "a\nb", "")).toBe(2);
  });
  it("gives null for tslab's wrapper call, the line after the converted code", () => {
    expect(cellLineOf(3, "x()", `${header}\nx();\n`)).toBe(1);
    expect(cellLineOf(4, "x()", `${header}\nx();\n`)).toBeNull();
  });
});
