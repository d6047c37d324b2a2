import { execFileSync, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { killOnCloseCommand, quoteShellArg, shellCommand } from "../../lib/remote/quote";
import { HOSTILE } from "./helpers/hostile";
import { running, waitFor } from "./helpers/wait";


// Runs the quoted command through a real `sh -c` and returns the argv it received (NUL-separated).
function roundTrip(args: string[]): string[] {
  const out = execFileSync("/bin/sh", ["-c", shellCommand(["printf", "%s\\0", ...args])], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

describe("quoteShellArg(arg)", () => {
  it("leaves plain words alone", () => {
    expect(quoteShellArg("flow")).toBe("flow");
    expect(quoteShellArg("--match")).toBe("--match");
    expect(quoteShellArg("10.47.255.238:80")).toBe("10.47.255.238:80");
  });

  it("single-quotes everything else", () => {
    expect(quoteShellArg("a b")).toBe("'a b'");
    expect(quoteShellArg("")).toBe("''");
    expect(quoteShellArg("it's")).toBe("'it'\\''s'");
  });

  it.each(HOSTILE.map((s) => [JSON.stringify(s), s]))("delivers %s to sh -c as one literal argument", (_name, s) => {
    expect(roundTrip([s])).toEqual([s]);
  });

  it("delivers all hostile arguments together, in order", () => {
    expect(roundTrip(HOSTILE)).toEqual(HOSTILE);
  });

  it("refuses a NUL character instead of truncating", () => {
    expect(() => quoteShellArg("a\0; id")).toThrow(/NUL/);
    expect(() => shellCommand(["echo", "\0"])).toThrow(TypeError);
  });
});

// Every login shell met on nodes that this machine has (CI installs zsh, mksh and busybox): each must
// receive every hostile argument byte for byte.
const SHELLS: { name: string; argv: string[] }[] = [
  { name: "sh", argv: ["/bin/sh", "-c"] },
  { name: "bash", argv: ["bash", "-c"] },
  { name: "dash", argv: ["dash", "-c"] },
  { name: "zsh", argv: ["zsh", "-c"] },
  { name: "mksh", argv: ["mksh", "-c"] },
  { name: "busybox sh", argv: ["busybox", "sh", "-c"] },
];
function hasShell(cmd: string): boolean {
  try {
    execFileSync(cmd, cmd === "busybox" ? ["sh", "-c", "true"] : ["-c", "true"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe.each(SHELLS)("quoting through $name", ({ name, argv }) => {
  const present = hasShell(argv[0]);
  if (!present) console.warn(`quote.test: ${name} is not installed here; its round trip is skipped (.ci/run installs it)`);
  it.skipIf(!present)("delivers every hostile argument as one literal argument each", () => {
    const [cmd, ...pre] = argv;
    const out = execFileSync(cmd, [...pre, shellCommand(["printf", "%s\\0", ...HOSTILE])], { encoding: "utf8" });
    expect(out.split("\0").slice(0, -1)).toEqual(HOSTILE);
  });
  it.skipIf(!present)("runs a first word holding '=' as a command, not an assignment", () => {
    const [cmd, ...pre] = argv;
    expect(() => execFileSync(cmd, [...pre, shellCommand(["PW_X=1", "true"])], { stdio: "pipe" })).toThrow();
  });
});

describe("shellCommand(argv)", () => {
  it("joins quoted arguments", () => {
    expect(shellCommand(["flow", "--match", "15.15.15.2:51000 & proto tcp"])).toBe("flow --match '15.15.15.2:51000 & proto tcp'");
  });

  it("refuses an empty argv", () => {
    expect(() => shellCommand([])).toThrow(/empty argv/);
  });

  it("never runs an injected command", () => {
    const marker = `/tmp/pw-inject-${process.pid}`;
    roundTrip([`; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `\ntouch ${marker}`]);
    expect(() => execFileSync("test", ["-e", marker])).toThrow();
  });
});

describe("killOnCloseCommand(line)", () => {
  function run(line: string, closeStdinAfterMs: number | null): Promise<{ out: string; code: number | null }> {
    return new Promise((resolve) => {
      const child = spawn("/bin/sh", ["-c", killOnCloseCommand(line)], { stdio: ["pipe", "pipe", "ignore"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      if (closeStdinAfterMs !== null) setTimeout(() => child.stdin.end(), closeStdinAfterMs);
      child.on("close", (code) => {
        child.stdin.destroy();
        resolve({ out, code });
      });
    });
  }

  it("runs the command to completion while stdin stays open, keeping its exit code", async () => {
    expect(await run("sleep 0.3; echo done; exit 5", null)).toEqual({ out: "done\n", code: 5 });
  });

  it("stops the command when stdin closes (the channel went away)", async () => {
    const r = await run("sleep 5; echo done", 200);
    expect(r.out).toBe("");
    expect(r.code).toBe(143);
  });

  it("passes a SIGTERM of its own process group on to the command's group", async () => {
    const child = spawn("/bin/sh", ["-c", killOnCloseCommand("sleep 31.2718; echo done")], { stdio: ["pipe", "pipe", "ignore"], detached: true });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    await waitFor(() => running("sleep 31.2718"));
    process.kill(-child.pid!, "SIGTERM");
    await waitFor(() => !running("sleep 31.2718"), 5000);
    child.stdin.destroy();
    expect(out).toBe("");
  });

  it("passes the command as one argument (no injection through the wrapper)", async () => {
    expect((await run("printf '%s' \"$0\"", null)).out).toBe("sh");
  });
});
