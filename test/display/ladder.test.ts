/**
 * The one ladder builder (`ladderSpec`): what the capture's `ladderChart` and the walk's `ladderDiagram`
 * both draw with. Compiled by vega-lite and rendered to the four MIME types like every chart.
 */
import { describe, expect, it } from "vitest";
import * as vl from "vega-lite";
import { chart, VEGALITE_MIME, VEGALITE_SCHEMA } from "../../lib/display/chart";
import { ladderSpec, ladderSummary, type LadderArrow } from "../../lib/display/ladder";

type Layered = { layer: { data: { values: Record<string, unknown>[] }; layer?: { mark: { type: string }; encoding: Record<string, unknown> }[] }[] };

const lanes = ["client", "gateway", "server"];
const arrows: LadderArrow[] = [
  { from: "client", to: "gateway", label: "[S]", ms: 0, hop: "a" },
  { from: 1, to: 2, label: "[S]", ms: 0.2, hop: "b" },
  { from: "server", to: "client", label: "[S.]", ms: 0.9, hop: "c" },
];

describe("ladderSpec", () => {
  it("is a vega-lite v5 spec that compiles: lifelines, then the arrows as given plus their lane positions and heads", () => {
    const spec = ladderSpec({ lanes, arrows, title: "handshake", color: "hop", tooltip: ["label", { field: "ms", title: "time" }] });
    expect(spec.$schema).toBe(VEGALITE_SCHEMA);
    expect(vl.compile(spec as unknown as vl.TopLevelSpec).spec).toBeTruthy();
    const l = (spec as unknown as Layered).layer;
    expect(l[0].data.values.map((v) => [v.name, v.top, v.bottom])).toEqual([["client", -0.5, 2.5], ["gateway", -0.5, 2.5], ["server", -0.5, 2.5]]);
    expect(l[1].data.values).toEqual([
      { from: "client", to: "gateway", label: "[S]", ms: 0, hop: "a", row: 0, x1: 0, x2: 1, mid: 0.5, head: "triangle-right" },
      { from: 1, to: 2, label: "[S]", ms: 0.2, hop: "b", row: 1, x1: 1, x2: 2, mid: 1.5, head: "triangle-right" },
      { from: "server", to: "client", label: "[S.]", ms: 0.9, hop: "c", row: 2, x1: 2, x2: 0, mid: 1, head: "triangle-left" },
    ]);
    const marks = l[1].layer!;
    expect(marks.map((m) => m.mark.type)).toEqual(["rule", "point", "text", "text"]);
    expect(marks[0].encoding.color).toEqual({ field: "hop", type: "nominal", legend: { title: "hop" } });
    expect(marks[0].encoding.tooltip).toEqual([{ field: "label" }, { field: "ms", title: "time" }]);
    expect(spec).toMatchObject({ title: "handshake", width: 560, height: 66 });
  });

  it("leaves out the time column when asked or when arrows carry no time; an empty ladder still compiles", () => {
    const noTimes = ladderSpec({ lanes, arrows: arrows.map(({ ms: _ms, ...a }) => a), title: "t", width: 300, rowHeight: 10 });
    expect((noTimes as unknown as Layered).layer[1].layer!.map((m) => m.mark.type)).toEqual(["rule", "point", "text"]);
    expect((ladderSpec({ lanes, arrows, title: "t", times: false }) as unknown as Layered).layer[1].layer).toHaveLength(3);
    const empty = ladderSpec({ lanes: [], arrows: [], title: "nothing" });
    expect(empty).toMatchObject({ height: 22 });
    expect(vl.compile(empty as unknown as vl.TopLevelSpec).spec).toBeTruthy();
  });

  it("renders with the SVG, PNG and text fallbacks through chart()", async () => {
    const b = await chart(ladderSpec({ lanes, arrows, title: "handshake", color: "hop" }), ladderSummary(lanes, arrows)).bundle();
    expect(Object.keys(b.data).sort()).toEqual([VEGALITE_MIME, "image/png", "image/svg+xml", "text/plain"].sort());
    expect(String(b.data["image/svg+xml"])).toContain("[S.]");
    expect(b.data["text/plain"]).toBe("ladder: 3 packets across client, gateway, server; first [S] client → gateway");
  });
});

describe("ladderSummary", () => {
  it("names lanes given by position", () => {
    expect(ladderSummary(["a", "b"], [{ from: 1, to: 0, label: "x" }])).toBe("ladder: 1 packets across a, b; first x b → a");
    expect(ladderSummary(["a"], [])).toBe("ladder: 0 packets across a");
  });
});
