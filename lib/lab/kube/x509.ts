/**
 * A minimal X.509 certificate builder for the lab's Kubernetes API: a self-signed CA and a server
 * certificate for 127.0.0.1 / localhost, ECDSA P-256 keys signed with SHA-256 by `node:crypto`.
 *
 * Why not the `openssl` binary: the lab must start anywhere Node runs, offline, with no external tool
 * (CI images vary), and the few DER structures a TLS server certificate needs are small and fixed
 * (RFC 5280 §4.1). `node:crypto` does the key generation and signing; this module only lays out the
 * DER. Go's crypto/x509 (kubectl), OpenSSL (curl) and Node's TLS all accept the result: the CA carries
 * basicConstraints CA:TRUE and keyUsage keyCertSign, the server certificate subjectAltName
 * IP:127.0.0.1 and DNS:localhost and extKeyUsage serverAuth (Go ignores the common name).
 */
import * as crypto from "node:crypto";

/** A certificate and its private key, both PEM. */
export interface CertKeyPair {
  cert: string;
  key: string;
}

// ---- DER encoding (only what a certificate needs) ----

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const seq = (...parts: Buffer[]): Buffer => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]): Buffer => tlv(0x31, Buffer.concat(parts));
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), b]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, "utf8"));
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const explicit = (n: number, b: Buffer): Buffer => tlv(0xa0 + n, b);

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1]! & 0x80) === 0) i++;
  let v = b.subarray(i);
  if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

/**
 * DER of an OBJECT IDENTIFIER from its dotted form.
 *
 * @example
 * derOid("2.5.4.3").toString("hex"); // "0603550403"
 */
export function derOid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const p of parts.slice(2)) {
    const b: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  // UTCTime for 1950–2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2) + "Z")) : tlv(0x18, Buffer.from(iso + "Z"));
}

const ECDSA_SHA256 = seq(derOid("1.2.840.10045.4.3.2"));

function name(cn: string, org?: string): Buffer {
  const rdns = [set(seq(derOid("2.5.4.3"), utf8(cn)))];
  if (org) rdns.unshift(set(seq(derOid("2.5.4.10"), utf8(org))));
  return seq(...rdns);
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return seq(derOid(oid), ...(critical ? [bool(true)] : []), octets(value));
}

function keyId(spki: Buffer): Buffer {
  return crypto.createHash("sha1").update(spki).digest();
}

interface CertSpec {
  subject: Buffer;
  issuer: Buffer;
  spki: Buffer;
  issuerSpki: Buffer;
  signer: crypto.KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}

function buildCert(s: CertSpec): string {
  const serial = crypto.randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_SHA256,
    s.issuer,
    seq(time(s.notBefore), time(s.notAfter)),
    s.subject,
    s.spki,
    explicit(3, seq(...s.extensions)),
  );
  const sig = crypto.sign("sha256", tbs, s.signer); // DER ECDSA-Sig-Value
  const der = seq(tbs, ECDSA_SHA256, bitString(sig));
  return `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n?$/, "\n")}-----END CERTIFICATE-----\n`;
}

/**
 * Makes a lab CA and a server certificate it signs, valid from an hour ago for `days` days.
 *
 * @example
 * const { ca, server } = makeLabCertificates();
 * new crypto.X509Certificate(server.cert).checkIP("127.0.0.1"); // "127.0.0.1"
 * https.createServer({ cert: server.cert, key: server.key });
 */
export function makeLabCertificates(opts: { days?: number; now?: Date; hosts?: string[] } = {}): { ca: CertKeyPair; server: CertKeyPair } {
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + (opts.days ?? 365) * 86400_000);
  const caKeys = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const srvKeys = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const caSpki = caKeys.publicKey.export({ type: "spki", format: "der" });
  const srvSpki = srvKeys.publicKey.export({ type: "spki", format: "der" });
  const caName = name("packetwalk-lab-ca", "packetwalk");
  const caCert = buildCert({
    subject: caName, issuer: caName, spki: caSpki, issuerSpki: caSpki, signer: caKeys.privateKey, notBefore, notAfter,
    extensions: [
      extension("2.5.29.19", true, seq(bool(true))), // basicConstraints CA:TRUE
      extension("2.5.29.15", true, bitString(Buffer.from([0x06]))), // keyUsage keyCertSign, cRLSign
      extension("2.5.29.14", false, octets(keyId(caSpki))), // subjectKeyIdentifier
    ],
  });
  const hosts = opts.hosts ?? ["127.0.0.1", "localhost", "kubernetes", "kubernetes.default.svc"];
  const san = seq(
    ...hosts.map((h) =>
      /^\d+\.\d+\.\d+\.\d+$/.test(h) ? tlv(0x87, Buffer.from(h.split(".").map(Number))) : tlv(0x82, Buffer.from(h, "ascii")),
    ),
  );
  const srvCert = buildCert({
    subject: name("kube-apiserver"), issuer: caName, spki: srvSpki, issuerSpki: caSpki, signer: caKeys.privateKey, notBefore, notAfter,
    extensions: [
      extension("2.5.29.15", true, bitString(Buffer.from([0x80]))), // keyUsage digitalSignature
      extension("2.5.29.37", false, seq(derOid("1.3.6.1.5.5.7.3.1"))), // extKeyUsage serverAuth
      extension("2.5.29.19", true, seq()), // basicConstraints CA:FALSE
      extension("2.5.29.35", false, seq(tlv(0x80, keyId(caSpki)))), // authorityKeyIdentifier
      extension("2.5.29.17", false, san),
    ],
  });
  const pem = (k: crypto.KeyObject) => k.export({ type: "pkcs8", format: "pem" }).toString();
  return { ca: { cert: caCert, key: pem(caKeys.privateKey) }, server: { cert: srvCert, key: pem(srvKeys.privateKey) } };
}
