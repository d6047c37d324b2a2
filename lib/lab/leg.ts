/**
 * One TCP connection as the fabric sees it ("a leg"): the lab turns real socket events (accept, data,
 * FIN, RST, close) into the TCP segments a packet capture would show (handshake, MSS-sized data
 * segments with their ACKs, FIN/ACK exchange, RST), with sequence numbers, and hands each segment to a
 * sink (the fabric: flow tables, vif counters, captures).
 */

/** Which direction a segment travels: client to server or back. */
export type Dir = "c2s" | "s2c";

/** TCP flag bits as on the wire. */
export const TH = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 } as const;

/** One TCP segment of a leg. */
export interface Segment {
  leg: Leg;
  dir: Dir;
  flags: number;
  seq: number;
  ack: number;
  payload: Buffer;
  /** Epoch milliseconds (fractional). */
  at: number;
  /** TCP options bytes (MSS/SACK on SYNs). */
  options?: Buffer;
}

/** Endpoint of a leg. */
export interface LegEnd {
  ip: string;
  port: number;
}

/** Receives the segments of legs. */
export interface SegmentSink {
  segment(s: Segment): void;
  /** The leg has closed (both FINs acknowledged, or RST, or abandoned). */
  closed(leg: Leg): void;
}

/** Kinds of legs the lab knows. */
export type LegKind = "fip" | "service";

let legIds = 0;

/**
 * Wall clock with sub-millisecond precision (epoch milliseconds).
 *
 * @example
 * nowMs(); // 1764000000123.456
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

const SYN_OPTIONS = Buffer.from([0x02, 0x04, 0x05, 0x78, 0x01, 0x01, 0x04, 0x02]); // MSS 1400, NOP NOP SACK_PERM

/**
 * A TCP leg. Create it, call {@link Leg.open} when the handshake happened, then {@link Leg.data},
 * {@link Leg.fin}, {@link Leg.rst} as the real socket reports them.
 *
 * @example
 * const leg = new Leg("fip", { ip: "15.15.15.2", port: 40000 }, { ip: "101.101.101.1", port: 80 }, sink);
 * leg.open();
 * leg.data("c2s", Buffer.from("GET / HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n"));
 * leg.fin("c2s"); leg.fin("s2c");
 */
export class Leg {
  readonly id = ++legIds;
  readonly kind: LegKind;
  readonly client: LegEnd;
  readonly server: LegEnd;
  /** Free-form attributes the fabric uses (node names, labels, flow indexes). */
  readonly meta: Record<string, unknown> = {};
  readonly mss: number;
  private readonly sink: SegmentSink;
  private seq: Record<Dir, number>;
  private synAckSent = false;
  private finSent: Record<Dir, boolean> = { c2s: false, s2c: false };
  private isOpen = false;
  private done = false;
  bytes: Record<Dir, number> = { c2s: 0, s2c: 0 };

  constructor(kind: LegKind, client: LegEnd, server: LegEnd, sink: SegmentSink, mss = 1400) {
    this.kind = kind;
    this.client = client;
    this.server = server;
    this.sink = sink;
    this.mss = mss;
    this.seq = { c2s: (Math.random() * 0xffffffff) >>> 0, s2c: (Math.random() * 0xffffffff) >>> 0 };
  }

  /** Whether the leg has closed. */
  get closed(): boolean {
    return this.done;
  }

  private emit(dir: Dir, flags: number, payload: Buffer = Buffer.alloc(0), options?: Buffer): void {
    if (this.done) return;
    const other: Dir = dir === "c2s" ? "s2c" : "c2s";
    const s: Segment = { leg: this, dir, flags, seq: this.seq[dir], ack: flags & TH.ACK ? this.seq[other] : 0, payload, at: nowMs(), options };
    let adv = payload.length;
    if (flags & (TH.SYN | TH.FIN)) adv += 1;
    this.seq[dir] = (this.seq[dir] + adv) >>> 0;
    try {
      this.sink.segment(s);
    } catch {
      /* a sink problem never breaks the connection */
    }
  }

  /** The sequence number the next segment in `dir` will carry. */
  nextSeq(dir: Dir): number {
    return this.seq[dir];
  }

  /** Retransmits data already sent in `dir` (same sequence number, nothing advances). */
  retransmit(dir: Dir, seq: number, payload: Buffer): void {
    if (this.done) return;
    const saved = this.seq[dir];
    this.seq[dir] = seq >>> 0;
    this.emit(dir, TH.PSH | TH.ACK, payload);
    this.seq[dir] = saved;
  }

  /** Only the client's SYN (the server never answered: drop, timeout). */
  syn(): void {
    this.emit("c2s", TH.SYN, undefined, SYN_OPTIONS);
  }

  /** The server's SYN/ACK alone (sent, but lost before the client: a drop on the return path). */
  synAck(): void {
    if (this.done) return;
    if (this.synAckSent) this.seq.s2c = (this.seq.s2c - 1) >>> 0; // a retransmission: same sequence number
    this.synAckSent = true;
    this.emit("s2c", TH.SYN | TH.ACK, undefined, SYN_OPTIONS);
  }

  /** Retransmits the client's SYN (same sequence number). */
  synRetransmit(): void {
    if (this.done) return;
    this.seq.c2s = (this.seq.c2s - 1) >>> 0;
    this.emit("c2s", TH.SYN, undefined, SYN_OPTIONS);
  }

  /** The three-way handshake. */
  open(): void {
    if (this.isOpen) return;
    this.isOpen = true;
    this.emit("c2s", TH.SYN, undefined, SYN_OPTIONS);
    this.emit("s2c", TH.SYN | TH.ACK, undefined, SYN_OPTIONS);
    this.emit("c2s", TH.ACK);
  }

  /** The client's SYN answered by RST/ACK (connection refused). */
  refused(): void {
    this.emit("c2s", TH.SYN, undefined, SYN_OPTIONS);
    this.emit("s2c", TH.RST | TH.ACK);
    this.finish();
  }

  /** Data in one direction, cut into MSS-sized segments, acknowledged by the other side. */
  data(dir: Dir, buf: Buffer, opts: { ack?: boolean } = {}): void {
    if (this.done || buf.length === 0) return;
    this.bytes[dir] += buf.length;
    for (let off = 0; off < buf.length; off += this.mss) {
      const chunk = buf.subarray(off, Math.min(buf.length, off + this.mss));
      this.emit(dir, TH.PSH | TH.ACK, chunk);
    }
    if (opts.ack !== false) this.emit(dir === "c2s" ? "s2c" : "c2s", TH.ACK);
  }

  /** A FIN from one side, acknowledged by the other. Closes the leg when both sides have sent FIN. */
  fin(dir: Dir): void {
    if (this.done || this.finSent[dir]) return;
    this.finSent[dir] = true;
    this.emit(dir, TH.FIN | TH.ACK);
    this.emit(dir === "c2s" ? "s2c" : "c2s", TH.ACK);
    if (this.finSent.c2s && this.finSent.s2c) this.finish();
  }

  /** A RST from one side; closes the leg. */
  rst(dir: Dir): void {
    if (this.done) return;
    this.emit(dir, TH.RST | TH.ACK);
    this.finish();
  }

  /** Marks the leg closed without more segments (socket gone). */
  finish(): void {
    if (this.done) return;
    this.done = true;
    try {
      this.sink.closed(this);
    } catch {
      /* never */
    }
  }
}
