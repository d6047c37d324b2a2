import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { captureIO } from "../helpers/io";
import { main } from "../../kernel/cli";
import { installKernelSpec, KERNEL_LOGOS, kernelSpec, listKernelSpecs, uninstallKernelSpec, userKernelsDir } from "../../kernel/kernelspec";


describe("kernelspec", () => {
  it("kernelSpec starts this install's cli with the current node, signal interrupts", () => {
    const s = kernelSpec();
    expect(s.argv[0]).toBe(process.execPath);
    expect(s.argv[1]).toMatch(/dist[\\/]kernel[\\/]start\.js$/);
    expect(s.argv.slice(2)).toEqual(["{connection_file}"]);
    expect(s).toMatchObject({ language: "typescript", interrupt_mode: "signal", display_name: "TypeScript (packetwalk)" });
  });

  it("install / list / uninstall into a prefix through the CLI", async () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "pw-spec-"));
    try {
      const a = captureIO();
      expect(await main(["kernel", "install", "--prefix", prefix], a.io)).toBe(0);
      const file = path.join(prefix, "share", "jupyter", "kernels", "packetwalk", "kernel.json");
      expect(JSON.parse(fs.readFileSync(file, "utf8")).argv[2]).toBe("{connection_file}");
      const b = captureIO();
      expect(await main(["kernel", "list", "--prefix", prefix], b.io)).toBe(0);
      expect(b.out()).toContain(path.dirname(file));
      const c = captureIO();
      expect(await main(["kernel", "uninstall", "--prefix", prefix], c.io)).toBe(0);
      expect(fs.existsSync(file)).toBe(false);
      const d = captureIO();
      expect(await main(["kernel", "uninstall", "--prefix", prefix], d.io)).toBe(1);
      expect(d.err()).toContain("no kernelspec packetwalk");
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  });

  it("--user honours JUPYTER_DATA_DIR and names are validated", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-data-"));
    const env = { ...process.env, JUPYTER_DATA_DIR: dataDir };
    try {
      expect(userKernelsDir(env)).toBe(path.join(dataDir, "kernels"));
      const dir = installKernelSpec({ name: "pw-test" }, env);
      expect(dir).toBe(path.join(dataDir, "kernels", "pw-test"));
      expect(listKernelSpecs([], env).some((s) => s.name === "pw-test" && s.current)).toBe(true);
      expect(uninstallKernelSpec({ name: "pw-test" }, env)).toBe(dir);
      expect(() => installKernelSpec({ name: "../evil" }, env)).toThrow(/invalid kernel name/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("installs the logos Jupyter shows: 32x32 and 64x64 PNGs and the SVG they are rendered from", () => {
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), "pw-logo-"));
    try {
      const dir = installKernelSpec({ prefix });
      for (const [file, size] of [["logo-32x32.png", 32], ["logo-64x64.png", 64]] as const) {
        const png = fs.readFileSync(path.join(dir, file));
        expect(png.subarray(1, 4).toString()).toBe("PNG");
        expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
      }
      expect(fs.readFileSync(path.join(dir, "logo-svg.svg"), "utf8")).toMatch(/^<svg [^>]*viewBox="0 0 64 64"/);
      expect(KERNEL_LOGOS).toHaveLength(3);
    } finally {
      fs.rmSync(prefix, { recursive: true, force: true });
    }
  });
});
