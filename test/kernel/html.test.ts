import { describe, expect, it } from "vitest";
import { renderHtml, stripActive } from "../../kernel/runner/html";
import { normalizeNotebook } from "../../kernel/runner/notebook";

describe("renderHtml", () => {
  const nb = normalizeNotebook(
    {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { packetwalk: { version: "0.1.0", executed_at: "2026-11-24T17:00:00Z", status: "failed", parameters: { fip: "101.101.101.1" }, cells: { ok: 2, error: 1 } } },
      cells: [
        { cell_type: "markdown", metadata: {}, source: "# Packet walk\nThe *FIP* stage." },
        { cell_type: "code", metadata: { packetwalk: { status: "ok", duration_seconds: 0.25 } }, source: "show(t)", execution_count: 1, outputs: [
          { output_type: "display_data", metadata: {}, data: { "text/html": "<table><tr><td onclick=\"x()\">cent222</td></tr></table><script>alert(1)</script>", "text/plain": "cent222" } },
          { output_type: "display_data", metadata: {}, data: { "application/vnd.vegalite.v5+json": { mark: "bar" }, "image/svg+xml": '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>', "image/png": "AAAA", "text/plain": "chart" } },
          { output_type: "stream", name: "stdout", text: "\u001b[31mred\u001b[0m text" },
        ] },
        { cell_type: "code", metadata: { packetwalk: { status: "error", duration_seconds: 0.01 } }, source: "boom()", execution_count: 2, outputs: [
          { output_type: "error", ename: "Error", evalue: "no flow for 10.47.255.238", traceback: ["Error: no flow", "    at cell:1"] },
        ] },
        { cell_type: "code", metadata: { packetwalk: { status: "ok" } }, source: "x", execution_count: 3, outputs: [
          { output_type: "execute_result", execution_count: 3, metadata: {}, data: { "image/png": "iVBORw0KGgo=", "text/plain": "img" } },
        ] },
      ],
    },
    "t.ipynb",
  );
  const html = renderHtml(nb);

  it("is one self-contained page with no script and no external resource", () => {
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/onclick/i);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });
  it("renders markdown, tables, inline SVG charts, PNG data URLs, streams without ANSI, and errors", () => {
    expect(html).toContain("<title>Packet walk</title>");
    expect(html).toContain("<em>FIP</em>");
    expect(html).toContain("<td>cent222</td>");
    expect(html).toContain('<div class="out-svg"><svg xmlns="http://www.w3.org/2000/svg"><rect/></svg></div>');
    expect(html).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(html).toContain("red text");
    expect(html).toContain("Error: no flow for 10.47.255.238");
    expect(html).toContain('class="code status-error"');
    expect(html).toContain("<code>fip=&#34;101.101.101.1&#34;</code>");
  });
  it("hides code in report mode", () => {
    expect(renderHtml(nb, { hideInput: true })).not.toContain('<pre class="source">');
  });
});

describe("stripActive", () => {
  it("removes scripts, handlers and javascript: URLs", () => {
    expect(stripActive('<a href="javascript:alert(1)" onmouseover=\'x\'>a</a><iframe src="x"></iframe><embed src=y>')).toBe('<a href="#">a</a>');
  });
});
