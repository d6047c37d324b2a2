/**
 * Capture redaction benchmark: `redactCapture` over a pcap of ≥ 1,000,000 packets (× PACKETWALK_BENCH_SCALE)
 * of the capture bench's scenario mix (MPLSoGRE, MPLSoUDP, VXLAN, VLAN-tagged GRE, two-label stacks; HTTP
 * exchanges, so every frame has 4 IPv4 addresses, 2–4 MACs and 2–4 checksums to rewrite, and the HTTP
 * requests a Host header through `text`), in memory (the API is bytes in, bytes out).
 *
 * Prints, side by side, wall and CPU time: `redactCapture` headers only (first run in this process, JIT
 * warm-up included, then the best of two more), with `truncatePayload: 64`, with text payloads (the
 * bench's HTTP bodies are text, so every data segment goes through a regex `text`); the streaming
 * redactor (`createCaptureRedactorStream`, 1 MiB chunks: no output as large as the input to allocate
 * and first-touch); `readCapture` of the same bytes as the yardstick of one decoding pass; and whether
 * the target (≥ 1,000,000 packets/s) is met by the best run.
 *
 * Run: `PACKETWALK_BENCH_ONLY=redact node dist/test/bench/index.js`
 */
import * as os from "node:os";
import { PcapWriter } from "../../lib/capture/file/writer";
import { readCapture } from "../../lib/capture/read";
import { createAddressMapper } from "../../lib/redact/address";
import { redactCapture, type CaptureRedaction } from "../../lib/redact/capture";
import { createCaptureRedactorStream } from "../../lib/redact/capture-stream";
import { templates } from "./capture";

const TARGET_PPS = 1_000_000;

/** The scenario mix as one in-memory pcap of `packets` frames. */
function generate(packets: number): Buffer {
  const t = templates(600);
  const w = new PcapWriter(undefined, { bufferSize: 64 << 20 });
  let sec = 1732456800, nsec = 0;
  for (let i = 0; i < packets; i++) {
    w.write(t[i % t.length]!, { sec, nsec });
    nsec += 10_000;
    if (nsec >= 1e9) { nsec -= 1e9; sec++; }
  }
  return w.toBuffer();
}

/**
 * Runs the bench and prints its figures.
 * @example await run(console.log); // "redact: warm, best of 2: 1000000 packets in … s = … packets/s, … MiB/s"
 */
export async function run(log: (line: string) => void): Promise<void> {
  const scale = Number(process.env.PACKETWALK_BENCH_SCALE ?? "1");
  const packets = Math.max(1000, Math.round(1_000_000 * (Number.isFinite(scale) && scale > 0 ? scale : 1)));
  const g0 = performance.now();
  const bytes = generate(packets);
  const mib = bytes.length / 2 ** 20;
  log(`redact: generated ${packets} packets, ${mib.toFixed(1)} MiB in memory in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
  const key = new Uint8Array(32).map((_, i) => (i * 151 + 7) & 255);
  const n = (x: number) => Math.round(x).toLocaleString("en-US");
  const text = (s: string) => s.replace(/\b\d{1,3}(\.\d{1,3}){3}\b/g, "0.0.0.0").replace(/juniper/g, "example");

  // CPU seconds beside wall seconds: on a shared machine (load above the core count) wall time
  // measures the neighbours too; CPU time is this process's own work (page faults included)
  const cpuOf: Map<number, number> = new Map();
  const once = (o: { truncatePayload?: number; textPayloads?: boolean } = {}): { s: number; r: CaptureRedaction } => {
    // a fresh mapper each run: its address caches start empty, as in a share
    const addresses = createAddressMapper(key);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = redactCapture(bytes, { addresses, text, ...o });
    const c = process.cpuUsage(c0);
    const s = (performance.now() - t0) / 1000;
    cpuOf.set(s, (c.user + c.system) / 1e6);
    return { s, r };
  };
  const line = (what: string, s: number) => {
    const cpu = cpuOf.get(s);
    return `${what}: ${packets} packets in ${s.toFixed(2)} s = ${n(packets / s)} packets/s, ${(mib / s).toFixed(0)} MiB/s` +
      (cpu === undefined ? "" : `; CPU ${cpu.toFixed(2)} s = ${n(packets / cpu)} packets per CPU-second`);
  };

  const first = once({ textPayloads: false });
  if (first.r.frames !== packets || first.r.problems.length > 0) {
    throw new Error(`redactCapture read ${first.r.frames} of ${packets} frames, problems: ${JSON.stringify(first.r.problems.slice(0, 3))}`);
  }
  log(`redact: ${line("headers (textPayloads: false), first run (cold JIT)", first.s)}; ${n(first.r.rewritten)} frames rewritten`);
  const headers = Math.min(once({ textPayloads: false }).s, once({ textPayloads: false }).s);
  log(`redact: ${line("headers (textPayloads: false), warm, best of 2", headers)}`);
  const trunc = Math.min(once({ truncatePayload: 64 }).s, once({ truncatePayload: 64 }).s);
  log(`redact: ${line("defaults + truncatePayload 64 (text payloads up to the cut), best of 2", trunc)}`);
  const full = once();
  log(`redact: ${line("defaults (every text payload through a regex text function: the bench's HTTP bodies are text)", full.s)}`);
  // streaming: 1 MiB input chunks, 1 MiB output chunks lent to a writer that keeps only their count
  const streamOnce = (textPayloads: boolean): number => {
    const addresses = createAddressMapper(key);
    let written = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    // the writer consumes synchronously (as fs.writeSync would), so it borrows one reused block
    const st = createCaptureRedactorStream({ addresses, text, textPayloads, ownChunks: false, write: (b) => { written += b.length; } });
    for (let p = 0; p < bytes.length; p += 1 << 20) st.push(bytes.subarray(p, Math.min(bytes.length, p + (1 << 20))));
    const r = st.end();
    const c = process.cpuUsage(c0);
    const sec = (performance.now() - t0) / 1000;
    cpuOf.set(sec, (c.user + c.system) / 1e6);
    if (r.frames !== packets || written !== bytes.length) throw new Error(`stream: ${r.frames} frames, ${written} bytes written of ${bytes.length}`);
    return sec;
  };
  const stream = Math.min(streamOnce(false), streamOnce(false));
  log(`redact: ${line("streaming, headers (textPayloads: false), best of 2", stream)}`);
  const streamText = streamOnce(true);
  log(`redact: ${line("streaming, defaults (text payloads through the regex text function)", streamText)}`);
  const d0 = performance.now();
  const dc0 = process.cpuUsage();
  const table = await readCapture(bytes);
  const dc = process.cpuUsage(dc0);
  const ds = (performance.now() - d0) / 1000;
  const dcpu = (dc.user + dc.system) / 1e6;
  log(`redact: yardstick, readCapture of the same bytes into a FrameTable: ${table.length} packets in ${ds.toFixed(2)} s = ${n(table.length / ds)} packets/s; ` +
    `CPU ${dcpu.toFixed(2)} s = ${n(table.length / dcpu)} packets per CPU-second`);
  log(`redact: headers (warm) / readCapture = ${((packets / headers) / (table.length / ds)).toFixed(2)} wall, ` +
    `${((packets / cpuOf.get(headers)!) / (table.length / dcpu)).toFixed(2)} CPU`);
  const best = Math.min(first.s, headers, trunc, stream);
  const bestCpu = Math.min(...[first.s, headers, trunc, stream].map((x) => cpuOf.get(x)!));
  log(`redact: target ≥ ${n(TARGET_PPS)} packets/s: ${packets / best >= TARGET_PPS ? "MET" : "NOT MET"} (best run ${n(packets / best)} packets/s wall, ` +
    `${n(packets / bestCpu)} per CPU-second; defaults on text bodies ${n(packets / full.s)} packets/s; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`);
}
