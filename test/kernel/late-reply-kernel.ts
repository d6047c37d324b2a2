/**
 * A stand-in kernel for the runner's ordering test: it answers on the real wire format, but publishes a
 * cell's idle status on iopub BEFORE sending the execute_reply on shell (the two sockets are not ordered
 * against each other, and a real kernel whose sockets live in a worker thread can do this). Run as
 * `node late-reply-kernel.js CONNECTION_FILE DELAY_MS`.
 */
import * as fs from "node:fs";
import { decodeFrames, encodeFrames, newMessage, channelAddress, type ConnectionInfo, type Message } from "../../kernel/protocol/wire";

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zmq = require("zeromq") as typeof import("zeromq");
  const info = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as ConnectionInfo;
  const delayMs = Number(process.argv[3] ?? 200);
  const shell = new zmq.Router();
  const control = new zmq.Router();
  const iopub = new zmq.Publisher();
  await shell.bind(channelAddress(info, "shell"));
  await control.bind(channelAddress(info, "control"));
  await iopub.bind(channelAddress(info, "iopub"));
  let count = 0;
  const publish = (type: string, content: unknown, parent: Message<unknown>) => iopub.send(encodeFrames({ ...newMessage(type, content, parent), identities: [] }, info.key));
  const serve = async (sock: InstanceType<typeof zmq.Router>) => {
    for await (const frames of sock) {
      const d = decodeFrames(frames as Buffer[], info.key);
      if (!d.ok) continue;
      const m = d.message;
      const type = m.header.msg_type;
      if (type === "shutdown_request") {
        await sock.send(encodeFrames(newMessage("shutdown_reply", { status: "ok", restart: false }, m), info.key));
        process.exit(0);
      }
      await publish("status", { execution_state: "busy" }, m);
      if (type === "kernel_info_request") {
        await sock.send(encodeFrames(newMessage("kernel_info_reply", { status: "ok", protocol_version: "5.3", implementation: "late-reply", implementation_version: "0", language_info: { name: "typescript" }, banner: "" }, m), info.key));
        await publish("status", { execution_state: "idle" }, m);
      } else if (type === "execute_request") {
        count++;
        await publish("execute_result", { execution_count: count, data: { "text/plain": String(count) }, metadata: {} }, m);
        await publish("status", { execution_state: "idle" }, m);
        await new Promise((r) => setTimeout(r, delayMs));
        await sock.send(encodeFrames(newMessage("execute_reply", { status: "ok", execution_count: count, user_expressions: {} }, m), info.key));
      }
    }
  };
  void serve(shell);
  void serve(control);
}

void main();
