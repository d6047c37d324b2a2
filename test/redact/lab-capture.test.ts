import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { startLab, type Lab } from "../../lib/lab/lab";
import { createAddressMapper } from "../../lib/redact/address";
import { redactCapture } from "../../lib/redact/capture";
import { decodeFrame } from "../../lib/capture/decode";
import { formatIpv4Number, parseIpv4 } from "../../lib/ipv4";
import { haveTshark, headerAddresses, leftovers, records, tsharkProblems } from "./capture-helpers";

const TSHARK = haveTshark();
if (!TSHARK) console.warn("tshark is not installed (apt-get install -y tshark): the tshark check of the redacted lab capture is skipped");

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ flowLingerMs: 60_000 });
});
afterAll(async () => {
  await lab?.stop();
});

function get(pathname: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
    let reply = "";
    s.on("connect", () => s.write(`GET ${pathname} HTTP/1.1\r\nHost: www.juniper.net\r\nX-Forwarded-For: 15.15.15.2\r\nConnection: close\r\n\r\n`));
    s.on("data", (d) => (reply += d));
    s.on("error", reject);
    s.on("close", () => resolve(reply));
  });
}

async function until(pred: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("redacting the lab's captures", () => {
  for (const iface of ["ens3", "any"]) {
    it(`cent222 ${iface}: no header address and no Host left, tshark finds no bad checksum or malformed frame`, async () => {
      const file = path.join(lab.dir, `redact-${iface}.pcap`);
      const cap = lab.capture("cent222", iface, file);
      for (const p of ["/", "/login?user=15.15.15.2"]) expect(await get(p)).toMatch(/^HTTP\/1\.1 200/);
      await until(() => cap.packets >= 20, "the capture to fill");
      await cap.stop();
      const bytes = fs.readFileSync(file);
      const addresses = createAddressMapper(new Uint8Array(32).fill(42));
      const text = (s: string) => s
        .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, (t) => formatIpv4Number(addresses.ipv4(parseIpv4(t))))
        .replace(/www\.juniper\.net/g, "host-1");
      const r = redactCapture(bytes, { addresses, text });
      expect(r.problems).toEqual([]);
      expect(r.frames).toBe(records(bytes).length);
      const originals = headerAddresses(bytes, addresses);
      expect([...originals.keys()]).toEqual(expect.arrayContaining(["15.15.15.2", "101.101.101.1", "192.168.0.204", "10.169.25.20"]));
      originals.set("www.juniper.net", Buffer.from("www.juniper.net"));
      expect(leftovers(r.bytes, originals)).toEqual([]);
      // the request line's target and header values went through `text` at their length
      const frames = records(r.bytes).map((x) => decodeFrame(x.data, x.linkType));
      const pseudo = formatIpv4Number(addresses.ipv4(parseIpv4("15.15.15.2")));
      expect(frames.some((f) => f.http?.path === `/login?user=${pseudo}`.slice(0, "/login?user=15.15.15.2".length))).toBe(true);
      expect(frames.some((f) => f.http?.host === "host-1")).toBe(true);
      if (TSHARK) expect(tsharkProblems(r.bytes, [], true)).toEqual([]);
    });
  }
});
