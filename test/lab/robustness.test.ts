import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as fs from "node:fs";
import * as net from "node:net";
import { Client } from "ssh2";
import { startLab, type Lab } from "../../lib/lab/lab";

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ flowLingerMs: 20, proxy: { requestTimeoutMs: 2000 } });
});
afterAll(async () => {
  await lab?.stop();
});

async function until(pred: () => boolean, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > 15_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function abuse(kind: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
    s.on("error", () => resolve());
    s.on("close", () => resolve());
    s.resume(); // read (and drop) whatever the lab answers, so its FIN is seen
    s.on("connect", () => {
      if (kind === 0) s.resetAndDestroy();
      else if (kind === 1) {
        s.write("GET / HTTP/1.1\r\nHost: www.jun");
        setImmediate(() => s.resetAndDestroy());
      } else if (kind === 2) {
        s.write("GET /slow/300 HTTP/1.1\r\nHost: www.juniper.net\r\n\r\n");
        setTimeout(() => s.resetAndDestroy(), 20);
      } else if (kind === 3) {
        s.end("\x00\x01\x02 garbage \xff\r\n\r\n");
      } else {
        s.write("POST / HTTP/1.1\r\nHost: www.juniper.net\r\nContent-Length: 100000\r\n\r\n" + "x".repeat(1000));
        setTimeout(() => s.destroy(), 20);
      }
    });
  });
}

const allFlows = () => [...lab.state.model.computes.values()].reduce((n, c) => n + c.flows.size, 0);

describe("misbehaving clients", () => {
  it("RSTs at every stage, garbage and truncated bodies leave the lab serving and the tables empty", async () => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => abuse(i % 5)));
    await until(() => allFlows() === 0, "flows to drain");
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect({ host: "127.0.0.1", port: lab.fipAddress.port });
      let r = "";
      s.on("connect", () => s.write("GET / HTTP/1.1\r\nHost: www.juniper.net\r\nConnection: close\r\n\r\n"));
      s.on("data", (d) => (r += d));
      s.on("error", reject);
      s.on("close", () => resolve(r));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it("answers garbage on the tool socket with an error instead of crashing", async () => {
    for (const junk of ["not json\n", '{"node":5,"argv":"x"}\n', "\x00\xff".repeat(1000)]) {
      await new Promise<void>((resolve) => {
        const c = net.connect(lab.inventory.lab.toolSocket);
        c.on("error", () => resolve());
        c.on("close", () => resolve());
        c.on("data", () => undefined);
        c.end(junk);
      });
    }
    expect(lab.tool("cent222", ["mpls", "--dump"]).code).toBe(0);
  });

  it("kills a node's shell loop when the SSH channel closes", async () => {
    const n = lab.inventory.nodes.find((x) => x.name === "cent222")!;
    const pid = await new Promise<number>((resolve, reject) => {
      const c = new Client();
      c.on("ready", () =>
        c.exec("echo $$; while :; do flow -l | head -2; sleep 0.2; done", (err, ch) => {
          if (err) return reject(err);
          let out = "";
          ch.on("data", (d: Buffer) => {
            out += d;
            const m = /^(\d+)\n[\s\S]*Flow table/.exec(out);
            if (m) {
              ch.close();
              c.end();
              resolve(Number(m[1]));
            }
          });
        }),
      );
      c.on("error", reject);
      c.connect({ host: "127.0.0.1", port: n.ssh.port, username: n.ssh.user, privateKey: fs.readFileSync(n.ssh.identityFile) });
    });
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await until(() => !alive(), "the remote shell to end");
    expect(alive()).toBe(false);
  });
});
