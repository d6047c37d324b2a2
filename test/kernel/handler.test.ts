/**
 * The protocol handler without ZeroMQ or TypeScript: requests go in as values, the messages it sends come
 * out as values, and a stub engine stands in for tslab's executor.
 */
import { describe, expect, it } from "vitest";
import type { CellEngine, CellOutcome, OutputTarget } from "../../kernel/engine";
import { KernelHandler, Outgoing } from "../../kernel/handler";
import { HistoryStore } from "../../kernel/history";
import { Message, newMessage } from "../../kernel/protocol/wire";

/** A stub engine: each cell's behaviour is a function of its code. */
class StubEngine implements CellEngine {
  target: OutputTarget = { stream: () => {}, display: () => {} };
  ran: string[] = [];
  interrupts = 0;
  private onInterrupt: (() => void) | null = null;

  constructor(private readonly cells: Record<string, (target: OutputTarget, engine: StubEngine) => CellOutcome | Promise<CellOutcome>> = {}) {}

  async execute(code: string): Promise<CellOutcome> {
    this.ran.push(code);
    const cell = this.cells[code];
    if (cell) return cell(this.target, this);
    return { status: "ok", result: { data: { "text/plain": `value of ${code}` }, metadata: {} } };
  }

  /** A cell that runs until interrupted, then fails as tslab does. */
  untilInterrupted(): Promise<CellOutcome> {
    return new Promise((resolve) => {
      this.onInterrupt = () => resolve({ status: "error", error: { ename: "Interrupted", evalue: "interrupted", traceback: [] } });
    });
  }

  complete(code: string, pos: number) {
    return { start: pos - 2, end: pos, candidates: code.endsWith("te") ? ["textTable", "tee"] : [] };
  }

  inspect(code: string) {
    return code.includes("textTable") ? "function textTable(columns: string[], rows: object[]): string" : null;
  }

  isComplete(code: string) {
    return code.endsWith("{") ? { status: "incomplete" as const, indent: "  " } : { status: "complete" as const };
  }

  interrupt(): void {
    this.interrupts++;
    this.onInterrupt?.();
    this.onInterrupt = null;
  }
}

const fail = (evalue: string): CellOutcome => ({ status: "error", error: { ename: "Error", evalue, traceback: [`Error: ${evalue}`] } });

function request(msgType: string, content: Record<string, unknown> = {}): Message {
  return newMessage(msgType, content, undefined, { session: "s1", identities: [Buffer.from("client-1")] });
}

function setup(engine = new StubEngine()) {
  const out: Outgoing[] = [];
  const logs: string[] = [];
  const handler = new KernelHandler(engine, { send: (o) => out.push(o), log: (l) => logs.push(l) });
  /** "channel msg_type" of what was sent, optionally only for replies to `parent`. */
  const kinds = (parent?: Message) =>
    out.filter((o) => !parent || o.message.parent_header.msg_id === parent.header.msg_id).map((o) => `${o.channel} ${o.message.header.msg_type}${o.message.header.msg_type === "status" ? `:${(o.message.content as { execution_state: string }).execution_state}` : ""}`);
  const find = (msgType: string, parent?: Message) => out.find((o) => o.message.header.msg_type === msgType && (!parent || o.message.parent_header.msg_id === parent.header.msg_id));
  const content = (msgType: string, parent?: Message) => find(msgType, parent)?.message.content as Record<string, unknown>;
  return { engine, handler, out, logs, kinds, find, content };
}

describe("KernelHandler", () => {
  it("announces itself with status starting, with no parent", () => {
    const t = setup();
    t.handler.start();
    expect(t.kinds()).toEqual(["iopub status:starting"]);
    expect(t.out[0].message.parent_header).toEqual({});
    expect(t.out[0].message.identities).toEqual([]);
  });

  it("answers kernel_info_request on shell between busy and idle, routed to the requester", async () => {
    const t = setup();
    const req = request("kernel_info_request");
    t.handler.receive("shell", req);
    await t.handler.settled();
    expect(t.kinds(req)).toEqual(["iopub status:busy", "shell kernel_info_reply", "iopub status:idle"]);
    const reply = t.find("kernel_info_reply")!.message;
    expect(reply.identities.map(String)).toEqual(["client-1"]);
    expect(reply.header.session).toBe("s1");
    expect(reply.content).toMatchObject({ status: "ok", protocol_version: "5.3", implementation: "packetwalk", language_info: { name: "typescript", file_extension: ".ts" } });
  });

  it("answers kernel_info_request on control at once, without status messages", () => {
    const t = setup();
    const req = request("kernel_info_request");
    t.handler.receive("control", req);
    expect(t.kinds()).toEqual(["control kernel_info_reply"]);
  });

  it("executes a cell: busy, execute_input, its output, execute_result, execute_reply, idle, in that order", async () => {
    const engine = new StubEngine({
      "console.log('hi'); 42": (target) => {
        target.stream("stdout", "hi\n");
        return { status: "ok", result: { data: { "text/plain": "42" }, metadata: {} } };
      },
    });
    const t = setup(engine);
    const req = request("execute_request", { code: "console.log('hi'); 42" });
    t.handler.receive("shell", req);
    await t.handler.settled();
    expect(t.kinds(req)).toEqual([
      "iopub status:busy",
      "iopub execute_input",
      "iopub stream",
      "iopub execute_result",
      "shell execute_reply",
      "iopub status:idle",
    ]);
    expect(t.content("execute_input")).toEqual({ code: "console.log('hi'); 42", execution_count: 1 });
    expect(t.content("stream")).toEqual({ name: "stdout", text: "hi\n" });
    expect(t.content("execute_result")).toEqual({ execution_count: 1, data: { "text/plain": "42" }, metadata: {} });
    expect(t.content("execute_reply")).toEqual({ status: "ok", execution_count: 1, user_expressions: {}, payload: [] });
    expect(t.find("execute_reply")!.message.identities.map(String)).toEqual(["client-1"]);
    expect(t.find("execute_input")!.message.identities).toEqual([]);
  });

  it("counts executions; silent cells send no execute_input or result and do not count, nor do store_history: false ones", async () => {
    const t = setup();
    const a = request("execute_request", { code: "a" });
    const s = request("execute_request", { code: "s", silent: true });
    const n = request("execute_request", { code: "n", store_history: false });
    const b = request("execute_request", { code: "b" });
    for (const r of [a, s, n, b]) t.handler.receive("shell", r);
    await t.handler.settled();
    expect(t.kinds(s)).toEqual(["iopub status:busy", "shell execute_reply", "iopub status:idle"]);
    expect(t.content("execute_reply", a).execution_count).toBe(1);
    expect(t.content("execute_reply", s).execution_count).toBe(1);
    expect(t.content("execute_input", n)).toEqual({ code: "n", execution_count: 1 });
    expect(t.content("execute_reply", b).execution_count).toBe(2);
    expect(t.engine.ran).toEqual(["a", "s", "n", "b"]);
  });

  it("with stop_on_error true, a failing cell aborts the execute requests already queued and only those", async () => {
    const t = setup(new StubEngine({ bad: () => fail("first fails") }));
    const a = request("execute_request", { code: "bad", stop_on_error: true });
    const b = request("execute_request", { code: "queued", stop_on_error: true });
    const k = request("kernel_info_request");
    const c = request("execute_request", { code: "also queued" });
    for (const r of [a, b, k, c]) t.handler.receive("shell", r);
    await t.handler.settled();
    expect(t.kinds(a)).toEqual(["iopub status:busy", "iopub execute_input", "iopub error", "shell execute_reply", "iopub status:idle"]);
    expect(t.content("error", a)).toEqual({ ename: "Error", evalue: "first fails", traceback: ["Error: first fails"] });
    expect(t.content("execute_reply", a)).toEqual({ status: "error", execution_count: 1, ename: "Error", evalue: "first fails", traceback: ["Error: first fails"] });
    for (const r of [b, c]) {
      expect(t.kinds(r)).toEqual(["iopub status:busy", "shell execute_reply", "iopub status:idle"]);
      expect(t.content("execute_reply", r)).toEqual({ status: "aborted", execution_count: null });
    }
    // The kernel_info request stays queued and is answered after the aborts.
    expect(t.kinds(k)).toEqual(["iopub status:busy", "shell kernel_info_reply", "iopub status:idle"]);
    const replies = t.out.filter((o) => o.channel === "shell").map((o) => o.message.parent_header.msg_id);
    expect(replies).toEqual([a, b, c, k].map((r) => r.header.msg_id));
    expect(t.engine.ran).toEqual(["bad"]);
    // A request sent after the failure runs normally.
    const later = request("execute_request", { code: "later" });
    t.handler.receive("shell", later);
    await t.handler.settled();
    expect(t.content("execute_reply", later)).toMatchObject({ status: "ok", execution_count: 2 });
  });

  it("stop_on_error defaults to true", async () => {
    const t = setup(new StubEngine({ bad: () => fail("x") }));
    const a = request("execute_request", { code: "bad" });
    const b = request("execute_request", { code: "next" });
    t.handler.receive("shell", a);
    t.handler.receive("shell", b);
    await t.handler.settled();
    expect(t.content("execute_reply", b)).toEqual({ status: "aborted", execution_count: null });
  });

  it("with stop_on_error false, a failing cell aborts nothing", async () => {
    const t = setup(new StubEngine({ bad: () => fail("first fails") }));
    const a = request("execute_request", { code: "bad", stop_on_error: false });
    const b = request("execute_request", { code: "next", stop_on_error: false });
    t.handler.receive("shell", a);
    t.handler.receive("shell", b);
    await t.handler.settled();
    expect(t.content("execute_reply", a)).toMatchObject({ status: "error", evalue: "first fails" });
    expect(t.content("execute_reply", b)).toMatchObject({ status: "ok", execution_count: 2 });
    expect(t.engine.ran).toEqual(["bad", "next"]);
  });

  it("answers interrupt_request on control while a cell runs, and the interrupted cell ends with its error", async () => {
    const engine = new StubEngine({ "while (true) {}": (_t, e) => e.untilInterrupted() });
    const t = setup(engine);
    const cell = request("execute_request", { code: "while (true) {}" });
    t.handler.receive("shell", cell);
    await new Promise((r) => setTimeout(r, 10));
    expect(t.find("execute_reply")).toBeUndefined();
    const intr = request("interrupt_request");
    t.handler.receive("control", intr);
    expect(engine.interrupts).toBe(1);
    expect(t.kinds(intr)).toEqual(["control interrupt_reply"]);
    expect(t.content("interrupt_reply")).toEqual({ status: "ok" });
    await t.handler.settled();
    expect(t.content("execute_reply", cell)).toMatchObject({ status: "error", ename: "Interrupted" });
    // SIGINT comes through interrupt() and reaches the engine the same way.
    t.handler.interrupt();
    expect(engine.interrupts).toBe(2);
  });

  it("answers complete_request, inspect_request and is_complete_request from the engine", async () => {
    const t = setup();
    const c = request("complete_request", { code: "pw.te", cursor_pos: 5 });
    const found = request("inspect_request", { code: "textTable", cursor_pos: 7 });
    const none = request("inspect_request", { code: "nothing", cursor_pos: 3 });
    const open = request("is_complete_request", { code: "if (x) {" });
    for (const r of [c, found, none, open]) t.handler.receive("shell", r);
    await t.handler.settled();
    expect(t.kinds(c)).toEqual(["iopub status:busy", "shell complete_reply", "iopub status:idle"]);
    expect(t.content("complete_reply")).toEqual({ status: "ok", matches: ["textTable", "tee"], cursor_start: 3, cursor_end: 5, metadata: {} });
    expect(t.content("inspect_reply", found)).toEqual({ status: "ok", found: true, data: { "text/plain": "function textTable(columns: string[], rows: object[]): string" }, metadata: {} });
    expect(t.content("inspect_reply", none)).toEqual({ status: "ok", found: false, data: {}, metadata: {} });
    expect(t.content("is_complete_reply")).toEqual({ status: "incomplete", indent: "  " });
  });

  it("closes comms at once, ignores comm messages, and answers comm_info and history with empty lists", async () => {
    const t = setup();
    const open = request("comm_open", { comm_id: "c1", target_name: "jupyter.widget" });
    const msg = request("comm_msg", { comm_id: "c1", data: {} });
    const info = request("comm_info_request");
    const hist = request("history_request", { hist_access_type: "tail", n: 10 });
    for (const r of [open, msg, info, hist]) t.handler.receive("shell", r);
    await t.handler.settled();
    expect(t.kinds(open)).toEqual(["iopub comm_close"]);
    expect(t.content("comm_close")).toEqual({ comm_id: "c1", data: {} });
    expect(t.kinds(msg)).toEqual([]);
    expect(t.content("comm_info_reply")).toEqual({ status: "ok", comms: {} });
    expect(t.content("history_reply")).toEqual({ status: "ok", history: [] });
  });

  it("answers an unknown request with a NotImplemented error reply of the matching type, on its channel", async () => {
    const t = setup();
    const shell = request("frobnicate_request");
    const control = request("debug_request");
    t.handler.receive("shell", shell);
    t.handler.receive("control", control);
    await t.handler.settled();
    expect(t.kinds(shell)).toEqual(["iopub status:busy", "shell frobnicate_reply", "iopub status:idle"]);
    expect(t.content("frobnicate_reply")).toEqual({ status: "error", ename: "NotImplemented", evalue: "packetwalk does not handle frobnicate_request", traceback: [] });
    expect(t.kinds(control)).toEqual(["control debug_reply"]);
    expect(t.content("debug_reply")).toMatchObject({ status: "error", ename: "NotImplemented" });
  });

  it("ignores what arrives on stdin (nothing asks for input yet)", () => {
    const t = setup();
    t.handler.receive("stdin", request("input_reply", { value: "x" }));
    expect(t.out).toEqual([]);
  });

  it("routes the cell's output, displays and display updates to iopub with the cell's request as parent", async () => {
    const t = setup(
      new StubEngine({
        show: (target) => {
          target.display({ data: { "text/plain": "0 snapshots", "text/html": "<b>0</b>" }, metadata: { packetwalk: { what: "flow -l" } } }, { displayId: "d1" });
          target.display({ data: { "text/plain": "3 snapshots" }, metadata: {} }, { displayId: "d1", update: true });
          target.display({ data: { "text/plain": "plain" }, metadata: {} }, {});
          return { status: "ok" };
        },
      }),
    );
    expect(t.handler.output("stdout", "before any cell")).toBe(false);
    const req = request("execute_request", { code: "show" });
    t.handler.receive("shell", req);
    await t.handler.settled();
    expect(t.kinds(req)).toEqual(["iopub status:busy", "iopub execute_input", "iopub display_data", "iopub update_display_data", "iopub display_data", "shell execute_reply", "iopub status:idle"]);
    const displays = t.out.filter((o) => /display_data$/.test(o.message.header.msg_type)).map((o) => o.message.content);
    expect(displays[0]).toEqual({ data: { "text/plain": "0 snapshots", "text/html": "<b>0</b>" }, metadata: { packetwalk: { what: "flow -l" } }, transient: { display_id: "d1" } });
    expect(displays[1]).toEqual({ data: { "text/plain": "3 snapshots" }, metadata: {}, transient: { display_id: "d1" } });
    expect(displays[2]).toEqual({ data: { "text/plain": "plain" }, metadata: {}, transient: {} });
    // Output written after the cell ended (background work) still goes to the last cell.
    expect(t.handler.output("stderr", "late\n")).toBe(true);
    t.engine.target.stream("stdout", "later still\n");
    t.handler.uncaught("rejection", new Error("boom"));
    const late = t.out.slice(-3).map((o) => [o.message.parent_header.msg_id, o.message.content]);
    expect(late[0]).toEqual([req.header.msg_id, { name: "stderr", text: "late\n" }]);
    expect(late[1]).toEqual([req.header.msg_id, { name: "stdout", text: "later still\n" }]);
    expect(late[2][0]).toBe(req.header.msg_id);
    expect((late[2][1] as { text: string }).text).toMatch(/^unhandled promise rejection: Error: boom\n/);
  });

  it("shuts down on control while a cell runs: replies, interrupts, runs nothing queued, then resolves done", async () => {
    const engine = new StubEngine({ busy: (_t, e) => e.untilInterrupted() });
    const t = setup(engine);
    const cell = request("execute_request", { code: "busy" });
    const queued = request("execute_request", { code: "queued" });
    t.handler.receive("shell", cell);
    t.handler.receive("shell", queued);
    await new Promise((r) => setTimeout(r, 10));
    const stop = request("shutdown_request", { restart: true });
    t.handler.receive("control", stop);
    expect(t.kinds(stop)).toEqual(["control shutdown_reply"]);
    expect(t.content("shutdown_reply")).toEqual({ status: "ok", restart: true });
    expect(engine.interrupts).toBe(1);
    await expect(t.handler.done).resolves.toEqual({ restart: true });
    expect(t.content("execute_reply", cell)).toMatchObject({ status: "error" });
    // The interrupted cell failed (stop_on_error defaults to true): the queued one is aborted, not run.
    expect(t.content("execute_reply", queued)).toEqual({ status: "aborted", execution_count: null });
    expect(engine.ran).toEqual(["busy"]);
    // Shell requests after the shutdown are not run.
    t.handler.receive("shell", request("execute_request", { code: "after" }));
    await t.handler.settled();
    expect(engine.ran).toEqual(["busy"]);
  });

  it("after a shutdown, a queued cell is neither run nor answered even when nothing aborts it", async () => {
    const engine = new StubEngine({ busy: (_t, e) => e.untilInterrupted() });
    const t = setup(engine);
    const queued = request("execute_request", { code: "queued", stop_on_error: false });
    t.handler.receive("shell", request("execute_request", { code: "busy", stop_on_error: false }));
    t.handler.receive("shell", queued);
    await new Promise((r) => setTimeout(r, 10));
    t.handler.receive("control", request("shutdown_request"));
    await t.handler.done;
    expect(t.kinds(queued)).toEqual([]);
    expect(engine.ran).toEqual(["busy"]);
  });

  it("shuts down on shell at once (not queued behind cells), replying on shell", async () => {
    const t = setup();
    const stop = request("shutdown_request", { restart: false });
    t.handler.receive("shell", stop);
    expect(t.kinds(stop)).toEqual(["shell shutdown_reply"]);
    await expect(t.handler.done).resolves.toEqual({ restart: false });
  });

  it("logs a request whose handling threw and keeps serving", async () => {
    const engine = new StubEngine();
    engine.complete = () => {
      throw new Error("completion broke");
    };
    const t = setup(engine);
    t.handler.receive("shell", request("complete_request", { code: "x", cursor_pos: 1 }));
    const next = request("execute_request", { code: "1" });
    t.handler.receive("shell", next);
    await t.handler.settled();
    expect(t.logs.join("\n")).toMatch(/error handling complete_request: Error: completion broke/);
    expect(t.content("execute_reply", next)).toMatchObject({ status: "ok" });
  });

  it("asks for input over stdin when the request allows it; the input_reply resolves input()", async () => {
    let answer: Promise<string> | null = null;
    const t = setup(
      new StubEngine({
        ask: async (target) => {
          answer = target.input!("name? ", false);
          return { status: "ok", result: { data: { "text/plain": await answer }, metadata: {} } };
        },
      }),
    );
    const req = request("execute_request", { code: "ask", allow_stdin: true });
    t.handler.receive("shell", req);
    await new Promise((r) => setTimeout(r, 10));
    const ir = t.find("input_request", req)!;
    expect(ir.channel).toBe("stdin");
    expect(ir.message.content).toEqual({ prompt: "name? ", password: false });
    expect(ir.message.identities).toEqual([Buffer.from("client-1")]);
    t.handler.receive("stdin", newMessage("input_reply", { value: "ann" }, ir.message));
    await t.handler.settled();
    expect(t.content("execute_result", req)).toMatchObject({ data: { "text/plain": "ann" } });
  });

  it("refuses input() with a clear error when the request does not allow stdin", async () => {
    const t = setup(
      new StubEngine({
        ask: async (target) => {
          try {
            await target.input!("name? ", true);
            return { status: "ok" };
          } catch (e) {
            return fail((e as Error).message);
          }
        },
      }),
    );
    const req = request("execute_request", { code: "ask", allow_stdin: false });
    t.handler.receive("shell", req);
    await t.handler.settled();
    expect(t.find("input_request")).toBeUndefined();
    expect(String(t.content("error", req).evalue)).toMatch(/allow_stdin/);
  });

  it("publishes clear_output for the running cell, with wait", async () => {
    const t = setup(new StubEngine({ clear: (target) => (target.clear!(true), { status: "ok" }) }));
    const req = request("execute_request", { code: "clear" });
    t.handler.receive("shell", req);
    await t.handler.settled();
    expect(t.kinds(req)).toEqual(["iopub status:busy", "iopub execute_input", "iopub clear_output", "shell execute_reply", "iopub status:idle"]);
    expect(t.content("clear_output", req)).toEqual({ wait: true });
  });

  it("keeps executed cells in the history store and answers history_request from it", async () => {
    const history = new HistoryStore(null);
    const engine = new StubEngine();
    const out: Outgoing[] = [];
    const handler = new KernelHandler(engine, { send: (o) => out.push(o), history });
    handler.receive("shell", request("execute_request", { code: "a" }));
    handler.receive("shell", request("execute_request", { code: "b", store_history: false }));
    handler.receive("shell", request("execute_request", { code: "c" }));
    const h = request("history_request", { hist_access_type: "tail", n: 5, output: true, raw: true });
    handler.receive("shell", h);
    await handler.settled();
    const reply = out.find((o) => o.message.header.msg_type === "history_reply")!;
    expect(reply.message.content).toEqual({ status: "ok", history: [[history.session, 1, ["a", "value of a"]], [history.session, 2, ["c", "value of c"]]] });
  });

  it("has sent busy and execute_input before the engine runs the cell", async () => {
    let seenWhenRun: string[] = [];
    const out: Outgoing[] = [];
    const engine = new StubEngine({ probe: () => ((seenWhenRun = out.map((o) => o.message.header.msg_type)), { status: "ok" }) });
    const handler = new KernelHandler(engine, { send: (o) => out.push(o) });
    handler.receive("shell", request("execute_request", { code: "probe" }));
    await handler.settled();
    expect(seenWhenRun).toEqual(["status", "execute_input"]);
  });
});
