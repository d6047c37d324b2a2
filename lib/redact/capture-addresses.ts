/**
 * The addresses of a capture's headers as text, each once: what a share registers as originals before
 * the capture is rewritten, so the check of the output looks for them too (`redact.ts`).
 * @module
 */
import { listFrameAddresses, macAt } from "../capture/addresses";
import { u32 } from "../capture/context";
import { formatIpv4, formatIpv6, formatMac } from "../capture/format";

// Keeps a MAC's key apart from every IPv4 number in one Set.
const MAC_KEY = 2 ** 48;

/**
 * Every distinct outermost Ethernet MAC and IP header address (IPv4 and IPv6, every header at any
 * depth) of the pcap/pcapng in `bytes`, as `readFrames` writes them (`ethSrc`, `ethDst`, `ips[i].src`,
 * `.dst`), in the order first seen (frame by frame: eth src, eth dst, then each IP header's src and
 * dst); null when the capture does not read to its end (where `readFrames` rejects). One pass with no
 * object per frame ({@link listFrameAddresses}): MACs and IPv4 addresses are told apart as numbers, and
 * a string is made for a new value only. Never throws.
 * @example
 * listCaptureAddresses(fs.readFileSync("client.pcap")) // ["52:54:00:3c:aa:21", "52:54:00:8e:1b:20", "15.15.15.2", …]
 */
export function listCaptureAddresses(bytes: Uint8Array): string[] | null {
  const seen = new Set<number>(); // IPv4 as uint32, MACs as MAC_KEY + the 48-bit value
  const seen6 = new Set<string>();
  const values: string[] = [];
  const mac = (d: Uint8Array, o: number): void => {
    const k = MAC_KEY + macAt(d, o);
    if (seen.has(k)) return;
    seen.add(k);
    values.push(formatMac(d, o));
  };
  const ip = (d: Uint8Array, o: number, v4: boolean): void => {
    if (v4) {
      const k = u32(d, o);
      if (seen.has(k)) return;
      seen.add(k);
      values.push(formatIpv4(d, o));
      return;
    }
    const v = formatIpv6(d, o);
    if (seen6.has(v)) return;
    seen6.add(v);
    values.push(v);
  };
  const { error } = listFrameAddresses(bytes, (f) => {
    const d = f.data;
    if (f.ethOff >= 0) {
      mac(d, f.ethOff + 6);
      mac(d, f.ethOff);
    }
    for (let i = 0; i < f.ipCount; i++) {
      const v4 = f.ipVer[i] === 4;
      ip(d, f.ipSrc[i]!, v4);
      ip(d, f.ipDst[i]!, v4);
    }
  });
  return error === undefined ? values : null;
}
