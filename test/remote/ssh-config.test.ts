import { describe, expect, it } from "vitest";
import { hostMatches, parseJumpSpec, parseSshConfig, resolveSshHost } from "../../lib/remote/ssh-config";

const CONFIG = `
# global
User fallback
Host cent222 cent222.lab
  HostName 127.0.0.1
  Port=2222
  IdentityFile ~/.ssh/lab_%h
  ProxyJump admin@bastion:2200

Host *.lab !gw.lab
  User root
  IdentityFile "/keys/lab key"

Match host foo
  User ignored

Host bastion
  HostName 127.0.0.2
  Port 2200
`;

describe("parseSshConfig(text) / resolveSshHost(config, alias)", () => {
  const cfg = parseSshConfig(CONFIG);

  it("applies the first value per keyword, in file order", () => {
    const h = resolveSshHost(cfg, "cent222.lab", "/home/pw");
    expect(h).toMatchObject({ hostName: "127.0.0.1", port: 2222, user: "fallback", proxyJump: "admin@bastion:2200" });
    expect(h.identityFiles).toEqual(["/home/pw/.ssh/lab_127.0.0.1", "/keys/lab key"]);
  });

  it("honours wildcards and negation", () => {
    expect(resolveSshHost(cfg, "other.lab").identityFiles).toEqual(["/keys/lab key"]);
    expect(resolveSshHost(cfg, "gw.lab").identityFiles).toEqual([]);
    expect(hostMatches(["cent?22"], "cent222")).toBe(true);
    expect(hostMatches(["*", "!cent222"], "cent222")).toBe(false);
  });

  it("warns about Match and never throws on odd lines", () => {
    expect(cfg.warnings.map((w) => w.message)).toEqual(["Match blocks are not supported; skipped"]);
    const weird = parseSshConfig("Host\n\u0000garbage\n=\n");
    expect(weird.blocks.length).toBeGreaterThan(0);
  });

  it("says nothing about an unknown host beyond global options", () => {
    expect(resolveSshHost(cfg, "nowhere")).toEqual({ user: "fallback", identityFiles: [], userKnownHostsFiles: [] });
  });
});

describe("parseJumpSpec(spec)", () => {
  it("parses user, host, port", () => {
    expect(parseJumpSpec("admin@bastion:2200")).toEqual({ user: "admin", host: "bastion", port: 2200 });
    expect(parseJumpSpec("bastion")).toEqual({ host: "bastion" });
    expect(parseJumpSpec("[::1]:22")).toEqual({ host: "::1", port: 22 });
  });
});
