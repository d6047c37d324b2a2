/**
 * packetwalk's kernel against tslab's gaps, over the real Jupyter protocol (ZeroMQ), each gap with its
 * workaround tested: stop_on_error, multi-MIME display, display.raw JSON, live updates, interrupts,
 * provenance, and `import … from "packetwalk"` from any folder.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { packetwalkKernel, streamText, tslabKernel, withKernel } from "./helpers";

describe("packetwalk kernel over ZeroMQ", () => {
  it("runs the cell after a failing one when stop_on_error is false (tslab aborts it)", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      // Both requests are sent at once: the second is queued while the first fails.
      const [a, b] = await Promise.all([
        k.execute("throw new Error('first fails')", { stopOnError: false }),
        k.execute("console.log('second ran')", { stopOnError: false }),
      ]);
      expect(a.status).toBe("error");
      expect(a.outputs.find((o) => o.output_type === "error")).toMatchObject({ ename: "Error", evalue: "first fails" });
      expect(b.status).toBe("ok");
      expect(streamText(b.outputs)).toBe("second ran\n");
    });
  });

  it("aborts the queued cells after a failure when stop_on_error is true, and only those", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      const [a, b] = await Promise.all([
        k.execute("throw new Error('fails')", { stopOnError: true }),
        k.execute("console.log('queued')", { stopOnError: true }),
      ]);
      expect(a.status).toBe("error");
      expect(b.status).toBe("aborted");
      // A request sent after the failure was answered runs normally (tslab aborts it for 200 ms).
      const c = await k.execute("console.log('later')");
      expect(c.status).toBe("ok");
      expect(streamText(c.outputs)).toBe("later\n");
    });
  });

  it("plain tslab aborts a cell sent right after an error even with stop_on_error false (the gap this kernel fixes)", async () => {
    await withKernel(tslabKernel(), async (k) => {
      const a = await k.execute("throw new Error('x')", { stopOnError: false });
      const b = await k.execute("console.log('next')", { stopOnError: false });
      expect(a.status).toBe("error");
      expect(b.status).toBe("abort" as never);
    });
  });

  it("sends one display_data with several MIME types and JSON values as objects", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      const r = await k.execute(`
        import { show, aq, chart } from "packetwalk";
        show(aq.table({ node: ["cent222", "cent333"], flows: [2, 2] }), { provenance: { what: "flow -l", where: "lab" } });
        show(chart({ mark: "bar", data: { values: [{ s: "a", n: 1 }] }, encoding: { x: { field: "s", type: "nominal" }, y: { field: "n", type: "quantitative" } } }, "one bar"));
      `);
      expect(r.status).toBe("ok");
      const displays = r.outputs.filter((o) => o.output_type === "display_data") as { data: Record<string, unknown>; metadata: Record<string, unknown> }[];
      expect(displays).toHaveLength(2);
      const [table, ch] = displays;
      expect(Object.keys(table.data).sort()).toEqual(["text/html", "text/plain"]);
      expect(table.data["text/plain"]).toContain("cent222");
      expect(table.metadata.packetwalk).toMatchObject({ what: "flow -l", where: "lab" });
      expect((table.metadata.packetwalk as { version: string }).version).toMatch(/^\d+\.\d+\.\d+/);
      expect(Object.keys(ch.data).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/png", "image/svg+xml", "text/plain"]);
      expect(typeof ch.data["application/vnd.vegalite.v5+json"]).toBe("object");
      expect((ch.data["application/vnd.vegalite.v5+json"] as { mark: string }).mark).toBe("bar");
      expect(String(ch.data["image/svg+xml"])).toMatch(/^<svg/);
      expect(Buffer.from(String(ch.data["image/png"]), "base64").subarray(1, 4).toString()).toBe("PNG");
      expect(ch.data["text/plain"]).toBe("one bar");
    });
  });

  it("renders objects with [Symbol.for('Jupyter.display')] and tslab's display.raw JSON as an object", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      const r = await k.execute(`
        import * as tslab from "tslab";
        tslab.display.raw("application/json", JSON.stringify({ label: 38 }));
        ({ [Symbol.for("Jupyter.display")]() { return { "text/markdown": "**cent333**", "text/plain": "cent333" }; } })
      `);
      expect(r.status).toBe("ok");
      const d = r.outputs.find((o) => o.output_type === "display_data") as { data: Record<string, unknown> };
      expect(d.data["application/json"]).toEqual({ label: 38 });
      const res = r.outputs.find((o) => o.output_type === "execute_result") as { data: Record<string, unknown> };
      expect(res.data).toMatchObject({ "text/markdown": "**cent333**", "text/plain": "cent333" });
    });
  });

  it("updates a live display in place (display_id), including after later updates", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      const r = await k.execute(`
        import { live, progress, sleep } from "packetwalk";
        const l = live("0 snapshots");
        for (let i = 1; i <= 3; i++) { await sleep(120); l.update(\`\${i} snapshots\`); }
        const p = progress({ total: 4, label: "probes" });
        for (let i = 0; i < 4; i++) p.tick();
        p.finish("4 probes");
      `);
      expect(r.status).toBe("ok");
      const displays = r.outputs.filter((o) => o.output_type === "display_data") as { data: Record<string, string> }[];
      expect(displays).toHaveLength(2);
      expect(displays[0].data["text/plain"]).toBe("3 snapshots");
      expect(displays[1].data["text/plain"]).toMatch(/^probes \[#+\] 4\/4 ✔ .* 4 probes$/);
      expect(displays[1].data["text/html"]).toContain("4/4");
    });
  });

  it("interrupt aborts helpers' in-flight I/O and keeps kernel state", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      await k.execute(`const kept = "state survives"; import * as net from "node:net"; import { withInterrupt } from "packetwalk";`);
      // A server that accepts and never answers; the cell waits on a socket tied to the interrupt signal.
      const cell = k.execute(`
        const server = net.createServer(() => {}).listen(0, "127.0.0.1");
        await new Promise((r) => server.once("listening", r));
        const sock = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
        const signal = withInterrupt();
        signal.addEventListener("abort", () => sock.destroy());
        const closed = await new Promise<string>((resolve) => sock.once("close", () => resolve("socket closed by interrupt")));
        server.close();
        console.log(closed);
      `);
      await new Promise((r) => setTimeout(r, 800));
      k.interrupt();
      const r = await cell;
      expect(["ok", "error"]).toContain(r.status);
      const text = streamText(r.outputs) + JSON.stringify(r.outputs.filter((o) => o.output_type === "error"));
      expect(text).toMatch(/socket closed by interrupt|Interrupted/);
      const after = await k.execute("kept");
      expect(after.status).toBe("ok");
      expect((after.outputs[0] as { data: Record<string, string> }).data["text/plain"]).toContain("state survives");
    });
  });

  it("interrupt aborts a probe in flight: the probe returns an aborted result, the cell ends, state is kept", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      await k.execute(`import * as net from "node:net"; import { probe } from "packetwalk";
        const silent = net.createServer(() => {}).listen(0, "127.0.0.1");
        await new Promise((r) => silent.once("listening", r));
        const port = (silent.address() as net.AddressInfo).port;`);
      const cell = k.execute("const r = await probe.probeHttp({ url: `http://127.0.0.1:${port}/`, timeoutMs: 60000 });\nconsole.log(r.error?.kind, r.local?.port > 0);");
      await new Promise((r) => setTimeout(r, 1000));
      k.interrupt();
      const res = await cell;
      expect(streamText(res.outputs) + JSON.stringify(res.outputs)).toMatch(/aborted true|Interrupted/);
      const after = await k.execute("silent.close(); typeof port");
      expect((after.outputs[0] as { data: Record<string, string> }).data["text/plain"]).toContain("number");
    });
  });

  it("reads earlier cells' variables in shorthand properties (tslab throws ReferenceError)", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      await k.execute("let fip = '101.101.101.1';\nlet port = 80;");
      await k.execute("let fip = '9.9.9.9';"); // redeclared, as injected parameters are
      const r = await k.execute("const f = (o: { fip: string; port: number }) => `${o.fip}:${o.port}`;\nconsole.log(f({ fip, port }), JSON.stringify({ fip }));");
      expect(r.status).toBe("ok");
      expect(streamText(r.outputs)).toBe('9.9.9.9:80 {"fip":"9.9.9.9"}\n');
    });
  });

  it("interrupts a busy synchronous loop and keeps going", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      await k.execute("let counter = 41;");
      const cell = k.execute("while (true) {}");
      await new Promise((r) => setTimeout(r, 800));
      k.interrupt();
      const r = await cell;
      expect(r.status).toBe("error");
      expect(r.outputs.find((o) => o.output_type === "error")).toMatchObject({ ename: "Interrupted" });
      const after = await k.execute("counter + 1");
      expect((after.outputs[0] as { data: Record<string, string> }).data["text/plain"]).toBe("42");
    });
  });

  it("resolves `packetwalk` with types from a notebook in any folder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-anywhere-"));
    try {
      await withKernel(packetwalkKernel(dir), async (k) => {
        const ok = await k.execute(`import { textTable } from "packetwalk";\nconst t: string = textTable(["a"], [{ a: 1 }]);\nt`);
        expect(ok.status).toBe("ok");
        expect((ok.outputs[0] as { data: Record<string, string> }).data["text/plain"]).toContain("a");
        // Types are real: a wrong argument type is a compile error, not `any`.
        const bad = await k.execute(`import { textTable } from "packetwalk";\ntextTable(1, 2);`);
        expect(bad.status).toBe("error");
        expect(bad.outputs.find((o) => o.output_type === "error")).toMatchObject({ ename: "TypeScriptError" });
        // Completion and hover documentation come from packetwalk's own declarations.
        const code = `import * as pw from "packetwalk";\npw.te`;
        const c = await k.complete(code, code.length);
        expect(c.status).toBe("ok");
        expect(c.matches).toContain("textTable");
        const doc = `import { textTable } from "packetwalk";\ntextTable`;
        const i = await k.inspect(doc, doc.length - 2);
        expect(i.found).toBe(true);
        expect(i.data["text/plain"]).toContain("function textTable(columns: string[]");
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
