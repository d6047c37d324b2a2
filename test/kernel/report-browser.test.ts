/**
 * The walk report as a person sees it: headless Chromium (Debian's) opens out/walk.html with no
 * network and no JavaScript in the report, and the stage table and the charts are visible (laid out
 * with a real size). A harness page on the same loopback origin measures the report in an iframe.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../kernel/cli";
import { captureIO } from "../helpers/io";

function findChromium(): string | null {
  for (const c of ["chromium", "chromium-browser", "google-chrome"]) {
    if (spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0) return c;
  }
  return null;
}
const CHROMIUM = findChromium();

const HARNESS = `<!DOCTYPE html><html><body><iframe id="r" src="/walk.html" style="width:1200px;height:3000px"></iframe>
<script>
document.getElementById("r").addEventListener("load", () => {
  const d = document.getElementById("r").contentDocument;
  const visible = (el) => { const b = el.getBoundingClientRect(); const s = getComputedStyle(el); return b.width > 40 && b.height > 40 && s.display !== "none" && s.visibility !== "hidden"; };
  const svgs = [...d.querySelectorAll(".out-svg > svg")];
  const tables = [...d.querySelectorAll("table")];
  const out = {
    title: d.title,
    charts: svgs.length,
    chartsVisible: svgs.filter(visible).length,
    chartsWithMarks: svgs.filter((s) => s.querySelectorAll("path, line, rect, text").length > 10).length,
    tables: tables.length,
    tablesVisible: tables.filter(visible).length,
    stageRows: tables[0] ? tables[0].querySelectorAll("tbody tr").length : 0,
    scripts: d.querySelectorAll("script").length,
    headline: (d.querySelector(".packetwalk-walk b") || {}).textContent || "",
  };
  const pre = document.createElement("pre"); pre.id = "result"; pre.textContent = JSON.stringify(out); document.body.appendChild(pre);
});
</script></body></html>`;

describe("the walk report in a browser", () => {
  it.skipIf(!CHROMIUM)("shows the stage table and the charts, with no script and nothing fetched from the network", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pw-browser-"));
    const fetched: string[] = [];
    const server = http.createServer((req, res) => {
      fetched.push(req.url ?? "");
      if (req.url === "/") return void res.end(HARNESS);
      if (req.url === "/walk.html") return void res.end(fs.readFileSync(path.join(dir, "walk.html")));
      res.statusCode = 404;
      res.end();
    });
    try {
      const t = captureIO();
      expect(await main(["walk", "--lab", "--no-notebooks", "--out", dir], t.io)).toBe(0);
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as { port: number }).port;
      const profile = fs.mkdtempSync(path.join(os.tmpdir(), "pw-chromium-"));
      // Asynchronous: the page is served from this process, whose event loop must keep running.
      const r = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
        const p = spawn(CHROMIUM!, [
          "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
          "--disable-component-update", "--disable-sync", `--user-data-dir=${profile}`, "--virtual-time-budget=10000",
          "--dump-dom", `http://127.0.0.1:${port}/`,
        ]);
        let stdout = "";
        let stderr = "";
        p.stdout.on("data", (d) => (stdout += d));
        p.stderr.on("data", (d) => (stderr += d));
        const kill = setTimeout(() => p.kill("SIGKILL"), 90_000);
        p.on("close", () => {
          clearTimeout(kill);
          resolve({ stdout, stderr });
        });
      });
      fs.rmSync(profile, { recursive: true, force: true });
      const m = /<pre id="result">(.*?)<\/pre>/s.exec(r.stdout);
      expect(m, `chromium printed no result: ${r.stderr.slice(-500)}`).not.toBeNull();
      const res = JSON.parse(m![1].replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">"));
      expect(res.title).toBe("packet walk: 101.101.101.1:80");
      expect(res.headline).toContain("all 10 stages pass");
      expect(res.tablesVisible).toBeGreaterThanOrEqual(1);
      expect(res.stageRows).toBe(10);
      // The ladder, the flow timeline, the latency breakdown and the packet's headers at every hop.
      expect(res.charts).toBe(4);
      expect(res.chartsVisible).toBe(4);
      expect(res.chartsWithMarks).toBe(4);
      expect(res.scripts).toBe(0);
      // Only the harness and the report were requested: the report loads nothing else.
      expect(fetched.filter((u) => u !== "/favicon.ico").sort()).toEqual(["/", "/walk.html"]);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  if (!CHROMIUM) it("SKIPPED: chromium is not installed here; .ci/run installs it", () => {});
});
