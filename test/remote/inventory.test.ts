import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
import { MAX_YAML_ALIAS_COUNT, MAX_YAML_VALUES, inventoryFormatOf, parseInventoryText } from "../../lib/remote/inventory-text";
import { planConnection } from "../../lib/remote/plan";

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

  it("refuses a control character in any field or key, naming the path", () => {
    const bad = structuredClone(good) as any;
    bad.nodes[2].vrouter.container = "agent\u0000; id";
    bad.nodes[0].ssh.user = "pw\nid";
    bad.nodes[1].ssh.host = "127.0.0.1\u2028";
    bad.addressMap["101.101.101.1:80"] = "127.0.0.1:4\u001b[2J";
    bad.knownHosts = ["ok", "k\r"];
    bad["x\ty"] = 1;
    const issues = issuesOf(bad);
    expect(issues).toContain("nodes[2].vrouter.container: contains a control character (U+0000 at index 5)");
    expect(issues).toContain("nodes[0].ssh.user: contains a control character (U+000A at index 2)");
    expect(issues).toContain("nodes[1].ssh.host: contains a control character (U+2028 at index 9)");
    expect(issues).toContain('addressMap["101.101.101.1:80"]: contains a control character (U+001B at index 11)');
    expect(issues).toContain("knownHosts[1]: contains a control character (U+000D at index 1)");
    expect(issues).toContain('["x\\ty"]: the key contains a control character');
    expect(() => loadInventory(bad)).toThrow(InventoryError);
  });

  it("checks container and interface names against the rules of docker and Linux", () => {
    const bad = structuredClone(good) as any;
    bad.nodes[2].vrouter.container = "-agent";
    bad.nodes[2].fabricInterface = "eth0; id";
    bad.nodes[3].fabricInterface = "a-very-long-interface0";
    expect(issuesOf(bad)).toEqual([
      "nodes[2].fabricInterface: expected an interface name (1-15 characters, no '/', ':', space or quote)",
      "nodes[2].vrouter.container: expected a container name or id (letters, digits, '_', '.', '-', starting with a letter or digit)",
      "nodes[3].fabricInterface: expected an interface name (1-15 characters, no '/', ':', space or quote)",
    ]);
    const ok = structuredClone(good) as any;
    ok.nodes[2].fabricInterface = "bond0.100";
    ok.nodes[3].fabricInterface = "vhost0";
    ok.nodes[1].fabricInterface = "ge-0/0/1";
    expect(issuesOf(ok)).toEqual([]);
    ok.nodes[1].fabricInterface = "ge-0/0/1 | save /var/tmp/x";
    expect(issuesOf(ok)).toEqual(["nodes[1].fabricInterface: expected a Junos interface name (ge-0/0/1, ae0, lo0.0 …)"]);
  });

  it("names the field path of every problem", () => {
    const bad = structuredClone(good) as any;
    bad.nodes[2].ssh.port = "22";
    bad.nodes[1].role = "router";
    bad.nodes[3].vrouter.via = "kubelet";
    expect(issuesOf(bad)).toEqual([
      "nodes[1].role: expected one of internet-host, gateway, compute",
      "nodes[2].ssh.port: expected a number",
      "nodes[3].vrouter.via: expected one of direct, docker, contrail-tools, kubectl",
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

  it("refuses unreadable or invalid files with the file name, and the line and column", () => {
    expect(() => loadInventory("/nonexistent/inv.json")).toThrow(/\/nonexistent\/inv\.json: \(file\): cannot read/);
    expect(() => loadInventory("/nonexistent/inv.yaml")).toThrow(/\/nonexistent\/inv\.yaml: \(file\): cannot read/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-inv-"));
    const bad = path.join(dir, "bad.json");
    fs.writeFileSync(bad, '{\n  "nodes": [],\n  nodes: 1 }');
    expect(() => loadInventory(bad)).toThrow(`${bad}: (file): invalid JSON at line 3, column 3: expected a property name in double quotes`);
    fs.rmSync(dir, { recursive: true });
  });
});

// `good` with more fields (relative paths, booleans, a prefix), as JSON and as hand-written YAML.
const twin = {
  ...good,
  nodes: [
    { ...good.nodes[0], ssh: { ...good.nodes[0]!.ssh, identityFile: "keys/id_ed25519", agent: false } },
    good.nodes[1],
    good.nodes[2],
    { ...good.nodes[3], vrouter: { via: "contrail-tools", sudo: true, prefix: ["kubectl", "exec", "-n", "tf", "vr", "--"] } },
  ],
  hostKeyPolicy: "accept-new",
  knownHosts: ["known_hosts", "~/.ssh/known_hosts"],
  sshConfig: "ssh_config",
  connectTimeoutMs: 5000,
};

const twinYaml = `# the lab, as YAML
nodes:
  - name: internet-host
    role: internet-host
    ssh: { host: 127.0.0.1, port: 2201, user: pw, identityFile: keys/id_ed25519, agent: false }
  - name: gateway
    role: gateway
    ssh: {host: 127.0.0.1, port: 2202, user: pw}
  - name: cent222
    role: compute
    fabricInterface: eth0
    ssh:
      host: 127.0.0.1
      port: 2203
      user: pw
      hostKey: SHA256:abc
    vrouter:
      via: docker
      container: vrouter_vrouter-agent_1
  - name: cent333
    role: compute
    ssh: { host: 127.0.0.1, port: 2204, user: pw, jump: gateway }
    vrouter:
      via: contrail-tools
      sudo: true
      prefix: [kubectl, exec, -n, tf, vr, --]
addressMap:
  101.101.101.1:80: 127.0.0.1:41234
hostKeyPolicy: accept-new
knownHosts:
  - known_hosts
  - ~/.ssh/known_hosts
sshConfig: ssh_config
connectTimeoutMs: 5000
`;

/** A node list with one node, to wrap small YAML snippets in. */
const oneNode = (ssh: string): string => `nodes:\n  - name: cent222\n    role: compute\n    ssh:\n${ssh}`;

describe("loadInventory(yaml file)", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-inv-yaml-"));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const errorOf = (file: string): InventoryError => {
    try {
      loadInventory(file);
    } catch (e) {
      expect(e).toBeInstanceOf(InventoryError);
      return e as InventoryError;
    }
    throw new Error(`${file} loaded`);
  };

  it("gives the same Inventory as its JSON twin", () => {
    const json = loadInventory(write("inventory.json", JSON.stringify(twin, null, 2)));
    const yaml = loadInventory(write("inventory.yaml", twinYaml));
    expect(yaml).toEqual(json);
    expect(yaml).toEqual({ ...twin, baseDir: dir });
  });

  it("resolves identityFile, knownHosts and sshConfig against the YAML file's folder, whatever the cwd", () => {
    const file = write("site/inventory.yaml", twinYaml);
    const inv = loadInventory(path.relative(os.tmpdir(), file), { cwd: os.tmpdir() });
    expect(inv.baseDir).toBe(path.join(dir, "site"));
    const plan = planConnection(inv, "internet-host", { env: {}, home: "/home/pw" });
    expect(plan.identityFiles).toEqual([path.join(dir, "site", "keys", "id_ed25519")]);
    expect(plan.knownHostsFiles).toEqual([path.join(dir, "site", "known_hosts"), "/home/pw/.ssh/known_hosts"]);
  });

  it("loads the README's YAML and JSON examples to the same Inventory", () => {
    const readme = fs.readFileSync(path.join(__dirname, "..", "..", "README.md"), "utf8");
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    const json = /```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(yaml && json).toBeTruthy();
    const inv = loadInventory(write("cluster.yaml", yaml!));
    expect(inv).toEqual(loadInventory(write("cluster.json", json!)));
    expect(inv.nodes.map((n) => n.name)).toEqual(["gateway", "cent222"]);
  });

  it("reads .yml and upper-case extensions as YAML too", () => {
    const want = loadInventory(twin, { cwd: dir });
    expect(loadInventory(write("inventory.yml", twinYaml))).toEqual(want);
    expect(loadInventory(write("INVENTORY.YAML", twinYaml))).toEqual(want);
  });

  it("uses the YAML 1.2 core schema: no/on stay strings, 0022 is 22, not octal", () => {
    const inv = loadInventory(write("inv.yaml", oneNode("      host: on\n      user: no\n      port: 0022\n")));
    expect(inv.nodes[0]!.ssh).toEqual({ host: "on", user: "no", port: 22 });
  });

  it("names the file, line and column of a syntax error", () => {
    const file = write("inv.yaml", "nodes:\n  - name: cent222\n   role: compute\n");
    const err = errorOf(file);
    expect(err.stage).toBe("inventory");
    expect(err.issues).toEqual([{ path: "(file)", message: "invalid YAML at line 3, column 1: Sequence item without - indicator" }]);
    expect(err.message).toContain(`${file}: (file): invalid YAML at line 3, column 1: Sequence item without - indicator`);
    expect(errorOf(write("flow.yaml", "nodes: [\n  {name: a,\n")).message).toMatch(/flow\.yaml: \(file\): invalid YAML at line \d+, column \d+: /);
  });

  it("never quotes the source text into an error (a secret on a bad line stays out of logs)", () => {
    const err = errorOf(write("inv.yaml", oneNode('      host: h\n      passphrase: "hunter2\n')));
    expect(err.message).toMatch(/invalid YAML at line \d+, column \d+/);
    expect(err.message).not.toContain("hunter2");
  });

  it("refuses duplicate keys, naming the key, line and column", () => {
    const err = errorOf(write("inv.yaml", oneNode("      host: a\n      port: 22\n      host: b\n")));
    expect(err.issues).toEqual([{ path: "(file)", message: 'invalid YAML at line 7, column 7: duplicate key "host"' }]);
  });

  it("refuses a password as the JSON path does", () => {
    const err = errorOf(write("inv.yaml", oneNode("      host: h\n      password: hunter2\n")));
    expect(err.issues.map((i) => i.path)).toEqual(["nodes[0].ssh.password"]);
    expect(err.message).toMatch(/passwords are not accepted; use ssh-agent/);
    expect(err.message).not.toContain("hunter2");
    const json = (() => {
      try {
        loadInventory(write("inv.json", JSON.stringify({ nodes: [{ name: "cent222", role: "compute", ssh: { host: "h", password: "hunter2" } }] })));
      } catch (e) {
        return e as InventoryError;
      }
      return undefined;
    })();
    expect(err.issues).toEqual(json!.issues);
  });

  it("gives the validator's field paths for a YAML inventory", () => {
    const err = errorOf(write("inv.yaml", oneNode('      host: h\n      port: "22"\n')));
    expect(err.issues).toEqual([{ path: "nodes[0].ssh.port", message: "expected a number" }]);
  });

  it("allows anchors and aliases", () => {
    const text = `nodes:
  - name: cent222
    role: compute
    ssh: &lab { host: 127.0.0.1, user: pw }
    vrouter: &agent { via: docker }
  - name: cent333
    role: compute
    ssh: *lab
    vrouter: *agent
`;
    const inv = loadInventory(write("inv.yaml", text));
    expect(inv.nodes[1]).toEqual({ name: "cent333", role: "compute", ssh: { host: "127.0.0.1", user: "pw" }, vrouter: { via: "docker" } });
    expect(inv.nodes[1]!.ssh).not.toBe(inv.nodes[0]!.ssh);
  });

  it("refuses a billion-laughs alias bomb at once", () => {
    const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i < 10; i++) {
      const [prev, name] = [String.fromCharCode(96 + i), String.fromCharCode(97 + i)];
      lines.push(`${name}: &${name} [${Array(9).fill(`*${prev}`).join(", ")}]`);
    }
    const file = write("lol.yaml", `${lines.join("\n")}\nnodes: *j\n`);
    const t0 = Date.now();
    const err = errorOf(file);
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(err.message).toContain(`lol.yaml: (file): invalid YAML: too many aliases (more than ${MAX_YAML_ALIAS_COUNT} nested alias uses`);
  });

  it("refuses a document too big once its aliases are expanded, even within the alias limit", () => {
    const list = `[${Array.from({ length: 1000 }, (_, i) => i).join(", ")}]`;
    const anchors = ["a", "b", "c"].map((n) => `${n}: &${n} ${list}`);
    const uses = ["a", "b", "c"].map((n) => `${n}s: [${Array(MAX_YAML_ALIAS_COUNT - 1).fill(`*${n}`).join(", ")}]`);
    const err = errorOf(write("big.yaml", `${[...anchors, ...uses].join("\n")}\nnodes: []\n`));
    expect(err.issues).toEqual([{ path: "(file)", message: `invalid YAML: more than ${MAX_YAML_VALUES} values once aliases are expanded` }]);
  });

  it("refuses aliases that are unknown or inside their own anchor", () => {
    expect(errorOf(write("a.yaml", "nodes: *nodes\n")).issues[0]!.message).toBe("invalid YAML at line 1, column 8: unknown alias *nodes (its anchor &nodes must come before it)");
    expect(errorOf(write("b.yaml", "nodes: &n [*n]\n")).issues[0]!.message).toBe("invalid YAML at line 1, column 12: alias *n is inside its own anchor (a cycle)");
  });

  it("refuses tags and merge keys, which are not in the core schema", () => {
    expect(errorOf(write("a.yaml", oneNode("      host: !!binary aGVsbG8=\n"))).issues[0]!.message).toBe(
      "invalid YAML at line 5, column 13: unsupported tag: !!binary (inventories use the YAML 1.2 core schema, without tags)",
    );
    expect(errorOf(write("b.yaml", oneNode("      host: !vault abc\n"))).issues[0]!.message).toMatch(/line 5, column 13: unsupported tag: !vault/);
    const merge = "defaults: &d { user: pw }\n" + oneNode("      <<: *d\n      host: h\n");
    expect(errorOf(write("c.yaml", merge)).issues[0]!.message).toBe(
      "invalid YAML at line 6, column 7: merge keys (<<) are not supported (YAML 1.2 core schema); write the fields out, or alias a whole value",
    );
  });

  it("takes one document: a leading --- is fine, a second document is refused with its line", () => {
    expect(loadInventory(write("one.yaml", `---\n${twinYaml}...\n`)).nodes).toHaveLength(4);
    const err = errorOf(write("two.yaml", `${twinYaml}---\n${twinYaml}`));
    expect(err.issues).toEqual([{ path: "(file)", message: "invalid YAML at line 35, column 1: a second YAML document starts here (the file holds 2); an inventory is one document" }]);
    expect(errorOf(write("empty.yaml", "# nothing yet\n")).issues[0]!.message).toBe("invalid YAML: the file holds no YAML document (it is empty, or only comments)");
  });

  it("reads JSON as JSON only for a .json name", () => {
    expect(errorOf(write("inv.json", twinYaml)).message).toMatch(/inv\.json: \(file\): invalid JSON at line 1, column 1: expected a value/);
  });

  it("reads any other name as JSON when it is JSON, else as YAML, and names both errors when neither", () => {
    const want = loadInventory(twin, { cwd: dir });
    expect(loadInventory(write("inventory.conf", JSON.stringify(twin)))).toEqual(want);
    expect(loadInventory(write("inventory", twinYaml))).toEqual(want);
    const err = errorOf(write("inventory.txt", "{ nodes: "));
    expect(err.issues).toEqual([
      {
        path: "(file)",
        message: expect.stringMatching(/^the name ends in neither \.json nor \.yaml\/\.yml, and the text is neither JSON \(at line 1, column 3: .+\) nor YAML \(at line 1, column 10: .+\)$/),
      },
    ]);
  });
});

describe("parseInventoryText(text, format)", () => {
  it("picks the format by extension", () => {
    expect(["a.json", "a.JSON", "a.yaml", "a.yml", "a.Yml", "a.conf", "a"].map(inventoryFormatOf)).toEqual(["json", "json", "yaml", "yaml", "yaml", "auto", "auto"]);
  });

  it("names the line and column of a JSON error in its own words, without quoting the text", () => {
    const at = (text: string): string => parseInventoryText(text, "json").issues[0]!.message;
    expect(at('{\n  "a": [1, 2,],\n}')).toBe("invalid JSON at line 2, column 14: expected a value (an object, array, string, number, true, false or null)");
    expect(at('{"password": "hunter2\n"}')).toBe("invalid JSON at line 1, column 22: control character in a string (write it as an escape, like \\n)");
    expect(at('{"a": "hunter2')).toBe("invalid JSON at line 1, column 7: unterminated string");
    expect(at('{"a" 1}')).toBe("invalid JSON at line 1, column 6: expected ':' after a property name");
    expect(at('{"a": 1} x')).toBe("invalid JSON at line 1, column 10: unexpected text after the JSON value");
    expect(at("  {")).toBe("invalid JSON at line 1, column 4: unexpected end of text");
  });

  it("reads flow-style YAML under auto when it is not JSON", () => {
    expect(parseInventoryText("{nodes: [{name: a}]}", "auto")).toEqual({ value: { nodes: [{ name: "a" }] }, issues: [] });
  });

  it("strips a byte-order mark, and refuses complex keys", () => {
    expect(parseInventoryText("\ufeff{\"a\": 1}", "json")).toEqual({ value: { a: 1 }, issues: [] });
    expect(parseInventoryText("\ufeffa: 1\n", "yaml")).toEqual({ value: { a: 1 }, issues: [] });
    expect(parseInventoryText("? [a, b]\n: 1\n", "yaml").issues[0]!.message).toMatch(/^invalid YAML at line 1, column 3: a mapping key must be a plain value/);
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
