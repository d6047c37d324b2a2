import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeLabDir, processAlive, sweepStaleLabDirs } from "../../lib/lab/workdir";

const ROOT = path.resolve(__dirname, "../..");
const tmps: string[] = [];
function tmpRoot(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "pw-workdir-"));
  tmps.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmps.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

// The pid of a process that has exited (and been reaped), so nothing answers to it.
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(r.stdout);
}

describe("lab working directories", () => {
  it("names the directory after its process and sweeps those of dead processes only", () => {
    const tmp = tmpRoot();
    const dead = deadPid();
    expect(processAlive(dead)).toBe(false);
    const stale = path.join(tmp, `pwlab-${dead}-abcDEF`);
    fs.mkdirSync(path.join(stale, "nodes"), { recursive: true });
    fs.writeFileSync(path.join(stale, "id_ed25519"), "secret");
    const live = path.join(tmp, `pwlab-${process.pid}-xyzXYZ`);
    fs.mkdirSync(live);
    const other = path.join(tmp, "pwlab-cmd-123456");
    fs.mkdirSync(other);

    const dir = makeLabDir(tmp);
    expect(path.basename(dir)).toMatch(new RegExp(`^pwlab-${process.pid}-[A-Za-z0-9]{6}$`));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(other)).toBe(true);
    expect(sweepStaleLabDirs(tmp)).toEqual([]);
  });

  it("never throws on a temp dir it cannot read", () => {
    expect(sweepStaleLabDirs(path.join(tmpRoot(), "missing"))).toEqual([]);
  });

  // The CLI as a user runs it: a lab killed with SIGHUP (terminal closed) removes its key material at
  // once; one killed with SIGKILL leaves it only until the next lab starts.
  it.each(["SIGHUP", "SIGKILL"] as const)("leaves no key material behind after %s", async (sig) => {
    const cli = path.join(ROOT, "dist/kernel/cli.js");
    const start = () => {
      const child = spawn(process.execPath, [cli, "lab"], { stdio: ["pipe", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      const inventory = new Promise<{ lab: { dir: string } }>((resolve, reject) => {
        const tick = setInterval(() => {
          try {
            resolve(JSON.parse(out));
            clearInterval(tick);
          } catch {
            /* not complete yet */
          }
        }, 20);
        child.on("exit", () => {
          clearInterval(tick);
          reject(new Error(`lab exited before printing its inventory: ${out}`));
        });
      });
      const exited = new Promise<void>((r) => child.on("exit", () => r()));
      return { child, inventory, exited };
    };
    const a = start();
    const dir = (await a.inventory).lab.dir;
    expect(fs.existsSync(path.join(dir, "id_ed25519"))).toBe(true);
    a.child.kill(sig);
    await a.exited;
    if (sig === "SIGHUP") {
      expect(fs.existsSync(dir)).toBe(false);
      return;
    }
    expect(fs.existsSync(dir)).toBe(true); // nothing can run on SIGKILL
    const b = start();
    await b.inventory;
    expect(fs.existsSync(dir)).toBe(false);
    b.child.kill("SIGTERM");
    await b.exited;
  }, 60_000);
});
