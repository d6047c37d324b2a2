/** The headless runner end to end: parameters, outputs, per-cell metadata, timeouts, nbformat validity. */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { captureIO } from "../helpers/io";
import { main } from "../../kernel/cli";
import { normalizeNotebook, readNotebook } from "../../kernel/runner/notebook";
import { runNotebook } from "../../kernel/runner/run";
import { packetwalkKernel, requireBuilt, ROOT } from "./helpers";

const SMOKE = path.join(ROOT, "test", "fixtures", "kernel-smoke.ipynb");

/** Debian's nbformat (installed with jupyter-nbconvert), run by the system python that has it. */
function nbformatPython(): string | null {
  for (const py of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(py, ["-c", "import nbformat"], { stdio: "ignore" });
    if (r.status === 0) return py;
  }
  return null;
}
const PY = nbformatPython();

function validateNbformat(file: string): string {
  const r = spawnSync(PY!, ["-c", "import sys, nbformat\nnb = nbformat.read(sys.argv[1], as_version=4)\nnbformat.validate(nb)\nprint('valid', nb.nbformat, nb.nbformat_minor)", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`nbformat says ${file} is invalid:\n${r.stderr}`);
  return r.stdout.trim();
}


// A cell once read "dead" here under a full parallel CI run: the client took iopub's idle, which a loaded
// machine may deliver before the shell reply, as the end of the cell and found no reply. It now waits for
// both (test/kernel/kernel-reuse.test.ts reproduces the order with a fake kernel), so no retry is needed.
describe("packetwalk run", () => {
  it("exits 2 with a clear error for a parameter name that would shadow a global", async () => {
    const t = captureIO({ cwd: ROOT });
    expect(await main(["run", SMOKE, "--param", "process=1"], t.io)).toBe(2);
    expect(t.err()).toMatch(/parameter name "process" would shadow the global process/);
  });

  it("a failing parameters cell stops the run even with --allow-errors; U+2028 values reach the cell exactly", async () => {
    requireBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-params-"));
    try {
      const cells = [
        { cell_type: "code", metadata: { tags: ["parameters"] }, source: 'let target = "default";\nif (process.env.PW_BREAK_PARAMS) throw new Error("parameters broke");', outputs: [], execution_count: null },
        { cell_type: "code", metadata: {}, source: "console.log(JSON.stringify(target))", outputs: [], execution_count: null },
      ];
      const file = path.join(dir, "p.ipynb");
      fs.writeFileSync(file, JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells }));
      // A value with U+2028/U+2029 round-trips into the cell.
      const good = await runNotebook(readNotebook(file), { params: { target: "a\u2028b\u2029c" }, cwd: dir, kernel: packetwalkKernel(dir) });
      expect(good.ok).toBe(true);
      const printed = (good.notebook.cells[2] as { outputs: { text: string }[] }).outputs[0];
      expect(JSON.parse(printed.text)).toBe("a\u2028b\u2029c");
      // A parameters cell that fails (a type error here) stops the run even with allowErrors.
      const broken = { ...packetwalkKernel(dir), env: { ...packetwalkKernel(dir).env, PW_BREAK_PARAMS: "1" } };
      const bad = await runNotebook(readNotebook(file), { params: { target: "x" }, allowErrors: true, cwd: dir, kernel: broken });
      expect(bad.ok).toBe(false);
      expect(bad.cells.map((c) => c.status)).toEqual(["error", "skipped", "skipped"]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("executes with injected parameters, records status and duration per cell, and keeps going with --allow-errors", async () => {
    requireBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-run-"));
    try {
      const out = path.join(dir, "smoke.ipynb");
      const html = path.join(dir, "smoke.html");
      const t = captureIO({ cwd: ROOT });
      const code = await main(["run", SMOKE, "--param", "rows=4", "-p", "fip=9.9.9.9", "--out", out, "--html", html, "--allow-errors"], t.io);
      expect(code).toBe(1); // one cell failed on purpose
      expect(t.err()).toMatch(/kernel-smoke\.ipynb \[6\/7\] ERROR/);
      expect(t.err()).toMatch(/kernel-smoke\.ipynb \[7\/7\] ok/);
      const nb = readNotebook(out);
      const code_cells = nb.cells.filter((c) => c.cell_type === "code");
      expect(code_cells.map((c) => (c.metadata.packetwalk as { status: string }).status)).toEqual(["ok", "ok", "ok", "ok", "ok", "error", "ok"]);
      expect(code_cells[1].metadata.tags).toEqual(["injected-parameters"]);
      const table = code_cells[2].outputs[0] as { data: Record<string, string> };
      expect(table.data["text/plain"]).toContain("9.9.9.9");
      expect(table.data["text/plain"]).toContain("(4 rows)");
      const chart = code_cells[3].outputs[0] as { output_type: string; data: Record<string, unknown> };
      expect(chart.output_type).toBe("execute_result");
      expect(Object.keys(chart.data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "image/svg+xml", "text/plain"]);
      expect((code_cells[4].outputs[0] as { data: Record<string, string> }).data["text/plain"]).toBe("step 3 of 3");
      expect(code_cells[6].outputs[0]).toMatchObject({ output_type: "stream", text: "after the failure: fip=9.9.9.9\n" });
      for (const c of code_cells) expect(typeof (c.metadata.packetwalk as { duration_seconds: number }).duration_seconds).toBe("number");
      expect(nb.metadata.packetwalk).toMatchObject({ status: "failed", parameters: { rows: 4, fip: "9.9.9.9" }, cells: { ok: 6, error: 1 } });
      const page = fs.readFileSync(html, "utf8");
      expect(page).toContain("<svg");
      expect(page).toContain("this cell fails on purpose");
      expect(page).not.toMatch(/<script/i);
      if (PY) expect(validateNbformat(out)).toBe("valid 4 5");
      else console.warn("SKIPPED nbformat schema validation: Debian's python3-nbformat is not installed (.ci/run installs it)");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops at the first failure without --allow-errors and marks the rest skipped", async () => {
    requireBuilt();
    const r = await runNotebook(readNotebook(SMOKE), { kernel: packetwalkKernel() });
    expect(r.ok).toBe(false);
    expect(r.cells.map((c) => c.status)).toEqual(["ok", "ok", "ok", "ok", "error", "skipped"]);
  });

  it("interrupts a cell past its timeout and reports it, then runs the next cell", async () => {
    requireBuilt();
    const nb = normalizeNotebook(
      { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [
        { cell_type: "code", metadata: {}, source: "let n = 1;", outputs: [], execution_count: null },
        { cell_type: "code", metadata: {}, source: "await new Promise(() => {});", outputs: [], execution_count: null },
        { cell_type: "code", metadata: {}, source: "n + 1", outputs: [], execution_count: null },
      ] },
      "timeout.ipynb",
    );
    const r = await runNotebook(nb, { timeoutSeconds: 2, allowErrors: true, kernel: packetwalkKernel() });
    expect(r.cells.map((c) => c.status)).toEqual(["ok", "timeout", "ok"]);
    expect(r.cells[1].error).toMatch(/CellTimeoutError: the cell did not finish within 2 s/);
    const last = r.notebook.cells[2] as { outputs: { data: Record<string, string> }[] };
    expect(last.outputs[0].data["text/plain"]).toBe("2");
  });

  it("rejects a hostile parameter name and a missing notebook with exit 2 and a clear message", async () => {
    const a = captureIO({ cwd: ROOT });
    expect(await main(["run", SMOKE, "-p", "x;process.exit(9)=1"], a.io)).toBe(2);
    expect(a.err()).toContain('parameter name "x;process.exit(9)" is not an identifier');
    const b = captureIO({ cwd: ROOT });
    expect(await main(["run", "/nonexistent/n.ipynb"], b.io)).toBe(2);
    expect(b.err()).toContain("cannot read notebook /nonexistent/n.ipynb: ENOENT");
  });
});

describe("real Jupyter (nbconvert --execute with the packetwalk kernelspec)", () => {
  const jupyter = spawnSync("jupyter", ["nbconvert", "--version"], { stdio: "ignore" }).status === 0;
  it.skipIf(!jupyter)("runs the smoke notebook with --allow-errors: table, 4-MIME chart, the cell after the failure", () => {
    requireBuilt();
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "pw-jupyter-"));
    try {
      execFileSync(process.execPath, [path.join(ROOT, "dist", "kernel", "cli.js"), "kernel", "install", "--prefix", prefix]);
      const nbIn = path.join(prefix, "smoke.ipynb");
      fs.copyFileSync(SMOKE, nbIn);
      const env = { ...process.env, JUPYTER_PATH: path.join(prefix, "share", "jupyter") };
      execFileSync("jupyter", ["nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--ExecutePreprocessor.kernel_name=packetwalk", "--ExecutePreprocessor.timeout=120", "--output", "executed.ipynb", nbIn], { env, stdio: "pipe" });
      const nb = JSON.parse(fs.readFileSync(path.join(prefix, "executed.ipynb"), "utf8"));
      const code = nb.cells.filter((c: { cell_type: string }) => c.cell_type === "code");
      const table = code[1].outputs.find((o: { output_type: string }) => o.output_type === "display_data");
      expect(Object.keys(table.data).sort()).toEqual(["text/html", "text/plain"]);
      expect(table.metadata.packetwalk.what).toBe("smoke table");
      const chart = code[2].outputs.find((o: { output_type: string }) => o.output_type === "execute_result");
      expect(Object.keys(chart.data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "image/svg+xml", "text/plain"]);
      expect(typeof chart.data["application/vnd.vegalite.v5+json"]).toBe("object");
      expect(code[4].outputs[0]).toMatchObject({ output_type: "error", evalue: "this cell fails on purpose" });
      const after = code[5].outputs.map((o: { text?: string | string[] }) => [o.text].flat().join("")).join("");
      expect(after).toBe("after the failure: fip=101.101.101.1\n");
      if (PY) expect(validateNbformat(path.join(prefix, "executed.ipynb"))).toBe("valid 4 5");
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  });
  if (!jupyter) it("SKIPPED: Jupyter (jupyter-nbconvert) is not installed here; .ci/run installs it", () => {});
});
