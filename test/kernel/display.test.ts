import * as aq from "arquero";
import { afterEach, describe, expect, it } from "vitest";
import { normalizeBundle } from "../../lib/display/bundle";
import { chart, chartBundle, VEGALITE_MIME } from "../../lib/display/chart";
import { installSink } from "../../lib/display/sink";
import { live, show, toDisplayBundle } from "../../lib/display/show";
import { tableBundle, textTable } from "../../lib/display/table";
import { DisplayBundle } from "../../lib/display/bundle";

describe("tableBundle(table)", () => {
  it("renders text/html and an aligned text/plain with numbers right-aligned", () => {
    const b = tableBundle(aq.table({ node: ["cent222", "cent333"], flows: [2, 10] }));
    expect(Object.keys(b.data).sort()).toEqual(["text/html", "text/plain"]);
    expect(b.data["text/plain"]).toBe("node     flows\n-------  -----\ncent222      2\ncent333     10\n(2 rows)");
    expect(b.data["text/html"]).toContain("<th>node</th><th>flows</th>");
    expect(b.data["text/html"]).toContain('<td style="text-align:right">10</td>');
  });

  it("caps rows and says N of M rows", () => {
    const b = tableBundle(aq.table({ i: Array.from({ length: 120 }, (_, i) => i) }), { maxRows: 5 });
    expect(String(b.data["text/plain"]).split("\n")).toHaveLength(2 + 5 + 1);
    expect(b.data["text/plain"]).toContain("(5 of 120 rows)");
    expect(b.data["text/html"]).toContain("5 of 120 rows");
  });

  it("escapes HTML in cells", () => {
    const b = tableBundle(aq.table({ s: ["<script>alert(1)</script>"] }));
    expect(b.data["text/html"]).not.toContain("<script>");
  });
});

describe("textTable", () => {
  it("cuts long cells with an ellipsis and flattens newlines", () => {
    expect(textTable(["a"], [{ a: "x".repeat(10) }], 5)).toBe("a\n-----\nxxxx…");
    expect(textTable(["a"], [{ a: "l1\nl2" }])).toContain("l1 ⏎ l2");
  });
});

describe("chartBundle(spec)", () => {
  it("emits vega-lite v5 JSON as an object + SVG + PNG + text", async () => {
    const b = await chartBundle({ mark: "point", data: { values: [{ x: 1, y: 2 }] }, encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } } }, "one point");
    expect(Object.keys(b.data).sort()).toEqual([VEGALITE_MIME, "image/png", "image/svg+xml", "text/plain"].sort());
    expect((b.data[VEGALITE_MIME] as { $schema: string }).$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
    expect(String(b.data["image/svg+xml"])).toContain("<svg");
    const png = Buffer.from(String(b.data["image/png"]), "base64");
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(b.data["text/plain"]).toBe("one point");
    expect(b.metadata[VEGALITE_MIME]).toEqual({ embed_options: { actions: false } });
  });

  it("keeps the spec and says why when vega cannot render it", async () => {
    const b = await chartBundle({ mark: "bar", encoding: { x: { field: "a", type: "nominal" } }, data: { url: "https://example.invalid/x.csv" } }, "remote data");
    expect(b.data["image/svg+xml"]).toBeUndefined();
    expect(b.data[VEGALITE_MIME]).toBeTypeOf("object");
    expect(b.data["text/plain"]).toBe(`remote data\n[chart could not be rendered: charts must carry their data inline; refusing to load "https://example.invalid/x.csv"]`);
  });
});

describe("normalizeBundle", () => {
  it("parses JSON MIME strings into objects and base64-encodes bytes", () => {
    const b = normalizeBundle({ "application/vnd.vegalite.v5+json": '{"mark":"bar"}', "image/png": new Uint8Array([1, 2, 3]) });
    expect(b.data["application/vnd.vegalite.v5+json"]).toEqual({ mark: "bar" });
    expect(b.data["image/png"]).toBe("AQID");
    expect(b.data["text/plain"]).toBe("<application/vnd.vegalite.v5+json, image/png output>");
  });
  it("accepts { data, metadata }", () => {
    expect(normalizeBundle({ data: { "text/plain": "x" }, metadata: { a: 1 } })).toEqual({ data: { "text/plain": "x" }, metadata: { a: 1 } });
  });
});

describe("toDisplayBundle", () => {
  it("renders arrays of row objects as tables and adds provenance", async () => {
    const b = await toDisplayBundle([{ a: 1 }, { a: 2 }], { provenance: { what: "rt --dump 2", where: "cent222" } });
    expect(b.data["text/plain"]).toContain("(2 rows)");
    expect(b.metadata.packetwalk).toMatchObject({ what: "rt --dump 2", where: "cent222" });
    expect(Date.parse((b.metadata.packetwalk as { at: string }).at)).not.toBeNaN();
  });
  it("renders Chart objects with all fallbacks", async () => {
    const b = await toDisplayBundle(chart({ mark: "bar", data: { values: [{ a: "x", b: 1 }] }, encoding: { x: { field: "a", type: "nominal" }, y: { field: "b", type: "quantitative" } } }));
    expect(Object.keys(b.data)).toHaveLength(4);
  });
});

describe("show / live with an installed sink", () => {
  let prev: ReturnType<typeof installSink>;
  afterEach(() => installSink(prev));

  it("sends display then in-place updates with the same display id, rate-limited, last one landing", async () => {
    const sent: { b: DisplayBundle; id?: string; update?: boolean }[] = [];
    const tracked: Promise<unknown>[] = [];
    prev = installSink({ send: (b, o) => sent.push({ b, id: o.displayId, update: o.update }), track: (w) => tracked.push(w) });
    const l = live("a", { maxPerSecond: 1000 / 50 });
    for (const v of ["b", "c", "d", "e"]) l.update(v);
    while (tracked.length) await Promise.allSettled(tracked.splice(0));
    await l.ready;
    expect(sent[0]).toMatchObject({ id: l.id, update: false });
    expect(sent.every((s) => s.id === l.id)).toBe(true);
    expect(sent[sent.length - 1].b.data["text/plain"]).toBe("e");
    expect(sent.length).toBeLessThan(5);
    const h = show("x");
    await h.ready;
    expect(sent[sent.length - 1]).toMatchObject({ id: h.id, update: false });
  });
});
