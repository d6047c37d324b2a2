/**
 * The kernel process over real sockets, for what only a live process shows: imports from a folder
 * outside the project, traceback lines, busy/execute_input/output while synchronous code runs, the
 * heartbeat during a busy loop, control interrupts of a synchronous loop, and the end of the kernel when
 * the process that started it is gone.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import type * as ZMQ from "zeromq";
import { Message, decodeFrames, encodeFrames, newMessage } from "../../kernel/protocol/wire";
import { writeConnectionFile } from "../../kernel/runner/client";
import { packetwalkKernel, requireBuilt, ROOT, withKernel } from "./helpers";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const zmq = require("zeromq") as typeof ZMQ;
const START = path.join(ROOT, "dist", "kernel", "start.js");

/** A bare client that timestamps every iopub message, for ordering and latency checks. */
async function rawKernel(env: NodeJS.ProcessEnv = {}) {
  requireBuilt();
  const { file, info } = await writeConnectionFile();
  const proc = spawn(process.execPath, [START, file], { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, PACKETWALK_HISTORY_FILE: "", ...env } });
  let stderr = "";
  proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const key = info.key ?? "";
  const addr = (p: number) => `tcp://127.0.0.1:${p}`;
  const shell = new zmq.Dealer();
  const control = new zmq.Dealer();
  const iopub = new zmq.Subscriber();
  const hb = new zmq.Request({ receiveTimeout: 2000, sendTimeout: 2000 });
  shell.connect(addr(info.shell_port));
  control.connect(addr(info.control_port));
  iopub.connect(addr(info.iopub_port));
  iopub.subscribe();
  hb.connect(addr(info.hb_port));
  const iopubLog: { at: number; m: Message }[] = [];
  const replies: { at: number; m: Message }[] = [];
  const pump = async (sock: ZMQ.Dealer | ZMQ.Subscriber, into: { at: number; m: Message }[]) => {
    try {
      for await (const frames of sock) {
        const d = decodeFrames(frames as Buffer[], key);
        if (d.ok) into.push({ at: Date.now(), m: d.message });
      }
    } catch {
      // closed
    }
  };
  void pump(iopub, iopubLog);
  void pump(shell, replies);
  void pump(control, replies);
  const session = "raw-test";
  const request = async (sock: ZMQ.Dealer, type: string, content: Record<string, unknown>) => {
    const m = newMessage(type, content, undefined, { session });
    await sock.send(encodeFrames(m, key));
    return m;
  };
  const replyTo = async (m: Message, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = replies.find((x) => x.m.parent_header.msg_id === m.header.msg_id);
      if (r) return r;
      if (Date.now() > until) throw new Error(`no reply to ${m.header.msg_type}; kernel stderr:\n${stderr}`);
      await new Promise((res) => setTimeout(res, 20));
    }
  };
  // Wait until iopub is subscribed: a kernel_info_request whose status reaches us.
  for (let i = 0; ; i++) {
    const k = await request(shell, "kernel_info_request", {});
    await replyTo(k);
    await new Promise((res) => setTimeout(res, 100));
    if (iopubLog.some((x) => x.m.parent_header.msg_id === k.header.msg_id)) break;
    if (i > 50) throw new Error("iopub never connected");
  }
  const close = async () => {
    if (proc.exitCode === null) {
      await request(control, "shutdown_request", { restart: false }).catch(() => {});
      await exited(proc, 5000);
    }
    if (proc.exitCode === null) proc.kill("SIGKILL");
    for (const s of [shell, control, iopub, hb]) s.close();
    fs.rmSync(file, { force: true });
  };
  return { proc, shell, control, hb, iopubLog, request, replyTo, close, stderr: () => stderr };
}

function exited(p: ChildProcess, ms: number): Promise<boolean> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    p.once("exit", () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitGone(pid: number, ms: number): Promise<number> {
  const t0 = Date.now();
  while (alive(pid) && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 100));
  return alive(pid) ? -1 : Date.now() - t0;
}

const text = (o: { outputs: unknown[] }) => ((o.outputs[0] as { data?: Record<string, string> }).data ?? {})["text/plain"];

describe("packetwalk kernel process", () => {
  it("imports arquero, vega-lite, vega, yaml, ssh2 and packetwalk by name, with types, from a folder outside the project", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-imports-"));
    try {
      await withKernel(packetwalkKernel(dir), async (k) => {
        const cells: [string, string][] = [
          ['import * as aq from "arquero";\nconst n: number = aq.table({ a: [1, 2] }).numRows();\nn', "2"],
          ['import * as vl from "vega-lite";\nconst spec: vl.TopLevelSpec = { mark: "point", data: { values: [] } };\ntypeof vl.compile(spec).spec', "object"],
          ['import * as vega from "vega";\nconst v: string = vega.version;\ntypeof v', "string"],
          ['import * as YAML from "yaml";\nconst y: string = YAML.stringify({ a: 1 });\ny', "a: 1\n"],
          ['import { Client } from "ssh2";\nconst c: Client = new Client();\ntypeof c.connect', "function"],
          ['import { clearOutput, show } from "packetwalk";\ntypeof clearOutput + typeof show', "functionfunction"],
        ];
        for (const [code, want] of cells) {
          const r = await k.execute(code);
          expect(r.status, `${code}\n${JSON.stringify(r.outputs)}`).toBe("ok");
          expect(text(r)).toBe(want);
        }
        // Types are real, not `any`: a wrong type is a compile error.
        const bad = await k.execute("const wrong: number = YAML.stringify({});");
        expect(bad.status).toBe("error");
        expect(JSON.stringify(bad.outputs)).toMatch(/not assignable to type 'number'/);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a one-line cell's traceback says cell:1 and shows no kernel or tslab frames", async () => {
    await withKernel(packetwalkKernel(), async (k) => {
      const r = await k.execute('throw new Error("one line")');
      const err = r.outputs.find((o) => o.output_type === "error") as { traceback: string[] };
      const frames = err.traceback.filter((l) => /^\s+at /.test(l));
      expect(frames).toEqual(["    at cell:1:7"]);
      const r2 = await k.execute('const a = 1;\n\n// a comment\nfunction f() {\n  throw new Error("deep");\n}\nf()');
      const e2 = r2.outputs.find((o) => o.output_type === "error") as { traceback: string[] };
      expect(e2.traceback.filter((l) => /^\s+at /.test(l)).map((l) => l.replace(/:\d+\)?$/, ""))).toEqual(["    at f (cell:5", "    at cell:7"]);
    });
  });

  it("sends busy, execute_input and printed output while a cell's synchronous code runs, and answers the heartbeat during a 3 s busy loop", async () => {
    const k = await rawKernel();
    try {
      const code = 'console.log("before the loop");\nconst t0 = Date.now();\nwhile (Date.now() - t0 < 3000) {}\n"after"';
      const ex = await k.request(k.shell, "execute_request", { code, silent: false, store_history: true, allow_stdin: false, stop_on_error: true, user_expressions: {} });
      // Ping the heartbeat while the loop runs.
      const pings: number[] = [];
      const pinging = (async () => {
        const t0 = Date.now();
        while (Date.now() - t0 < 4000 && !k.iopubLog.some((x) => x.m.header.msg_type === "execute_result")) {
          const s = Date.now();
          await k.hb.send("ping");
          const [echo] = await k.hb.receive();
          expect(echo.toString()).toBe("ping");
          pings.push(Date.now() - s);
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const reply = await k.replyTo(ex);
      await pinging;
      const of = (type: string, pred: (m: Message) => boolean = () => true) =>
        k.iopubLog.find((x) => x.m.parent_header.msg_id === ex.header.msg_id && x.m.header.msg_type === type && pred(x.m));
      const busy = of("status", (m) => (m.content as { execution_state: string }).execution_state === "busy")!;
      const input = of("execute_input")!;
      const stream = of("stream")!;
      expect(busy && input && stream, JSON.stringify(k.iopubLog.map((x) => x.m.header.msg_type))).toBeTruthy();
      // All three arrived while the loop still had seconds to run.
      expect(reply.at - busy.at).toBeGreaterThan(2000);
      expect(reply.at - input.at).toBeGreaterThan(2000);
      expect(reply.at - stream.at).toBeGreaterThan(2000);
      expect((stream.m.content as { text: string }).text).toBe("before the loop\n");
      // The heartbeat answered all along: several echoes, none slow.
      expect(pings.length).toBeGreaterThanOrEqual(5);
      expect(Math.max(...pings)).toBeLessThan(1000);
    } finally {
      await k.close();
    }
  });

  it("interrupt_request on control breaks a synchronous infinite loop; the kernel keeps its state", async () => {
    const k = await rawKernel();
    try {
      const set = await k.request(k.shell, "execute_request", { code: "const kept = 41;", allow_stdin: false });
      await k.replyTo(set);
      const loop = await k.request(k.shell, "execute_request", { code: 'console.log("looping");\nwhile (true) {}', allow_stdin: false, stop_on_error: true });
      while (!k.iopubLog.some((x) => x.m.header.msg_type === "stream")) await new Promise((r) => setTimeout(r, 50));
      const intr = await k.request(k.control, "interrupt_request", {});
      expect((await k.replyTo(intr, 5000)).m.content).toEqual({ status: "ok" });
      expect((await k.replyTo(loop, 10_000)).m.content).toMatchObject({ status: "error" });
      const after = await k.request(k.shell, "execute_request", { code: "kept + 1", allow_stdin: false });
      await k.replyTo(after);
      const result = k.iopubLog.find((x) => x.m.parent_header.msg_id === after.header.msg_id && x.m.header.msg_type === "execute_result");
      expect((result?.m.content as { data: Record<string, string> }).data["text/plain"]).toBe("42");
    } finally {
      await k.close();
    }
  });

  it("shuts down on request even while a cell is stuck in synchronous code, and leaves no process behind", async () => {
    const k = await rawKernel();
    try {
      await k.request(k.shell, "execute_request", { code: 'console.log("looping");\nwhile (true) {}', allow_stdin: false });
      while (!k.iopubLog.some((x) => x.m.header.msg_type === "stream")) await new Promise((r) => setTimeout(r, 50));
      const sd = await k.request(k.control, "shutdown_request", { restart: false });
      await k.replyTo(sd, 10_000);
      expect(await exited(k.proc, 10_000)).toBe(true);
    } finally {
      await k.close();
    }
  });

  it("ends the processes its cells started when it shuts down", async () => {
    const k = await rawKernel();
    let child = 0;
    try {
      const ex = await k.request(k.shell, "execute_request", { code: 'import { spawn } from "node:child_process";\nspawn("sleep", ["60"]).pid', allow_stdin: false });
      await k.replyTo(ex);
      const result = k.iopubLog.find((x) => x.m.parent_header.msg_id === ex.header.msg_id && x.m.header.msg_type === "execute_result");
      child = Number((result?.m.content as { data: Record<string, string> }).data["text/plain"]);
      expect(alive(child)).toBe(true);
    } finally {
      await k.close();
    }
    expect(await waitGone(child, 5000)).toBeGreaterThanOrEqual(0);
  });

  it("exits when the process that started it is killed (the parent pid changes)", async () => {
    requireBuilt();
    const { file } = await writeConnectionFile();
    // A parent that starts the kernel and prints its pid, then is killed without a word to the kernel.
    const parent = spawn(process.execPath, ["-e", `const c = require("child_process").spawn(process.execPath, [${JSON.stringify(START)}, ${JSON.stringify(file)}], { stdio: "ignore", env: { ...process.env, PACKETWALK_HISTORY_FILE: "" } }); console.log(c.pid); setInterval(() => {}, 1000);`], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const pid = await new Promise<number>((resolve) => parent.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
      await new Promise((r) => setTimeout(r, 1500));
      expect(alive(pid)).toBe(true);
      parent.kill("SIGKILL");
      expect(await waitGone(pid, 8000)).toBeGreaterThanOrEqual(0);
    } finally {
      parent.kill("SIGKILL");
      fs.rmSync(file, { force: true });
    }
  });

  it("exits when JPY_PARENT_PID is gone", async () => {
    const sleeper = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
    const k = await rawKernel({ JPY_PARENT_PID: String(sleeper.pid) });
    try {
      sleeper.kill("SIGKILL");
      expect(await exited(k.proc, 8000)).toBe(true);
    } finally {
      sleeper.kill("SIGKILL");
      await k.close();
    }
  });
});
