/**
 * Starts Debian's OpenSSH server (`/usr/sbin/sshd -D`) on a loopback port with a temporary host key,
 * config and authorized_keys, for tests and benches against a real sshd. Needs root (sshd's privilege
 * separation) and the `openssh-server` package; {@link startOpenSsh} returns a reason instead of a
 * server when either is missing, so callers skip cleanly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { utils } from "ssh2";
import { fingerprintKey } from "../../../lib/remote/known-hosts";
import { generateKeyPair, testClientKey, type TestKeyPair } from "./ssh-server";
import { freePort } from "./wait";

export const SSHD = "/usr/sbin/sshd";

/** A running sshd. */
export interface OpenSshServer {
  host: string;
  port: number;
  /** The login user (the current user, root). */
  user: string;
  clientKeyPath: string;
  hostKeyLine: string;
  hostFingerprint: string;
  /** Scratch directory (removed by close). */
  dir: string;
  close(): Promise<void>;
}

/**
 * Starts sshd, or explains why it cannot (`{ skip: "…" }`).
 *
 * @example
 * const s = await startOpenSsh();
 * if ("skip" in s) return console.warn(s.skip);
 */
export async function startOpenSsh(opts: { clientKey?: TestKeyPair } = {}): Promise<OpenSshServer | { skip: string }> {
  if (!fs.existsSync(SSHD)) return { skip: `${SSHD} not installed (apt-get install -y openssh-server)` };
  if (typeof process.getuid === "function" && process.getuid() !== 0) return { skip: "sshd needs root for privilege separation" };
  const user = os.userInfo().username;
  const clientKey = opts.clientKey ?? testClientKey();
  const hostKey = generateKeyPair();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-openssh-"));
  fs.chmodSync(dir, 0o700);
  const hostKeyPath = path.join(dir, "ssh_host_ed25519_key");
  fs.writeFileSync(hostKeyPath, hostKey.privateKey, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "authorized_keys"), `${clientKey.publicKey.trim()}\n`, { mode: 0o600 });
  const clientKeyPath = path.join(dir, "id_ed25519");
  fs.writeFileSync(clientKeyPath, clientKey.privateKey, { mode: 0o600 });
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, "sshd_config");
  fs.writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1`,
      `Port ${port}`,
      `HostKey ${hostKeyPath}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `PasswordAuthentication no`,
      `KbdInteractiveAuthentication no`,
      `PubkeyAuthentication yes`,
      `PermitRootLogin prohibit-password`,
      `UsePAM no`,
      `StrictModes no`,
      `MaxSessions 64`,
      `MaxStartups 200`,
      `LogLevel ERROR`,
      "",
    ].join("\n"),
  );
  const child: ChildProcess = spawn(SSHD, ["-D", "-e", "-f", config, "-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const up = await waitListening(port, child, 5000);
  if (!up) {
    child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
    return { skip: `sshd did not start: ${stderr.trim().split("\n").pop() ?? "no output"}` };
  }
  const parsed = utils.parseKey(hostKey.publicKey);
  const blob = (Array.isArray(parsed) ? parsed[0] : (parsed as Exclude<typeof parsed, Error>)).getPublicSSH();
  return {
    host: "127.0.0.1",
    port,
    user,
    clientKeyPath,
    hostKeyLine: hostKey.publicKey.trim().split(/\s+/).slice(0, 2).join(" "),
    hostFingerprint: fingerprintKey(blob),
    dir,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitListening(port: number, child: ChildProcess, limitMs: number): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end && child.exitCode === null) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
