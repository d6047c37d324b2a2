import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { flowLoopScript, loopShellCommand, parseSnapshotFrames, SnapshotFrameReader } from "../../lib/flows/loop-script";

const NONCE = "0123456789abcdef";

describe("SnapshotFrameReader(nonce).push(chunk)", () => {
  it("cuts frames at the markers, across arbitrary chunk boundaries", () => {
    const text = `motd banner\n\n@@PW-SNAP ${NONCE} 0 1700000000123456789\nline one\nline two\n\n@@PW-END ${NONCE} 0 0 1700000000298765432\n\n@@PW-SNAP ${NONCE} 1 -\r\nx\r\n\r\n@@PW-END ${NONCE} 1 3 -\r\n`;
    for (const size of [1, 3, 7, 1000]) {
      const reader = new SnapshotFrameReader(NONCE);
      const frames = [];
      for (let i = 0; i < text.length; i += size) frames.push(...reader.push(Buffer.from(text.slice(i, i + size))));
      expect(frames).toEqual([
        { seq: 0, atNs: 1700000000298765432n, startNs: 1700000000123456789n, text: "line one\nline two\n", exitCode: 0 },
        { seq: 1, atNs: null, startNs: null, text: "x\n", exitCode: 3 },
      ]);
    }
  });

  it("times a frame by the END stamp (after the command), never by the start stamp", () => {
    // An END marker without a stamp (a loop from before the end stamp) gives no node time at all,
    // so the poller falls back to the arrival time rather than the early start stamp.
    expect(parseSnapshotFrames(`@@PW-SNAP ${NONCE} 0 100\nx\n\n@@PW-END ${NONCE} 0 0\n`, NONCE)).toEqual([{ seq: 0, atNs: null, startNs: 100n, text: "x\n", exitCode: 0 }]);
  });

  it("ignores markers with another nonce or a mismatched seq inside flow output", () => {
    const text = `@@PW-SNAP ${NONCE} 4 5\n@@PW-END ffff 4 0\n@@PW-END ${NONCE} 3 0\nreal\n@@PW-END ${NONCE} 4 0\n`;
    expect(parseSnapshotFrames(text, NONCE)).toEqual([{ seq: 4, atNs: null, startNs: 5n, text: "@@PW-END ffff 4 0\n@@PW-END " + NONCE + " 3 0\nreal\n", exitCode: 0 }]);
  });

  it("keeps an unterminated frame open (never emits half a snapshot)", () => {
    expect(parseSnapshotFrames(`@@PW-SNAP ${NONCE} 0 1\npartial`, NONCE)).toEqual([]);
  });

  it("decodes UTF-8 split across chunks", () => {
    const reader = new SnapshotFrameReader(NONCE);
    const bytes = Buffer.from(`@@PW-SNAP ${NONCE} 0 1\n✓\n\n@@PW-END ${NONCE} 0 0\n`);
    const cut = bytes.indexOf(0xe2) + 1;
    expect([...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))][0]!.text).toBe("✓\n");
  });
});

describe("flowLoopScript(opts)", () => {
  const shells = ["/bin/sh", "/bin/dash", "/bin/bash"].filter((s) => fs.existsSync(s));

  it.each(shells)("runs in a real %s, printing one stamped frame per tick", (shell) => {
    const script = flowLoopScript({ command: "printf 'a b\\n'; echo err >&2; (exit 0)", intervalMs: 20, nonce: NONCE, count: 3 });
    const out = execFileSync(shell, ["-c", script], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    const frames = parseSnapshotFrames(out, NONCE);
    expect(frames.map((f) => [f.seq, f.text, f.exitCode])).toEqual([
      [0, "a b\n", 0],
      [1, "a b\n", 0],
      [2, "a b\n", 0],
    ]);
    expect(frames.every((f) => f.atNs !== null && f.atNs > 1_600_000_000_000_000_000n)).toBe(true);
    expect(frames[1]!.atNs! > frames[0]!.atNs!).toBe(true);
    expect(Math.abs(Number(frames[0]!.atNs! / 1_000_000n) - Date.now())).toBeLessThan(60_000);
  });

  it.each(shells)("in a real %s, stamps each frame after the command read the table, not before", (shell) => {
    // The command stands in for a slow `flow -l`: it takes ~250 ms, then notes when it read the table.
    const script = flowLoopScript({ command: "sleep 0.25; date +%s%N", intervalMs: 20, nonce: NONCE, count: 2 });
    const frames = parseSnapshotFrames(execFileSync(shell, ["-c", script], { encoding: "utf8" }), NONCE);
    expect(frames).toHaveLength(2);
    for (const f of frames) {
      const readNs = BigInt(f.text.trim());
      expect(f.atNs).not.toBeNull();
      expect(f.startNs).not.toBeNull();
      // The snapshot's time is at or after the read, within a few ms (not ~250 ms before it).
      expect(f.atNs! >= readNs).toBe(true);
      expect(f.atNs! - readNs < 100_000_000n).toBe(true);
      // The start stamp is the other end of the read window.
      expect(f.atNs! - f.startNs! >= 240_000_000n).toBe(true);
      expect(readNs - f.startNs! >= 240_000_000n).toBe(true);
    }
    // Both stamps keep the schedule: the second frame starts after the first one ended.
    expect(frames[1]!.startNs! >= frames[0]!.atNs!).toBe(true);
  });

  it("runs through loopShellCommand (bash where present)", () => {
    const cmd = loopShellCommand(flowLoopScript({ command: "echo x", intervalMs: 1, nonce: NONCE, count: 2 }));
    const frames = parseSnapshotFrames(execFileSync("/bin/sh", ["-c", cmd], { encoding: "utf8" }), NONCE);
    expect(frames.map((f) => [f.seq, f.text])).toEqual([
      [0, "x\n"],
      [1, "x\n"],
    ]);
  });

  it("stops when the process named by PW_WATCH_PID is gone", () => {
    const script = flowLoopScript({ command: "true", intervalMs: 1, nonce: NONCE, count: 5 });
    const out = execFileSync("/bin/sh", ["-c", script], { encoding: "utf8", env: { ...process.env, PW_WATCH_PID: "2147483646" } });
    expect(parseSnapshotFrames(out, NONCE)).toEqual([]);
  });

  it("reports the command's exit code per frame", () => {
    const out = execFileSync("/bin/sh", ["-c", flowLoopScript({ command: "false", intervalMs: 1, nonce: NONCE, count: 1 })], { encoding: "utf8" });
    expect(parseSnapshotFrames(out, NONCE)[0]!.exitCode).toBe(1);
  });

  it("refuses a nonce that could break the script", () => {
    expect(() => flowLoopScript({ command: "flow -l", intervalMs: 200, nonce: "x'; id" })).toThrow(/nonce must be hex/);
  });
});
