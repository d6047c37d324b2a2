import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLab, type Lab } from "../../lib/lab/lab";

const ROOT = path.resolve(__dirname, "../..");
const CLI = path.join(ROOT, "dist/kernel/cli.js");

describe("deadline(ms, ...parents)", () => {
  // Node 20 collects an AbortSignal.timeout whose only holder is an AbortSignal.any composite, so such a
  // limit never fires once a GC has run. The deadline must fire whatever the collector does.
  it("fires on time under forced garbage collection, in a process of its own", async () => {
    const script = `
      const { deadline } = require(${JSON.stringify(path.join(ROOT, "dist/lib/cancel.js"))});
      const ac = new AbortController();
      const d = deadline(300, ac.signal, undefined);
      const t0 = Date.now();
      d.signal.addEventListener("abort", () => { console.log(JSON.stringify({ ms: Date.now() - t0, name: d.signal.reason.name })); process.exit(0); });
      setInterval(() => { global.gc(); const a = []; for (let i = 0; i < 1e5; i++) a.push({ i }); }, 20);
      setTimeout(() => { console.log("never"); process.exit(1); }, 5000);`;
    const out = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--expose-gc", "-e", script], (e, stdout) => (e ? reject(e) : resolve(stdout))),
    );
    const r = JSON.parse(out) as { ms: number; name: string };
    expect(r.name).toBe("TimeoutError");
    expect(r.ms).toBeGreaterThanOrEqual(290);
  });

  it("takes a parent's abort and reason, and clear() drops the timer", async () => {
    const { deadline } = await import("../../lib/cancel.js");
    const ac = new AbortController();
    const d = deadline(60_000, ac.signal);
    ac.abort(new Error("stop"));
    expect(d.signal.aborted).toBe(true);
    expect((d.signal.reason as Error).message).toBe("stop");
    const e = deadline(10, undefined);
    e.clear();
    await new Promise((r) => setTimeout(r, 40));
    expect(e.signal.aborted).toBe(false);
    // No limit: Infinity never fires (setTimeout would take it as 1 ms).
    const never = deadline(Infinity);
    await new Promise((r) => setTimeout(r, 40));
    expect(never.signal.aborted).toBe(false);
    const already = new AbortController();
    already.abort("x");
    expect(deadline(1000, already.signal).signal.reason).toBe("x");
  });
});

describe("packetwalk flows --for", () => {
  let lab: Lab;
  let dir: string;
  let inventory: string;
  beforeAll(async () => {
    lab = await startLab();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-for-"));
    inventory = path.join(dir, "inventory.json");
    fs.writeFileSync(inventory, JSON.stringify(lab.inventory));
  });
  afterAll(async () => {
    await lab.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // Seen before the fix: 8 of 8 runs of `flows NODE --for 3` polled until interrupted.
  it("ends the poll by itself when the time is up, in a real process", async () => {
    const t0 = Date.now();
    const r = await new Promise<{ code: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, "flows", "cent222", "--inventory", inventory, "--for", "3"], { stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
      child.on("exit", (code) => {
        clearTimeout(guard);
        resolve({ code, stdout, stderr });
      });
    });
    const took = Date.now() - t0;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\(\d+ flows from \d+ snapshots, 0 gaps\)/);
    expect(took).toBeLessThan(20_000); // 3 s asked; a lost limit runs until the 30 s guard kills it
  }, 40_000);
});
