import { describe, expect, it } from "vitest";
import { checkWalkParams, createContext, WalkParamError } from "../../lib/walk/context";
import { loadInventory } from "../../lib/remote/inventory";
import type { CommandRunner } from "../../lib/remote/runner";
import { HOSTILE } from "../remote/helpers/hostile";

const inventory = loadInventory({ nodes: [{ name: "gateway", role: "gateway", ssh: { host: "127.0.0.1", port: 22 } }] });
const good = { fip: "101.101.101.1", fipPort: 80, hostHeader: "www.juniper.net" };

describe("walk parameters bound for the gateway's Junos CLI and the nodes' shells", () => {
  it("accepts the scenario's values", () => {
    expect(checkWalkParams({ ...good, gatewayVrf: "k8s-ns-user-1-public", path: "/", largePath: "/download/65536?x=1", probes: 3, nodes: ["cent222"] })).toEqual([]);
  });

  it("refuses a Junos pipe in --fip or --gateway-vrf before anything runs, naming the parameter", () => {
    const calls: string[] = [];
    const runner: CommandRunner = {
      async run(node, command) {
        calls.push(`${node}: ${JSON.stringify(command)}`);
        throw new Error("must not run");
      },
    };
    for (const [param, value] of [
      ["fip", "101.101.101.1 | save /var/tmp/x"],
      ["gatewayVrf", "x | save /var/tmp/x"],
      ["hostHeader", "www.juniper.net\r\nX-Evil: 1"],
      ["largePath", "/a b"],
    ] as const) {
      let err: unknown;
      try {
        createContext({ inventory, runner, ...good, [param]: value });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WalkParamError);
      expect((err as WalkParamError).problems.map((p) => p.param)).toEqual([param]);
      expect((err as WalkParamError).message).toContain(`${param}: expected`);
    }
    expect(calls).toEqual([]);
  });

  it("refuses every hostile value as an address and as a VRF name", () => {
    for (const h of HOSTILE) {
      expect(checkWalkParams({ ...good, fip: h }).map((p) => p.param)).toEqual(["fip"]);
      if (h !== "") expect(checkWalkParams({ ...good, gatewayVrf: h }).map((p) => p.param), h).toEqual(/^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(h) && !["master", "default", "bgp"].includes(h) ? [] : ["gatewayVrf"]);
    }
    expect(checkWalkParams({ ...good, fipPort: 70000, probes: 0 }).map((p) => p.param)).toEqual(["fipPort", "probes"]);
  });
});
