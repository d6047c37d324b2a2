/**
 * The pieces of a share: finding addresses and names in text, the one text rewriter (prefix-preserving
 * in text too, stable names), the key file (generated 0600, refused when readable by others or
 * malformed, the same mapping and aliases in a later share).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createAddressMapper } from "../../lib/redact/address";
import { AliasTable } from "../../lib/redact/aliases";
import { addressRegex, findAddresses } from "../../lib/redact/find-addresses";
import { NameCollector } from "../../lib/redact/find-names";
import { KeyFileError, loadKeyFile, saveKeyFile } from "../../lib/redact/keyfile";
import { escapeRe, holdsAny, nameAnchors, TextRedactor } from "../../lib/redact/text";
import { findLeftovers } from "../../lib/redact/verify";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-redact-text-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

function redactor(names: [Parameters<AliasTable["assign"]>[0] extends Iterable<infer T> ? T : never][0][] = []): TextRedactor {
  const t = new AliasTable();
  t.assign(names);
  return new TextRedactor(createAddressMapper(KEY), t);
}

describe("findAddresses", () => {
  it("finds IPv4 in every written form and leaves times and versions alone", () => {
    const text = "15.15.15.2:37444 > 101.101.101.1.80: route 10.47.255.0/24 via BGP_60100.10.169.25.19 at 12:54:52.208 (vega-lite 5.23.0) IPaddr:10.169.25.21 \\n192.168.0.204";
    expect(findAddresses(text).map((a) => `${a.kind} ${a.canonical}${a.prefix !== null ? `/${a.prefix}` : ""}`)).toEqual([
      "ipv4 15.15.15.2", "ipv4 101.101.101.1", "ipv4 10.47.255.0/24", "ipv4 10.169.25.19", "ipv4 10.169.25.21", "ipv4 192.168.0.204",
    ]);
    expect(findAddresses("999.1.1.1 1.2.3")).toEqual([]);
  });

  it("finds IPv6 (compressed, full, bracketed, with an IPv4 tail, with a prefix) and MACs (padded or vRouter's unpadded, colons or dashes)", () => {
    const text = "[2001:db8::1]:443 fe80::1%eth0 2001:0db8:0000:0000:0000:0000:0000:0002 ::ffff:10.1.2.3 2001:db8:101::/48 HWaddr:52:54:00:3c:aa:21 52:54:0:f4:26:a1 52-54-00-3C-AA-21 1d 2:03:04";
    expect(findAddresses(text).map((a) => `${a.kind} ${a.canonical}`)).toEqual([
      "ipv6 2001:db8::1", "ipv6 fe80::1", "ipv6 2001:db8::2", "ipv6 ::ffff:10.1.2.3", "ipv6 2001:db8:101::", "mac 52:54:00:3c:aa:21", "mac 52:54:00:f4:26:a1", "mac 52:54:00:3c:aa:21",
    ]);
  });
});

describe("TextRedactor", () => {
  it("keeps prefixes in text: the same /24 stays one /24, a network stays a network, the same address the same pseudonym", () => {
    const r = redactor();
    const out = r.text("pods 10.47.255.236 and 10.47.255.238 in 10.47.255.0/24; again 10.47.255.236:80");
    const [a, b, net, again] = findAddresses(out);
    expect(a!.canonical).not.toBe("10.47.255.236");
    expect(a!.canonical.split(".").slice(0, 3)).toEqual(b!.canonical.split(".").slice(0, 3));
    expect(net!.canonical).toBe(`${a!.canonical.split(".").slice(0, 3).join(".")}.0`);
    expect(net!.prefix).toBe(24);
    expect(again!.canonical).toBe(a!.canonical);
    // loopback and unspecified stay
    expect(r.text("127.0.0.1:45571 0.0.0.0/0")).toBe("127.0.0.1:45571 0.0.0.0/0");
  });

  it("keeps the owner's map one-to-one when a host's pseudonym has zero host bits, like its network's", () => {
    // a /24 whose host with pseudonym x.y.z.0 is not the network address itself (one host per /24 maps to .0)
    const mapper = createAddressMapper(KEY);
    let net = "", host = "";
    for (let c = 1; c < 255 && !host; c++) {
      for (let d = 1; d < 256; d++) {
        if ((mapper.ipv4(((15 << 24) | (15 << 16) | (c << 8) | d) >>> 0) & 0xff) === 0) {
          net = `15.15.${c}.0`;
          host = `15.15.${c}.${d}`;
          break;
        }
      }
    }
    expect(host).not.toBe("");
    const r = redactor();
    const out = r.text(`route ${net}/24 via ${host}`);
    const [pnet, phost] = findAddresses(out);
    // both written x.y.z.0: the network (host bits zeroed) and the host (its own pseudonym)
    expect(pnet!.canonical).toBe(phost!.canonical);
    // the pairs tell them apart: the network's with its prefix length
    expect(r.pairs.get(host)).toBe(phost!.canonical);
    expect(r.pairs.get(`${net}/24`)).toBe(`${pnet!.canonical}/24`);
    expect(r.pairs.has(net)).toBe(false);
    const reverse = new Map([...r.pairs].map(([o, p]) => [p, o]));
    expect(reverse.size).toBe(r.pairs.size);
  });

  it("writes a MAC like the original (separator, case, padding) and counts what it replaced", () => {
    const r = redactor();
    const out = r.text("52:54:0:f4:26:a1 52-54-00-3C-AA-21");
    expect(out).toMatch(/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5} [0-9A-F]{2}(-[0-9A-F]{2}){5}$/);
    expect(r.counts().replaced.mac).toBe(2);
    // Wireshark's vendor form takes the pseudonym of the full MAC with those last bytes, or loses them.
    const full = r.text("52:54:00:3c:aa:21");
    expect(r.text("Src: RealtekU_3c:aa:21 (52:54:00:3c:aa:21), Dst: Intel_01:02:03")).toBe(`Src: ${full} (${full}), Dst: xx:xx:xx:xx:xx:xx`);
  });

  it("replaces known names as tokens, case-insensitively, longest first, and whole short values only as fields", () => {
    const r = redactor([["node", "cent222"], ["vrf", "k8s-ns-user-1-public"], ["namespace", "k8s-ns-user-1"], ["host", "www.juniper.net"], ["host", "vm"]]);
    expect(r.text("cent222 routes via k8s-ns-user-1-public.inet.0 in k8s-ns-user-1; Host: WWW.JUNIPER.NET\\ncent222; cent2223 vm")).toBe(
      "node-1 routes via vrf-1.inet.0 in ns-1; Host: host-2.example\\nnode-1; cent2223 vm",
    );
    expect(r.field("vm")).toBe("host-1.example");
  });

  it("redacts values a table cut short: a name's first characters, an address's complete octets", () => {
    const r = redactor([["node", "cent222"], ["node", "cent333"]]);
    const full = r.text("10.47.255.236");
    expect(r.text("hop = cent2… (cent3...) cent… 10.47.255.2… 10.47.25…")).toBe(
      `hop = node-1… (node-2...) node-… ${full.split(".").slice(0, 3).join(".")}.… ${full.split(".").slice(0, 2).join(".")}.…`,
    );
  });
});

describe("TextRedactor pre-tests (a long text is searched for a few characters before any rule's regex)", () => {
  // a small deterministic generator (xorshift), so a failure reproduces
  let seed = 0x9e3779b9;
  const rand = (n: number): number => {
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed % n;
  };
  const pick = (s: string): string => s[rand(s.length)]!;
  const ALPHABET = "abcdefxyzABCDEFXYZ0123456789:-._/ \t\nİıſKKéÉ";
  const word = (n: number): string => Array.from({ length: n }, () => pick(ALPHABET)).join("");
  const mixCase = (s: string): string => [...s].map((c) => (rand(2) ? c.toUpperCase() : c.toLowerCase())).join("");

  it("the name pre-test never rules out a text that holds a name (any case, non-ASCII letters, many names)", () => {
    for (let round = 0; round < 300; round++) {
      const names = Array.from({ length: 1 + rand(rand(4) === 0 ? 40 : 6) }, () => word(3 + rand(10)));
      const anyName = new RegExp(names.map(escapeRe).join("|"), "i");
      const anchors = nameAnchors(names);
      for (let t = 0; t < 20; t++) {
        const n = names[rand(names.length)]!;
        const text = word(rand(200)) + (t % 2 === 0 ? mixCase(n) : n) + word(rand(200));
        const plain = word(rand(300));
        for (const s of [text, plain]) if (anyName.test(s)) expect(anchors === null || holdsAny(s, anchors), `${JSON.stringify(names)} in ${JSON.stringify(s)}`).toBe(true);
      }
    }
  });

  it("the address pre-test (a digit, colon or dash) holds for every address the finder sees", () => {
    for (let t = 0; t < 3000; t++) {
      const s = word(5 + rand(60));
      if (addressRegex().test(s)) expect(holdsAny(s, [..."0123456789:-"]), s).toBe(true);
    }
  });

  it("gives the same text as the rules alone: names and addresses in long texts are still replaced, texts with neither returned as they are", () => {
    const r = redactor([["node", "cent222"], ["host", "www.juniper.net"], ["vrf", "k8s-ns-user-1-public"]]);
    const filler = "x".repeat(2600);
    expect(r.text(filler)).toBe(filler);
    const lorem = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(50);
    expect(r.text(lorem)).toBe(lorem);
    const body = `${filler} CENT222 served www.Juniper.NET at 10.47.255.238 via k8s-ns-user-1-public.inet.0 ${filler}`;
    const out = r.text(body);
    expect(out).not.toMatch(/cent222|juniper|10\.47\.255\.238|k8s-ns-user-1-public/i);
    expect(out).toContain("node-1 served host-1.example at ");
    expect(out).toContain(" via vrf-1.inet.0 ");
  });
});

describe("NameCollector", () => {
  it("finds names in Host headers, URLs of evidence, Junos tables, Contrail names, pod names and prompts, and keeps packetwalk's words", () => {
    const c = new NameCollector();
    c.fromText("GET / HTTP/1.1\r\nHost: www.juniper.net:80\r\nX-Pod: webservice-7db5dcb4c6-h9xk2\r\n", { evidence: true });
    c.fromText("http://shop.example.com/x <rt xmlns=\"http://xml.juniper.net/junos/20.4R1/junos-routing\"> k8s-ns-user-1-public.inet.0 bgp.l3vpn.0 inet.0", { evidence: true });
    c.fromText("VRF default-domain:k8s-ns-user-1:k8s-ns-user-1-pod-network:k8s-ns-user-1-pod-network netops@mx-ams-01> show route");
    c.fromText("see http://not-evidence.example.org/"); // URLs count in evidence only
    c.fromText("table-name inet.0 <table-name>bgp.l3vpn.0</table-name> <table-name>mpls.0</table-name>"); // the master instance's tables name no VRF
    c.fromJson({ discovery: { activeNode: "cent222", gatewayNode: "gateway", gatewayVrf: "k8s-ns-user-1-public" }, headers: [["Host", "api.internal"]], where: "lab" });
    expect(c.entries().sort()).toEqual([
      ["host", "api.internal"], ["host", "mx-ams-01"], ["host", "shop.example.com"], ["host", "www.juniper.net"],
      ["namespace", "k8s-ns-user-1"], ["network", "k8s-ns-user-1-pod-network"], ["node", "cent222"],
      ["pod", "webservice-7db5dcb4c6-h9xk2"], ["service", "webservice"], ["user", "netops"], ["vrf", "k8s-ns-user-1-public"],
    ].sort());
  });
});

describe("key file", () => {
  it("is generated with mode 0600 when absent; the same key file gives the same pseudonyms and aliases later, new names the next number", () => {
    const file = path.join(tmp, "owner.key");
    const k1 = loadKeyFile(file);
    expect(k1.created).toBe(true);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    k1.aliases.assign([["node", "cent333"], ["node", "cent222"]]);
    saveKeyFile(k1);
    const a = new TextRedactor(createAddressMapper(k1.key), k1.aliases).text("cent222 10.1.2.3");
    const k2 = loadKeyFile(file);
    expect(k2.created).toBe(false);
    k2.aliases.assign([["node", "cent111"]]);
    const b = new TextRedactor(createAddressMapper(k2.key), k2.aliases).text("cent222 10.1.2.3 cent111 cent333");
    expect(b.startsWith(a)).toBe(true);
    expect(a.startsWith("node-1 ")).toBe(true); // sorted: cent222 before cent333
    expect(b.endsWith("node-3 node-2")).toBe(true); // a later name takes the next number
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("is refused, with a clear message, when group or others can read it or its format is wrong", () => {
    const open = path.join(tmp, "open.key");
    fs.copyFileSync(path.join(tmp, "owner.key"), open);
    fs.chmodSync(open, 0o644);
    expect(() => loadKeyFile(open)).toThrow(KeyFileError);
    expect(() => loadKeyFile(open)).toThrow(/can be read or written by group or others \(mode 0644\).*chmod 600/);
    const bad = (name: string, text: string) => {
      const f = path.join(tmp, name);
      fs.writeFileSync(f, text, { mode: 0o600 });
      return () => loadKeyFile(f);
    };
    expect(bad("notjson.key", "hello")).toThrow(/not a packetwalk key file \(not JSON/);
    expect(bad("format.key", JSON.stringify({ format: "x" }))).toThrow(/format "x"/);
    expect(bad("short.key", JSON.stringify({ format: "packetwalk-redact-key", version: 1, key: "abcd" }))).toThrow(/"key" must be 64 hex digits/);
    expect(bad("alias.key", JSON.stringify({ format: "packetwalk-redact-key", version: 1, key: "a".repeat(64), aliases: { planet: {} } }))).toThrow(/unknown alias kind "planet"/);
  });
});

describe("findLeftovers", () => {
  it("names file and place of every original: addresses in any form, names as tokens, escaped, or cut short", async () => {
    const originals = new Map<string, string>([["10.47.255.236", "ipv4"], ["52:54:00:3c:aa:21", "mac"], ["cent333", "node"], ["vm", "host"]]);
    const files = new Map<string, Uint8Array>([
      ["a.txt", Buffer.from("ok 11.2.3.4\nHWaddr:52:54:0:3c:aa:21\n")],
      ["b.json", Buffer.from(JSON.stringify({ text: "line\ncent333 here", where: "vm", ip: "x10.47.255.236" }))],
      ["c.csv", Buffer.from("hop,node\n1,cent3…\n")],
      ["d.txt", Buffer.from("node-1 12.0.0.1 all clean\n")],
    ]);
    const l = await findLeftovers(files, originals);
    expect(l.map((x) => `${x.file} ${x.kind} ${x.value}`).sort()).toEqual([
      "a.txt mac 52:54:00:3c:aa:21", "b.json ipv4 10.47.255.236", "b.json name vm", "b.json node cent333", "c.csv name cut short cent3…",
    ]);
    expect(l.find((x) => x.file === "a.txt")!.place).toBe("line 2");
  });
});
