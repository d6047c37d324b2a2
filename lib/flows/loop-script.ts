/**
 * The remote shell loop of the streaming poller, and the reader of what it prints.
 *
 * One exec channel per node runs a POSIX `sh` loop that prints, every interval,
 *
 * ```
 * (empty line)
 * @@PW-SNAP <nonce> <seq> <start epoch-ns or ->
 * …the output of `flow -l` / `flow --match …`…
 * (empty line)
 * @@PW-END <nonce> <seq> <exit code> <end epoch-ns or ->
 * ```
 *
 * The markers start a line (the loop prints a newline first), begin with `@@PW-`, which no vRouter
 * utility prints, and carry a random per-run nonce, so flow output can never close a frame early.
 *
 * Both times are taken on the node (bash's `$EPOCHREALTIME`, else `date +%s%N`; `-` where `date` has
 * no `%N`): the start just before the command runs, the end just after it exits. **A snapshot's time
 * is the end stamp** ({@link SnapshotFrame.atNs}): the moment the table read had completed, so every
 * entry in the snapshot existed at that time or before, which is how a timeline reads ("at 12:00:00.350
 * the table held …"). A `flow -l` on a busy node takes 100–200 ms, so the start stamp alone would put
 * the snapshot that much too early; it is kept as {@link SnapshotFrame.startNs} (the read window).
 *
 * The loop sleeps until the next slot of a fixed schedule, so the command's own duration does not
 * stretch the cadence; when a poll overruns its slot the schedule restarts from now instead of
 * bursting to catch up.
 */
import { randomBytes } from "node:crypto";
import { StringDecoder } from "node:string_decoder";
import { shellCommand } from "../remote/quote";

export const SNAP_MARK = "@@PW-SNAP";
export const END_MARK = "@@PW-END";

/** One delimited snapshot as printed by the loop. */
export interface SnapshotFrame {
  /** The loop's counter (restarts at 0 with every new loop). */
  seq: number;
  /**
   * The snapshot's time: node time in epoch nanoseconds just AFTER the command exited (the table read
   * had completed), `null` when the node's `date` has no `%N` (or the END marker carried no stamp).
   */
  atNs: bigint | null;
  /** Node time just BEFORE the command started (`null` as for `atNs`); `atNs - startNs` is the read's duration. */
  startNs: bigint | null;
  /** The command's stdout between the markers. */
  text: string;
  /** The command's exit code (`null` if the END marker was unreadable). */
  exitCode: number | null;
}

/**
 * A fresh nonce for the markers (16 hex digits).
 *
 * @example
 * newNonce() // "9f1c0a4e5b7d2c31"
 */
export function newNonce(): string {
  return randomBytes(8).toString("hex");
}

/** Options of {@link flowLoopScript}. */
export interface FlowLoopOptions {
  /** The command line run at each tick (already quoted, e.g. from `vrouterCommand`). */
  command: string;
  intervalMs: number;
  nonce: string;
  /** Stop after this many snapshots (default: run until the channel closes). */
  count?: number;
}

/**
 * The POSIX sh loop that prints one frame per interval, stamped before and after the command (see the
 * module comment: the END stamp is the snapshot's time). Per snapshot it forks only the command and
 * `sleep` under bash 5 (two `date` more under other shells: the end stamp also times the schedule).
 *
 * @example
 * const script = flowLoopScript({ command: "flow --match 15.15.15.2:51000", intervalMs: 200, nonce: newNonce() });
 * await runner.run("cent222", { script: loopShellCommand(script) }, { onStdout });
 */
export function flowLoopScript({ command, intervalMs, nonce, count }: FlowLoopOptions): string {
  if (!/^[0-9a-f]+$/.test(nonce)) throw new TypeError(`flowLoopScript: nonce must be hex: ${nonce}`);
  const ivNs = Math.max(1, Math.round(intervalMs * 1e6));
  const ivSec = (ivNs / 1e9).toFixed(3);
  const stop = count !== undefined ? `  [ "$n" -ge ${Math.max(1, Math.floor(count))} ] && break\n` : "";
  // Time without forking where the shell allows it (bash 5: $EPOCHREALTIME), else `date +%s%N`,
  // else no node stamp. `now` sets T instead of printing, so calling it never forks a subshell.
  return (
    `n=0; iv=${ivNs}\n` +
    `if [ -n "\${EPOCHREALTIME:-}" ]; then rt=1; ns=1; else rt=0; case $(date +%s%N 2>/dev/null) in ''|*[!0-9]*) ns=0 ;; *) ns=1 ;; esac; fi\n` +
    `now() { if [ "$rt" = 1 ]; then eval 'T=\${EPOCHREALTIME/[.,]/}000'; elif [ "$ns" = 1 ]; then T=$(date +%s%N); else T=-; fi; }\n` +
    `now; next=$T\n` +
    `while :; do\n` +
    // Started through killOnCloseCommand: stop when its wrapper is gone (a server killed it, not us).
    `  [ -z "\${PW_WATCH_PID:-}" ] || kill -0 "$PW_WATCH_PID" 2>/dev/null || exit 0\n` +
    `  now\n` +
    `  printf '\\n${SNAP_MARK} %s %s %s\\n' ${nonce} "$n" "$T" || exit 0\n` +
    `  ${command}\n` +
    // The exit code first (now changes $?), then the end stamp: the snapshot's time.
    `  rc=$?; now\n` +
    `  printf '\\n${END_MARK} %s %s %s %s\\n' ${nonce} "$n" "$rc" "$T" || exit 0\n` +
    `  n=$((n+1))\n` +
    stop +
    // The end stamp also times the schedule (no second clock read per snapshot).
    `  if [ "$ns" = 1 ]; then\n` +
    `    next=$((next+iv)); d=$((next-T))\n` +
    // Zero-pad the nanoseconds without a $(…) subshell: 1000000000 + x, minus its leading 1.
    `    if [ "$d" -le 0 ]; then next=$T; else f=$((d%1000000000+1000000000)); sleep "$((d/1000000000)).\${f#1}"; fi\n` +
    `  else sleep ${ivSec}; fi\n` +
    `done\n`
  );
}

/**
 * The command line that runs a loop script with bash where the node has it (no `date` fork per
 * snapshot, see {@link flowLoopScript}), else with sh.
 *
 * @example
 * runner.run(node, { script: loopShellCommand(flowLoopScript({ command: "flow -l", intervalMs: 200, nonce })) })
 */
export function loopShellCommand(script: string): string {
  return shellCommand(["sh", "-c", 'if command -v bash >/dev/null 2>&1; then exec bash -c "$1"; else exec sh -c "$1"; fi', "packetwalk", script]);
}

/**
 * Incremental reader of the loop's stdout: push chunks, get the frames completed so far.
 * Text outside frames (a banner, a motd) is ignored; `\r\n` (a TTY wrapper) is accepted.
 *
 * @example
 * const reader = new SnapshotFrameReader(nonce);
 * channel.on("data", (d) => reader.push(d).forEach(onFrame));
 */
export class SnapshotFrameReader {
  private readonly nonce: string;
  private readonly decoder = new StringDecoder("utf8");
  private carry = "";
  private open: { seq: number; startNs: bigint | null; lines: string[] } | null = null;

  constructor(nonce: string) {
    this.nonce = nonce;
  }

  /** Feeds a chunk; returns the frames it completed. */
  push(chunk: Buffer | string): SnapshotFrame[] {
    const text = this.carry + (typeof chunk === "string" ? chunk : this.decoder.write(chunk));
    const lines = text.split("\n");
    this.carry = lines.pop() ?? "";
    const out: SnapshotFrame[] = [];
    for (const raw of lines) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      if (line.startsWith("@@PW-")) {
        const f = line.split(" ");
        if (f[0] === SNAP_MARK && f[1] === this.nonce && f.length === 4 && /^\d+$/.test(f[2]!)) {
          this.open = { seq: Number(f[2]), startNs: stamp(f[3]), lines: [] };
          continue;
        }
        if (f[0] === END_MARK && f[1] === this.nonce && this.open && f[2] === String(this.open.seq)) {
          const body = this.open.lines;
          if (body.length > 0 && body[body.length - 1] === "") body.pop(); // the newline the END marker put first
          // The snapshot's time is the END stamp (taken after the command); never the start stamp.
          out.push({ seq: this.open.seq, atNs: stamp(f[4]), startNs: this.open.startNs, text: body.length ? `${body.join("\n")}\n` : "", exitCode: /^\d+$/.test(f[3] ?? "") ? Number(f[3]) : null });
          this.open = null;
          continue;
        }
      }
      this.open?.lines.push(line);
    }
    return out;
  }
}

function stamp(field: string | undefined): bigint | null {
  return field !== undefined && /^\d+$/.test(field) ? BigInt(field) : null;
}

/**
 * All complete frames in a whole transcript of the loop's output. Pure, never throws.
 *
 * @example
 * parseSnapshotFrames(stdout, nonce).map((f) => f.seq) // [0, 1, 2]
 */
export function parseSnapshotFrames(text: string, nonce: string): SnapshotFrame[] {
  return new SnapshotFrameReader(nonce).push(text.endsWith("\n") ? text : `${text}\n`);
}
