/**
 * A runner that records: every command run through it goes to the investigation's evidence log with
 * its node, command line, times, exit status and output, whether it succeeded, failed or was cut
 * short, while the caller gets exactly what the wrapped runner gave.
 */
import { RemoteError } from "../remote/errors";
import type { Inventory } from "../remote/inventory";
import { commandLine, type CommandResult, type CommandRunner, type RemoteCommand, type RunOptions } from "../remote/runner";
import type { InvestigationWriter } from "./writer";

/** Streamed output kept per command when the caller does not collect it (a poll loop's is recorded as snapshots). */
const STREAM_KEEP = 1 << 20;

/**
 * Wraps a runner so every command is recorded into `writer`. Other members of the wrapped runner
 * (`inventory`, `drop`, `close` …) stay reachable through {@link RecordingRunner.inner}.
 *
 * @example
 * const runner = new RecordingRunner(new SshRunner(inventory), inv, { viaOf: (n) => nodeVia(inventory, n) });
 * await runner.run("cent222", ["flow", "-l"]); // recorded
 */
export class RecordingRunner implements CommandRunner {
  readonly inner: CommandRunner;
  readonly writer: InvestigationWriter;
  private readonly viaOf: (node: string) => string | undefined;

  constructor(inner: CommandRunner, writer: InvestigationWriter, opts: { viaOf?: (node: string) => string | undefined } = {}) {
    this.inner = inner;
    this.writer = writer;
    this.viaOf = opts.viaOf ?? (() => undefined);
  }

  /** The wrapped runner's inventory, when it has one (the poller reads it). */
  get inventory(): Inventory | undefined {
    return (this.inner as { inventory?: Inventory }).inventory;
  }

  /** Drops a node's connection on the wrapped runner, when it can. */
  drop(node: string): void {
    (this.inner as { drop?: (n: string) => void }).drop?.(node);
  }

  /**
   * Runs the command on the wrapped runner and records it.
   *
   * @example
   * const r = await recording.run("gateway", { script: "show route 101.101.101.1/32 exact" });
   */
  async run(node: string, command: RemoteCommand, opts: RunOptions = {}): Promise<CommandResult> {
    const line = commandLine(command);
    const startedAt = new Date();
    // Output the caller streams but does not collect is kept here (bounded) for the record.
    const collect = opts.collect ?? true;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    let cut = false;
    const keep = (list: Buffer[], d: Buffer, size: number): number => {
      if (size >= STREAM_KEEP) {
        cut = true;
        return size;
      }
      const part = d.length + size > STREAM_KEEP ? d.subarray(0, STREAM_KEEP - size) : d;
      if (part.length < d.length) cut = true;
      list.push(Buffer.from(part));
      return size + part.length;
    };
    const wrapped: RunOptions = collect
      ? opts
      : {
          ...opts,
          onStdout: (d) => {
            outBytes = keep(out, d, outBytes);
            opts.onStdout?.(d);
          },
          onStderr: (d) => {
            errBytes = keep(err, d, errBytes);
            opts.onStderr?.(d);
          },
        };
    const via = this.viaOf(node);
    try {
      const r = await this.inner.run(node, command, wrapped);
      this.writer.append({
        kind: "command",
        node,
        command: line,
        ...(via ? { via } : {}),
        startedAt: new Date(r.startedAt).toISOString(),
        endedAt: new Date(r.startedAt + r.durationMs).toISOString(),
        exitCode: r.exitCode,
        signal: r.signal,
        stdout: this.writer.blob(collect ? r.stdout : Buffer.concat(out), !collect && cut),
        stderr: this.writer.blob(collect ? r.stderr : Buffer.concat(err), !collect && cut),
      });
      return r;
    } catch (e) {
      this.writer.append({
        kind: "command",
        node,
        command: line,
        ...(via ? { via } : {}),
        startedAt: startedAt.toISOString(),
        endedAt: new Date().toISOString(),
        exitCode: null,
        signal: null,
        stdout: this.writer.blob(Buffer.concat(out), cut),
        stderr: this.writer.blob(Buffer.concat(err), cut),
        error: { stage: e instanceof RemoteError ? e.stage : "error", message: e instanceof RemoteError ? e.detail : (e as Error)?.message ?? String(e) },
      });
      throw e;
    }
  }
}
