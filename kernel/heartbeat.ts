/**
 * The heartbeat channel: a ZeroMQ REP socket that echoes every message, so the client knows the
 * kernel process is alive. It runs in the socket thread (`io-worker.ts`), so a cell busy in synchronous
 * code on the main thread does not delay the echo.
 */
import type * as ZMQ from "zeromq";

/** A running heartbeat. */
export interface Heartbeat {
  close(): void;
}

/**
 * Binds the heartbeat socket at `address` and echoes until closed.
 *
 * @example
 * const hb = await startHeartbeat(zmq, channelAddress(info, "hb"));
 * // …
 * hb.close();
 */
export async function startHeartbeat(zmq: typeof ZMQ, address: string): Promise<Heartbeat> {
  const sock = new zmq.Reply();
  await sock.bind(address);
  void (async () => {
    try {
      for await (const frames of sock) await sock.send(frames).catch(() => {});
    } catch {
      // closed
    }
  })();
  return { close: () => sock.close() };
}
