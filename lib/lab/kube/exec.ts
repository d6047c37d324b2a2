/**
 * Pod exec on the lab's Kubernetes API: the Kubernetes remote-command protocol over an accepted
 * WebSocket (`v5.channel.k8s.io` and `v4.channel.k8s.io`). Each message starts with a channel byte:
 * 0 stdin (client → server), 1 stdout, 2 stderr, 3 the final `Status` (exit code), 4 terminal resize
 * (ignored: no tty), and with v5, 255 "close channel" (the client's end of stdin).
 *
 * The command runs as a real process (argv, no shell, as a container runtime execs it) in the
 * container's environment on its node, the same environment the node's SSH server gives `sh -c`: the
 * lab's vRouter utilities (thin clients of the tool socket, `toolserver.ts`) first on PATH. So
 * `flow -l` through `kubectl exec` and through `ssh node docker exec … flow -l` are one implementation
 * behind two doors. When the WebSocket closes before the command ends, its process group is stopped
 * (SIGHUP, then SIGKILL after 2 s).
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { WebSocketConnection } from "./websocket";
import { killProcessGroup } from "../listen";

/** The subprotocols the lab serves, preferred first. */
export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

/** Which container an exec runs in. */
export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
  /** The pod's node (`spec.nodeName`). */
  node: string;
}

/** The process side of one exec. */
export interface ExecProcessOptions {
  env: Record<string, string>;
  cwd: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

/**
 * The `Status` an exec ends with, as the kubelet sends it on channel 3: `Success`, or `Failure` with
 * reason `NonZeroExitCode` and the code in `details.causes[0]` (`reason: "ExitCode"`).
 *
 * @example
 * execStatus(["sh", "-c", "exit 3"], 3).details; // { causes: [{ reason: "ExitCode", message: "3" }] }
 * execStatus(["flow", "-l"], 0); // { metadata: {}, status: "Success" }
 */
export function execStatus(argv: string[], exitCode: number): Record<string, unknown> {
  if (exitCode === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {}, status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${argv.join(" ")}], exit code ${exitCode}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(exitCode) }] },
  };
}

/**
 * The `Status` of an exec whose command could not start (the runtime's "executable file not found").
 *
 * @example
 * execStartFailure("nope", "executable file not found in $PATH").reason; // "InternalError"
 */
export function execStartFailure(command: string, why: string): Record<string, unknown> {
  const message = `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${command}": ${why}: unknown`;
  return { metadata: {}, status: "Failure", message, reason: "InternalError", details: { causes: [{ message }] }, code: 500 };
}


/**
 * Runs one exec session on an accepted WebSocket: spawns `argv`, streams its output on channels 1 and
 * 2 (pausing the process's output while the socket is full), feeds channel 0 to its stdin, then sends
 * the Status on channel 3 and closes.
 *
 * @example
 * const ws = acceptWebSocket(req, socket, head, EXEC_PROTOCOLS);
 * if (!("status" in ws)) runExec(ws, ["flow", "-l"], { env, cwd, stdin: false, stdout: true, stderr: true });
 */
export function runExec(ws: WebSocketConnection, argv: string[], opts: ExecProcessOptions): { stop(): void } {
  const frame = (channel: number, data: Buffer | string): Buffer => Buffer.concat([Buffer.from([channel]), typeof data === "string" ? Buffer.from(data) : data]);
  let finished = false;
  const finish = (status: Record<string, unknown>): void => {
    if (finished) return;
    finished = true;
    ws.send(frame(3, JSON.stringify(status)));
    ws.close(1000);
  };
  let child: ChildProcess;
  try {
    child = spawn(argv[0]!, argv.slice(1), {
      env: opts.env, cwd: opts.cwd, detached: true,
      stdio: [opts.stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
  } catch (e) {
    finish(execStartFailure(argv[0] ?? "", (e as Error).message));
    return { stop: () => undefined };
  }
  let started = false;
  child.on("spawn", () => (started = true));
  const pump = (stream: NodeJS.ReadableStream | null, channel: number, wanted: boolean) => {
    if (!stream) return;
    stream.on("data", (d: Buffer) => {
      if (!wanted || !ws.open) return;
      if (!ws.send(frame(channel, d))) {
        stream.pause();
        ws.onDrain(() => stream.resume());
      }
    });
    stream.on("error", () => undefined);
  };
  pump(child.stdout, 1, opts.stdout);
  pump(child.stderr, 2, opts.stderr);
  child.stdin?.on("error", () => undefined);
  ws.on("message", (data: Buffer) => {
    if (data.length === 0) return;
    const ch = data[0];
    if (ch === 0 && child.stdin && !child.stdin.destroyed) child.stdin.write(data.subarray(1));
    else if (ch === 255 && data[1] === 0 && ws.protocol === "v5.channel.k8s.io") child.stdin?.end();
  });
  ws.on("close", () => {
    if (finished) return;
    finished = true;
    killProcessGroup(child, "SIGHUP");
    setTimeout(() => killProcessGroup(child, "SIGKILL"), 2000).unref();
  });
  child.on("error", (e: NodeJS.ErrnoException) => {
    if (started) return;
    const why = e.code === "ENOENT" ? "executable file not found in $PATH" : e.code === "EACCES" ? "permission denied" : e.message;
    finish(execStartFailure(argv[0] ?? "", why));
  });
  child.on("close", (code, signal) => {
    if (!started) return;
    finish(execStatus(argv, code ?? 128 + (SIGNALS[signal ?? ""] ?? 9)));
  });
  return {
    stop: () => {
      killProcessGroup(child, "SIGKILL");
      if (!finished) {
        finished = true;
        ws.close(1001, "server stopping");
      }
    },
  };
}
