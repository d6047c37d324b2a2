import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import execCommand from "../../kernel/commands/exec";
import { runCli, writeInventory } from "./helpers/cli";
import { startTestSshServer, type TestSshServer } from "./helpers/ssh-server";
import { freePort } from "./helpers/wait";

let a: TestSshServer;
let b: TestSshServer;
let file: string;

beforeAll(async () => {
  a = await startTestSshServer();
  b = await startTestSshServer();
  file = writeInventory({ cent222: a, cent333: b, dead: { port: await freePort(), clientKeyPath: a.clientKeyPath } });
});

afterAll(async () => {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  await a.close();
  await b.close();
});

describe("packetwalk exec", () => {
  it("runs on one node with raw output and the inventory from --inventory", async () => {
    const r = await runCli(execCommand, ["cent222", "--inventory", file, "--", "printf", "%s\\n", "$(id)", "a b"]);
    expect(r).toEqual({ code: 0, stdout: "$(id)\na b\n", stderr: "" });
  });

  it("fans out to a comma list with prefixed lines, inventory from PACKETWALK_INVENTORY", async () => {
    const r = await runCli(execCommand, ["cent222,cent333", "--", "echo", "hi"], { PACKETWALK_INVENTORY: file });
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n").sort()).toEqual(["", "cent222 | hi", "cent333 | hi"]);
  });

  it("keeps the other nodes' output when one fails, and exits 1", async () => {
    const r = await runCli(execCommand, ["all", "--inventory", file, "--", "echo", "ok"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("cent222 | ok");
    expect(r.stdout).toContain("cent333 | ok");
    expect(r.stderr).toMatch(/dead {4}\| packetwalk exec: connect failed on dead: .*\(command: echo ok\)/);
  });

  it("runs a script with --shell, and reports non-zero exits", async () => {
    const r = await runCli(execCommand, ["cent222,cent333", "--inventory", file, "--shell", "--", "echo", "x;", "exit", "4"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("cent333 | x");
    expect(r.stderr).toContain("cent222 | exit 4");
  });

  it("prints rows as JSON with --json", async () => {
    const r = await runCli(execCommand, ["cent333", "--inventory", file, "--json", "--", "echo", "j"]);
    expect(JSON.parse(r.stdout)).toEqual([expect.objectContaining({ node: "cent333", ok: true, stdout: "j\n", exitCode: 0 })]);
  });

  it("takes a YAML inventory, with a key file relative to it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-cli-yaml-"));
    try {
      fs.mkdirSync(path.join(dir, "keys"));
      fs.copyFileSync(a.clientKeyPath, path.join(dir, "keys", "id_ed25519"));
      const yaml = [
        "# packetwalk inventory",
        "sshConfig: false",
        "nodes:",
        "  - name: cent222",
        "    role: compute",
        "    ssh:",
        "      host: 127.0.0.1",
        `      port: ${a.port}`,
        "      user: pw",
        "      identityFile: keys/id_ed25519",
        "      agent: false",
        `      hostKey: "${a.hostFingerprint}"`,
        "",
      ].join("\n");
      const yamlFile = path.join(dir, "inventory.yaml");
      fs.writeFileSync(yamlFile, yaml);
      const r = await runCli(execCommand, ["cent222", "--inventory", yamlFile, "--", "echo", "from yaml"]);
      expect(r).toEqual({ code: 0, stdout: "from yaml\n", stderr: "" });
      fs.writeFileSync(yamlFile, `${yaml}sshConfig: false\n`);
      const dup = await runCli(execCommand, ["cent222", "--", "true"], { PACKETWALK_INVENTORY: yamlFile });
      expect(dup.code).toBe(2);
      expect(dup.stderr).toContain(`${yamlFile}: (file): invalid YAML at line 13, column 1: duplicate key "sshConfig"`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exits 2 on usage and inventory errors", async () => {
    expect((await runCli(execCommand, ["cent222", "echo"])).code).toBe(2);
    const noInv = await runCli(execCommand, ["cent222", "--", "true"]);
    expect(noInv).toMatchObject({ code: 2 });
    expect(noInv.stderr).toMatch(/pass --inventory FILE or set PACKETWALK_INVENTORY/);
    const unknown = await runCli(execCommand, ["cent999", "--inventory", file, "--", "true"]);
    expect(unknown.stderr).toMatch(/unknown node "cent999"/);
    expect((await runCli(execCommand, ["cent222", "--inventory", file, "--", "echo", "a\0b"])).code).toBe(2);
  });
});
