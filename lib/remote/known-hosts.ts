/**
 * OpenSSH `known_hosts` parsing and host-key verification. Supports plain host lists, `[host]:port`
 * entries, hashed `|1|salt|hash` entries, wildcard patterns, `!` negation, and the `@revoked` marker
 * (`@cert-authority` lines are skipped: packetwalk does not verify host certificates).
 */
import { createHash, createHmac } from "node:crypto";
import type { ParseWarning } from "../vrouter/types";
import { globToRegExp } from "./ssh-config";

/** One key line of a known_hosts file. */
export interface KnownHostEntry {
  /** Host patterns as written (`cent222,10.169.25.20`, `[127.0.0.1]:2222`, `|1|…|…`). */
  hosts: string[];
  /** Key type (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`). */
  keyType: string;
  /** The public key blob, base64 as written. */
  keyBase64: string;
  revoked: boolean;
  /** 1-based line in the file. */
  line: number;
}

/** A parsed known_hosts file. */
export interface KnownHosts {
  entries: KnownHostEntry[];
  warnings: ParseWarning[];
}

/** What {@link verifyHostKey} decided. */
export type HostKeyVerdict =
  | { status: "known"; fingerprint: string }
  | { status: "unknown"; fingerprint: string }
  | { status: "changed"; fingerprint: string; expected: string[] }
  | { status: "revoked"; fingerprint: string };

/**
 * Parses known_hosts text. Pure, never throws.
 *
 * @example
 * parseKnownHosts("[127.0.0.1]:2222 ssh-ed25519 AAAAC3Nza...").entries[0].hosts // ["[127.0.0.1]:2222"]
 */
export function parseKnownHosts(text: string): KnownHosts {
  const entries: KnownHostEntry[] = [];
  const warnings: ParseWarning[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let revoked = false;
    if (fields[0]!.startsWith("@")) {
      const marker = fields.shift()!;
      if (marker === "@revoked") revoked = true;
      else {
        warnings.push({ line: i + 1, column: 1, message: `marker not supported, line skipped: ${marker}`, text: line });
        return;
      }
    }
    if (fields.length < 3 || !/^[A-Za-z0-9+/]+=*$/.test(fields[2]!)) {
      warnings.push({ line: i + 1, column: 1, message: "expected: hosts keytype base64-key", text: line });
      return;
    }
    entries.push({ hosts: fields[0]!.split(","), keyType: fields[1]!, keyBase64: fields[2]!, revoked, line: i + 1 });
  });
  return { entries, warnings };
}

/**
 * The OpenSSH SHA256 fingerprint of a public key blob (`SHA256:` + unpadded base64).
 *
 * @example
 * fingerprintKey(Buffer.from(keyBase64, "base64")) // "SHA256:3r9u…"
 */
export function fingerprintKey(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * The name known_hosts uses for a host on a port: `host` on port 22, `[host]:port` otherwise.
 *
 * @example
 * knownHostsName("127.0.0.1", 2222) // "[127.0.0.1]:2222"
 */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * True when a known_hosts host field (one comma-separated element) names `name`.
 *
 * @example
 * hostFieldMatches("|1|salt=|hash=", "[127.0.0.1]:2222")
 */
export function hostFieldMatches(field: string, name: string): boolean {
  if (field.startsWith("|1|")) {
    const [, , salt, hash] = field.split("|");
    if (!salt || !hash) return false;
    const mac = createHmac("sha1", Buffer.from(salt, "base64")).update(name).digest("base64");
    return mac === hash;
  }
  return globToRegExp(field).test(name);
}

function entryMatches(entry: KnownHostEntry, names: readonly string[]): boolean {
  let hit = false;
  for (const field of entry.hosts) {
    const negated = field.startsWith("!");
    const f = negated ? field.slice(1) : field;
    if (names.some((n) => hostFieldMatches(f, n))) {
      if (negated) return false;
      hit = true;
    }
  }
  return hit;
}

/**
 * Checks an offered host key (raw blob) against known_hosts entries and pinned keys.
 * `names` are the known_hosts names to look up (see {@link knownHostsName}). Pins are fingerprints
 * (`SHA256:…`) or public key lines (`ssh-ed25519 AAAA…`); a node with pins is checked against its pins only.
 *
 * @example
 * verifyHostKey(blob, { names: ["[127.0.0.1]:2222"], knownHosts: [kh] }).status // "known"
 */
export function verifyHostKey(
  blob: Buffer,
  opts: { names: readonly string[]; knownHosts?: readonly KnownHosts[]; pins?: readonly string[] },
): HostKeyVerdict {
  const fingerprint = fingerprintKey(blob);
  const b64 = blob.toString("base64");
  const offeredType = keyTypeOf(blob);
  if (opts.pins && opts.pins.length > 0) {
    const ok = opts.pins.some((pin) => pinMatches(pin, fingerprint, b64));
    return ok ? { status: "known", fingerprint } : { status: "changed", fingerprint, expected: opts.pins.map(pinFingerprint) };
  }
  const matching = (opts.knownHosts ?? []).flatMap((kh) => kh.entries).filter((e) => entryMatches(e, opts.names));
  if (matching.some((e) => e.revoked && e.keyBase64 === b64)) return { status: "revoked", fingerprint };
  if (matching.some((e) => !e.revoked && e.keyBase64 === b64)) return { status: "known", fingerprint };
  const sameType = matching.filter((e) => !e.revoked && e.keyType === offeredType);
  if (sameType.length > 0) {
    return { status: "changed", fingerprint, expected: sameType.map((e) => fingerprintKey(Buffer.from(e.keyBase64, "base64"))) };
  }
  return { status: "unknown", fingerprint };
}

/**
 * A known_hosts line for a key, for `accept-new`.
 *
 * @example
 * knownHostsLine("[127.0.0.1]:2222", blob) // "[127.0.0.1]:2222 ssh-ed25519 AAAA…"
 */
export function knownHostsLine(name: string, blob: Buffer): string {
  return `${name} ${keyTypeOf(blob)} ${blob.toString("base64")}`;
}

/**
 * The key type string at the start of an SSH public key blob.
 *
 * @example
 * keyTypeOf(Buffer.from("AAAAC3NzaC1lZDI1NTE5AAAAI…", "base64")) // "ssh-ed25519"
 */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return "";
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString("latin1");
}

function pinMatches(pin: string, fingerprint: string, b64: string): boolean {
  const p = pin.trim();
  if (p.startsWith("SHA256:")) return p.replace(/=+$/, "") === fingerprint;
  const fields = p.split(/\s+/);
  const key = fields.length >= 2 ? fields[1] : fields[0];
  return key === b64;
}

function pinFingerprint(pin: string): string {
  const p = pin.trim();
  if (p.startsWith("SHA256:")) return p;
  const fields = p.split(/\s+/);
  const key = fields.length >= 2 ? fields[1]! : fields[0]!;
  return fingerprintKey(Buffer.from(key, "base64"));
}
