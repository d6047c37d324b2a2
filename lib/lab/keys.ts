/**
 * Key material of the lab: one client identity (written 0600 to the lab's temp dir) and one host key
 * per node, pinned in the inventory as an OpenSSH public key line and a `SHA256:` fingerprint.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { utils } from "ssh2";

/** A generated ed25519 key pair. */
export interface LabKey {
  /** OpenSSH private key (PEM-like text). */
  privateKey: string;
  /** `ssh-ed25519 AAAA... comment`. */
  publicKey: string;
  /** `ssh-ed25519 AAAA...` without the comment. */
  publicKeyLine: string;
  /** `SHA256:...` as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

/**
 * The `SHA256:` fingerprint of an OpenSSH public key line.
 *
 * @example
 * fingerprintOf("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIImpuF3O45ejSlMFocjAsTNKw3JNip8896KSZCy6V8X8");
 * // "SHA256:..."
 */
export function fingerprintOf(publicKeyLine: string): string {
  const blob = Buffer.from(publicKeyLine.trim().split(/\s+/)[1] ?? "", "base64");
  return "SHA256:" + crypto.createHash("sha256").update(blob).digest("base64").replace(/=+$/, "");
}

/**
 * Generates an ed25519 key pair.
 *
 * @example
 * const k = generateLabKey("packetwalk-lab cent222");
 * k.publicKeyLine.startsWith("ssh-ed25519 "); // true
 */
export function generateLabKey(comment: string): LabKey {
  // ssh2's ed25519 generator drops a leading zero byte of the public key (about 1 key in 200), which
  // yields a key nobody can parse: generate until both halves parse back as a 32-byte key.
  for (let attempt = 0; ; attempt++) {
    const k = utils.generateKeyPairSync("ed25519", { comment });
    const line = k.public.trim().split(/\s+/).slice(0, 2).join(" ");
    const priv = utils.parseKey(k.private);
    const pub = utils.parseKey(line);
    const ok = !(priv instanceof Error) && !(pub instanceof Error) && Buffer.from(line.split(" ")[1], "base64").length === 51;
    if (ok) return { privateKey: k.private, publicKey: k.public.trim(), publicKeyLine: line, fingerprint: fingerprintOf(line) };
    if (attempt > 50) throw new Error("cannot generate a usable ed25519 key");
  }
}

/**
 * Writes a private key file with mode 0600 (and its `.pub` beside it).
 *
 * @example
 * writeIdentity("/tmp/pwlab-x/id_ed25519", generateLabKey("client"));
 */
export function writeIdentity(file: string, key: LabKey): void {
  fs.writeFileSync(file, key.privateKey.endsWith("\n") ? key.privateKey : key.privateKey + "\n", { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  fs.writeFileSync(file + ".pub", key.publicKey + "\n", { mode: 0o644 });
}
