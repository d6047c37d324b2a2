/**
 * Typed errors of the remote layer. Every failure names the stage that failed, the inventory node and
 * the command (when there was one), so a notebook cell can show "where" before "why".
 */

/**
 * Which step of reaching a node failed:
 * - `inventory`: the inventory or the SSH config is invalid or names an unknown node;
 * - `connect`: TCP connect, jump-host forwarding or the SSH handshake failed;
 * - `auth`: no authentication method was accepted (or a key could not be read/decrypted);
 * - `hostkey`: the server's host key is unknown or changed;
 * - `exec`: the exec channel could not be opened, broke, or the command failed when `check` was asked;
 * - `timeout`: a wait ran out of time;
 * - `abort`: the caller's `AbortSignal` fired;
 * - `parse`: the output of a remote command could not be understood;
 * - `replay`: a replayed investigation holds no (intact) recording of the command.
 */
export type RemoteStage = "inventory" | "connect" | "auth" | "hostkey" | "exec" | "timeout" | "abort" | "parse" | "replay";

/** Extra details a {@link RemoteError} may carry. */
export interface RemoteErrorDetails {
  /** The inventory node name (`cent222`); `""` when no node is involved. */
  node?: string;
  /** The remote command line as sent (after quoting), when there was one. */
  command?: string;
  /** The fingerprint the server offered (`SHA256:...`), for `hostkey` errors. */
  fingerprint?: string;
  /** The command's exit code, for `exec` errors raised by `check`. */
  exitCode?: number | null;
  cause?: unknown;
}

/**
 * An error on the way to, or on, a remote node.
 *
 * @example
 * try { await runner.run("cent222", ["flow", "-l"]); }
 * catch (e) { if (e instanceof RemoteError && e.stage === "hostkey") console.log(e.fingerprint); }
 */
export class RemoteError extends Error {
  readonly stage: RemoteStage;
  readonly node: string;
  readonly command: string | undefined;
  readonly fingerprint: string | undefined;
  readonly exitCode: number | null | undefined;
  /** The message without the stage/node/command decoration. */
  readonly detail: string;

  constructor(stage: RemoteStage, message: string, details: RemoteErrorDetails = {}) {
    const where = details.node ? ` on ${details.node}` : "";
    const what = details.command !== undefined ? ` (command: ${truncate(details.command, 200)})` : "";
    super(`${stage} failed${where}: ${message}${what}`, details.cause !== undefined ? { cause: details.cause } : undefined);
    this.name = "RemoteError";
    this.stage = stage;
    this.node = details.node ?? "";
    this.command = details.command;
    this.fingerprint = details.fingerprint;
    this.exitCode = details.exitCode;
    this.detail = message;
  }

  /**
   * The same error with the node and/or command filled in where they were missing.
   *
   * @example
   * err.withContext({ command: "flow -l" }).command // "flow -l"
   */
  withContext(ctx: { node?: string; command?: string }): RemoteError {
    const details: RemoteErrorDetails = { cause: this };
    const node = this.node || ctx.node;
    const command = this.command ?? ctx.command;
    if (node) details.node = node;
    if (command !== undefined) details.command = command;
    if (this.fingerprint !== undefined) details.fingerprint = this.fingerprint;
    if (this.exitCode !== undefined) details.exitCode = this.exitCode;
    return new RemoteError(this.stage, this.detail, details);
  }
}

/**
 * True when `e` is a {@link RemoteError}, optionally of one of the given stages.
 *
 * @example
 * if (isRemoteError(err, "timeout", "abort")) retryLater();
 */
export function isRemoteError(e: unknown, ...stages: RemoteStage[]): e is RemoteError {
  return e instanceof RemoteError && (stages.length === 0 || stages.includes(e.stage));
}

/**
 * The error's message, whatever was thrown.
 *
 * @example
 * errorMessage(new Error("boom")) // "boom"
 */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
