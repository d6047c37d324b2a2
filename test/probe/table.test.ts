import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHttp } from "../../lib/probe/http";
import { probeResultRows, toTable } from "../../lib/probe/table";
import { probeTcp } from "../../lib/probe/tcp";
import { renderTranscript } from "../../lib/probe/types";
import { closedPort, startHttp, type Started } from "./servers";

let web: Started;
beforeAll(async () => {
  web = await startHttp();
});
afterAll(() => web.close());

describe("probeResultRows / toTable", () => {
  it("flattens HTTP and TCP results into one arquero table", async () => {
    const port = await closedPort();
    const results = [
      await probeHttp({ url: `http://127.0.0.1:${web.port}/` }),
      await probeHttp({ url: `http://127.0.0.1:${port}/` }),
      await probeTcp({ host: "127.0.0.1", port: web.port, send: ["GET /close HTTP/1.1", ""] }),
    ];
    const rows = probeResultRows(results);
    expect(rows.map((r) => [r.kind, r.ok, r.status, r.errorKind, r.ending])).toEqual([
      ["http", true, 200, null, null],
      ["http", false, null, "refused", null],
      ["tcp", true, null, null, "peer-fin"],
    ]);
    expect(rows[0]!.local).toBe(`127.0.0.1:${results[0]!.local!.port}`);
    const t = toTable(rows);
    expect(t.numRows()).toBe(3);
    expect(t.columnNames()).toContain("firstByteMs");
  });

  it("renders transcripts with times on request", async () => {
    const r = await probeHttp({ url: `http://127.0.0.1:${web.port}/` });
    const lines = renderTranscript(r.transcript, { times: true }).split("\n");
    expect(lines[0]).toMatch(/^ +[\d.]+ms \*   Trying 127\.0\.0\.1:\d+\.\.\.$/);
  });
});
