/**
 * packetwalk's Jupyter kernel server: the ZeroMQ sockets of the Jupyter protocol around the
 * {@link KernelHandler}. It owns what the handler does not know about: binding the sockets, reading,
 * verifying and signing frames (`protocol/wire.ts`), one send at a time per socket, the heartbeat,
 * redirecting the process's stdout/stderr into the current cell, SIGINT, and the process-level error
 * handlers. The protocol itself (queue, stop_on_error, interrupts, output routing) is the handler's.
 */
import * as fs from "node:fs";
import type * as ZMQ from "zeromq";
import { Engine } from "./engine";
import { KernelHandler, Outgoing, RequestChannel } from "./handler";
import { startHeartbeat } from "./heartbeat";
import { historyFile, HistoryStore } from "./history";
import { channelAddress, ConnectionInfo, decodeFrames, encodeFrames } from "./protocol/wire";
import { redirectStdio } from "./stdio";

type Socket = ZMQ.Publisher | ZMQ.Router;

/**
 * Runs the kernel until `shutdown_request`. Resolves when it has shut down.
 *
 * @example
 * await serveKernel(readConnectionFile(connectionFile), { cwd: process.cwd() });
 */
export async function serveKernel(info: ConnectionInfo, opts: { cwd?: string } = {}): Promise<void> {
  // zeromq is loaded lazily: `packetwalk run` and the CLI do not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zmq = require("zeromq") as typeof ZMQ;
  const key = info.key ?? "";
  const sockets: Record<Outgoing["channel"], Socket> = {
    iopub: new zmq.Publisher(),
    shell: new zmq.Router(),
    control: new zmq.Router(),
    stdin: new zmq.Router(),
  };
  const [heartbeat] = await Promise.all([
    startHeartbeat(zmq, channelAddress(info, "hb")),
    ...Object.entries(sockets).map(([channel, s]) => s.bind(channelAddress(info, channel as Outgoing["channel"]))),
  ]);

  // zeromq allows one send at a time per socket: each socket's sends are chained.
  const sending: Record<Outgoing["channel"], Promise<void>> = { iopub: Promise.resolve(), shell: Promise.resolve(), control: Promise.resolve(), stdin: Promise.resolve() };
  const send = ({ channel, message }: Outgoing) => {
    const frames = encodeFrames(message, key);
    sending[channel] = sending[channel].then(() => sockets[channel].send(frames)).catch(() => {});
  };

  const engine = new Engine({ cwd: opts.cwd ?? process.cwd() });
  const handler = new KernelHandler(engine, { send, log: (text) => log(text), history: new HistoryStore(historyFile()) });
  const stdio = redirectStdio((name, text) => handler.output(name, text));
  const log = (text: string) => stdio.writeReal("stderr", `[packetwalk kernel] ${text}\n`);
  const onSigint = () => handler.interrupt();
  const onException = (e: unknown) => handler.uncaught("exception", e);
  const onRejection = (e: unknown) => handler.uncaught("rejection", e);
  process.on("SIGINT", onSigint);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);

  const read = async (channel: RequestChannel) => {
    try {
      for await (const frames of sockets[channel] as ZMQ.Router) {
        const d = decodeFrames(frames as Buffer[], key);
        if (d.ok) handler.receive(channel, d.message);
        else log(`dropped a ${channel} message: ${d.error}`);
      }
    } catch {
      // closed at shutdown
    }
  };
  for (const channel of ["shell", "control", "stdin"] as const) void read(channel);

  handler.start();
  await handler.done;

  await Promise.all(Object.values(sending));
  await new Promise((r) => setTimeout(r, 50));
  process.off("SIGINT", onSigint);
  process.off("uncaughtException", onException);
  process.off("unhandledRejection", onRejection);
  stdio.restore();
  engine.close();
  heartbeat.close();
  for (const s of Object.values(sockets)) s.close();
}

/**
 * Reads a connection file, naming the file in the error when it is missing or malformed.
 *
 * @example
 * const info = readConnectionFile("/run/user/0/jupyter/kernel-1234.json");
 */
export function readConnectionFile(file: string): ConnectionInfo {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`cannot read the connection file ${file}: ${(e as Error).message}`);
  }
  let info: ConnectionInfo;
  try {
    info = JSON.parse(text) as ConnectionInfo;
  } catch (e) {
    throw new Error(`the connection file ${file} is not JSON: ${(e as Error).message}`);
  }
  for (const k of ["shell_port", "iopub_port", "stdin_port", "control_port", "hb_port"] as const) {
    if (typeof info[k] !== "number") throw new Error(`the connection file ${file} has no numeric ${k}`);
  }
  info.transport ??= "tcp";
  info.ip ??= "127.0.0.1";
  if (info.signature_scheme && info.signature_scheme !== "hmac-sha256") {
    throw new Error(`the connection file ${file} asks for ${info.signature_scheme}; packetwalk supports hmac-sha256`);
  }
  return info;
}
