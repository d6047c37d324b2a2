import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probeHttp } from "../../lib/probe/http";
import { renderTranscript } from "../../lib/probe/types";

const hasOpenssl = existsSync("/usr/bin/openssl");
if (!hasOpenssl) console.warn("SKIP TLS tests: /usr/bin/openssl is not installed (needed to make a throwaway certificate)");

describe.skipIf(!hasOpenssl)("probeHttp over TLS", () => {
  let server: https.Server;
  let port = 0;
  beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pw-tls-"));
    execFileSync("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
      "-keyout", path.join(dir, "key.pem"), "-out", path.join(dir, "cert.pem")], { stdio: "ignore" });
    server = https.createServer({ key: readFileSync(path.join(dir, "key.pem")), cert: readFileSync(path.join(dir, "cert.pem")) }, (_q, r) => {
      r.writeHead(200, { "Content-Length": 6 });
      r.end("secure");
    });
    port = await new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port)));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("reports a self-signed certificate as a TLS error", async () => {
    const r = await probeHttp({ url: `https://localhost:${port}/` });
    expect(r.error?.kind).toBe("tls");
    expect(r.error?.message).toMatch(/self.signed/i);
    expect(r.timings.connect).not.toBeNull();
    expect(r.timings.tls).toBeNull();
  });

  it("with insecure (curl -k) gets the page and a TLS timing", async () => {
    const r = await probeHttp({ url: `https://localhost:${port}/`, insecure: true });
    expect(r.error).toBeNull();
    expect(r.body).toBe("secure");
    expect(r.timings.connect!).toBeLessThanOrEqual(r.timings.tls!);
    expect(r.timings.tls!).toBeLessThanOrEqual(r.timings.firstByte!);
    expect(renderTranscript(r.transcript)).toMatch(/\* SSL connection using TLSv1\.[23]/);
  });
});
