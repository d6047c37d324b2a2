/**
 * One kernel for several notebooks (what `packetwalk walk` does per job): a reset forgets every cell's
 * names and the targets notebooks left open, and restarts the execution count, while TypeScript and
 * packetwalk's modules stay loaded. And the client's reading of a cell: done only when both the reply
 * (shell) and idle (iopub) arrived — a fake kernel that sends idle first, as a loaded machine may
 * deliver them, must not look dead (the runner's "dead in cell 2" flake).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KernelClient } from "../../kernel/runner/client";
import { runNotebook } from "../../kernel/runner/run";
import type { CodeCell, Notebook } from "../../kernel/runner/notebook";
import { packetwalkKernel, requireBuilt, ROOT, streamText } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kernel-reuse-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function notebook(...cells: string[]): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: "code" as const, metadata: {}, source, execution_count: null, outputs: [] })),
  };
}

describe("a kernel reused across notebooks", () => {
  it("starts each notebook fresh: no names of the last one, execution count 1, its open investigation closed", async () => {
    requireBuilt();
    const k = await KernelClient.start(packetwalkKernel(tmp));
    try {
      const rec = path.join(tmp, "inv");
      const a = await runNotebook(
        notebook(
          "const left = 41;",
          `import { openTarget, note } from "packetwalk";\nconst t = await openTarget(${JSON.stringify(path.join(ROOT, "test", "fixtures", "no-such-inventory.json"))}).catch((e) => String(e));`,
          "left + 1",
        ),
        { client: k },
      );
      expect(a.cells.map((c) => c.status)).toEqual(["ok", "ok", "ok"]);
      expect((a.notebook.cells[2] as CodeCell).outputs).toMatchObject([{ output_type: "execute_result", data: { "text/plain": "42" } }]);
      expect(k.dead).toBe(false);

      // Notebook B on the same process: `left` is unknown to TypeScript, the count starts again.
      const b = await runNotebook(notebook("typeof globalThis", "left"), { client: k, allowErrors: true });
      expect(k.notebooks).toBe(1);
      expect(b.cells.map((c) => c.status)).toEqual(["ok", "error"]);
      expect(b.cells[1]!.error).toMatch(/Cannot find name 'left'/);
      expect((b.notebook.cells[0] as CodeCell).execution_count).toBe(1);

      // A notebook that opened a recording and did not close it: the reset closes it, and note() in
      // the next notebook has no investigation to write into, as in a fresh kernel.
      const c = await runNotebook(notebook(`import { openTarget, note } from "packetwalk";\nconst t = await openTarget("", { record: ${JSON.stringify(rec)}, faults: [] });\nnote("from notebook C");`), { client: k });
      expect(c.cells[0]!.status).toBe("ok");
      const d = await runNotebook(notebook(`import { note } from "packetwalk";\ntry { note("from notebook D"); } catch (e) { console.log(String(e)); }`), { client: k });
      expect(streamText((d.notebook.cells[0] as CodeCell).outputs as { output_type: string; text?: string }[])).toMatch(/no investigation is open/);
      expect(fs.readFileSync(path.join(rec, "evidence.jsonl"), "utf8")).not.toContain("from notebook D");
      expect(k.resetProblems).toEqual([]);
    } finally {
      await k.shutdown();
    }
  }, 180_000);
});

// A kernel that answers an execute_request with iopub idle first and the shell reply 300 ms later.
const FAKE = `
const zmq = require(${JSON.stringify(path.join(ROOT, "node_modules", "zeromq"))});
const { decodeFrames, encodeFrames, newMessage, channelAddress } = require(${JSON.stringify(path.join(ROOT, "dist", "kernel", "protocol", "wire.js"))});
const info = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const shell = new zmq.Router(), control = new zmq.Router(), iopub = new zmq.Publisher();
(async () => {
  await Promise.all([shell.bind(channelAddress(info, "shell")), control.bind(channelAddress(info, "control")), iopub.bind(channelAddress(info, "iopub"))]);
  const pub = (type, content, parent) => iopub.send(encodeFrames(newMessage(type, content, parent, { identities: [] }), info.key));
  const serve = async (sock) => {
    for await (const frames of sock) {
      const d = decodeFrames(frames, info.key);
      if (!d.ok) continue;
      const m = d.message, type = m.header.msg_type;
      await pub("status", { execution_state: "busy" }, m);
      if (type === "execute_request") {
        await pub("stream", { name: "stdout", text: "hello\\n" }, m);
        await pub("status", { execution_state: "idle" }, m);
        await new Promise((r) => setTimeout(r, 300));
        await sock.send(encodeFrames(newMessage("execute_reply", { status: "ok", execution_count: 1 }, m), info.key));
      } else {
        await sock.send(encodeFrames(newMessage(type.replace(/_request$/, "_reply"), { status: "ok" }, m), info.key));
        await pub("status", { execution_state: "idle" }, m);
        if (type === "shutdown_request") setTimeout(() => process.exit(0), 50);
      }
    }
  };
  serve(shell); serve(control);
})();`;

describe("the client reads a cell as done only with both its reply and its idle", () => {
  it("a reply that arrives after idle is waited for, with or without a timeout", async () => {
    requireBuilt();
    const file = path.join(tmp, "fake-kernel.js");
    fs.writeFileSync(file, FAKE);
    const k = await KernelClient.start({ argv: [process.execPath, file, "{connection_file}"] });
    try {
      for (const timeoutMs of [60_000, 0]) {
        const r = await k.execute("anything", { timeoutMs });
        expect(r.status).toBe("ok");
        expect(r.executionCount).toBe(1);
        expect(streamText(r.outputs as { output_type: string; text?: string }[])).toBe("hello\n");
      }
    } finally {
      await k.shutdown();
    }
  }, 60_000);
});
