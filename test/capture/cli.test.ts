/**
 * `packetwalk capture` run in-process with PassThrough streams.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import capture from "../../kernel/commands/capture";
import type { CommandIO } from "../../kernel/commands/types";
import { writePcap } from "../../lib/capture/file/writer";
import { scenarioFrames } from "../../lib/capture/scenario";
import { FIXTURES } from "./helpers";

async function runCli(argv: string[], stdin?: Buffer): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const input = new PassThrough();
  let out = "", err = "";
  stdout.on("data", (b: Buffer) => { out += b.toString(); });
  stderr.on("data", (b: Buffer) => { err += b.toString(); });
  const io: CommandIO = { stdout, stderr, stdin: input, signal: new AbortController().signal, env: {}, cwd: FIXTURES };
  if (stdin) input.end(stdin);
  const code = await capture.run(argv, io);
  return { code, out, err };
}

describe("packetwalk capture", () => {
  it("prints the frame list by default (relative paths resolve against io.cwd)", async () => {
    const { code, out, err } = await runCli(["contrail-mplsogre-mplsoudp-http.pcap"]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const lines = out.trimEnd().split("\n");
    expect(lines).toHaveLength(107);
    expect(lines[0]).toBe("No.\tTime\tSource\tDestination\tProtocol\tLength\tInfo");
    expect(lines[1]).toBe("1\t0.000000\t15.15.15.2\t101.101.101.1\tTCP\t90\tMPLSoGRE[20] 192.168.0.204→10.169.25.20 40000 → 80 [SYN] Seq=0 Len=0");
    expect(lines[14]).toBe("14\t0.002272\t10.47.255.238\t10.99.225.17\tHTTP\t171\tMPLSoUDP[38] 10.169.25.20→10.169.25.21 GET /login HTTP/1.1");
  });

  it("--filter keeps matching frames; --json prints one object per frame", async () => {
    const { code, out } = await runCli(["contrail-mplsogre-mplsoudp-http.pcap", "--json", "--filter", "mpls.label==38 && http"]);
    expect(code).toBe(0);
    const objs = out.trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(objs.map((o) => o.no)).toEqual([14, 35, 57]);
    expect(objs[0]).toMatchObject({
      no: 14, epoch: "1732456800.002272000", tunnel: "mplsoudp", outerSrc: "10.169.25.20", outerDst: "10.169.25.21",
      labels: [38], src: "10.47.255.238", dst: "10.99.225.17", srcPort: 51000, dstPort: 80, tcpFlags: ["PSH", "ACK"],
      seq: 1370692205, ack: 2037556078, payloadLength: 85, http: { method: "GET", path: "/login", host: "10.99.225.17" },
    });
  });

  it("--tsv FIELDS prints the chosen fields with a header", async () => {
    const { code, out } = await runCli(["contrail-mplsogre-mplsoudp-http.pcap", "--tsv", "no,tunnel,labels,src,dstPort,http.method,http.status", "--filter", "tunnel==vxlan && http"]);
    expect(code).toBe(0);
    expect(out).toBe("no\ttunnel\tlabels\tsrc\tdstPort\thttp.method\thttp.status\n90\tvxlan\t\t10.47.255.240\t80\tGET\t\n92\tvxlan\t\t10.47.255.250\t52000\t\t404\n");
  });

  it("--stats counts frames per tunnel type and label", async () => {
    const { code, out } = await runCli(["contrail-mplsogre-mplsoudp-http.pcap", "--stats"]);
    expect(code).toBe(0);
    expect(out).toContain("tunnel\tframes\tbytes\nmplsogre\t62\t");
    expect(out).toContain("mplsoudp\t34\t");
    expect(out).toContain("vxlan\t10\t");
    expect(out).toMatch(/mplsoudp\tlabel 38\t16\t\d+/);
    expect(out).toMatch(/mplsogre\tlabel 16,20\t5\t\d+/);
    expect(out).toMatch(/vxlan\tvni 5001\t10\t\d+/);
    expect(out).toContain("total\t106 frames");
  });

  it("reads stdin with FILE '-' and honours --label-map / --mpls-udp-port", async () => {
    const img = fs.readFileSync(path.join(FIXTURES, "contrail-edge-cases.pcap"));
    const a = await runCli(["-", "--tsv", "no,protocols", "--mpls-udp-port", "6635"], img);
    expect(a.code).toBe(0);
    expect(a.out.split("\n")[1]).toBe("1\teth:ip:udp");
    const b = await runCli(["-", "--tsv", "no,protocols", "--label-map", "38=ip,40=ethernet,41=ethernet,42=ethernet,43=ethernet"], img);
    expect(b.out.split("\n").slice(1, 6)).toEqual([
      "1\teth:ip:udp:mpls:ip:tcp", "2\teth:ip:udp:mpls:eth:ip:tcp", "3\teth:ip:udp:mpls:eth:ip:tcp",
      "4\teth:ip:gre:mpls:eth:ip:tcp", "5\teth:ip:udp:mpls:eth:ip:tcp",
    ]);
  });

  it("exits 2 naming the file when it cannot be read or is not a capture", async () => {
    const missing = await runCli(["no-such-file.pcap"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^packetwalk capture: no-such-file.pcap: offset 0: cannot read: ENOENT/);
    const notCapture = await runCli(["INDEX.md"]);
    expect(notCapture.code).toBe(2);
    expect(notCapture.err).toContain("INDEX.md: offset 0: not a pcap or pcapng file");
  });

  it("exits 1 after printing the frames before a cut-short record", async () => {
    const img = writePcap(scenarioFrames({ rounds: 1 }).slice(0, 3));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-capture-cli-"));
    try {
      fs.writeFileSync(path.join(dir, "cut.pcap"), img.subarray(0, img.length - 10));
      const stdout = new PassThrough(), stderr = new PassThrough();
      let out = "", err = "";
      stdout.on("data", (b: Buffer) => { out += b; });
      stderr.on("data", (b: Buffer) => { err += b; });
      const code = await capture.run(["cut.pcap", "--tsv", "no"], {
        stdout, stderr, stdin: new PassThrough(), signal: new AbortController().signal, env: {}, cwd: dir,
      });
      expect(code).toBe(1);
      expect(out).toBe("no\n1\n2\n");
      expect(err).toMatch(/cut.pcap: offset \d+: file ends inside a record: \d+ of \d+ bytes present \(2 frames read before it\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("on abort (SIGINT) prints what a live stdin capture delivered so far", async () => {
    const frames = scenarioFrames({ rounds: 1 }).slice(0, 4);
    const img = writePcap(frames);
    const stdin = new PassThrough(), stdout = new PassThrough(), stderr = new PassThrough();
    let out = "";
    stdout.on("data", (b: Buffer) => { out += b; });
    const ac = new AbortController();
    const running = capture.run(["-", "--tsv", "no,http.method"], {
      stdin, stdout, stderr, signal: ac.signal, env: {}, cwd: FIXTURES,
    });
    stdin.write(img); // the stream stays open, like tcpdump -w - -U
    // wait until the reader has taken the bytes (no timing assumption), then let it decode them
    for (let k = 0; k < 1000 && stdin.readableLength > 0; k++) await new Promise((r) => setImmediate(r));
    for (let k = 0; k < 5; k++) await new Promise((r) => setImmediate(r));
    ac.abort();
    expect(await running).toBe(0);
    expect(out).toBe("no\thttp.method\n1\t\n2\t\n3\t\n4\tGET\n");
  });

  it("exits 2 on usage errors, with the filter position", async () => {
    const bad = await runCli(["contrail-any-sll.pcap", "--filter", "tcp.port == "]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("expected a value after '==' at position 12");
    expect((await runCli([])).code).toBe(2);
    expect((await runCli(["a", "b"])).code).toBe(2);
    expect((await runCli(["x.pcap", "--json", "--tsv", "no"])).code).toBe(2);
    const tsv = await runCli(["x.pcap", "--tsv", "no,bogus"]);
    expect(tsv.code).toBe(2);
    expect(tsv.err).toContain("unknown --tsv field bogus");
    expect((await runCli(["x.pcap", "--bogus"])).code).toBe(2);
    const help = await runCli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("usage: packetwalk capture FILE");
  });

  it("MPLSoUDP: --tsv and --json give the tunnel's UDP ports (the entropy source port), TTL and DSCP; --filter on them", async () => {
    const file = path.join(os.tmpdir(), `pw-cli-outer-${process.pid}.pcap`);
    const frames = scenarioFrames().filter((f) => f.data[23] === 17 && f.data[36] === 0x19 && f.data[37] === 0xeb);
    expect(frames.length).toBeGreaterThan(0);
    fs.writeFileSync(file, writePcap(frames.slice(0, 2)));
    try {
      const tsv = await runCli([file, "--tsv", "no,tunnel,tunnelSrcPort,tunnelDstPort,outerTtl,outerDscp"]);
      expect(tsv.code).toBe(0);
      const [header, first] = tsv.out.trimEnd().split("\n");
      expect(header).toBe("no\ttunnel\ttunnelSrcPort\ttunnelDstPort\touterTtl\touterDscp");
      const sport = (frames[0]!.data[34]! << 8) | frames[0]!.data[35]!;
      expect(first).toBe(`1\tmplsoudp\t${sport}\t6635\t${frames[0]!.data[22]}\t${frames[0]!.data[15]! >> 2}`);
      const json = await runCli([file, "--json", "--filter", `outer.udp.srcport == ${sport}`]);
      expect(JSON.parse(json.out.split("\n")[0]!)).toMatchObject({ tunnelSrcPort: sport, tunnelDstPort: 6635 });
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it("a link type that is not decoded: one warning on stderr, exit 0", async () => {
    const file = path.join(os.tmpdir(), `pw-cli-lt-${process.pid}.pcap`);
    fs.writeFileSync(file, writePcap(scenarioFrames().slice(0, 20), { linkType: 147 }));
    try {
      const r = await runCli([file]);
      expect(r.code).toBe(0);
      expect(r.err.trimEnd().split("\n")).toEqual(["packetwalk capture: warning: link type 147 (user0) is not decoded: 20 frames kept without layers"]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
