/**
 * The Junos files of the shared real-world corpus (`../shared/fixtures/vrouter-realworld/`, outside the
 * repo): each parses to the rows count and values its `expect.json` lists, with no errors. Skipped when
 * the shared directory is not there (a checkout without it).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parseJunosRoute, junosNextHops } from "../../lib/vrouter/junos";
import type { JunosRouteRow } from "../../lib/vrouter/types";

/** `../shared` from the repository root. */
const CORPUS = path.join(__dirname, "..", "..", "..", "shared", "fixtures", "vrouter-realworld");

interface Expectation {
  file: string;
  kind: string;
  rows: number;
  values: (string | number)[];
}

function expectations(): Expectation[] {
  const file = path.join(CORPUS, "expect.json");
  if (!fs.existsSync(file)) return [];
  const all = JSON.parse(fs.readFileSync(file, "utf8")) as Expectation[];
  return all.filter((e) => e.kind === "junos-route");
}

/** Every cell of the rows and of their next hops. */
function cells(rows: JunosRouteRow[]): unknown[] {
  const out: unknown[] = [];
  for (const r of rows) {
    out.push(...Object.values(r));
    for (const h of junosNextHops(r)) out.push(...Object.values(h), ...h.labels);
  }
  return out;
}

const cases = expectations();

describe("real-world Junos outputs (../shared/fixtures/vrouter-realworld)", () => {
  it.skipIf(cases.length === 0)("the corpus holds Junos samples", () => {
    expect(cases.length).toBeGreaterThanOrEqual(5);
  });
  for (const c of cases) {
    it(`${c.file}: ${c.rows} rows with the expected values, no errors`, () => {
      const r = parseJunosRoute(fs.readFileSync(path.join(CORPUS, c.file), "utf8"));
      expect(r.errors).toEqual([]);
      expect(r.rows).toHaveLength(c.rows);
      const seen = cells(r.rows);
      for (const v of c.values) expect(seen, `value ${JSON.stringify(v)}`).toContain(v);
    });
  }
});
