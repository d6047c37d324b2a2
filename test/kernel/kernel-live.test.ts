/**
 * The kernel process over real sockets, for what only a live process shows: imports from a folder
 * outside the project, traceback lines.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { packetwalkKernel, withKernel } from "./helpers";

const text = (o: { outputs: unknown[] }) => ((o.outputs[0] as { data?: Record<string, string> }).data ?? {})["text/plain"];

describe("packetwalk kernel process", () => {
  it("imports arquero, vega-lite, vega, yaml, ssh2 and packetwalk by name, with types, from a folder outside the project", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-imports-"));
    try {
      await withKernel(packetwalkKernel(dir), async (k) => {
        const cells: [string, string][] = [
          ['import * as aq from "arquero";\nconst n: number = aq.table({ a: [1, 2] }).numRows();\nn', "2"],
          ['import * as vl from "vega-lite";\nconst spec: vl.TopLevelSpec = { mark: "point", data: { values: [] } };\ntypeof vl.compile(spec).spec', "object"],
          ['import * as vega from "vega";\nconst v: string = vega.version;\ntypeof v', "string"],
          ['import * as YAML from "yaml";\nconst y: string = YAML.stringify({ a: 1 });\ny', "a: 1\n"],
          ['import { Client } from "ssh2";\nconst c: Client = new Client();\ntypeof c.connect', "function"],
          ['import { clearOutput, show } from "packetwalk";\ntypeof clearOutput + typeof show', "functionfunction"],
        ];
        for (const [code, want] of cells) {
          const r = await k.execute(code);
          expect(r.status, `${code}\n${JSON.stringify(r.outputs)}`).toBe("ok");
          expect(text(r)).toBe(want);
        }
        // Types are real, not `any`: a wrong type is a compile error.
        const bad = await k.execute("const wrong: number = YAML.stringify({});");
        expect(bad.status).toBe("error");
        expect(JSON.stringify(bad.outputs)).toMatch(/not assignable to type 'number'/);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a one-line cell's traceback says cell:1 and shows no kernel or tslab frames", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      const r = await k.execute('throw new Error("one line")');
      const err = r.outputs.find((o) => o.output_type === "error") as { traceback: string[] };
      const frames = err.traceback.filter((l) => /^\s+at /.test(l));
      expect(frames).toEqual(["    at cell:1:7"]);
      const r2 = await k.execute('const a = 1;\n\n// a comment\nfunction f() {\n  throw new Error("deep");\n}\nf()');
      const e2 = r2.outputs.find((o) => o.output_type === "error") as { traceback: string[] };
      expect(e2.traceback.filter((l) => /^\s+at /.test(l)).map((l) => l.replace(/:\d+\)?$/, ""))).toEqual(["    at f (cell:5", "    at cell:7"]);
    });
  });
});
