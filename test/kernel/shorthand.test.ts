import { describe, expect, it } from "vitest";
import { expandShorthandProperties } from "../../kernel/shorthand";

describe("expandShorthandProperties", () => {
  it("expands shorthand properties in literals, calls and destructuring assignments", () => {
    expect(expandShorthandProperties("f({ fip, port: 80 })")).toBe("f({ fip: fip, port: 80 })");
    expect(expandShorthandProperties("const o = { a, b: { c } };")).toBe("const o = { a: a, b: { c: c } };");
    expect(expandShorthandProperties("({ a = 1 } = src);")).toBe("({ a: a = 1 } = src);");
  });
  it("leaves declarations' destructuring patterns, strings and code without shorthand alone", () => {
    expect(expandShorthandProperties("const { a, b } = obj;")).toBe("const { a, b } = obj;");
    expect(expandShorthandProperties('const s = "{ a }";')).toBe('const s = "{ a }";');
    expect(expandShorthandProperties("let x = 1;")).toBe("let x = 1;");
  });
  it("returns code that does not parse unchanged in meaning (the converter reports the error)", () => {
    expect(expandShorthandProperties("f({ a, ")).toContain("f({ a");
  });
});
