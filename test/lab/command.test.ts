import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import command from "../../kernel/commands/lab";

function io(signal: AbortSignal, cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  return { io: { stdout, stderr, stdin: new PassThrough(), signal, env: {}, cwd }, out: () => out, err: () => err };
}

describe("packetwalk lab", () => {
  it("prints and writes the inventory, switches faults through the control socket, stops on abort", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pwlab-cmd-"));
    const ac = new AbortController();
    const a = io(ac.signal, dir);
    const running = command.run(["--inventory-out", "inv.json", "--fault", "policy-drop"], a.io);
    const invFile = path.join(dir, "inv.json");
    while (!fs.existsSync(invFile)) await new Promise((r) => setTimeout(r, 20));
    const inv = JSON.parse(fs.readFileSync(invFile, "utf8"));
    expect(JSON.parse(a.out())).toEqual(inv);
    expect(fs.statSync(invFile).mode & 0o777).toBe(0o600);
    expect(inv.scenario.faults).toEqual(["policy-drop"]);
    expect(inv.nodes.map((n: { name: string }) => n.name)).toEqual(["internet-host", "gateway", "cent222", "cent333"]);

    const b = io(new AbortController().signal, dir);
    expect(await command.run(["fault", "policy-drop", "off", "--inventory", "inv.json"], b.io)).toBe(0);
    expect(b.out()).toBe("policy-drop off\n");
    const c = io(new AbortController().signal, dir);
    expect(await command.run(["faults", "--inventory", "inv.json"], c.io)).toBe(0);
    expect(c.out()).toContain("policy-drop off\n");
    (a.io.stdin as PassThrough).write("fault wrong-label on\nbogus\n");
    while (!a.err().includes("usage: fault")) await new Promise((r) => setTimeout(r, 10));
    expect(a.err()).toContain("lab: wrong-label on");
    expect(JSON.parse(fs.readFileSync(invFile, "utf8")).scenario.faults).toEqual(["wrong-label"]);
    const d = io(new AbortController().signal, dir);
    expect(await command.run(["fault", "nope", "on", "--inventory", "inv.json"], d.io)).toBe(2);
    expect(d.err()).toMatch(/unknown fault nope/);

    ac.abort();
    expect(await running).toBe(0);
    expect(a.err()).toContain("lab: stopped");
    expect(fs.existsSync(inv.lab.dir)).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("rejects bad usage with exit 2", async () => {
    const a = io(new AbortController().signal, os.tmpdir());
    expect(await command.run(["--fault", "bogus"], a.io)).toBe(2);
    expect(a.err()).toMatch(/unknown fault bogus/);
    const b = io(new AbortController().signal, os.tmpdir());
    expect(await command.run(["--topology", "/nonexistent.json"], b.io)).toBe(2);
    expect(b.err()).toMatch(/cannot read topology/);
  });
});
