/**
 * `packetwalk lab --introspect NODE`: the inventory it writes marks the node `evidence: "introspect"`, and
 * every compute node's introspect answers at its fabric address through the address map (the agent's real
 * XML, read back by packetwalk's own readers).
 */
import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import command from "../../kernel/commands/lab";
import { fetchIntrospect, introspectEndpoint, introspectGetter, parseIntrospectVif } from "../../lib/introspect";
import { loadInventory } from "../../lib/remote/inventory";

function io(signal: AbortSignal, cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (d) => (err += d));
  stdout.resume();
  return { io: { stdout, stderr, stdin: new PassThrough(), signal, env: {}, cwd }, err: () => err };
}

describe("packetwalk lab --introspect", () => {
  it("writes an inventory that reads cent333 through its introspect, and every compute introspect answers", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pwlab-introspect-"));
    const ac = new AbortController();
    const a = io(ac.signal, dir);
    const running = command.run(["--inventory-out", "inv.json", "--introspect", "cent333"], a.io);
    try {
      const invFile = path.join(dir, "inv.json");
      while (!fs.existsSync(invFile)) await new Promise((r) => setTimeout(r, 20));
      const raw = JSON.parse(fs.readFileSync(invFile, "utf8"));
      const inv = loadInventory(raw);
      const byName = Object.fromEntries(inv.nodes.map((n) => [n.name, n]));
      expect(byName.cent333!.evidence).toBe("introspect");
      expect(byName.cent222!.evidence).toBeUndefined();
      for (const n of ["cent222", "cent333"]) {
        const node = byName[n]!;
        expect(node.introspect).toEqual({ host: raw.scenario.nodes[n].fabricIp, port: 8085 });
        const ep = introspectEndpoint(inv, node);
        expect(ep.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const got = await fetchIntrospect(introspectGetter(ep), "/Snh_KInterfaceReq?if_id=-1", parseIntrospectVif, { timeoutMs: 5000, node: n });
        expect(got.error).toBeNull();
        expect(got.rows.find((v) => v.osName === "vhost0")?.ipAddr).toBe(raw.scenario.nodes[n].fabricIp);
      }
    } finally {
      ac.abort();
      expect(await running).toBe(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a node that has no introspect with exit 2", async () => {
    const a = io(new AbortController().signal, os.tmpdir());
    expect(await command.run(["--introspect", "gateway"], a.io)).toBe(2);
    expect(a.err()).toMatch(/introspectNodes: gateway is not a compute node/);
  });
});
