import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { checkParamName, declaredNames, injectParameters, normalizeNotebook, parametersSource, parseParamArg, valueLiteral } from "../../kernel/runner/notebook";

const nb = () =>
  normalizeNotebook(
    {
      nbformat: 4,
      nbformat_minor: 4,
      metadata: {},
      cells: [
        { cell_type: "markdown", metadata: {}, source: ["# T"] },
        { cell_type: "code", metadata: { tags: ["parameters"] }, source: ['let fip = "101.101.101.1";\n', "let port = 80;"], outputs: [], execution_count: null },
        { cell_type: "code", metadata: {}, source: "fip", outputs: [], execution_count: 3 },
      ],
    },
    "t.ipynb",
  );

describe("normalizeNotebook", () => {
  it("joins sources, adds nbformat 4.5 ids, bumps the minor version", () => {
    const n = nb();
    expect(n.nbformat_minor).toBe(5);
    expect(n.cells[1].source).toBe('let fip = "101.101.101.1";\nlet port = 80;');
    for (const c of n.cells) expect(c.id).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(n.cells.map((c) => c.id)).size).toBe(3);
  });
  it("names the file and the cell when the notebook is wrong", () => {
    expect(() => normalizeNotebook({ nbformat: 3, cells: [] }, "old.ipynb")).toThrow("old.ipynb: nbformat 3 is not supported");
    expect(() => normalizeNotebook({ nbformat: 4, cells: [{ cell_type: "weird" }] }, "x.ipynb")).toThrow('x.ipynb: cell 1 has unknown cell_type "weird"');
  });
});

describe("parameters", () => {
  it("parseParamArg reads JSON values and falls back to strings", () => {
    expect(parseParamArg("port=80")).toEqual({ name: "port", value: 80 });
    expect(parseParamArg("fip=101.101.101.1")).toEqual({ name: "fip", value: "101.101.101.1" });
    expect(parseParamArg('nodes=["cent222","cent333"]')).toEqual({ name: "nodes", value: ["cent222", "cent333"] });
    expect(parseParamArg("flag=true")).toEqual({ name: "flag", value: true });
    expect(parseParamArg("empty=")).toEqual({ name: "empty", value: "" });
    expect(parseParamArg("noequals")).toEqual({ error: '--param "noequals": expected key=value' });
  });

  it("rejects names that are not identifiers or are reserved", () => {
    expect(checkParamName("fip")).toBeNull();
    expect(checkParamName("x;process.exit()")).toMatch(/not an identifier/);
    expect(checkParamName("1x")).toMatch(/not an identifier/);
    expect(checkParamName("constructor")).toBeNull();
    expect(checkParamName("delete")).toMatch(/reserved/);
    expect(parseParamArg("a b=1")).toHaveProperty("error");
  });

  it("writes values as literals that cannot inject code, checked by running them in node", () => {
    const hostile = ['"; process.exit(3); "', "`${process.exit(4)}`", "\\\"); require('child_process')", "line\nbreak\u2028sep", "</script>"];
    const src = parametersSource(Object.fromEntries(hostile.map((v, i) => [`p${i}`, v])));
    const out = execFileSync(process.execPath, ["-e", `${src}\nconsole.log(JSON.stringify([${hostile.map((_, i) => `p${i}`).join(",")}]))`]).toString();
    expect(JSON.parse(out)).toEqual(hostile);
  });

  it("refuses names that would shadow globals the notebook relies on, and JS/TS reserved words", () => {
    for (const n of ["process", "require", "module", "exports", "console", "globalThis", "Buffer", "setTimeout", "__tslab__", "input"]) {
      expect(checkParamName(n), n).toMatch(/would shadow the global/);
      expect(parseParamArg(`${n}=1`), n).toHaveProperty("error");
    }
    for (const n of ["let", "static", "implements", "yield", "await", "arguments", "eval", "undefined", "enum"]) expect(checkParamName(n), n).toMatch(/reserved/);
    expect(() => parametersSource({ process: 1 })).toThrow(/shadow/);
  });

  it("round-trips any value exactly: U+2028/U+2029 escaped, -0, an own __proto__ key, lone surrogates", () => {
    const values = ["a\u2028b\u2029c", "\ud800 lone", -0, 1e300, JSON.parse('{"__proto__": {"polluted": true}, "k\u2028": [null, false]}'), ["\u2029", { nested: "\u2028" }]];
    const src = parametersSource(Object.fromEntries(values.map((v, i) => [`v${i}`, v])));
    expect(src).not.toMatch(/[\u2028\u2029]/);
    const back = execFileSync(process.execPath, ["-e", `${src}\nconst all = [${values.map((_, i) => `v${i}`).join(",")}];\nconsole.log(JSON.stringify({ all, negZero: Object.is(v2, -0), own: Object.keys(v4), proto: Object.getPrototypeOf(v4) === Object.prototype, polluted: ({}).polluted === true }))`]).toString();
    const r = JSON.parse(back) as { all: unknown[]; negZero: boolean; own: string[]; proto: boolean; polluted: boolean };
    expect(r.all).toEqual(JSON.parse(JSON.stringify(values)));
    expect(r).toMatchObject({ negZero: true, own: ["__proto__", "k\u2028"], proto: true, polluted: false });
    expect(valueLiteral("x\u2028")).toBe('"x\\u2028"');
  });

  it("injects after the parameters cell, replaces an earlier injection, warns on undeclared names", () => {
    const first = injectParameters(nb(), { fip: "9.9.9.9", extra: 1 });
    expect(first.notebook.cells.map((c) => c.metadata.tags ?? [])).toEqual([[], ["parameters"], ["injected-parameters"], []]);
    expect(first.notebook.cells[2].source).toBe('// Parameters injected by packetwalk run\nlet fip = "9.9.9.9";\nlet extra = 1;\n');
    expect(first.warnings).toEqual(["parameter extra is not declared in the parameters cell"]);
    expect(first.notebook.metadata.packetwalk).toEqual({ parameters: { fip: "9.9.9.9", extra: 1 } });
    const again = injectParameters(first.notebook, { port: 8080 });
    expect(again.notebook.cells.filter((c) => (c.metadata.tags ?? []).includes("injected-parameters"))).toHaveLength(1);
    expect(again.notebook.cells[2].source).toContain("let port = 8080;");
  });

  it("declaredNames finds top-level declarations", () => {
    expect(declaredNames('let fip = "x";\nconst nodes: string[] = [];\n  var n = 1;\nfoo(let_x)')).toEqual(["fip", "nodes", "n"]);
  });
});
