import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { Client } from "ssh2";
import { startLab, type Lab } from "../../lib/lab/lab";
import { compileTcpdumpFilter, textLine } from "../../lib/lab/tcpdump";
import { buildFrame, ipv4, tcp } from "../../lib/capture/build";

function which(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}
const TSHARK = which("tshark");
if (!TSHARK) console.warn("tshark is not installed (apt-get install -y tshark): the tshark cross-checks of the lab's captures are skipped");

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ flowLingerMs: 60_000 });
});
afterAll(async () => {
  await lab?.stop();
});

function get(pathname = "/"): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
    let reply = "";
    s.on("connect", () => s.write(`GET ${pathname} HTTP/1.1\r\nHost: www.juniper.net\r\nConnection: close\r\n\r\n`));
    s.on("data", (d) => (reply += d));
    s.on("error", reject);
    s.on("close", () => resolve(reply));
  });
}

/** Reads a classic pcap into [linktype, records]. */
function readPcap(buf: Buffer): { linktype: number; records: { at: number; frame: Buffer }[] } {
  expect(buf.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const linktype = buf.readUInt32LE(20);
  const records: { at: number; frame: Buffer }[] = [];
  for (let off = 24; off + 16 <= buf.length; ) {
    const sec = buf.readUInt32LE(off);
    const usec = buf.readUInt32LE(off + 4);
    const cap = buf.readUInt32LE(off + 8);
    records.push({ at: sec * 1000 + usec / 1000, frame: buf.subarray(off + 16, off + 16 + cap) });
    off += 16 + cap;
  }
  return { linktype, records };
}

/** Waits until a predicate holds, polling (no timed assertions). */
async function until(pred: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("fabric captures", () => {
  it("cent222's fabric shows MPLSoGRE (20 in, 299808 out) and MPLSoUDP 6635 (38 out, 27 in) with the HTTP inside", async () => {
    const file = path.join(lab.dir, "cent222.pcap");
    const cap = lab.capture("cent222", "ens3", file);
    const reply = await get();
    expect(reply).toMatch(/^HTTP\/1\.1 200/);
    await until(() => cap.packets >= 20, "the capture to fill");
    await cap.stop();
    const { linktype, records } = readPcap(fs.readFileSync(file));
    expect(linktype).toBe(1);
    for (let i = 1; i < records.length; i++) expect(records[i].at).toBeGreaterThanOrEqual(records[i - 1].at);
    // packetwalk's own decoder, when present.
    const decodeFile = path.resolve(__dirname, "../../lib/capture/decode.ts");
    if (fs.existsSync(decodeFile)) {
      const { decodeFrame } = (await import(decodeFile)) as { decodeFrame: (b: Uint8Array, lt: number) => { tunnel: string; labels: number[]; src?: string; dst?: string; malformed: boolean; http?: { method?: string; host?: string; status?: number } } };
      const frames = records.map((r) => decodeFrame(r.frame, 1));
      expect(frames.every((f) => !f.malformed)).toBe(true);
      const gre = frames.filter((f) => f.tunnel === "mplsogre");
      const udp = frames.filter((f) => f.tunnel === "mplsoudp");
      expect(new Set(gre.filter((f) => f.src === "15.15.15.2").map((f) => f.labels[0]))).toEqual(new Set([20]));
      expect(new Set(gre.filter((f) => f.dst === "15.15.15.2").map((f) => f.labels[0]))).toEqual(new Set([299808]));
      expect(new Set(udp.filter((f) => f.src === "10.47.255.238").map((f) => f.labels[0]))).toEqual(new Set([38]));
      expect(new Set(udp.filter((f) => f.dst === "10.47.255.238").map((f) => f.labels[0]))).toEqual(new Set([27]));
      expect(gre.some((f) => f.http?.method === "GET" && f.http?.host === "www.juniper.net")).toBe(true);
      expect(udp.some((f) => f.http?.status === 200)).toBe(true);
    }
    if (TSHARK) {
      const out = execFileSync(
        "tshark",
        ["-r", file, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-T", "fields",
          "-e", "frame.protocols", "-e", "ip.checksum.status", "-e", "tcp.checksum.status", "-e", "mpls.label", "-e", "udp.dstport", "-e", "http.request.method", "-e", "http.response.code"],
        { encoding: "utf8" },
      );
      const rows = out.trim().split("\n").map((l) => l.split("\t"));
      expect(rows.length).toBe(records.length);
      for (const r of rows) {
        expect(r[1].split(",").every((s) => s === "1")).toBe(true); // every IP header checksum good (1 = Good)
        expect(r[2]).toBe("1"); // TCP checksum good
      }
      expect(rows.some((r) => r[0] === "eth:ethertype:ip:gre:mpls:ip:tcp:http" && r[5] === "GET")).toBe(true);
      expect(rows.some((r) => r[0].startsWith("eth:ethertype:ip:udp:mpls:ip:tcp:http") && r[3] === "27" && r[6] === "200")).toBe(true);
      expect(rows.filter((r) => r[0].includes(":udp:")).every((r) => r[4] === "6635")).toBe(true);
    }
  });

  it("tcpdump on a node streams pcap over SSH (-w - -U -c N FILTER)", async () => {
    const n = lab.inventory.nodes.find((x) => x.name === "cent333")!;
    const pcap = await new Promise<Buffer>((resolve, reject) => {
      const c = new Client();
      c.on("ready", () =>
        c.exec("tcpdump -i ens3 -w - -U -c 6 udp port 6635", (err, ch) => {
          if (err) return reject(err);
          const parts: Buffer[] = [];
          let started = false;
          ch.on("data", (d: Buffer) => parts.push(d));
          ch.stderr.on("data", (d: Buffer) => {
            if (!started && d.toString().includes("listening on ens3")) {
              started = true;
              void get();
            }
          });
          ch.on("close", () => {
            c.end();
            resolve(Buffer.concat(parts));
          });
        }),
      );
      c.on("error", reject);
      c.connect({ host: "127.0.0.1", port: n.ssh.port, username: n.ssh.user, privateKey: fs.readFileSync(n.ssh.identityFile) });
    });
    const { records } = readPcap(pcap);
    expect(records.length).toBe(6);
    for (const r of records) {
      expect(r.frame[23]).toBe(17); // outer IP proto UDP
      expect(r.frame.readUInt16BE(36)).toBe(6635);
    }
  });

  it("mtu-blackhole: the oversized segment leaves cent222 (and is retransmitted) but never reaches the gateway", async () => {
    lab.setFault("mtu-blackhole", true);
    try {
      const node = lab.capture("cent222", "ens3", path.join(lab.dir, "bh-node.pcap"));
      const gw = lab.capture("gateway", "ge-0/0/1", path.join(lab.dir, "bh-gw.pcap"));
      const big = (f: Buffer) => f.length > 1300 + 14 + 28 + 40; // GRE frames carrying > 1300 bytes of TCP payload
      let seen: Buffer[] = [];
      const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
      let received = 0;
      s.on("data", (d) => (received += d.length));
      s.on("connect", () => s.write("GET /download/100000 HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n"));
      await until(() => {
        if (node.packets < 10) return false;
        seen = readPcap(fs.readFileSync(node.file)).records.map((r) => r.frame).filter(big);
        // the same TCP sequence number twice = a retransmission
        const seqs = seen.map((f) => f.readUInt32BE(14 + 20 + 4 + 4 + 20 + 4));
        return new Set(seqs).size < seqs.length;
      }, "a retransmitted oversized segment on cent222");
      s.destroy();
      await node.stop();
      await gw.stop();
      expect(received).toBe(0);
      const gwFrames = readPcap(fs.readFileSync(gw.file)).records.map((r) => r.frame);
      expect(gwFrames.length).toBeGreaterThan(0); // the handshake and the request went through
      expect(gwFrames.filter(big)).toEqual([]);
    } finally {
      lab.setFault("mtu-blackhole", false);
    }
  });

  it("-i any writes Linux cooked captures of every interface; text mode prints tcpdump lines", async (ctx) => {
    const file = path.join(lab.dir, "any.pcap");
    const cap = lab.capture("cent222", "any", file);
    await get();
    await until(() => cap.packets >= 30, "the capture to fill");
    await cap.stop();
    const { linktype, records } = readPcap(fs.readFileSync(file));
    expect(linktype).toBe(113);
    expect(new Set(records.map((r) => r.frame.readUInt16BE(0)))).toEqual(new Set([0, 4])); // incoming and outgoing
    let req: Promise<string> | undefined;
    const f = await new Promise<Buffer>((resolve) => {
      const un = lab.fabric.subscribe("cent222", "ens3", (frame) => {
        if (frame[23] !== 47 || frame[14 + 20 + 4 + 4 + 20 + 13] !== 0x02) return; // the client's SYN over GRE
        un();
        resolve(frame);
      });
      req = get();
    });
    await req;
    expect(textLine(f, Date.UTC(2024, 10, 24, 14, 0, 0))).toMatch(/^14:00:00\.000000 IP 192\.168\.0\.204 > 10\.169\.25\.20: GREv0, length \d+: MPLS \(label 20, exp 0, \[S\], ttl 63\) IP 15\.15\.15\.2\.\d+ > 101\.101\.101\.1\.80: Flags \[S\], seq \d+, win 64240, length 0\n$/);
    if (!TSHARK) return ctx.skip("tshark not installed");
    const out = execFileSync("tshark", ["-r", file, "-T", "fields", "-e", "frame.protocols"], { encoding: "utf8" });
    expect(out.split("\n")[0]).toBe("sll:ethertype:ip:gre:mpls:ip:tcp");
  });

  it("tcpdump rejects unknown interfaces and bad filters like tcpdump", () => {
    const r = lab.tool("cent222", ["tcpdump", "-i", "eth9"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("eth9: No such device exists");
    expect(typeof compileTcpdumpFilter("udp port")).toBe("string");
    const f = compileTcpdumpFilter("host 15.15.15.2 and (tcp port 80 or proto gre)");
    expect(typeof f).toBe("function");
    const pkt = Buffer.from(buildFrame([ipv4("15.15.15.2", "101.101.101.1"), tcp(40000, 80, { seq: 1, ack: 0, flags: 2 })]));
    expect((f as (b: Buffer) => boolean)(pkt)).toBe(true);
  });
});
