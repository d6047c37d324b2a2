import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import {
  InventoryError,
  loadInventory,
  mapAddress,
  selectNodes,
  validateInventory,
  vrouterArgv,
  vrouterCommand,
  vrouterScript,
  type InventoryNode,
} from "../../lib/remote/inventory";

const good = {
  nodes: [
    { name: "internet-host", role: "internet-host", ssh: { host: "127.0.0.1", port: 2201, user: "pw" } },
    { name: "gateway", role: "gateway", ssh: { host: "127.0.0.1", port: 2202, user: "pw" } },
    { name: "cent222", role: "compute", fabricInterface: "eth0", ssh: { host: "127.0.0.1", port: 2203, user: "pw", hostKey: "SHA256:abc" }, vrouter: { via: "docker", container: "vrouter_vrouter-agent_1" } },
    { name: "cent333", role: "compute", ssh: { host: "127.0.0.1", port: 2204, user: "pw", jump: "gateway" }, vrouter: { via: "contrail-tools" } },
  ],
  addressMap: { "101.101.101.1:80": "127.0.0.1:41234" },
};

function issuesOf(value: unknown): string[] {
  return validateInventory(value).issues.map((i) => `${i.path}: ${i.message}`);
}

describe("loadInventory(pathOrObject)", () => {
  it("accepts the lab's shape", () => {
    const inv = loadInventory(good);
    expect(inv.nodes.map((n) => n.name)).toEqual(["internet-host", "gateway", "cent222", "cent333"]);
    expect(inv.baseDir).toBe(process.cwd());
  });

  it("reads a JSON file and resolves paths against its directory", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-inv-"));
    const file = path.join(dir, "inventory.json");
    fs.writeFileSync(file, JSON.stringify(good));
    expect(loadInventory(file).baseDir).toBe(dir);
    fs.rmSync(dir, { recursive: true });
  });

  it("names the field path of every problem", () => {
    const bad = structuredClone(good) as any;
    bad.nodes[2].ssh.port = "22";
    bad.nodes[1].role = "router";
    bad.nodes[3].vrouter.via = "kubectl";
    expect(issuesOf(bad)).toEqual([
      "nodes[1].role: expected one of internet-host, gateway, compute",
      "nodes[2].ssh.port: expected a number",
      "nodes[3].vrouter.via: expected one of direct, docker, contrail-tools",
    ]);
    expect(() => loadInventory(bad)).toThrow(/nodes\[2\]\.ssh\.port: expected a number/);
  });

  it("refuses passwords with a clear error", () => {
    const bad = structuredClone(good) as any;
    bad.nodes[0].ssh.password = "hunter2";
    const err = (() => {
      try {
        loadInventory(bad);
      } catch (e) {
        return e as InventoryError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(InventoryError);
    expect(err!.stage).toBe("inventory");
    expect(err!.issues[0]!.path).toBe("nodes[0].ssh.password");
    expect(err!.message).toMatch(/passwords are not accepted; use ssh-agent/);
    expect(err!.message).not.toContain("hunter2");
  });

  it("refuses a passphrase in the inventory, and a bad passphraseEnv name", () => {
    const bad = structuredClone(good) as any;
    bad.nodes[0].ssh.passphrase = "x";
    bad.nodes[1].ssh.passphraseEnv = "not a name";
    expect(issuesOf(bad).map((s) => s.split(":")[0])).toEqual(["nodes[0].ssh.passphrase", "nodes[1].ssh.passphraseEnv"]);
  });

  it("refuses duplicate names, empty nodes, bad policies, bad addressMap", () => {
    expect(issuesOf({ nodes: [] })).toEqual(["nodes: expected at least one node"]);
    expect(issuesOf({ nodes: [good.nodes[0], good.nodes[0]] })).toEqual(["nodes[1].name: duplicate node name: internet-host"]);
    expect(issuesOf({ ...good, hostKeyPolicy: "yolo" })).toEqual(["hostKeyPolicy: expected one of strict, accept-new, insecure-accept-any"]);
    expect(issuesOf({ ...good, addressMap: { "1.2.3.4": "x" } })).toEqual(['addressMap["1.2.3.4"]: key: expected host:port', 'addressMap["1.2.3.4"]: expected a "host:port" string']);
    expect(issuesOf(42)).toEqual(["(root): expected an object with a nodes array"]);
  });

  it("refuses YAML and unreadable or invalid files with the file name", () => {
    expect(() => loadInventory("inv.yaml")).toThrow(/YAML inventories are not supported; write JSON/);
    expect(() => loadInventory("/nonexistent/inv.json")).toThrow(/\/nonexistent\/inv\.json: \(file\): cannot read/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-inv-"));
    fs.writeFileSync(path.join(dir, "bad.json"), "{ nodes: ");
    expect(() => loadInventory(path.join(dir, "bad.json"))).toThrow(/invalid JSON/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe("vrouterArgv(node, argv)", () => {
  const node = (vrouter?: InventoryNode["vrouter"]): InventoryNode => ({ name: "n", role: "compute", ssh: { host: "h" }, ...(vrouter ? { vrouter } : {}) });

  it("runs directly by default", () => {
    expect(vrouterArgv(node(), ["flow", "-l"])).toEqual(["flow", "-l"]);
  });

  it("wraps in docker exec, with the default agent container", () => {
    expect(vrouterArgv(node({ via: "docker" }), ["flow", "-l"])).toEqual(["docker", "exec", "vrouter_vrouter-agent_1", "flow", "-l"]);
    expect(vrouterArgv(node({ via: "docker", container: "agent" }), ["nh", "--get", "61"])).toEqual(["docker", "exec", "agent", "nh", "--get", "61"]);
  });

  it("wraps in contrail-tools, sudo and a prefix", () => {
    expect(vrouterArgv(node({ via: "contrail-tools", sudo: true }), ["flow", "-l"])).toEqual(["sudo", "-n", "contrail-tools", "flow", "-l"]);
    expect(vrouterArgv(node({ via: "direct", prefix: ["kubectl", "exec", "vr", "--"] }), ["vif", "--list"])).toEqual(["kubectl", "exec", "vr", "--", "vif", "--list"]);
  });

  it("quotes the command line and scripts", () => {
    expect(vrouterCommand(node({ via: "docker" }), ["flow", "--match", "1.1.1.1:20 & proto tcp"])).toBe("docker exec vrouter_vrouter-agent_1 flow --match '1.1.1.1:20 & proto tcp'");
    expect(vrouterScript(node(), "flow -l; sleep 1")).toBe("sh -c 'flow -l; sleep 1'");
  });
});

describe("selectNodes(inv, spec)", () => {
  const inv = loadInventory(good);
  it("selects all, a list, a role", () => {
    expect(selectNodes(inv, "all")).toHaveLength(4);
    expect(selectNodes(inv, "cent333,cent222,cent333")).toEqual(["cent333", "cent222"]);
    expect(selectNodes(inv, "role:compute")).toEqual(["cent222", "cent333"]);
  });
  it("names unknown nodes and lists the known ones", () => {
    expect(() => selectNodes(inv, "cent444")).toThrow(/unknown node "cent444"; known: internet-host, gateway, cent222, cent333/);
  });
});

describe("mapAddress(inv, host, port)", () => {
  it("maps listed addresses and leaves others", () => {
    expect(mapAddress(good, "101.101.101.1", 80)).toEqual({ host: "127.0.0.1", port: 41234 });
    expect(mapAddress(good, "10.0.0.1", 80)).toEqual({ host: "10.0.0.1", port: 80 });
  });
});
