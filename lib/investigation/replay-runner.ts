/**
 * A runner that answers from an investigation: the same command on the same node gets the recorded
 * output, in recorded order (the last answer repeats once a command's recordings are used up, as a
 * state query would). A command that was not recorded is an error naming the node, the command and the
 * closest recorded ones; a recorded failure fails again the same way. Nothing is invented.
 */
import { RemoteError, type RemoteStage } from "../remote/errors";
import { commandLine, type CommandResult, type CommandRunner, type RemoteCommand, type RunOptions } from "../remote/runner";
import type { CommandRecord } from "./layout";
import type { Investigation } from "./reader";

const STAGES: readonly RemoteStage[] = ["inventory", "connect", "auth", "hostkey", "exec", "timeout", "abort", "parse", "replay"];

/**
 * Replays recorded commands.
 *
 * @example
 * const runner = new ReplayRunner(openInvestigation("out/investigation"));
 * (await runner.run("cent222", ["flow", "-l"])).stdout; // as recorded
 */
export class ReplayRunner implements CommandRunner {
  readonly investigation: Investigation;
  /** How many answers were given, how many repeated a used-up recording, how many went to the live fallback. */
  readonly stats = { answered: 0, repeated: 0, live: 0 };
  private readonly queues = new Map<string, { records: CommandRecord[]; next: number }>();
  private readonly fallback: CommandRunner | undefined;

  /**
   * `fallback`: a live runner for commands the recording does not hold (the walk that made the recording
   * is still running, so a notebook may ask one more thing); without it such a command is an error.
   */
  constructor(investigation: Investigation, opts: { fallback?: CommandRunner } = {}) {
    this.investigation = investigation;
    this.fallback = opts.fallback;
    for (const r of investigation.records) {
      if (r.kind !== "command") continue;
      const key = keyOf(r.node, r.command);
      let q = this.queues.get(key);
      if (!q) this.queues.set(key, (q = { records: [], next: 0 }));
      q.records.push(r);
    }
  }

  /**
   * The recorded answer to `command` on `node`.
   *
   * @example
   * await replay.run("gateway", { script: "show route 101.101.101.1/32 exact" });
   */
  async run(node: string, command: RemoteCommand, opts: RunOptions = {}): Promise<CommandResult> {
    const line = commandLine(command);
    if (opts.signal?.aborted) throw new RemoteError("abort", "aborted", { node, command: line });
    const q = this.queues.get(keyOf(node, line));
    if (!q && this.fallback) {
      this.stats.live++;
      return this.fallback.run(node, command, opts);
    }
    if (!q) throw new RemoteError("replay", `not in the recording ${this.investigation.manifest.id}${this.closest(node, line)}`, { node, command: line });
    const rec = q.records[Math.min(q.next, q.records.length - 1)]!;
    if (q.next >= q.records.length) this.stats.repeated++;
    q.next++;
    this.stats.answered++;
    const stdoutBytes = this.investigation.bytes(rec.stdout);
    const stderrBytes = this.investigation.bytes(rec.stderr);
    if (stdoutBytes === null || stderrBytes === null) {
      throw new RemoteError("replay", `the recorded output (record ${rec.seq}) is missing or altered in ${this.investigation.source}`, { node, command: line });
    }
    if (stdoutBytes.length) opts.onStdout?.(stdoutBytes);
    if (stderrBytes.length) opts.onStderr?.(stderrBytes);
    if (rec.error) {
      const stage = (STAGES as readonly string[]).includes(rec.error.stage) ? (rec.error.stage as RemoteStage) : "exec";
      throw new RemoteError(stage, `${rec.error.message} (as recorded)`, { node, command: line });
    }
    const startedAt = Date.parse(rec.startedAt);
    const collect = opts.collect ?? true;
    const result: CommandResult = {
      node,
      command: line,
      stdout: collect ? stdoutBytes.toString("utf8") : "",
      stderr: collect ? stderrBytes.toString("utf8") : "",
      exitCode: rec.exitCode,
      signal: rec.signal,
      startedAt,
      durationMs: Math.max(0, Date.parse(rec.endedAt) - startedAt),
    };
    if (opts.check && result.exitCode !== 0) {
      const tail = result.stderr.trim().split("\n").pop() ?? "";
      throw new RemoteError("exec", `exit ${result.exitCode ?? `signal ${result.signal}`}${tail ? `: ${tail}` : ""}`, { node, command: line, exitCode: result.exitCode });
    }
    return result;
  }

  // "; closest recorded on cent222: `flow -l`, `nh --get 61`" (by shared words), or the recorded nodes.
  private closest(node: string, line: string): string {
    const words = new Set(line.split(/\s+/));
    const onNode = [...this.queues.values()].map((q) => q.records[0]!).filter((r) => r.node === node);
    if (onNode.length === 0) {
      const nodes = [...new Set([...this.queues.values()].map((q) => q.records[0]!.node))];
      return nodes.length ? `; nothing was recorded on ${node} (recorded nodes: ${nodes.join(", ")})` : "; the recording holds no commands";
    }
    const scored = onNode
      .map((r) => ({ r, score: r.command.split(/\s+/).filter((w) => words.has(w)).length / Math.max(words.size, r.command.split(/\s+/).length) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, 3);
    return `; closest recorded on ${node}: ${scored.map((s) => `\`${s.r.command.length > 120 ? `${s.r.command.slice(0, 117)}…` : s.r.command}\``).join(", ")}`;
  }
}

function keyOf(node: string, command: string): string {
  return `${node}\u0000${command}`;
}
