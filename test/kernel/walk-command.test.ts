/**
 * The main job as users run it: `packetwalk walk --lab` passes on the healthy lab and writes its report;
 * `--fault NAME` ends non-zero and names the first stage where the packet was not seen, with the reason.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { main } from "../../kernel/cli";
import { startLab } from "../../lib/lab";
import { captureIO } from "../helpers/io";
import { requireBuilt } from "./helpers";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-walk-cmd-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function walk(args: string[]): Promise<{ code: number; out: string; err: string; dir: string }> {
  const dir = fs.mkdtempSync(path.join(tmp, "out-"));
  const t = captureIO();
  const code = await main(["walk", "--lab", "--out", dir, ...args], t.io);
  return { code, out: t.out(), err: t.err(), dir };
}

describe("packetwalk walk --lab", () => {
  it("passes every stage on the healthy lab, runs a notebook against the same lab, writes a static report", async () => {
    requireBuilt(); // the notebooks run in packetwalk's kernel from dist/
    // Two notebooks, one job: the second runs on the first one's kernel, reset in between.
    const r = await walk(["--only", "03-fip-nat", "--only", "01-internet-host", "--jobs", "1"]);
    expect(r.out).toContain("all 10 stages pass; active haproxy on cent222, backend pod 10.47.255.236 on cent333");
    expect(r.out).toMatch(/03-fip-nat\s+ok\s+6\/6 ok/);
    expect(r.out).toMatch(/01-internet-host\s+ok\s+6\/6 ok/);
    expect(r.err).toMatch(/^timing: lab start [\d.]+ s; walk [\d.]+ s; tables and evidence frames [\d.]+ s; notebooks [\d.]+ s with 1 reused kernels \(01-internet-host [\d.]+ s, 03-fip-nat [\d.]+ s\); report [\d.]+ s \(beside the notebooks\)$/m);
    expect(r.code).toBe(0);
    // One walk, one story: the report and both notebooks speak of the same client port.
    const port = (JSON.parse(fs.readFileSync(path.join(r.dir, "walk.json"), "utf8")) as { discovery: { clientPort: number } }).discovery.clientPort;
    for (const nb of ["01-internet-host", "03-fip-nat"]) {
      const text = fs.readFileSync(path.join(r.dir, `${nb}.ipynb`), "utf8");
      expect(text).toContain(`15.15.15.2:${port}`);
      for (const m of text.match(/from port \d+/g) ?? []) expect(m).toBe(`from port ${port}`);
      expect((JSON.parse(text) as { cells: { cell_type: string; execution_count: number | null }[] }).cells.find((c) => c.cell_type === "code")!.execution_count).toBe(1);
    }
    const html = fs.readFileSync(path.join(r.dir, "walk.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).not.toMatch(/<script/i);
    expect(JSON.parse(fs.readFileSync(path.join(r.dir, "walk.json"), "utf8")).verdict).toBe("pass");
    const inv = JSON.parse(fs.readFileSync(path.join(r.dir, "lab-inventory.json"), "utf8"));
    expect(Object.values(inv.addressMap as Record<string, string>).every((a) => a.startsWith("127.0.0.1:"))).toBe(true);
  }, 240_000);

  const drills: { fault: string; stage: string; id: string; node: string; reason: RegExp }[] = [
    { fault: "backend-down", stage: "Backend pod answers", id: "backend", node: "cent333", reason: /refused the connection/ },
    { fault: "service-no-route", stage: "Ingress pod → service IP (MPLSoUDP)", id: "overlay", node: "cent222", reason: /D\(NoDstRt\).*no route for 10\.99\.225\.17/ },
    { fault: "fip-nat-missing", stage: "Floating IP NAT on the active node", id: "fip-nat", node: "cent222", reason: /drops the client's connection .*D\(NoDstRt\)/ },
    { fault: "policy-drop", stage: "Floating IP NAT on the active node", id: "fip-nat", node: "cent222", reason: /D\(Policy\)/ },
    { fault: "wrong-label", stage: "Service NAT to the backend pod", id: "service-nat", node: "cent333", reason: /label 38 pushed by cent222 resolves to nothing \(mpls --get 38: no entry\)/ },
    { fault: "mtu-blackhole", stage: "MPLSoGRE → gateway → Internet host", id: "return-client", node: "internet-host", reason: /large response .*MTU/ },
  ];
  for (const d of drills) {
    it(`--fault ${d.fault} ends non-zero at "${d.stage}" and says why`, async () => {
      const r = await walk(["--fault", d.fault, "--no-notebooks"]);
      expect(r.code).toBe(1);
      const line = r.out.split("\n").find((l) => l.startsWith("first stage where the packet was not seen: ")) ?? "";
      expect(line.startsWith(`first stage where the packet was not seen: ${d.stage} — `)).toBe(true);
      expect(line).toMatch(d.reason);
      const json = JSON.parse(fs.readFileSync(path.join(r.dir, "walk.json"), "utf8")) as { verdict: string; firstFailure: { id: string; node: string } };
      expect(json.verdict).toBe("fail");
      expect(json.firstFailure).toMatchObject({ id: d.id, node: d.node });
      expect(fs.readFileSync(path.join(r.dir, "walk.html"), "utf8")).toContain(d.stage.replace(/&/g, "&amp;").replace(/→/g, "→"));
    });
  }

  it("--fault haproxy-failover still delivers, and the walk discovers cent333 as the active node", async () => {
    const r = await walk(["--fault", "haproxy-failover", "--no-notebooks"]);
    expect(r.out).toContain("active haproxy on cent333");
    expect(r.code).toBe(0);
  });

  it("walks a cluster named by a YAML inventory whose key path is relative to the file", async () => {
    const lab = await startLab();
    try {
      const dir = fs.mkdtempSync(path.join(tmp, "yaml-"));
      fs.mkdirSync(path.join(dir, "keys"));
      fs.copyFileSync(lab.identityFile, path.join(dir, "keys", "id_ed25519"));
      fs.chmodSync(path.join(dir, "keys", "id_ed25519"), 0o600);
      const inv = JSON.parse(JSON.stringify(lab.inventory)) as { nodes: { ssh: { identityFile: string } }[] };
      for (const n of inv.nodes) n.ssh.identityFile = "keys/id_ed25519";
      fs.writeFileSync(path.join(dir, "cluster.yaml"), stringify(inv));
      const out = fs.mkdtempSync(path.join(tmp, "out-"));
      // Run from another folder: the key must be found relative to the inventory, not the working directory.
      const t = captureIO({ cwd: tmp });
      const code = await main(
        ["walk", "--inventory", path.join(dir, "cluster.yaml"), "--fip", "101.101.101.1", "--port", "80", "--host", "www.juniper.net", "--no-notebooks", "--out", out],
        t.io,
      );
      expect(t.out()).toContain("all 10 stages pass");
      expect(code).toBe(0);
    } finally {
      await lab.stop();
    }
  });

  it("rejects a lab flag with --inventory, and an unknown fault, with exit 2", async () => {
    expect((await walk(["--inventory", "x.json"])).code).toBe(2);
    const r = await walk(["--fault", "no-such-fault", "--no-notebooks"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown fault no-such-fault");
  });
});
