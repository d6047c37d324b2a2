/**
 * JSON values redacted through the one text rewriter: every string (and every key) goes through it; a
 * string that is, as a whole, a known name takes its alias whatever its length (a provenance `host`
 * of two letters included); SSH host keys and a Kubernetes node's machine identifiers (`machineID`,
 * `systemUUID`, `bootID`, `providerID`) are dropped (they name a machine, and replay does not need them). Numbers, booleans and the shape stay as they are.
 */
import type { TextRedactor } from "./text";

/** Keys whose values are removed: they identify a machine and nothing reads them after a share. */
export const DROPPED_KEYS: ReadonlySet<string> = new Set(["hostKey", "hostKeys", "fingerprint", "machineID", "systemUUID", "bootID", "providerID"]);

/**
 * A redacted copy of a JSON value.
 *
 * @example
 * redactJson({ node: "cent222", ip: "10.47.255.236" }, redactor); // { node: "node-1", ip: "10.93.…" }
 */
export function redactJson(value: unknown, r: TextRedactor, depth = 0): unknown {
  if (typeof value === "string") return r.field(value);
  if (value === null || typeof value !== "object" || depth > 500) return value;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, r, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (DROPPED_KEYS.has(k)) continue;
    const key = r.text(k);
    // A key that would collide with one already written keeps a suffix rather than overwrite it.
    out[key in out ? `${key} (${Object.keys(out).length})` : key] = redactJson(v, r, depth + 1);
  }
  return out;
}

/** Keys that mark a JSON file as holding secrets (an inventory with key files, a key file itself). */
const SECRET_KEYS = new Set(["identityFile", "identityFiles", "privateKey", "passphrase", "passphraseEnv", "password", "agent"]);

/**
 * The first key path of a JSON value that holds a secret (`nodes[2].ssh.identityFile`), or null.
 *
 * @example
 * secretPath({ nodes: [{ ssh: { identityFile: "/tmp/k" } }] }); // "nodes[0].ssh.identityFile"
 */
export function secretPath(value: unknown, at = "", depth = 0): string | null {
  if (value === null || typeof value !== "object" || depth > 100) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = secretPath(value[i], `${at}[${i}]`, depth + 1);
      if (p) return p;
    }
    return null;
  }
  if ((value as { format?: unknown }).format === "packetwalk-redact-key") return at ? `${at}.key` : "key";
  for (const [k, v] of Object.entries(value)) {
    const here = at ? `${at}.${k}` : k;
    if (SECRET_KEYS.has(k) && (typeof v === "string" || (v && typeof v === "object"))) return here;
    const p = secretPath(v, here, depth + 1);
    if (p) return p;
  }
  return null;
}
