import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "ssh2";
import { startLab, type Lab } from "../../lib/lab/lab";
import { fingerprintOf, generateLabKey, writeIdentity } from "../../lib/lab/keys";

function which(cmd: string): string | undefined {
  try {
    return execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}
const SSH = which("ssh");
const CURL = which("curl");
const MISSING_SSH = "openssh-client is not installed (apt-get install -y openssh-client): OpenSSH interop tests skipped";

let lab: Lab;
let knownHosts: string;

function node(name: string) {
  return lab.inventory.nodes.find((n) => n.name === name)!;
}

/** Runs a command on a lab node with Debian's OpenSSH client, strict host key checking against the pinned keys. */
function ssh(name: string, command: string, identity?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  const n = node(name);
  return new Promise((resolve) => {
    execFile(
      SSH!,
      [
        "-F", "/dev/null", "-i", identity ?? n.ssh.identityFile, "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${knownHosts}`,
        "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "-p", String(n.ssh.port), `${n.ssh.user}@127.0.0.1`, command,
      ],
      { encoding: "utf8", timeout: 30_000 },
      (err, stdout, stderr) => resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? 255) : 0 }),
    );
  });
}

beforeAll(async () => {
  lab = await startLab({ flowLingerMs: 60_000 });
  knownHosts = path.join(lab.dir, "known_hosts");
  fs.writeFileSync(knownHosts, lab.inventory.nodes.map((n) => `[127.0.0.1]:${n.ssh.port} ${n.ssh.hostKey[0]}\n`).join(""));
});
afterAll(async () => {
  await lab?.stop();
});

describe("inventory", () => {
  it("names the scenario's nodes, pins host keys and maps only to loopback", () => {
    expect(lab.inventory.nodes.map((n) => [n.name, n.role])).toEqual([
      ["internet-host", "internet-host"], ["gateway", "gateway"], ["cent222", "compute"], ["cent333", "compute"],
    ]);
    for (const n of lab.inventory.nodes) {
      expect(n.ssh.host).toBe("127.0.0.1");
      expect(n.ssh.hostKey[0]).toMatch(/^ssh-ed25519 AAAA/);
      expect(n.ssh.hostKey[1]).toBe(fingerprintOf(n.ssh.hostKey[0]));
      expect(fs.statSync(n.ssh.identityFile).mode & 0o777).toBe(0o600);
    }
    for (const v of Object.values(lab.inventory.addressMap)) expect(v).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(lab.inventory.addressMap["101.101.101.1:80"]).toBe(`127.0.0.1:${lab.fipAddress.port}`);
    expect(lab.inventory.scenario).toMatchObject({
      fip: "101.101.101.1", fipPort: 80, hostHeader: "www.juniper.net", clientIp: "15.15.15.2", ingressPodIp: "10.47.255.238",
      serviceIp: "10.99.225.17", activeIngressNode: "cent222", vrfs: { pod: 2, fip: 5 }, rpfNh: 61,
      labels: { gatewayToNode: 20, nodeToGateway: 299808, service: 38 },
    });
  });

  it("validates against lib/remote's inventory loader when present", async (ctx) => {
    const file = path.resolve(__dirname, "../../lib/remote/inventory.ts");
    if (!fs.existsSync(file)) return ctx.skip("lib/remote/inventory.ts not present");
    const m = (await import(file)) as { validateInventory?: (v: unknown) => { issues: unknown[] } };
    if (!m.validateInventory) return ctx.skip("no validateInventory export");
    expect(m.validateInventory(lab.inventory).issues).toEqual([]);
  });
});

describe("ssh2 client (no OpenSSH needed)", () => {
  it("runs flow -l through sh with the pinned host key and the identity file", async () => {
    const n = node("cent222");
    const out = await new Promise<string>((resolve, reject) => {
      const c = new Client();
      let buf = "";
      c.on("ready", () =>
        c.exec("flow -l | head -1; rt --dump 5 | grep 101.101.101.1/32", (err, ch) => {
          if (err) return reject(err);
          ch.on("data", (d: Buffer) => (buf += d.toString()));
          ch.on("close", () => {
            c.end();
            resolve(buf);
          });
        }),
      );
      c.on("error", reject);
      c.connect({
        host: n.ssh.host, port: n.ssh.port, username: n.ssh.user, privateKey: fs.readFileSync(n.ssh.identityFile),
        hostVerifier: (key: Buffer) => fingerprintOf(`ssh-ed25519 ${key.toString("base64")}`) === n.ssh.hostKey[1],
      });
    });
    expect(out).toMatch(/^Flow table\(size \d+, entries \d+\)\n101\.101\.101\.1\/32\s+32\s+P\s+-\s+\d+/);
  });

  it("rejects a key that is not the lab's", async () => {
    const n = node("cent222");
    const other = generateLabKey("intruder");
    const err = await new Promise<Error>((resolve) => {
      const c = new Client();
      c.on("ready", () => {
        c.end();
        resolve(new Error("accepted"));
      });
      c.on("error", resolve);
      c.connect({ host: n.ssh.host, port: n.ssh.port, username: n.ssh.user, privateKey: other.privateKey });
    });
    expect(err.message).toMatch(/authentication methods failed/);
  });

  it("survives garbage on the exec channel and on the raw port", async () => {
    const n = node("cent333");
    const net = await import("node:net");
    await new Promise<void>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port: n.ssh.port }, () => s.write("GET / HTTP/1.1\r\n\r\n\x00\xff".repeat(100)));
      s.on("error", () => resolve());
      s.on("close", () => resolve());
      s.on("data", () => undefined);
    });
    const out = await new Promise<{ code: number; stdout: string }>((resolve, reject) => {
      const c = new Client();
      c.on("ready", () =>
        c.exec("cat >/dev/null; mpls --get 38", (err, ch) => {
          if (err) return reject(err);
          let stdout = "";
          ch.on("data", (d: Buffer) => (stdout += d));
          ch.on("exit", (code: number) => {
            ch.on("close", () => {
              c.end();
              resolve({ code, stdout });
            });
          });
          ch.write(Buffer.from([0, 1, 2, 255, 254, 10, 13]));
          ch.end();
        }),
      );
      c.on("error", reject);
      c.connect({ host: "127.0.0.1", port: n.ssh.port, username: n.ssh.user, privateKey: fs.readFileSync(n.ssh.identityFile) });
    });
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^\s+38\s+\d+$/m);
  });
});

describe("OpenSSH client against the lab", () => {
  it("runs vRouter utilities through pipes and shell loops on a compute node", async (ctx) => {
    if (!SSH) return ctx.skip(MISSING_SSH);
    const r = await ssh("cent222", "flow -l | head -3; for i in 1 2 3; do nh --get 61 | grep -c MPLSoGRE; done; docker exec vrouter_vrouter-agent_1 mpls --get 20 | tail -1");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^Flow table\(size/);
    expect(lines.slice(3, 6)).toEqual(["1", "1", "1"]);
    expect(lines[6]).toMatch(/^\s+20\s+\d+$/);
  });

  it("gives sh's error for unknown commands, and shadows network tools that could leave loopback", async (ctx) => {
    if (!SSH) return ctx.skip(MISSING_SSH);
    const r = await ssh("cent333", "foo");
    expect(r.code).toBe(127);
    expect(r.stderr).toContain("sh: 1: foo: not found");
    const p = await ssh("cent222", "ping -c1 10.169.25.21");
    expect(p.code).toBe(127);
    expect(p.stderr).toContain("sh: 1: ping: not found");
  });

  it("refuses an unknown identity", async (ctx) => {
    if (!SSH) return ctx.skip(MISSING_SSH);
    const id = path.join(lab.dir, "other_id");
    writeIdentity(id, generateLabKey("other"));
    const r = await ssh("cent222", "true", id);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Permission denied \(publickey\)/);
  });

  it("shows the gateway's FIP route in Junos format", async (ctx) => {
    if (!SSH) return ctx.skip(MISSING_SSH);
    const r = await ssh("gateway", `cli -c "show route table k8s-ns-user-1-public.inet.0 101.101.101.1/32 detail"`);
    expect(r.stdout).toContain("Protocol next hop: 10.169.25.20");
    const j = await ssh("gateway", `cli -c "show route table k8s-ns-user-1-public.inet.0 101.101.101.1/32 detail | display json"`);
    expect(JSON.parse(j.stdout)["route-information"][0]["route-table"][0]["rt"][0]["rt-entry"][0]["protocol-nh"][0].to[0].data).toBe("10.169.25.20");
  });

  it("curl on the internet host reaches the FIP through the address map", async (ctx) => {
    if (!SSH) return ctx.skip(MISSING_SSH);
    if (!CURL) return ctx.skip("curl is not installed (apt-get install -y curl): the internet host's curl test is skipped");
    const r = await ssh("internet-host", "ip route; curl -s -H 'Host: www.juniper.net' http://101.101.101.1/");
    expect(r.stdout).toContain("default via 15.15.15.1 dev eth0");
    expect(r.stdout).toContain("Hello from webservice-7db5dcb4c6-h9xk2");
    const v = await ssh("internet-host", "curl -sv http://www.juniper.net/ -o /dev/null 2>&1 | grep '^[<*]'");
    expect(v.stdout).toMatch(/^< HTTP\/1\.1 200 OK/m);
    expect(v.stdout).not.toContain("127.0.0.1");
    expect(v.stdout).toMatch(/^\*\s+Trying 101\.101\.101\.1:80\.\.\./m);
    const d = await ssh("internet-host", "curl -sv -H 'Host: www.juniper.net' http://101.101.101.1/ -o /dev/null; echo rc=$?");
    expect(d.stderr).toMatch(/^\* Connected to 101\.101\.101\.1 \(101\.101\.101\.1\) port 80/m);
    expect(d.stdout).toBe("rc=0\n");
    const e = await ssh("internet-host", "curl -s --max-time 1 http://10.99.225.17/; echo rc=$?");
    expect(e.stdout).toMatch(/rc=7\n$/); // the service IP is not reachable from the Internet (and never contacted)
    const f = await ssh("internet-host", "curl -s -x http://8.8.8.8:3128 http://101.101.101.1/; echo rc=$?");
    expect(f.stdout).toBe("rc=2\n");
    expect(f.stderr).toContain("curl: option -x: is not available in this lab");
  });

  it("telnet on the internet host holds a connection whose flow shows on cent222", async (ctx) => {
    if (!SSH) return ctx.skip(MISSING_SSH);
    const r = await ssh(
      "internet-host",
      `(printf 'GET / HTTP/1.1\\r\\nHost: www.juniper.net\\r\\n\\r\\n'; sleep 1) | telnet 101.101.101.1 80`,
    );
    expect(r.stdout).toContain("Trying 101.101.101.1...");
    expect(r.stdout).toContain("Connected to 101.101.101.1.");
    expect(r.stdout).toContain("HTTP/1.1 200 OK");
    const flows = lab.tool("cent222", ["flow", "--match", "15.15.15.2"]).stdout;
    expect(flows).toMatch(/15\.15\.15\.2:\d+\s+6 \(5->2\)\n\s+101\.101\.101\.1:80/);
  });
});
