/** Module resolution for notebooks in any folder: the pure path mappings (the live test is in kernel-live.test.ts). */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { dependencyDirs, forwardDependencyPath, forwardVirtualPath, mapPacketwalkRequest, packageName } from "../../kernel/resolve";
import { ROOT } from "./helpers";

describe("resolve", () => {
  it("maps packetwalk requests and virtual packetwalk paths to the package", () => {
    expect(mapPacketwalkRequest("packetwalk", "/opt/pw")).toBe("/opt/pw");
    expect(mapPacketwalkRequest("packetwalk/dist/lib/x", "/opt/pw")).toBe(path.join("/opt/pw", "dist/lib/x"));
    expect(mapPacketwalkRequest("arquero", "/opt/pw")).toBeNull();
    expect(forwardVirtualPath("/nb/node_modules/packetwalk/dist/lib/index.d.ts", "/nb", "/opt/pw")).toBe("/opt/pw/dist/lib/index.d.ts");
  });

  it("names the package of a request", () => {
    expect(packageName("arquero")).toBe("arquero");
    expect(packageName("vega-lite/build/src/index")).toBe("vega-lite");
    expect(packageName("@types/ssh2/index.d.ts")).toBe("@types/ssh2");
    expect(packageName("./x")).toBe("");
    expect(packageName("/abs/x")).toBe("");
  });

  it("forwards a dependency the notebook folder lacks, and keeps the folder's own copy", () => {
    const deps = new Map([["yaml", "/opt/pw/node_modules/yaml"], ["@types/ssh2", "/opt/pw/node_modules/@types/ssh2"]]);
    const none = () => false;
    expect(forwardDependencyPath("/nb/node_modules/yaml/dist/index.d.ts", "/nb", deps, none)).toBe("/opt/pw/node_modules/yaml/dist/index.d.ts");
    expect(forwardDependencyPath("/nb/node_modules/yaml", "/nb", deps, none)).toBe("/opt/pw/node_modules/yaml");
    expect(forwardDependencyPath("/nb/node_modules/@types/ssh2/index.d.ts", "/nb", deps, none)).toBe("/opt/pw/node_modules/@types/ssh2/index.d.ts");
    expect(forwardDependencyPath("/nb/node_modules/left-pad/index.js", "/nb", deps, none)).toBe("/nb/node_modules/left-pad/index.js");
    expect(forwardDependencyPath("/elsewhere/node_modules/yaml/x", "/nb", deps, none)).toBe("/elsewhere/node_modules/yaml/x");
    expect(forwardDependencyPath("/nb/node_modules/yaml/x", "/nb", deps, (d) => d === "/nb/node_modules/yaml")).toBe("/nb/node_modules/yaml/x");
  });

  it("finds this package's copies of the notebook dependencies", () => {
    const dirs = dependencyDirs(ROOT);
    for (const n of ["arquero", "vega-lite", "vega", "yaml", "ssh2", "@types/ssh2"]) expect(dirs.get(n), n).toBeTruthy();
  });
});
