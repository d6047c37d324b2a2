/**
 * The frames the stages used as evidence, exported as one pcapng with a packet comment per frame naming
 * the stage, its verdict, the evidence it belongs to and the stage's reason, so Wireshark (and `tshark
 * -e frame.comment`) shows why each marked frame matters. The frames are taken from the recorded
 * captures, byte for byte, with their original timestamps; each node's interface is its own pcapng
 * interface (`if_name` `node:iface`).
 */
import { readRecords } from "../capture/read";
import { writePcapng, type FrameToWrite } from "../capture/file/writer";
import type { CaptureRecord as CaptureFileRecord, ObservationRecord } from "../investigation/layout";
import type { Investigation } from "../investigation/reader";
import type { StageResult } from "./types";

/** One frame a stage used, and why. */
export interface EvidenceFrameMark {
  node: string;
  iface: string;
  /** The frame's number in its capture (from 1). */
  frame: number;
  /** One line per stage and evidence table that used it. */
  comments: string[];
}

/** A comment is kept to this many characters (Wireshark shows it on one line). */
const COMMENT_MAX = 500;

/**
 * The frames the stages' evidence tables name (rows with `node`, `iface` and `frame`), each with one
 * comment per stage and evidence table that used it, in stage order. Pure.
 *
 * @example
 * evidenceFrameMarks(report.stages)[0];
 * // { node: "cent222", iface: "ens3", frame: 4, comments: ["stage 2 gateway PASS — MPLSoGRE frames arriving from the gateway: gateway routes …"] }
 */
export function evidenceFrameMarks(stages: readonly StageResult[]): EvidenceFrameMark[] {
  const marks = new Map<string, EvidenceFrameMark>();
  for (const s of stages) {
    for (const ev of s.evidence) {
      for (const row of ev.rows) {
        const { node, iface, frame } = row;
        if (typeof node !== "string" || typeof iface !== "string" || typeof frame !== "number" || !Number.isInteger(frame) || frame < 1) continue;
        const key = `${node}\u0000${iface}\u0000${frame}`;
        let m = marks.get(key);
        if (!m) marks.set(key, (m = { node, iface, frame, comments: [] }));
        const text = `stage ${s.step} ${s.id} ${s.verdict.toUpperCase()} — ${ev.title}: ${s.reason}`;
        const comment = text.length > COMMENT_MAX ? `${text.slice(0, COMMENT_MAX - 1)}…` : text;
        if (!m.comments.includes(comment)) m.comments.push(comment);
      }
    }
  }
  return [...marks.values()];
}

/** What {@link evidenceFramesPcapng} made. */
export interface EvidenceFramesFile {
  /** The pcapng file's bytes. */
  bytes: Buffer;
  /** Frames written. */
  frames: number;
  /** Frames named by evidence that the captures did not hold (a missing or altered capture file). */
  missing: string[];
}

/**
 * Writes the marked frames as one pcapng, in time order, each with its comments, taken byte for byte
 * from `captureOf(node, iface)` (the capture file as the node wrote it, pcap or pcapng). Null when no
 * stage named a frame.
 *
 * @example
 * const f = await evidenceFramesPcapng(report.stages, recordedCaptures(openInvestigation("out/investigation")));
 * if (f) fs.writeFileSync("evidence-frames.pcapng", f.bytes); // tshark -r … -T fields -e frame.comment
 */
export async function evidenceFramesPcapng(stages: readonly StageResult[], captureOf: (node: string, iface: string) => Uint8Array | null): Promise<EvidenceFramesFile | null> {
  const marks = evidenceFrameMarks(stages);
  if (marks.length === 0) return null;
  const byCapture = new Map<string, Map<number, EvidenceFrameMark>>();
  for (const m of marks) {
    const key = `${m.node}\u0000${m.iface}`;
    if (!byCapture.has(key)) byCapture.set(key, new Map());
    byCapture.get(key)!.set(m.frame, m);
  }
  const interfaces: { linkType: number; name: string }[] = [];
  const ifIndex = new Map<string, number>();
  const frames: (FrameToWrite & { sortAt: number })[] = [];
  const missing: string[] = [];
  for (const [key, wanted] of byCapture) {
    const [node, iface] = key.split("\u0000") as [string, string];
    const bytes = captureOf(node, iface);
    const found = new Set<number>();
    if (bytes) {
      try {
        for await (const r of readRecords(bytes, { name: `${node}:${iface}` })) {
          const m = wanted.get(r.no);
          if (!m) continue;
          const ik = `${node}:${iface}\u0000${r.linkType}`;
          let i = ifIndex.get(ik);
          if (i === undefined) {
            i = interfaces.length;
            ifIndex.set(ik, i);
            interfaces.push({ linkType: r.linkType, name: `${node}:${iface}` });
          }
          frames.push({ data: Buffer.from(r.data), time: { sec: r.tsSec, nsec: r.tsNsec }, origLen: r.origLen, iface: i, comment: m.comments, sortAt: r.tsSec * 1e9 + r.tsNsec });
          found.add(r.no);
        }
      } catch {
        /* a damaged capture: the frames before the damage are kept; the rest are named below */
      }
    }
    const lost = [...wanted.keys()].filter((n) => !found.has(n)).sort((a, b) => a - b);
    if (lost.length) missing.push(`${node}:${iface} frame${lost.length > 1 ? "s" : ""} ${lost.join(", ")}${bytes ? " not in its capture" : " (capture missing)"}`);
  }
  if (frames.length === 0) return { bytes: Buffer.alloc(0), frames: 0, missing };
  frames.sort((a, b) => a.sortAt - b.sortAt);
  return { bytes: writePcapng(frames, { interfaces, tsresol: 9 }), frames: frames.length, missing };
}

/**
 * The capture files of a recording's last walk observation, by node and interface (null when missing or
 * altered), for {@link evidenceFramesPcapng}.
 *
 * @example
 * const captureOf = recordedCaptures(openInvestigation("out/investigation"));
 * captureOf("cent222", "ens3")?.length; // bytes of the capture as tcpdump wrote it
 */
export function recordedCaptures(inv: Investigation): (node: string, iface: string) => Uint8Array | null {
  const obs = [...inv.records].reverse().find((r): r is ObservationRecord => r.kind === "observation");
  const caps = inv.records.filter((r): r is CaptureFileRecord => r.kind === "capture" && (!obs || r.stream === obs.stream));
  return (node, iface) => {
    const r = [...caps].reverse().find((c) => c.node === node && c.iface === iface);
    return r ? inv.file(r.file) : null;
  };
}
