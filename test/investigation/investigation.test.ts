import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aq from "arquero";
import { afterEach, describe, expect, it } from "vitest";
import {
  appendToInvestigation,
  createInvestigation,
  FILES,
  isLockFile,
  lockKeyName,
  InvestigationError,
  openInvestigation,
  packInvestigation,
  packTar,
  readTar,
  RecordingRunner,
  ReplayRunner,
  type CommandRecord,
  type TargetDescription,
} from "../../lib/investigation";
import { RemoteError } from "../../lib/remote/errors";
import type { CommandResult, CommandRunner, RemoteCommand, RunOptions } from "../../lib/remote/runner";
import { commandLine } from "../../lib/remote/runner";

const ROOT = path.resolve(__dirname, "../..");
const TARGET: TargetDescription = { kind: "lab", source: "default", nodes: [{ name: "cent222", role: "compute", via: "direct" }] };
const dirs: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "pw-inv-test-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

// A runner double: answers from a table, fails on "boom", streams on demand.
class FakeRunner implements CommandRunner {
  calls = 0;
  async run(node: string, command: RemoteCommand, opts: RunOptions = {}): Promise<CommandResult> {
    const line = commandLine(command);
    this.calls++;
    if (line === "boom") throw new RemoteError("connect", "ECONNREFUSED", { node, command: line });
    const stdout = line === "big" ? "x".repeat(10_000) + "\n" : `${node}: ${line} #${this.calls}\n`;
    opts.onStdout?.(Buffer.from(stdout));
    const collect = opts.collect ?? true;
    return { node, command: line, stdout: collect ? stdout : "", stderr: collect ? "warn\n" : "", exitCode: line === "false" ? 1 : 0, signal: null, startedAt: Date.now(), durationMs: 3 };
  }
}

describe("investigations: record, open, replay", () => {
  it("records every command with its output, and replays the same answers in recorded order", async () => {
    const dir = path.join(tmp(), "inv");
    const writer = createInvestigation(dir, { target: TARGET, parameters: { fip: "101.101.101.1", port: 80 } });
    const rec = new RecordingRunner(new FakeRunner(), writer, { viaOf: () => "direct" });
    const live = [
      await rec.run("cent222", ["flow", "-l"]),
      await rec.run("cent222", ["flow", "-l"]),
      await rec.run("cent222", { script: "big" }),
      await rec.run("gateway", { script: "false" }),
    ];
    await expect(rec.run("cent333", { script: "boom" })).rejects.toThrow(/ECONNREFUSED/);
    writer.note("second poll differs", { stage: "fip-nat" });
    writer.close();

    const inv = openInvestigation(dir);
    expect(inv.warnings).toEqual([]);
    expect(inv.manifest).toMatchObject({ format: "packetwalk-investigation", version: 1, parameters: { fip: "101.101.101.1", port: 80 }, target: TARGET });
    expect(inv.manifest.id).toMatch(/^pw-\d{8}-\d{6}-[0-9a-f]{4}$/);
    const cmds = inv.records.filter((r): r is CommandRecord => r.kind === "command");
    expect(cmds.map((c) => [c.seq, c.node, c.command, c.exitCode, c.via])).toEqual([
      [1, "cent222", "flow -l", 0, "direct"],
      [2, "cent222", "flow -l", 0, "direct"],
      [3, "cent222", "big", 0, "direct"],
      [4, "gateway", "false", 1, "direct"],
      [5, "cent333", "boom", null, "direct"],
    ]);
    expect(cmds[2]!.stdout.file).toMatch(/^blobs\/[0-9a-f]{64}$/); // 10 kB: a blob file, not inline
    expect(cmds[0]!.stdout.text).toBe("cent222: flow -l #1\n");
    expect(cmds[4]!.error).toEqual({ stage: "connect", message: "ECONNREFUSED" });
    expect(inv.records.at(-1)).toMatchObject({ kind: "note", text: "second poll differs", stage: "fip-nat", seq: 6 });

    const replay = new ReplayRunner(inv);
    const again = [
      await replay.run("cent222", ["flow", "-l"]),
      await replay.run("cent222", ["flow", "-l"]),
      await replay.run("cent222", { script: "big" }),
      await replay.run("gateway", { script: "false" }),
    ];
    expect(again.map((r) => [r.stdout, r.stderr, r.exitCode])).toEqual(live.map((r) => [r.stdout, r.stderr, r.exitCode]));
    // Used up: the last answer repeats (a state query asked once more), and is counted.
    expect((await replay.run("cent222", ["flow", "-l"])).stdout).toBe("cent222: flow -l #2\n");
    expect(replay.stats).toEqual({ answered: 5, repeated: 1, live: 0 });
    // A recorded failure fails again, the same way.
    await expect(replay.run("cent333", { script: "boom" })).rejects.toMatchObject({ stage: "connect", node: "cent333" });
  });

  it("names the node, the command and the closest recorded ones for a command never recorded", async () => {
    const dir = path.join(tmp(), "inv");
    const writer = createInvestigation(dir, { target: TARGET });
    const rec = new RecordingRunner(new FakeRunner(), writer);
    await rec.run("cent222", ["flow", "--match", "15.15.15.2:37444"]);
    await rec.run("cent222", ["nh", "--get", "61"]);
    writer.close();
    const replay = new ReplayRunner(openInvestigation(dir));
    const e = await replay.run("cent222", ["flow", "--match", "15.15.15.2:40000"]).catch((x: unknown) => x as RemoteError);
    expect(e).toBeInstanceOf(RemoteError);
    expect(e).toMatchObject({ stage: "replay", node: "cent222", command: "flow --match 15.15.15.2:40000" });
    expect((e as RemoteError).message).toMatch(/not in the recording pw-.*; closest recorded on cent222: `flow --match 15\.15\.15\.2:37444`, `nh --get 61`/);
    await expect(replay.run("cent999", ["true"])).rejects.toThrow(/nothing was recorded on cent999 \(recorded nodes: cent222\)/);
  });

  it("keeps the output a caller streams without collecting it, bounded", async () => {
    const dir = path.join(tmp(), "inv");
    const writer = createInvestigation(dir, { target: TARGET });
    const rec = new RecordingRunner(new FakeRunner(), writer);
    const seen: string[] = [];
    await rec.run("cent222", ["tail"], { collect: false, onStdout: (d) => seen.push(d.toString()) });
    writer.close();
    const c = openInvestigation(dir).records[0] as CommandRecord;
    expect(seen).toEqual(["cent222: tail #1\n"]);
    expect(c.stdout.text).toBe("cent222: tail #1\n");
  });

  it("keeps at most 1 MiB of a poll loop's streamed output, marked as cut, while the caller sees all of it", async () => {
    const dir = path.join(tmp(), "inv");
    const writer = createInvestigation(dir, { target: TARGET });
    const chunk = Buffer.alloc(300_000, 0x61);
    const streaming: CommandRunner = {
      async run(node, command, opts = {}) {
        for (let i = 0; i < 10; i++) opts.onStdout?.(chunk);
        return { node, command: commandLine(command), stdout: "", stderr: "", exitCode: 0, signal: null, startedAt: Date.now(), durationMs: 1 };
      },
    };
    let seen = 0;
    await new RecordingRunner(streaming, writer).run("cent222", { script: "while :; do flow -l; sleep 0.2; done" }, { collect: false, onStdout: (d) => (seen += d.length) });
    writer.close();
    const inv = openInvestigation(dir);
    const c = inv.records[0] as CommandRecord;
    expect(seen).toBe(3_000_000);
    expect(c.stdout).toMatchObject({ bytes: 1 << 20, truncated: true });
    expect(inv.bytes(c.stdout)!.length).toBe(1 << 20);
  });

  it("stores captures and Arrow tables that arquero (and any Arrow reader) opens again", () => {
    const dir = path.join(tmp(), "inv");
    const writer = createInvestigation(dir, { target: TARGET });
    const pcap = Buffer.from("0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000", "hex");
    const cap = writer.addCapture({ node: "cent222", iface: "ens3", filter: "udp port 6635", command: "tcpdump -i ens3 -w - udp port 6635" }, pcap);
    const t = aq.table({ node: ["cent222", "cent333"], flows: [2, 4] });
    writer.addTable("flow-history", aq.toArrowIPC(t), t.numRows());
    writer.close();
    const inv = openInvestigation(dir);
    expect(cap.file).toBe("captures/001-cent222-ens3.pcapng");
    expect(inv.file(cap.file)).toEqual(pcap);
    const back = aq.fromArrow(inv.file("tables/flow-history.arrow")!);
    expect(back.objects()).toEqual(t.objects());
  });

  it("appends to an existing investigation after the fact, numbering on", () => {
    const dir = path.join(tmp(), "inv");
    const w = createInvestigation(dir, { target: TARGET });
    w.note("one");
    w.close();
    expect(() => createInvestigation(dir, { target: TARGET })).toThrow(/already holds an investigation/);
    const w2 = appendToInvestigation(dir);
    w2.note("two", { stage: "gateway" });
    w2.close();
    expect(openInvestigation(dir).records.map((r) => [r.seq, (r as { text?: string }).text])).toEqual([
      [1, "one"],
      [2, "two"],
    ]);
  });
});

describe("a damaged investigation opens with one warning per problem and replays the rest", () => {
  function recorded(): string {
    const dir = path.join(tmp(), "inv");
    const writer = createInvestigation(dir, { target: TARGET });
    const fake = new FakeRunner();
    writer.append({ kind: "command", node: "cent222", command: "a", startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), exitCode: 0, signal: null, stdout: writer.blob("small\n"), stderr: writer.blob("") });
    writer.append({ kind: "command", node: "cent222", command: "big", startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), exitCode: 0, signal: null, stdout: writer.blob("y".repeat(5000)), stderr: writer.blob("") });
    writer.append({ kind: "command", node: "cent222", command: "c", startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), exitCode: 0, signal: null, stdout: writer.blob("z".repeat(6000)), stderr: writer.blob("") });
    void fake;
    writer.close();
    return dir;
  }

  it("reports a cut last line, a missing blob, an altered blob and a newer manifest, and keeps the rest", async () => {
    const dir = recorded();
    const log = path.join(dir, FILES.log);
    const lines = fs.readFileSync(log, "utf8").split("\n").filter(Boolean);
    fs.writeFileSync(log, `${lines.join("\n")}\n${lines[0]!.slice(0, 30)}`); // a run killed mid-write
    const blobs = fs.readdirSync(path.join(dir, "blobs"));
    const big = blobs.find((b) => fs.readFileSync(path.join(dir, "blobs", b), "utf8").startsWith("y"))!;
    const z = blobs.find((b) => fs.readFileSync(path.join(dir, "blobs", b), "utf8").startsWith("z"))!;
    fs.rmSync(path.join(dir, "blobs", big));
    fs.writeFileSync(path.join(dir, "blobs", z), "tampered");
    const m = JSON.parse(fs.readFileSync(path.join(dir, FILES.manifest), "utf8"));
    fs.writeFileSync(path.join(dir, FILES.manifest), JSON.stringify({ ...m, version: 99 }));

    const inv = openInvestigation(dir);
    expect(inv.records.length).toBe(3);
    expect(inv.warnings).toEqual([
      expect.stringMatching(/^manifest\.json is version 99, newer than this packetwalk reads \(1\)/),
      "evidence.jsonl line 4 is cut (the run stopped while writing it); 3 lines read",
      expect.stringMatching(/^blobs\/[0-9a-f]{64} is missing \(stdout of `big` on cent222, record 2\)$/),
      expect.stringMatching(/^blobs\/[0-9a-f]{64} does not match its hash \(stdout of `c` on cent222, record 3\): altered or damaged, not used$/),
    ]);
    const replay = new ReplayRunner(inv);
    expect((await replay.run("cent222", { script: "a" })).stdout).toBe("small\n");
    await expect(replay.run("cent222", { script: "big" })).rejects.toThrow(/recorded output \(record 2\) is missing or altered/);
    await expect(replay.run("cent222", { script: "c" })).rejects.toThrow(/record 3/);
  });

  it("refuses what is no investigation at all, clearly", () => {
    const d = tmp();
    expect(() => openInvestigation(path.join(d, "nope"))).toThrow(InvestigationError);
    expect(() => openInvestigation(d)).toThrow(/is not an investigation/);
    fs.writeFileSync(path.join(d, FILES.manifest), JSON.stringify({ format: "jupyter" }));
    expect(() => openInvestigation(d)).toThrow(/not a packetwalk investigation/);
  });

  it("leaves a readable investigation when the writing process is killed", async () => {
    const dir = path.join(tmp(), "inv");
    const script = `
      const { createInvestigation } = require(${JSON.stringify(path.join(ROOT, "dist/lib/investigation/index.js"))});
      const w = createInvestigation(${JSON.stringify(dir)}, { target: { kind: "lab", source: "x", nodes: [] } });
      let i = 0;
      setInterval(() => {
        for (let k = 0; k < 50; k++) w.append({ kind: "command", node: "n", command: "c" + i++, startedAt: "", endedAt: "", exitCode: 0, signal: null, stdout: w.blob("o".repeat(i % 5000)), stderr: w.blob("") });
        if (i > 500) process.stdout.write("go\\n");
      }, 1);`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((r) => child.stdout.once("data", () => r()));
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const inv = openInvestigation(dir);
    expect(inv.records.length).toBeGreaterThan(500);
    expect(inv.warnings.filter((w) => !/line \d+ is cut/.test(w))).toEqual([]);
    const replay = new ReplayRunner(inv);
    const last = inv.records.at(-1) as CommandRecord;
    expect((await replay.run("n", { script: last.command })).stdout.length).toBe(last.stdout.bytes);
  });
});

describe("several processes appending to one investigation", () => {
  it("never repeat a record number: two processes adding notes at once, batched and unbatched", async () => {
    const dir = path.join(tmp(), "inv");
    createInvestigation(dir, { target: TARGET }).close();
    const script = (who: string, flushMs: number) => `
      const { InvestigationWriter, appendToInvestigation } = require(${JSON.stringify(path.join(ROOT, "dist/lib/investigation/index.js"))});
      const first = appendToInvestigation(${JSON.stringify(dir)});
      const w = new InvestigationWriter(${JSON.stringify(dir)}, first.manifest, 1, { flushMs: ${flushMs} });
      first.close();
      let i = 0;
      const t = setInterval(() => {
        for (let k = 0; k < 20; k++) w.note("${who} " + i++);
        if (i >= 400) { clearInterval(t); w.close(); }
      }, 1);`;
    const run = (who: string, flushMs: number) =>
      new Promise<number | null>((resolve) => spawn(process.execPath, ["-e", script(who, flushMs)], { stdio: ["ignore", "ignore", "inherit"] }).on("exit", resolve));
    expect(await Promise.all([run("a", 0), run("b", 50)])).toEqual([0, 0]);
    const inv = openInvestigation(dir);
    expect(inv.warnings).toEqual([]);
    const seqs = inv.records.map((r) => r.seq);
    expect(seqs.length).toBe(800);
    expect(new Set(seqs).size).toBe(800);
    // Numbered as written, under the lock: the log's order is the numbers' order.
    expect(seqs).toEqual(Array.from({ length: 800 }, (_, i) => i + 1));
    // Each process's own notes keep their order.
    for (const who of ["a", "b"]) {
      const mine = inv.records.filter((r) => r.kind === "note" && r.text.startsWith(`${who} `)) as { seq: number; text: string }[];
      expect(mine.map((r) => r.text)).toEqual(Array.from({ length: 400 }, (_, i) => `${who} ${i}`));
      expect(mine.map((r) => r.seq)).toEqual([...mine.map((r) => r.seq)].sort((x, y) => x - y));
    }
    // A later writer numbers on after both.
    const w = appendToInvestigation(dir);
    expect(w.note("after").seq).toBe(801);
    w.close();
    expect(fs.existsSync(path.join(dir, FILES.lock))).toBe(false);
    // the lock is a hard link to a key file per process; the two writers' keys went with them
    expect(fs.readdirSync(dir).filter((n) => isLockFile(n))).toEqual([lockKeyName(process.pid)]);
  }, 60_000);

  it("writes a batch from the record that completes it, and the last records of a stream by its timer", async () => {
    const dir = path.join(tmp(), "inv");
    const w = createInvestigation(dir, { target: TARGET, flushMs: 100 });
    const lines = () => fs.readFileSync(path.join(dir, FILES.log), "utf8").split("\n").filter(Boolean).length;
    const before = lines();
    const log = () => lines() - before;
    w.append({ kind: "note", text: "first" }); // (note() writes at once; a poll's records are appended)
    expect(log()).toBe(0); // gathered
    const until = Date.now() + 120;
    while (Date.now() < until) {
      /* the event loop is busy: the timer cannot fire */
    }
    w.append({ kind: "note", text: "second" }); // the batch is 120 ms old: written now, with both
    expect(log()).toBe(2);
    w.append({ kind: "note", text: "third" });
    expect(log()).toBe(2);
    await new Promise((r) => setTimeout(r, 250)); // no record completes it: the timer writes it
    expect(log()).toBe(3);
    w.close();
  });

  it("takes over a lock whose holder is gone, or a lock file of an older packetwalk", async () => {
    const dir = path.join(tmp(), "inv");
    createInvestigation(dir, { target: TARGET }).close();
    // a pid that has exited
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
      c.on("exit", () => resolve(c.pid!));
    });
    fs.writeFileSync(path.join(dir, lockKeyName(dead)), String(dead));
    fs.linkSync(path.join(dir, lockKeyName(dead)), path.join(dir, FILES.lock));
    const w = appendToInvestigation(dir);
    expect(w.note("after a dead holder").seq).toBe(1);
    // a plain lock file (as packetwalk wrote before), of a dead process too
    fs.writeFileSync(path.join(dir, FILES.lock), String(dead));
    expect(w.note("after an old-style lock").seq).toBe(2);
    w.close();
    expect(fs.existsSync(path.join(dir, FILES.lock))).toBe(false);
    expect(openInvestigation(dir).records.map((r) => r.seq)).toEqual([1, 2]);
  });
});

describe("packing", () => {
  it("packs a folder into one .tar or .tar.gz that tar lists and openInvestigation reads in place", async () => {
    const dir = path.join(tmp(), "inv");
    const writer = createInvestigation(dir, { target: TARGET });
    const rec = new RecordingRunner(new FakeRunner(), writer);
    await rec.run("cent222", { script: "big" });
    writer.addCapture({ node: "cent222", iface: "ens3", filter: "", command: "tcpdump" }, Buffer.from([1, 2, 3]));
    writer.close();
    // this process's lock key file sits in the folder until it exits: never packed
    expect(fs.readdirSync(dir)).toContain(lockKeyName(process.pid));
    for (const name of ["incident.tar", "incident.tar.gz"]) {
      const file = path.join(tmp(), name);
      const r = packInvestigation(dir, file);
      expect(r.files).toBe(4); // manifest, log, one blob, one capture
      const listing = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trim().split("\n").sort();
      expect(listing).toEqual([
        `${writer.manifest.id}/blobs/${(openInvestigation(dir).records[0] as CommandRecord).stdout.sha256}`,
        `${writer.manifest.id}/captures/001-cent222-ens3.pcap`,
        `${writer.manifest.id}/evidence.jsonl`,
        `${writer.manifest.id}/manifest.json`,
      ].sort());
      const inv = openInvestigation(file);
      expect(inv.warnings).toEqual([]);
      expect(inv.dir).toBeNull();
      expect(inv.file("captures/001-cent222-ens3.pcap")).toEqual(Buffer.from([1, 2, 3])); // not pcapng: kept as .pcap
      expect((await new ReplayRunner(inv).run("cent222", { script: "big" })).stdout).toBe("x".repeat(10_000) + "\n");
    }
    expect(() => packInvestigation(dir, path.join(tmp(), "x.zip"))).toThrow(/\.tar, \.tar\.gz or \.tgz/);
  });

  it("reads what tar writes, refuses paths that escape, and reports a cut archive with the files before the cut", () => {
    const d = tmp();
    fs.mkdirSync(path.join(d, "a", "sub"), { recursive: true });
    fs.writeFileSync(path.join(d, "a", "sub", "f.txt"), "hello");
    fs.writeFileSync(path.join(d, "a", "g.bin"), Buffer.alloc(1500, 7));
    const made = execFileSync("tar", ["-cf", "-", "-C", d, "a"]);
    const { files, error } = readTar(made);
    expect(error).toBeNull();
    expect(files.get("a/sub/f.txt")?.toString()).toBe("hello");
    expect(files.get("a/g.bin")?.length).toBe(1500);
    expect(() => packTar([{ name: "../etc/passwd", bytes: Buffer.from("x") }])).toThrow(/unsafe path/);
    const ours = packTar([{ name: "x/1", bytes: Buffer.alloc(700, 1) }, { name: "x/2", bytes: Buffer.alloc(10, 2) }]);
    const cut = readTar(ours.subarray(0, 512 + 1024 + 100));
    expect([...cut.files.keys()]).toEqual(["x/1"]);
    expect(cut.error).toMatch(/archive cut inside "x\/2"|archive cut in a header/);
    expect(readTar(Buffer.from("garbage".repeat(100))).error).toMatch(/damaged archive header at byte 0/);
  });
});
