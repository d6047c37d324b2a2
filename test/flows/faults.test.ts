/**
 * The live path under faults, as a user meets them: `packetwalk lab` in one process, `packetwalk flows`
 * in another, and the lab frozen (SIGSTOP) or killed (SIGKILL) mid-poll. The poll must say so within
 * 3 s, say when the node is back with the window lost, print a coverage line per node, and exit 1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const CLI = path.resolve(__dirname, "../../dist/kernel/cli.js");
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) {
    try {
      c.kill("SIGCONT");
      c.kill("SIGKILL");
    } catch {
      /* gone */
    }
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function startLabProcess(): Promise<{ child: ChildProcess; inventory: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-faults-"));
  dirs.push(dir);
  const inventory = path.join(dir, "inventory.json");
  const child = spawn(process.execPath, [CLI, "lab", "--inventory-out", inventory], { stdio: ["pipe", "ignore", "ignore"] });
  children.push(child);
  for (let i = 0; i < 300 && !fs.existsSync(inventory); i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 100)); // written in one go, but let the write finish
  return { child, inventory };
}

interface Line {
  at: number;
  text: string;
}
function startFlows(inventory: string, forS: number): { child: ChildProcess; lines: Line[]; done: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, "flows", "cent222", "--inventory", inventory, "--for", String(forS)], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  const lines: Line[] = [];
  let carry = "";
  child.stderr!.on("data", (d: Buffer) => {
    const parts = (carry + d.toString()).split("\n");
    carry = parts.pop()!;
    for (const text of parts) lines.push({ at: Date.now(), text });
  });
  const done = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, lines, done };
}

const until = async (pred: () => boolean, ms: number): Promise<boolean> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return pred();
};

describe("packetwalk flows against a lab that fails mid-poll", () => {
  it("reports a frozen node within 3 s, reports it back with the window lost, and exits 1 with coverage", async () => {
    const lab = await startLabProcess();
    const flows = startFlows(lab.inventory, 9);
    expect(await until(() => flows.lines.some((l) => / #\d+ /.test(l.text)), 15_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const frozenAt = Date.now();
    lab.child.kill("SIGSTOP");
    expect(await until(() => flows.lines.some((l) => /stopped answering/.test(l.text)), 5000)).toBe(true);
    const reported = flows.lines.find((l) => /stopped answering/.test(l.text))!;
    expect(reported.at - frozenAt).toBeLessThanOrEqual(3000);
    expect(reported.text).toMatch(/^cent222 stopped answering: no snapshot since \d\d:\d\d:\d\d\.\d{3} \(\d+\.\d s\)/);
    await new Promise((r) => setTimeout(r, 2500));
    lab.child.kill("SIGCONT");
    const code = await flows.done;
    const text = flows.lines.map((l) => l.text).join("\n");
    expect(text).toMatch(/^cent222 gap \d\d:\d\d:\d\d\.\d{3} → \d\d:\d\d:\d\d\.\d{3} \((\d+\.\d) s lost\)/m);
    const lost = Number(/\((\d+\.\d) s lost\)/.exec(text)![1]);
    expect(lost).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/^coverage cent222 \d+\.\d of \d+\.\d s \(\d+%, \d+ snapshots, 1 gap, longest \d+\.\d s\) INCOMPLETE$/m);
    expect(code).toBe(1);
  }, 60_000);

  it("reports a killed lab within 3 s and exits 1 with the coverage it had", async () => {
    const lab = await startLabProcess();
    const flows = startFlows(lab.inventory, 5);
    expect(await until(() => flows.lines.some((l) => / #\d+ /.test(l.text)), 15_000)).toBe(true);
    const killedAt = Date.now();
    lab.child.kill("SIGKILL");
    expect(await until(() => flows.lines.some((l) => /stopped answering/.test(l.text)), 5000)).toBe(true);
    expect(flows.lines.find((l) => /stopped answering/.test(l.text))!.at - killedAt).toBeLessThanOrEqual(3000);
    const code = await flows.done;
    const text = flows.lines.map((l) => l.text).join("\n");
    expect(text).toMatch(/^coverage cent222 \d+\.\d of \d+\.\d s \(\d+%, \d+ snapshots, 1 gap, longest \d+\.\d s\) INCOMPLETE$/m);
    expect(code).toBe(1);
  }, 60_000);

  it("exits 0 with full coverage when nothing fails", async () => {
    const lab = await startLabProcess();
    const flows = startFlows(lab.inventory, 2);
    const code = await flows.done;
    const text = flows.lines.map((l) => l.text).join("\n");
    expect(text).toMatch(/^coverage cent222 \d+\.\d of \d+\.\d s \(\d+%, \d+ snapshots\)$/m);
    expect(text).not.toMatch(/stopped answering/);
    expect(code).toBe(0);
  }, 60_000);
});

describe("the notebook's live poll status", () => {
  it("shows a node that stopped answering as SILENT, with when and why, while the silence lasts", async () => {
    const { pollStatus } = await import("../../lib/flows/poller.js");
    const t = Date.parse("2026-12-02T10:41:00.800Z");
    const text = pollStatus(
      {
        elapsedMs: 12_400, snapshots: 122, gaps: 1, flows: 3, parseErrors: 0,
        perNode: {
          cent222: { snapshots: 62, gaps: 0, lastAt: t + 1410, inGap: false },
          cent333: { snapshots: 60, gaps: 1, lastAt: t, inGap: true, silentReason: "no snapshot for 1.6 s" },
        },
      },
      ["cent222", "cent333"],
    );
    expect(text.split("\n")).toEqual([
      "poll, 12.4 s: 122 snapshots, 1 gap, 3 flows",
      "cent222     62 snapshots  last 10:41:02.210  answering",
      "cent333     60 snapshots  last 10:41:00.800  SILENT since 10:41:00.800 (no snapshot for 1.6 s)",
    ]);
  });
});
