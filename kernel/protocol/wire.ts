/**
 * The Jupyter messaging wire format (protocol 5.3): ZeroMQ multipart frames
 * `[identities…, "<IDS|MSG>", signature, header, parent_header, metadata, content, buffers…]`, signed
 * with HMAC-SHA256 over the four JSON frames. Used by packetwalk's kernel and by its headless runner.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

export const PROTOCOL_VERSION = "5.3";
const DELIM = Buffer.from("<IDS|MSG>");

/** A message header. */
export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded Jupyter message. `content` is typed by the caller. */
export interface Message<C = Record<string, unknown>> {
  /** ZeroMQ routing identities (ROUTER sockets); empty on DEALER/SUB. */
  identities: Buffer[];
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** The result of decoding frames: a message, or why not. */
export type Decoded = { ok: true; message: Message } | { ok: false; error: string };

function sign(key: string, parts: Buffer[]): string {
  if (!key) return "";
  const h = createHmac("sha256", key);
  for (const p of parts) h.update(p);
  return h.digest("hex");
}

/**
 * Decodes and verifies multipart frames. Never throws: a missing delimiter, bad JSON or a wrong
 * signature is reported as `{ ok: false, error }`.
 *
 * @example
 * const d = decodeFrames(frames, connection.key);
 * if (d.ok) console.log(d.message.header.msg_type);
 */
export function decodeFrames(frames: Buffer[], key: string): Decoded {
  const at = frames.findIndex((f) => f.equals(DELIM));
  if (at < 0) return { ok: false, error: "message has no <IDS|MSG> delimiter" };
  if (frames.length < at + 6) return { ok: false, error: `message has ${frames.length - at - 1} frames after the delimiter, want at least 5` };
  const signature = frames[at + 1].toString();
  const parts = frames.slice(at + 2, at + 6);
  if (key) {
    const want = Buffer.from(sign(key, parts));
    const got = Buffer.from(signature);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, error: "message signature does not match the connection key" };
  }
  try {
    const [header, parent, metadata, content] = parts.map((p) => JSON.parse(p.toString("utf8")));
    return {
      ok: true,
      message: {
        identities: frames.slice(0, at),
        header,
        parent_header: parent ?? {},
        metadata: metadata ?? {},
        content: content ?? {},
        buffers: frames.slice(at + 6),
      },
    };
  } catch (e) {
    return { ok: false, error: `message JSON frame does not parse: ${(e as Error).message}` };
  }
}

/**
 * Encodes and signs a message into multipart frames.
 *
 * @example
 * await socket.send(encodeFrames(message, connection.key));
 */
export function encodeFrames(msg: Message<unknown>, key: string): Buffer[] {
  const parts = [msg.header, msg.parent_header, msg.metadata, msg.content].map((x) => Buffer.from(JSON.stringify(x)));
  return [...msg.identities, DELIM, Buffer.from(sign(key, parts)), ...parts, ...msg.buffers];
}

/**
 * Builds a new message; with a `parent`, it replies to it (same session, routed to its identities).
 *
 * @example
 * const reply = newMessage("execute_reply", { status: "ok", execution_count: 1 }, request);
 */
export function newMessage<C>(
  msgType: string,
  content: C,
  parent?: Message<unknown>,
  opts: { session?: string; username?: string; metadata?: Record<string, unknown>; identities?: Buffer[] } = {},
): Message<C> {
  return {
    identities: opts.identities ?? parent?.identities ?? [],
    header: {
      msg_id: randomUUID(),
      session: opts.session ?? parent?.header.session ?? randomUUID(),
      username: opts.username ?? parent?.header.username ?? "packetwalk",
      date: new Date().toISOString(),
      msg_type: msgType,
      version: PROTOCOL_VERSION,
    },
    parent_header: parent ? parent.header : {},
    metadata: opts.metadata ?? {},
    content,
    buffers: [],
  };
}

/** A kernel connection file. */
export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

/**
 * The ZeroMQ address of one channel of a connection.
 *
 * @example
 * channelAddress(info, "shell"); // "tcp://127.0.0.1:50123"
 */
export function channelAddress(info: ConnectionInfo, channel: "shell" | "iopub" | "stdin" | "control" | "hb"): string {
  const port = info[`${channel}_port`];
  return info.transport === "ipc" ? `ipc://${info.ip}-${port}` : `tcp://${info.ip}:${port}`;
}
