/**
 * The evidence source of a compute node: the one seam where the walk asks a vRouter table (`vif`, `nh`,
 * `rt`, `mpls`) and polls flows, whichever door the inventory names. `evidence: "ssh"` (the default)
 * runs the utility over SSH and parses its text; `evidence: "introspect"` fetches the agent's kstate
 * introspect (lib/introspect) and reads its XML into the same rows. Either way the stage checks get a
 * {@link StepResult} (for the evidence's node, command and error) and typed rows.
 *
 * Introspect fetches are recorded into the investigation as `command` records (`introspect GET /Snh_…`,
 * via `introspect`) and answered from it on replay, like the SSH commands.
 */
import { FlowPoller } from "../flows/poller";
import type { FlowSnapshotSource } from "../flows/snapshot";
import { fetchIntrospect, IntrospectError, introspectEndpoint, introspectGetter, type IntrospectGet, type IntrospectPage, type IntrospectStage } from "../introspect/fetch";
import { parseIntrospectMpls, parseIntrospectNh, parseIntrospectRt, parseIntrospectVif, type IntrospectParseResult } from "../introspect/kstate";
import { kstateCommand, kstatePath, type KstateQuery } from "../introspect/paths";
import { IntrospectFlowPoller } from "../introspect/poller";
import { isRemoteError } from "../remote/errors";
import type { EvidenceSource } from "../remote/inventory";
import { parseMpls, parseNh, parseRt, parseVif, subNhList } from "../vrouter";
import type { MplsRow, NhRow, RtRow, VifRow } from "../vrouter/types";
import { nodeByName, once, type WalkContext } from "./context";
import { step, type StepResult } from "./exec";

/** A table query of the walk (flows are polled, see {@link flowSource}). */
export type TableQuery = Exclude<KstateQuery, { tool: "flow" }>;

/** The row type of a query. */
export type RowOf<Q extends TableQuery> = Q extends { tool: "vif" } ? VifRow : Q extends { tool: "nh" } ? NhRow : Q extends { tool: "rt" } ? RtRow : MplsRow;

/** A table read from either door: the step (provenance and error) and its rows. */
export interface TableAnswer<R> {
  step: StepResult;
  rows: R[];
}

/**
 * Where the walk reads `node`'s vRouter tables: the inventory's `evidence`, `ssh` when unset.
 *
 * @example
 * evidenceSourceOf(ctx, "cent333"); // "introspect"
 */
export function evidenceSourceOf(ctx: WalkContext, node: string): EvidenceSource {
  return nodeByName(ctx, node)?.evidence ?? "ssh";
}

/**
 * Reads one vRouter table on `node` through its evidence source (memoised per walk). Never throws.
 *
 * @example
 * const { step, rows } = await readTable(ctx, "cent222", { tool: "rt", vrf: 2, prefix: "10.99.225.17", plen: 32 });
 * evidenceOf("route to the service", step, rows);
 */
export async function readTable<Q extends TableQuery>(ctx: WalkContext, node: string, q: Q): Promise<TableAnswer<RowOf<Q>>> {
  if (evidenceSourceOf(ctx, node) === "introspect") return (await introspectTable(ctx, node, q)) as TableAnswer<RowOf<Q>>;
  const r = await step(ctx, node, argvOf(q), { vrouter: true });
  return { step: r, rows: (r.ok ? cliParser(q)(r.stdout).rows : []) as RowOf<Q>[] };
}

function argvOf(q: TableQuery): string[] {
  return kstateCommand(q).split(" ");
}

function cliParser(q: TableQuery): (text: string) => { rows: object[] } {
  return q.tool === "vif" ? parseVif : q.tool === "nh" ? parseNh : q.tool === "rt" ? parseRt : parseMpls;
}

function introspectParser(q: TableQuery): (xml: string) => IntrospectParseResult<object> {
  if (q.tool === "rt") {
    const match = q.prefix !== undefined ? `${q.prefix}/${q.plen ?? 32}` : undefined;
    return (xml) => parseIntrospectRt(xml, match !== undefined ? { match } : {});
  }
  return q.tool === "vif" ? parseIntrospectVif : q.tool === "nh" ? parseIntrospectNh : parseIntrospectMpls;
}

function introspectTable(ctx: WalkContext, node: string, q: TableQuery): Promise<TableAnswer<object>> {
  const first = kstatePath(q);
  return once(ctx, `introspect|${node}|${first}`, async () => {
    const at = Date.now();
    const command = `${kstateCommand(q)} (introspect ${first})`;
    const base = { node, command, stdout: "", stderr: "", exitCode: null, at };
    const dead = ctx.dead.get(node);
    if (dead) return { step: { ...base, ok: false, error: dead, unreachable: true }, rows: [] };
    if (ctx.signal.aborted) return { step: { ...base, ok: false, error: "interrupted", unreachable: false }, rows: [] };
    let get: IntrospectGet;
    try {
      get = introspectGet(ctx, node);
    } catch (e) {
      const msg = (e as Error)?.message ?? String(e);
      return { step: { ...base, ok: false, error: msg, unreachable: true }, rows: [] };
    }
    const a = await fetchIntrospect(get, first, introspectParser(q), { timeoutMs: ctx.commandTimeoutMs, signal: ctx.signal, node });
    const stdout = a.pages.map((p) => p.body).join("\n");
    if (a.error) {
      const unreachable = a.error.stage === "connect" || a.error.stage === "tls" || a.error.stage === "config";
      const error = unreachable ? `${node} unreachable: introspect ${a.error.url}: ${a.error.detail}` : a.error.message;
      if (unreachable) ctx.dead.set(node, error);
      return { step: { ...base, stdout, ok: false, error, unreachable }, rows: a.rows };
    }
    if (a.errors.length) {
      const e = a.errors[0]!;
      return { step: { ...base, stdout, ok: false, error: `${node}: unreadable introspect answer at line ${e.line}, column ${e.column}: ${e.message}`, unreachable: false }, rows: a.rows };
    }
    if (a.refused) return { step: { ...base, stdout, ok: false, error: `${node}: the agent refused ${first}: ${a.refused}`, unreachable: false }, rows: a.rows };
    // `nh --get` of a composite prints its components after it; the agent answers one id, so they are asked too.
    const comp = q.tool === "nh" && q.id !== undefined ? (a.rows as NhRow[]).find((r) => r.id === q.id && r.type === "Composite") : undefined;
    if (comp) {
      for (const s of subNhList(comp)) {
        if (s.nh < 0 || s.nh === comp.id) continue;
        const m = await introspectTable(ctx, node, { tool: "nh", id: s.nh });
        if (m.step.ok) a.rows.push(...m.rows);
      }
    }
    return { step: { ...base, stdout, exitCode: 0, ok: true, error: null, unreachable: false }, rows: a.rows };
  });
}

/**
 * How `node`'s flow table is read, as evidence provenance: `flow -l`, or the introspect request.
 *
 * @example
 * flowCommand(ctx, "cent333"); // "flow -l (introspect /Snh_KFlowReq?flow_idx=-1)"
 */
export function flowCommand(ctx: WalkContext, node: string | null): string {
  return node && evidenceSourceOf(ctx, node) === "introspect" ? `flow -l (introspect ${kstatePath({ tool: "flow" })})` : "flow -l";
}

/**
 * The command line an introspect fetch is recorded under (and replayed by).
 *
 * @example
 * introspectCommandLine("/Snh_KNHReq?nh_id=61"); // "introspect GET /Snh_KNHReq?nh_id=61"
 */
export function introspectCommandLine(path: string): string {
  return `introspect GET ${path}`;
}

/**
 * How the walk fetches `node`'s introspect: live (recorded into the investigation when the walk records),
 * or, over a recording, answered from it. Throws an `IntrospectError` (`config`) for an inventory entry
 * it cannot use.
 *
 * @example
 * const get = introspectGet(ctx, "cent333");
 * (await get("/Snh_KMplsReq?mpls_label=38")).body;
 */
export function introspectGet(ctx: WalkContext, node: string): IntrospectGet {
  if (ctx.replay) {
    return async (path, opts) => {
      const line = introspectCommandLine(path);
      const startedAt = Date.now();
      try {
        const r = await ctx.runner.run(node, { script: line }, { ...(opts?.signal ? { signal: opts.signal } : {}) });
        return { url: path, path, status: 200, body: r.stdout, startedAt, durationMs: r.durationMs };
      } catch (e) {
        const msg = isRemoteError(e) ? e.detail : (e as Error)?.message ?? String(e);
        const m = /^\[(connect|tls|timeout|abort|http|body|config)\] (.*)$/s.exec(msg);
        const stage: IntrospectStage = m ? (m[1] as IntrospectStage) : isRemoteError(e) && e.stage === "replay" ? "config" : "connect";
        throw new IntrospectError(stage, node, path, m ? m[2]! : msg);
      }
    };
  }
  const inv = nodeByName(ctx, node);
  if (!inv) throw new IntrospectError("config", node, "", `${node} is not in the inventory`);
  const live = introspectGetter(introspectEndpoint(ctx.inventory, inv));
  const rec = ctx.record;
  if (!rec) return live;
  return async (path, opts) => {
    const startedAt = new Date();
    try {
      const page: IntrospectPage = await live(path, opts);
      rec.append({
        kind: "command", node, command: introspectCommandLine(path), via: "introspect",
        startedAt: startedAt.toISOString(), endedAt: new Date(page.startedAt + page.durationMs).toISOString(),
        exitCode: 0, signal: null, stdout: rec.blob(page.body), stderr: rec.blob(""),
      });
      return page;
    } catch (e) {
      const ie = e instanceof IntrospectError ? e : new IntrospectError("connect", node, path, (e as Error)?.message ?? String(e));
      rec.append({
        kind: "command", node, command: introspectCommandLine(path), via: "introspect",
        startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), exitCode: null, signal: null,
        stdout: rec.blob(""), stderr: rec.blob(""),
        error: { stage: ["connect", "timeout", "abort"].includes(ie.stage) ? ie.stage : "exec", message: `[${ie.stage}] ${ie.detail}` },
      });
      throw ie;
    }
  };
}

/**
 * The flow snapshots of the traffic phase for `nodes`: the SSH `FlowPoller` for the nodes read over SSH,
 * an {@link IntrospectFlowPoller} for those read through the introspect (their snapshots keep the
 * agent's pages when recording). A node whose introspect entry is unusable is left out and named in
 * `problems`.
 *
 * @example
 * const { source } = flowSource(ctx, ["cent222", "cent333"], true);
 * await source.run({ signal, onSnapshot });
 */
export function flowSource(ctx: WalkContext, nodes: string[], keepText: boolean): { source: FlowSnapshotSource | null; problems: Record<string, string> } {
  const ssh = nodes.filter((n) => evidenceSourceOf(ctx, n) === "ssh");
  const problems: Record<string, string> = {};
  const intro: { node: string; get: IntrospectGet }[] = [];
  for (const n of nodes.filter((x) => evidenceSourceOf(ctx, x) === "introspect")) {
    try {
      // Polls are not recorded one fetch at a time: the snapshots are (with their pages).
      const inv = nodeByName(ctx, n)!;
      intro.push({ node: n, get: introspectGetter(introspectEndpoint(ctx.inventory, inv)) });
    } catch (e) {
      problems[n] = (e as Error)?.message ?? String(e);
    }
  }
  const sources: FlowSnapshotSource[] = [];
  if (ssh.length) sources.push(new FlowPoller({ runner: ctx.runner, nodes: ssh, intervalMs: ctx.pollIntervalMs, keepText }));
  if (intro.length) sources.push(new IntrospectFlowPoller({ nodes: intro, intervalMs: ctx.pollIntervalMs, timeoutMs: ctx.commandTimeoutMs, keepText }));
  if (sources.length === 0) return { source: null, problems };
  if (sources.length === 1) return { source: sources[0]!, problems };
  return { source: { run: (o) => Promise.all(sources.map((s) => s.run(o))).then(() => undefined) }, problems };
}
