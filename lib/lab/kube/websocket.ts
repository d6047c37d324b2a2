/**
 * The server side of WebSocket (RFC 6455), as the lab's Kubernetes API needs it for `exec`: the
 * opening handshake on an HTTP `upgrade` and the framing (client frames masked, server frames not,
 * fragmentation, ping/pong, close). Text and binary messages are delivered whole; a message over the
 * size limit closes the connection with 1009. Nothing here throws on client input.
 */
import * as crypto from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/**
 * The `Sec-WebSocket-Accept` value for a client's `Sec-WebSocket-Key`.
 *
 * @example
 * websocketAccept("dGhlIHNhbXBsZSBub25jZQ=="); // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" (RFC 6455 §1.3)
 */
export function websocketAccept(key: string): string {
  return crypto.createHash("sha1").update(key + GUID).digest("base64");
}

/** A frame as read off the wire. */
export interface WsFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/**
 * Encodes one server frame (unmasked), or a masked client frame when `mask` is given (for tests).
 *
 * @example
 * encodeFrame(2, Buffer.from([1, 104, 105])); // <82 03 01 68 69>: binary "\x01hi"
 */
export function encodeFrame(opcode: number, payload: Buffer, opts: { fin?: boolean; mask?: Buffer } = {}): Buffer {
  const fin = opts.fin ?? true;
  const len = payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | (opcode & 0x0f)];
  const m = opts.mask ? 0x80 : 0;
  if (len < 126) head.push(m | len);
  else if (len < 65536) head.push(m | 126, len >> 8, len & 0xff);
  else {
    head.push(m | 127);
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(len));
    head.push(...b);
  }
  if (!opts.mask) return Buffer.concat([Buffer.from(head), payload]);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = payload[i]! ^ opts.mask[i & 3]!;
  return Buffer.concat([Buffer.from(head), opts.mask, masked]);
}

/**
 * Reads one frame from the start of `buf`: the frame and the bytes it used, `null` when `buf` holds
 * only part of a frame, or `{ error }` (with the close code) for a frame the protocol forbids.
 *
 * @example
 * decodeFrame(encodeFrame(1, Buffer.from("hi"), { mask: Buffer.from([1, 2, 3, 4]) }), true);
 * // { frame: { fin: true, opcode: 1, payload: <68 69> }, used: 8 }
 */
export function decodeFrame(buf: Buffer, requireMask: boolean, maxPayload = 16 << 20): { frame: WsFrame; used: number } | null | { error: string; code: number } {
  if (buf.length < 2) return null;
  const b0 = buf[0]!;
  const b1 = buf[1]!;
  if (b0 & 0x70) return { error: "reserved bits set", code: 1002 };
  const opcode = b0 & 0x0f;
  if (![0, 1, 2, 8, 9, 10].includes(opcode)) return { error: `unknown opcode ${opcode}`, code: 1002 };
  const fin = (b0 & 0x80) !== 0;
  if (opcode >= 8 && !fin) return { error: "fragmented control frame", code: 1002 };
  const masked = (b1 & 0x80) !== 0;
  if (requireMask && !masked) return { error: "client frame not masked", code: 1002 };
  let len = b1 & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    const big = buf.readBigUInt64BE(2);
    if (big > BigInt(maxPayload)) return { error: "frame too large", code: 1009 };
    len = Number(big);
    off = 10;
  }
  if (opcode >= 8 && len > 125) return { error: "control frame too large", code: 1002 };
  if (len > maxPayload) return { error: "frame too large", code: 1009 };
  const maskLen = masked ? 4 : 0;
  if (buf.length < off + maskLen + len) return null;
  let payload = Buffer.from(buf.subarray(off + maskLen, off + maskLen + len));
  if (masked) {
    const mask = buf.subarray(off, off + 4);
    for (let i = 0; i < payload.length; i++) payload[i] = payload[i]! ^ mask[i & 3]!;
  }
  if (!masked) payload = Buffer.from(payload);
  return { frame: { fin, opcode, payload }, used: off + maskLen + len };
}

/**
 * An accepted server-side WebSocket. Events: `message` (data: Buffer, binary: boolean), `close`
 * (code: number, reason: string) once, when the connection ends for any reason.
 *
 * @example
 * const ws = new WebSocketConnection(socket, "v5.channel.k8s.io", head); // after the 101 answer
 * ws.on("message", (data: Buffer) => ws.send(Buffer.concat([Buffer.from([1]), data])));
 * ws.on("close", (code: number) => console.log("closed", code));
 */
export class WebSocketConnection extends EventEmitter {
  readonly protocol: string;
  private readonly socket: Duplex;
  private buf: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private partsLen = 0;
  private partOpcode = 0;
  private closed = false;
  private closeSent = false;
  private readonly maxMessage: number;

  constructor(socket: Duplex, protocol: string, head: Buffer, maxMessage = 16 << 20) {
    super();
    this.socket = socket;
    this.protocol = protocol;
    this.maxMessage = maxMessage;
    socket.on("data", (d: Buffer) => this.onData(d));
    socket.on("error", () => this.finish(1006, "socket error"));
    socket.on("close", () => this.finish(1006, "connection closed"));
    socket.on("end", () => this.finish(1006, "connection ended"));
    if (head.length) queueMicrotask(() => this.onData(head));
  }

  /** Whether the connection is still open for sending. */
  get open(): boolean {
    return !this.closed && !this.closeSent && !this.socket.destroyed;
  }

  /** Sends a binary message (`text`: a text message). Returns false when the socket's buffer is full. */
  send(data: Buffer | string, text = false): boolean {
    if (!this.open) return false;
    const payload = typeof data === "string" ? Buffer.from(data) : data;
    return this.socket.write(encodeFrame(text ? 1 : 2, payload));
  }

  /** Runs `fn` when the socket's write buffer has drained. */
  onDrain(fn: () => void): void {
    this.socket.once("drain", fn);
  }

  /** Sends a close frame and ends the connection. */
  close(code = 1000, reason = ""): void {
    if (this.closeSent || this.closed) return;
    this.closeSent = true;
    const r = Buffer.from(reason).subarray(0, 123);
    const p = Buffer.alloc(2 + r.length);
    p.writeUInt16BE(code, 0);
    r.copy(p, 2);
    try {
      this.socket.write(encodeFrame(8, p));
      this.socket.end();
    } catch {
      /* gone */
    }
    const t = setTimeout(() => this.socket.destroy(), 2000);
    t.unref();
    this.finish(code, reason);
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit("close", code, reason);
  }

  private onData(d: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    for (;;) {
      const r = decodeFrame(this.buf, true, this.maxMessage);
      if (r === null) return;
      if ("error" in r) {
        this.close(r.code, r.error);
        this.socket.destroy();
        return;
      }
      this.buf = this.buf.subarray(r.used);
      this.onFrame(r.frame);
      if (this.closed) return;
    }
  }

  private onFrame(f: WsFrame): void {
    switch (f.opcode) {
      case 8: {
        const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        if (!this.closeSent) {
          this.closeSent = true;
          try {
            this.socket.write(encodeFrame(8, f.payload.subarray(0, 2)));
            this.socket.end();
          } catch {
            /* gone */
          }
        }
        this.finish(code, f.payload.subarray(2).toString("utf8"));
        return;
      }
      case 9:
        if (this.open) this.socket.write(encodeFrame(10, f.payload));
        return;
      case 10:
        return;
      case 0:
        if (!this.partOpcode) return this.close(1002, "continuation without a first frame");
        return this.collect(f);
      default:
        if (this.partOpcode) return this.close(1002, "new message inside a fragmented one");
        this.partOpcode = f.opcode;
        return this.collect(f);
    }
  }

  private collect(f: WsFrame): void {
    this.parts.push(f.payload);
    this.partsLen += f.payload.length;
    if (this.partsLen > this.maxMessage) return this.close(1009, "message too large");
    if (!f.fin) return;
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    const binary = this.partOpcode === 2;
    this.parts = [];
    this.partsLen = 0;
    this.partOpcode = 0;
    this.emit("message", data, binary);
  }
}

/**
 * Answers a WebSocket upgrade request: checks the handshake headers, picks the first of `protocols`
 * the client offers, writes `101 Switching Protocols` and returns the connection. On a bad handshake
 * returns `{ status, message }` and writes nothing (the caller answers with an error).
 *
 * @example
 * server.on("upgrade", (req, socket, head) => {
 *   const ws = acceptWebSocket(req, socket, head, ["v5.channel.k8s.io", "v4.channel.k8s.io"]);
 *   if ("status" in ws) return socket.end(`HTTP/1.1 ${ws.status} Bad Request\r\n\r\n`);
 *   ws.on("message", (d) => ws.send(d));
 * });
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocols: string[]): WebSocketConnection | { status: number; message: string } {
  const upgrade = String(req.headers.upgrade ?? "").toLowerCase();
  const key = req.headers["sec-websocket-key"];
  const version = req.headers["sec-websocket-version"];
  if (upgrade !== "websocket") return { status: 400, message: `unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? "")}: only websocket is served` };
  if (typeof key !== "string" || Buffer.from(key, "base64").length !== 16) return { status: 400, message: "missing or invalid Sec-WebSocket-Key" };
  if (version !== "13") return { status: 426, message: "Sec-WebSocket-Version must be 13" };
  const offered = String(req.headers["sec-websocket-protocol"] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const chosen = protocols.find((p) => offered.includes(p));
  if (!chosen) return { status: 400, message: `none of the offered subprotocols (${offered.join(", ") || "none"}) is supported; this server speaks ${protocols.join(", ")}` };
  socket.write(
    "HTTP/1.1 101 Switching Protocols\r\n" +
      "Upgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${websocketAccept(key)}\r\n` +
      `Sec-WebSocket-Protocol: ${chosen}\r\n\r\n`,
  );
  (socket as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  return new WebSocketConnection(socket, chosen, head);
}
