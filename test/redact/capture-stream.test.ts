import { describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as path from "node:path";
import { createAddressMapper } from "../../lib/redact/address";
import { redactCapture } from "../../lib/redact/capture";
import { createCaptureRedactorStream } from "../../lib/redact/capture-stream";

const FIXTURES = path.resolve(__dirname, "../capture/fixtures");
const KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 13 + 1) & 255);

function streamed(bytes: Uint8Array, chunk: number, o: { truncatePayload?: number; chunkSize?: number; ownChunks?: boolean } = {}) {
  const parts: Uint8Array[] = [];
  const s = createCaptureRedactorStream({
    addresses: createAddressMapper(KEY), text: (t) => t.replace(/juniper/g, "example"),
    write: (b) => parts.push(o.ownChunks === false ? b.slice() : b), ...o,
  });
  for (let p = 0; p < bytes.length; p += chunk) s.push(bytes.subarray(p, Math.min(bytes.length, p + chunk)));
  const r = s.end();
  return { r, bytes: Buffer.concat(parts) };
}
const whole = (bytes: Uint8Array, o: { truncatePayload?: number } = {}) =>
  redactCapture(bytes, { addresses: createAddressMapper(KEY), text: (t) => t.replace(/juniper/g, "example"), ...o });

describe("createCaptureRedactorStream", () => {
  for (const name of ["contrail-mplsogre-mplsoudp-http.pcap", "contrail-any-sll2.pcap", "contrail-mplsogre-mplsoudp-http.pcapng"]) {
    it(`${name}: the chunks written are redactCapture's bytes, whatever the input chunks`, () => {
      const bytes = fs.readFileSync(path.join(FIXTURES, name));
      const w = whole(bytes);
      for (const chunk of [1, 7, 1000, 65536, bytes.length]) {
        const s = streamed(bytes, chunk, { chunkSize: 4096 });
        expect(Buffer.compare(s.bytes, Buffer.from(w.bytes)), `chunk ${chunk}`).toBe(0);
        expect({ ...s.r, bytes: undefined }).toEqual({ ...w, bytes: undefined });
      }
      const lent = streamed(bytes, 5000, { chunkSize: 4096, ownChunks: false });
      expect(Buffer.compare(lent.bytes, Buffer.from(w.bytes))).toBe(0);
      const t = streamed(bytes, 333, { truncatePayload: 8 });
      expect(Buffer.compare(t.bytes, Buffer.from(whole(bytes, { truncatePayload: 8 }).bytes))).toBe(0);
    });
  }

  it("reports a file cut short, bad magic and empty input as redactCapture does, and survives a failing writer", () => {
    const bytes = fs.readFileSync(path.join(FIXTURES, "contrail-mplsogre-mplsoudp-http.pcap"));
    for (const b of [bytes.subarray(0, 1000), bytes.subarray(0, 30), Buffer.from("definitely not a capture file"), new Uint8Array(0)]) {
      const s = streamed(b, 100);
      const w = whole(b);
      expect(Buffer.compare(s.bytes, Buffer.from(w.bytes))).toBe(0);
      expect(s.r.problems).toEqual(w.problems);
    }
    const s = createCaptureRedactorStream({ addresses: createAddressMapper(KEY), text: (t) => t, write: () => { throw new Error("disk full"); }, chunkSize: 4096 });
    s.push(bytes);
    expect(s.end().problems).toEqual([{ frame: 0, message: "write failed (disk full): output incomplete" }]);
  });
});
