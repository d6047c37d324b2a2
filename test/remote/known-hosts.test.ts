import { execFileSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprintKey, knownHostsName, parseKnownHosts, verifyHostKey } from "../../lib/remote/known-hosts";
import { generateKeyPair } from "./helpers/ssh-server";

const key = generateKeyPair().publicKey.trim().split(/\s+/);
const other = generateKeyPair().publicKey.trim().split(/\s+/);
const blob = Buffer.from(key[1]!, "base64");

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

describe("parseKnownHosts(text) / verifyHostKey(blob, opts)", () => {
  it("knows a plain [host]:port entry", () => {
    const kh = parseKnownHosts(`# comment\n[127.0.0.1]:2222 ${key[0]} ${key[1]}\n`);
    expect(kh.entries).toHaveLength(1);
    expect(verifyHostKey(blob, { names: [knownHostsName("127.0.0.1", 2222)], knownHosts: [kh] })).toEqual({ status: "known", fingerprint: fingerprintKey(blob) });
    expect(verifyHostKey(blob, { names: [knownHostsName("127.0.0.1", 2223)], knownHosts: [kh] }).status).toBe("unknown");
  });

  it("knows hashed |1| entries and comma lists", () => {
    const kh = parseKnownHosts(`${hashed("[127.0.0.1]:2222")} ${key[0]} ${key[1]}\ncent222,10.169.25.20 ${key[0]} ${key[1]}`);
    expect(verifyHostKey(blob, { names: ["[127.0.0.1]:2222"], knownHosts: [kh] }).status).toBe("known");
    expect(verifyHostKey(blob, { names: ["10.169.25.20"], knownHosts: [kh] }).status).toBe("known");
  });

  it("reports a changed key with the offered and expected fingerprints", () => {
    const kh = parseKnownHosts(`[127.0.0.1]:2222 ${other[0]} ${other[1]}`);
    const v = verifyHostKey(blob, { names: ["[127.0.0.1]:2222"], knownHosts: [kh] });
    expect(v).toEqual({ status: "changed", fingerprint: fingerprintKey(blob), expected: [fingerprintKey(Buffer.from(other[1]!, "base64"))] });
  });

  it("honours @revoked and negated patterns", () => {
    expect(verifyHostKey(blob, { names: ["h"], knownHosts: [parseKnownHosts(`@revoked * ${key[0]} ${key[1]}`)] }).status).toBe("revoked");
    expect(verifyHostKey(blob, { names: ["h"], knownHosts: [parseKnownHosts(`*,!h ${key[0]} ${key[1]}`)] }).status).toBe("unknown");
  });

  it("checks pins (fingerprint or key line) instead of known_hosts", () => {
    expect(verifyHostKey(blob, { names: ["h"], pins: [fingerprintKey(blob)] }).status).toBe("known");
    expect(verifyHostKey(blob, { names: ["h"], pins: [`${key[0]} ${key[1]}`] }).status).toBe("known");
    expect(verifyHostKey(blob, { names: ["h"], pins: [`${other[0]} ${other[1]}`] }).status).toBe("changed");
  });

  it("skips bad lines with warnings", () => {
    const kh = parseKnownHosts("garbage\n@cert-authority * ssh-ed25519 AAAA\nhost ssh-ed25519 !!!\n");
    expect(kh.entries).toEqual([]);
    expect(kh.warnings.map((w) => w.line)).toEqual([1, 2, 3]);
  });

  it("reads entries hashed by ssh-keygen -H", () => {
    let hasKeygen = true;
    try {
      execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
    } catch (e) {
      hasKeygen = (e as { status?: number }).status !== undefined && (e as { code?: string }).code !== "ENOENT";
    }
    if (!hasKeygen) {
      console.warn("ssh-keygen not installed (apt-get install openssh-client): skipping the ssh-keygen -H check");
      return;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-kh-"));
    const file = path.join(dir, "known_hosts");
    fs.writeFileSync(file, `[127.0.0.1]:2222 ${key[0]} ${key[1]}\n`);
    execFileSync("ssh-keygen", ["-H", "-f", file], { stdio: "ignore" });
    const kh = parseKnownHosts(fs.readFileSync(file, "utf8"));
    expect(kh.entries[0]!.hosts[0]).toMatch(/^\|1\|/);
    expect(verifyHostKey(blob, { names: ["[127.0.0.1]:2222"], knownHosts: [kh] }).status).toBe("known");
    fs.rmSync(dir, { recursive: true });
  });
});
