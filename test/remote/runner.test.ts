import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RemoteError } from "../../lib/remote/errors";
import { runOnNodes, toTable } from "../../lib/remote/fan-out";
import { loadInventory, type Inventory } from "../../lib/remote/inventory";
import { SshRunner } from "../../lib/remote/runner";
import { parseSshConfig } from "../../lib/remote/ssh-config";
import { generateKeyPair, startTestSshServer, type TestSshServer } from "./helpers/ssh-server";
import { HOSTILE } from "./helpers/hostile";
import { freePort, waitFor } from "./helpers/wait";

let srv: TestSshServer;
let srv2: TestSshServer;
let tmp: string;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pw-runner-"));
  srv = await startTestSshServer();
  srv2 = await startTestSshServer();
});

afterAll(async () => {
  await srv.close();
  await srv2.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function inventoryFor(s: TestSshServer, extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}): Inventory {
  return loadInventory({
    nodes: [{ name: "cent222", role: "compute", ssh: { host: s.host, port: s.port, user: s.user, identityFile: s.clientKeyPath, hostKey: s.hostFingerprint, agent: false, ...extra } }],
    sshConfig: false,
    ...top,
  });
}

async function failure(p: Promise<unknown>): Promise<RemoteError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RemoteError) return e;
    throw e;
  }
  throw new Error("expected a RemoteError");
}

describe("SshRunner.run(node, command)", () => {
  it("runs a command through the remote shell: stdout, stderr, exit code", async () => {
    const runner = new SshRunner(inventoryFor(srv));
    const r = await runner.run("cent222", { script: "echo out; echo err >&2; exit 3" });
    expect(r).toMatchObject({ node: "cent222", stdout: "out\n", stderr: "err\n", exitCode: 3, signal: null });
    runner.close();
  });

  it("delivers hostile arguments literally to the remote shell", async () => {
    const runner = new SshRunner(inventoryFor(srv));
    const r = await runner.run("cent222", ["printf", "%s\\0", ...HOSTILE]);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(HOSTILE);
    runner.close();
  });

  it("keeps one connection per node and reuses it", async () => {
    const s = await startTestSshServer();
    const runner = new SshRunner(inventoryFor(s));
    await Promise.all([runner.run("cent222", ["true"]), runner.run("cent222", ["true"]), runner.run("cent222", ["true"])]);
    await runner.run("cent222", ["true"]);
    expect(s.openConnections()).toBe(1);
    expect(s.execs).toHaveLength(4);
    runner.close();
    await s.close();
  });

  it("rejects with check on a non-zero exit, naming node and command", async () => {
    const runner = new SshRunner(inventoryFor(srv));
    const e = await failure(runner.run("cent222", ["sh", "-c", "echo nope >&2; exit 2"], { check: true }));
    expect(e).toMatchObject({ stage: "exec", node: "cent222", command: "sh -c 'echo nope >&2; exit 2'", exitCode: 2 });
    expect(e.message).toMatch(/^exec failed on cent222: exit 2: nope \(command: sh -c/);
    runner.close();
  });

  it("times out, signals the remote process and closes the channel", async () => {
    const runner = new SshRunner(inventoryFor(srv));
    const e = await failure(runner.run("cent222", ["sleep", "30"], { timeoutMs: 300 }));
    expect(e).toMatchObject({ stage: "timeout", node: "cent222", command: "sleep 30" });
    await waitFor(() => srv.signals.includes("TERM"));
    // The connection is still usable afterwards.
    expect((await runner.run("cent222", ["echo", "ok"])).stdout).toBe("ok\n");
    runner.close();
  });

  it("aborts on the caller's signal", async () => {
    const runner = new SshRunner(inventoryFor(srv));
    const ac = new AbortController();
    const p = runner.run("cent222", ["sleep", "30"], { signal: ac.signal, timeoutMs: 0 });
    setTimeout(() => ac.abort(), 100);
    expect(await failure(p)).toMatchObject({ stage: "abort", node: "cent222" });
    runner.close();
  });

  it("streams stdout chunks as they arrive", async () => {
    const runner = new SshRunner(inventoryFor(srv));
    const chunks: string[] = [];
    await runner.run("cent222", { script: "echo a; sleep 0.1; echo b" }, { onStdout: (d) => chunks.push(d.toString()), collect: false });
    expect(chunks.join("")).toBe("a\nb\n");
    runner.close();
  });

  it("reconnects after the connection drops", async () => {
    const runner = new SshRunner(inventoryFor(srv));
    await runner.run("cent222", ["true"]);
    const running = runner.run("cent222", ["sleep", "30"], { timeoutMs: 10_000 });
    await waitFor(() => srv.execs.includes("sleep 30") && srv.openConnections() > 0);
    srv.dropConnections();
    expect(await failure(running)).toMatchObject({ stage: "exec", node: "cent222" });
    expect((await runner.run("cent222", ["echo", "again"])).stdout).toBe("again\n");
    runner.close();
  });
});

describe("host keys", () => {
  it("refuses an unknown key by default, showing the offered fingerprint", async () => {
    const inv = inventoryFor(srv, { hostKey: undefined }, { knownHosts: path.join(tmp, "empty_known_hosts") });
    const runner = new SshRunner(inv);
    const e = await failure(runner.run("cent222", ["true"]));
    expect(e.stage).toBe("hostkey");
    expect(e.fingerprint).toBe(srv.hostFingerprint);
    expect(e.message).toContain(`unknown host key ${srv.hostFingerprint} for [127.0.0.1]:${srv.port}`);
    expect(e.message).toContain("(command: true)");
    runner.close();
  });

  it("refuses a changed (mismatching pinned) key", async () => {
    const runner = new SshRunner(inventoryFor(srv, { hostKey: srv2.hostFingerprint }));
    const e = await failure(runner.run("cent222", ["true"]));
    expect(e).toMatchObject({ stage: "hostkey", fingerprint: srv.hostFingerprint });
    expect(e.message).toMatch(/host key of .* changed: offered SHA256:.*, expected SHA256:/);
    runner.close();
  });

  it("accepts a key listed in known_hosts (plain and hashed), and a pinned key line", async () => {
    const kh = path.join(tmp, "kh1");
    fs.writeFileSync(kh, `[127.0.0.1]:${srv.port} ${srv.hostKeyLine}\n`);
    let runner = new SshRunner(inventoryFor(srv, { hostKey: undefined }, { knownHosts: kh }));
    expect((await runner.run("cent222", ["echo", "kh"])).stdout).toBe("kh\n");
    runner.close();
    runner = new SshRunner(inventoryFor(srv, { hostKey: srv.hostKeyLine }));
    expect((await runner.run("cent222", ["echo", "pin"])).stdout).toBe("pin\n");
    runner.close();
  });

  it("accept-new records an unknown key, and still refuses a changed one", async () => {
    const kh = path.join(tmp, "kh-new");
    const runner = new SshRunner(inventoryFor(srv, { hostKey: undefined }, { knownHosts: kh, hostKeyPolicy: "accept-new" }));
    await runner.run("cent222", ["true"]);
    runner.close();
    expect(fs.readFileSync(kh, "utf8")).toBe(`[127.0.0.1]:${srv.port} ${srv.hostKeyLine}\n`);
    fs.writeFileSync(kh, `[127.0.0.1]:${srv2.port} ${srv.hostKeyLine}\n`); // srv2 now "was" srv's key
    const r2 = new SshRunner(inventoryFor(srv2, { hostKey: undefined }, { knownHosts: kh, hostKeyPolicy: "accept-new" }));
    expect((await failure(r2.run("cent222", ["true"]))).stage).toBe("hostkey");
    r2.close();
  });

  it("insecure-accept-any accepts anything", async () => {
    const runner = new SshRunner(inventoryFor(srv, { hostKey: undefined }, { knownHosts: path.join(tmp, "none"), hostKeyPolicy: "insecure-accept-any" }));
    expect((await runner.run("cent222", ["true"])).exitCode).toBe(0);
    runner.close();
  });
});

describe("authentication and connection errors", () => {
  it("names stage auth when the key is refused", async () => {
    const keyFile = path.join(tmp, "other_key");
    fs.writeFileSync(keyFile, generateKeyPair().privateKey, { mode: 0o600 });
    const runner = new SshRunner(inventoryFor(srv, { identityFile: keyFile }));
    const e = await failure(runner.run("cent222", ["true"]));
    expect(e).toMatchObject({ stage: "auth", node: "cent222", command: "true" });
    expect(e.message).toMatch(/refused every method tried \(key other_key\)/);
    runner.close();
  });

  it("decrypts a key with the passphrase from the named environment variable", async () => {
    const kp = generateKeyPair("s3cret");
    const s = await startTestSshServer({ clientKey: kp });
    const keyFile = path.join(tmp, "enc_key");
    fs.writeFileSync(keyFile, kp.privateKey, { mode: 0o600 });
    const inv = inventoryFor(s, { identityFile: keyFile, passphraseEnv: "PW_TEST_PASSPHRASE" });
    const missing = new SshRunner(inv, { env: {} });
    expect((await failure(missing.run("cent222", ["true"]))).message).toMatch(/encrypted and environment variable PW_TEST_PASSPHRASE is not set/);
    missing.close();
    const runner = new SshRunner(inv, { env: { PW_TEST_PASSPHRASE: "s3cret" } });
    expect((await runner.run("cent222", ["echo", "dec"])).stdout).toBe("dec\n");
    runner.close();
    await s.close();
  });

  it("authenticates with ssh-agent through SSH_AUTH_SOCK", async (ctx) => {
    if (!fs.existsSync("/usr/bin/ssh-agent")) {
      console.warn("ssh-agent not installed (apt-get install openssh-client): skipping the agent test");
      return ctx.skip();
    }
    const sock = path.join(tmp, "agent.sock");
    const agent = spawn("/usr/bin/ssh-agent", ["-D", "-a", sock], { stdio: "ignore" });
    try {
      await waitFor(() => fs.existsSync(sock));
      execFileSync("ssh-add", [srv.clientKeyPath], { env: { SSH_AUTH_SOCK: sock }, stdio: "ignore" });
      const runner = new SshRunner(inventoryFor(srv, { identityFile: undefined, agent: true }), { env: { SSH_AUTH_SOCK: sock } });
      expect(runner.plan("cent222")).toMatchObject({ identityFiles: [], agent: sock });
      expect((await runner.run("cent222", ["echo", "agent"])).stdout).toBe("agent\n");
      runner.close();
      const noAgent = new SshRunner(inventoryFor(srv, { identityFile: undefined, agent: true }), { env: {} });
      expect(() => noAgent.plan("cent222")).toThrow(/agent: true but SSH_AUTH_SOCK is not set/);
    } finally {
      agent.kill();
    }
  });

  it("names stage connect when nothing listens", async () => {
    const port = await freePort();
    const runner = new SshRunner(loadInventory({ nodes: [{ name: "gone", role: "compute", ssh: { host: "127.0.0.1", port, user: "pw", identityFile: srv.clientKeyPath, agent: false } }], sshConfig: false }));
    const e = await failure(runner.run("gone", ["flow", "-l"]));
    expect(e).toMatchObject({ stage: "connect", node: "gone", command: "flow -l" });
    expect(e.message).toMatch(/ECONNREFUSED/);
    runner.close();
  });

  it("ends a command's time limit during the SSH handshake (a frozen node), not at the connect budget", async () => {
    // A node whose sshd accepted the TCP connection and then froze: no banner ever comes.
    const frozen = net.createServer(() => {});
    await new Promise<void>((r) => frozen.listen(0, "127.0.0.1", () => r()));
    const port = (frozen.address() as net.AddressInfo).port;
    const runner = new SshRunner(
      loadInventory({ nodes: [{ name: "frozen", role: "compute", ssh: { host: "127.0.0.1", port, user: "pw", identityFile: srv.clientKeyPath, agent: false } }], sshConfig: false, connectTimeoutMs: 20_000 }),
    );
    const t0 = Date.now();
    const e = await failure(runner.run("frozen", ["flow", "-l"], { timeoutMs: 300 }));
    const took = Date.now() - t0;
    expect(e).toMatchObject({ stage: "timeout", node: "frozen", command: "flow -l" });
    expect(e.message).toMatch(/connecting \(TCP and SSH handshake\) took over the command's 300 ms limit/);
    expect(took).toBeLessThan(10_000); // the handshake's own budget is 20 s here
    runner.close();
    frozen.close();
  });

  it("names stage inventory for an unknown node", async () => {
    const runner = new SshRunner(inventoryFor(srv));
    await expect(runner.run("nope", ["true"])).rejects.toThrow(/unknown node "nope"; known: cent222/);
    runner.close();
  });
});

describe("jump hosts and ~/.ssh/config", () => {
  it("connects through an inventory jump node (forwardOut)", async () => {
    const jumpSrv = await startTestSshServer();
    const inv = loadInventory({
      nodes: [
        { name: "gateway", role: "gateway", ssh: { host: jumpSrv.host, port: jumpSrv.port, user: jumpSrv.user, identityFile: jumpSrv.clientKeyPath, hostKey: jumpSrv.hostFingerprint, agent: false } },
        { name: "cent222", role: "compute", ssh: { host: srv.host, port: srv.port, user: srv.user, identityFile: srv.clientKeyPath, hostKey: srv.hostFingerprint, agent: false, jump: "gateway" } },
      ],
      sshConfig: false,
    });
    const runner = new SshRunner(inv);
    expect((await runner.run("cent222", ["echo", "via-jump"])).stdout).toBe("via-jump\n");
    expect(jumpSrv.forwardCount()).toBe(1);
    runner.close();
    await jumpSrv.close();
  });

  it("follows Host/HostName/Port/User/IdentityFile/ProxyJump from the SSH config", async () => {
    const jumpSrv = await startTestSshServer();
    const kh = path.join(tmp, "kh-config");
    fs.writeFileSync(kh, `[127.0.0.1]:${srv.port} ${srv.hostKeyLine}\n[127.0.0.1]:${jumpSrv.port} ${jumpSrv.hostKeyLine}\n`);
    const cfg = parseSshConfig(
      `Host cent222\n  HostName 127.0.0.1\n  Port ${srv.port}\n  User ${srv.user}\n  IdentityFile ${srv.clientKeyPath}\n  ProxyJump bastion\n` +
        `Host bastion\n  HostName 127.0.0.1\n  Port ${jumpSrv.port}\n  User ${jumpSrv.user}\n  IdentityFile ${jumpSrv.clientKeyPath}\n`,
    );
    const inv = loadInventory({ nodes: [{ name: "cent222", role: "compute", ssh: { host: "cent222", agent: false } }], knownHosts: kh });
    const runner = new SshRunner(inv, { sshConfig: cfg });
    const plan = runner.plan("cent222");
    expect(plan).toMatchObject({ host: "127.0.0.1", port: srv.port, user: srv.user, jump: { host: "127.0.0.1", port: jumpSrv.port } });
    expect((await runner.run("cent222", ["echo", "cfg"])).stdout).toBe("cfg\n");
    expect(jumpSrv.forwardCount()).toBe(1);
    runner.close();
    await jumpSrv.close();
  });
});

describe("runOnNodes(runner, nodes, command)", () => {
  it("fans out with a bound, keeps every node's row, failures included", async () => {
    const port = await freePort();
    const node = (name: string, s: TestSshServer) => ({ name, role: "compute", ssh: { host: s.host, port: s.port, user: s.user, identityFile: s.clientKeyPath, hostKey: s.hostFingerprint, agent: false } });
    const inv = loadInventory({
      nodes: [node("a", srv), node("b", srv2), { name: "dead", role: "compute", ssh: { host: "127.0.0.1", port, user: "pw", identityFile: srv.clientKeyPath, agent: false } }, { ...node("badkey", srv), ssh: { ...node("badkey", srv).ssh, hostKey: srv2.hostFingerprint } }],
      sshConfig: false,
    });
    const runner = new SshRunner(inv);
    const seen: string[] = [];
    const rows = await runOnNodes(runner, ["a", "dead", "b", "badkey"], ["echo", "hi"], { concurrency: 2, onResult: (r) => seen.push(r.node) });
    expect(rows.map((r) => [r.node, r.ok, r.stage])).toEqual([
      ["a", true, null],
      ["dead", false, "connect"],
      ["b", true, null],
      ["badkey", false, "hostkey"],
    ]);
    expect(rows[0]!.stdout).toBe("hi\n");
    expect(rows[1]!.error).toMatch(/connect failed on dead: .*\(command: echo hi\)/);
    expect(seen.sort()).toEqual(["a", "b", "badkey", "dead"]);
    const table = toTable(rows);
    expect(table.columnNames().slice(0, 3)).toEqual(["node", "ok", "exitCode"]);
    expect(table.numRows()).toBe(4);
    runner.close();
  });
});
