/**
 * `packetwalk walk`: the main job. Walks a request through the cluster stage by stage (on the embedded
 * lab by default, or a real cluster with `--inventory`), prints the stage table, then runs the shipped
 * notebooks against the same target and writes executed notebooks and HTML reports to out/.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { toDisplayBundle } from "../../lib/display/show";
import { packageRoot, packetwalkVersion } from "../../lib/display/version";
import { startLab } from "../../lib/lab";
import { loadInventory } from "../../lib/remote";
import * as aq from "arquero";
import { tableBundle } from "../../lib/display/table";
import { createInvestigation, describeTarget, LIVE_FLUSH_MS, investigationTimeline, openInvestigation, type Investigation, type InvestigationWriter } from "../../lib/investigation";
import { checkWalkParams, evidenceFramesPcapng, recordedCaptures, recordWalkProducts, runWalk } from "../../lib/walk";
import { renderHtml } from "../runner/html";
import type { Notebook } from "../runner/notebook";
import { runNotebookFile } from "./run";
import { KernelClient } from "../runner/client";
import { packetwalkKernelCommand } from "../runner/run";
import { defineCommand, OptionValues, UsageError } from "./args";
import type { CommandIO } from "./types";

const usage = `usage: packetwalk walk [--lab] [--fault NAME ...] [--topology FILE|default|large]
                       [--inventory FILE] [--fip IP] [--port N] [--host HEADER] [--gateway-vrf NAME] [--large-path PATH]
                       [--out DIR] [--only NAME ...] [--no-notebooks] [--jobs N] [--kernel-per-notebook]
                       [--executed DIR] [--timeout SECONDS]
       packetwalk walk --replay INVESTIGATION [--out DIR] [--no-notebooks] …
  Walks an HTTP request from the Internet host to the backend pod and back, stage by stage, and says
  where the packet was last seen. With no --inventory it starts the embedded lab (--lab), optionally
  with faults switched on for a drill. --large-path names a URL path whose response is larger than one
  MTU, to check the return path for an MTU black hole (the lab's pods serve /download/BYTES; the lab
  default is /download/20000). Every command, probe, flow snapshot and capture is recorded once into
  DIR/investigation/; the shipped notebooks (notebooks/*.ipynb) then run against that recording, so
  the report and every notebook speak of the same connection (--jobs N of them at once, default 2; each
  job keeps one kernel and resets it between notebooks, --kernel-per-notebook starts a new one for each).
  --replay walks a recording (a folder or
  a packed .tar/.tgz) instead of the network: the same stages, verdicts and evidence, offline.
  Writes to DIR (default out/): walk.html (the report), walk.json, investigation/ (with the frames the
  stages used as exports/evidence-frames.pcapng, commented per stage, and the flow history and frame
  tables as tables/*.arrow), the executed notebooks and their HTML. A timing line on stderr gives each
  phase (lab start, walk, notebooks, each notebook). --executed DIR also copies the executed notebooks there (npm run notebooks refreshes
  notebooks/executed/, the copies with outputs that render on GitHub).
  Exit status: 0 every stage passed and every notebook ran, 1 a stage failed or was unknown, or a
  notebook failed, 2 usage or start-up error.`;

/**
 * The shipped notebooks, in run order (file name order: 00-…, 01-…, then the rest).
 *
 * @example
 * shippedNotebooks(); // ["/opt/pw/notebooks/00-setup.ipynb", …]
 */
export function shippedNotebooks(dir = path.join(packageRoot(), "notebooks")): string[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(".ipynb")).sort().map((n) => path.join(dir, n));
}

const OPTIONS = {
  lab: { type: "boolean" },
  fault: { type: "string", multiple: true },
  topology: { type: "string" },
  inventory: { type: "string" },
  fip: { type: "string" },
  port: { type: "string" },
  host: { type: "string" },
  "gateway-vrf": { type: "string" },
  "large-path": { type: "string" },
  out: { type: "string" },
  only: { type: "string", multiple: true },
  "no-notebooks": { type: "boolean" },
  "kernel-per-notebook": { type: "boolean" },
  replay: { type: "string" },
  jobs: { type: "string" },
  executed: { type: "string" },
  timeout: { type: "string" },
} as const;

type WalkFlags = OptionValues<typeof OPTIONS>;

/** A page for the walk report: headline, stage table, evidence, charts as inline SVG. */
async function walkPage(report: { toHtml(): string; headline(): string; charts?: () => unknown[]; headerChart?: () => unknown; verdict: string }, title: string, startedAt: number, timeline?: unknown, files: { href: string; text: string }[] = []): Promise<string> {
  const outputs = [];
  if (files.length) {
    const esc = (t: string) => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    outputs.push({
      output_type: "display_data" as const,
      data: {
        "text/html": `<div class="pw-files"><b>Files of this walk</b><ul>${files.map((f) => `<li><a href="${esc(f.href)}">${esc(f.href)}</a> — ${esc(f.text)}</li>`).join("")}</ul></div>`,
        "text/plain": files.map((f) => `${f.href}: ${f.text}`).join("\n"),
      },
      metadata: {},
    });
  }
  const headers = report.headerChart?.();
  for (const c of [...(report.charts?.() ?? []), ...(headers ? [headers] : []), ...(timeline ? [timeline] : [])]) {
    const b = await toDisplayBundle(c);
    outputs.push({ output_type: "display_data" as const, data: b.data, metadata: b.metadata });
  }
  const nb: Notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      packetwalk: { version: packetwalkVersion(), source: "packetwalk walk", executed_at: new Date(startedAt).toISOString(), duration_seconds: (Date.now() - startedAt) / 1000, status: report.verdict },
    },
    cells: [
      { id: "report", cell_type: "code", metadata: { packetwalk: { status: "ok" } }, source: "", execution_count: null, outputs: [
        { output_type: "display_data", data: { "text/html": report.toHtml(), "text/plain": report.headline() }, metadata: {} },
        ...outputs,
      ] },
    ],
  };
  return renderHtml(nb, { title, hideInput: true });
}

const command = defineCommand({
  name: "walk",
  usage,
  options: OPTIONS,
  positionals: false,
  async run({ values: v }, io) {
    if (v.replay && (v.inventory || v.lab || v.fault?.length || v.topology)) {
      throw new UsageError("--replay walks a recording; --inventory, --lab, --fault and --topology are for live walks", { usage: false });
    }
    if (v.inventory && (v.lab || v.fault?.length || v.topology)) {
      throw new UsageError("--inventory walks a real cluster; --lab, --fault and --topology are for the embedded lab", { usage: false });
    }
    // Every value bound for the gateway's Junos CLI or a node's shell is checked before anything starts.
    const flagOf: Record<string, string> = { fip: "--fip", fipPort: "--port", hostHeader: "--host", gatewayVrf: "--gateway-vrf", largePath: "--large-path" };
    const problems = checkWalkParams({
      fip: v.fip ?? "0.0.0.0",
      fipPort: v.port !== undefined ? Number(v.port) : 80,
      hostHeader: v.host ?? "localhost",
      ...(v["gateway-vrf"] !== undefined ? { gatewayVrf: v["gateway-vrf"] } : {}),
      ...(v["large-path"] !== undefined ? { largePath: v["large-path"] } : {}),
    });
    if (problems.length > 0) throw new UsageError(problems.map((p) => `${flagOf[p.param] ?? p.param}: ${p.message}`).join("; "), { usage: false });
    const outDir = path.resolve(io.cwd, v.out ?? "out");
    fs.mkdirSync(outDir, { recursive: true });
    if (v.replay) return walkReplay(v, io, outDir);
    return v.inventory ? walkInventory(v, io, outDir) : walkLab(v, io, outDir);
  },
});

async function walkLab(v: WalkFlags, io: CommandIO, outDir: string): Promise<number> {
  let lab;
  const labAt = Date.now();
  try {
    lab = await startLab({ topology: v.topology, faults: v.fault ?? [] });
  } catch (e) {
    io.stderr.write(`packetwalk walk: the lab did not start: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const inventoryFile = path.join(outDir, "lab-inventory.json");
    fs.writeFileSync(inventoryFile, JSON.stringify(lab.inventory, null, 2) + "\n", { mode: 0o600 });
    const s = lab.inventory.scenario;
    io.stderr.write(`lab: ${s.topology} topology${v.fault?.length ? `, faults: ${v.fault.join(", ")}` : ""}; inventory ${path.relative(io.cwd, inventoryFile)}\n`);
    return await walkAndRun(v, io, outDir, inventoryFile, lab.inventory as unknown as object, {
      fip: v.fip ?? s.fip,
      fipPort: v.port ? Number(v.port) : s.fipPort,
      hostHeader: v.host ?? s.hostHeader,
      gatewayVrf: v["gateway-vrf"],
      // The lab's pods serve sized downloads; 20000 bytes spans several MTU-sized segments.
      largePath: v["large-path"] ?? "/download/20000",
    }, undefined, [`lab start ${((Date.now() - labAt) / 1000).toFixed(1)} s`]);
  } finally {
    await lab.stop();
  }
}

async function walkInventory(v: WalkFlags, io: CommandIO, outDir: string): Promise<number> {
  if (!v.fip) {
    io.stderr.write("packetwalk walk: --inventory needs --fip (and usually --port and --host)\n");
    return 2;
  }
  const file = path.resolve(io.cwd, v.inventory!);
  let inventory: object;
  try {
    // JSON or YAML; relative key and known_hosts paths resolve against the file's folder.
    inventory = loadInventory(file);
  } catch (e) {
    io.stderr.write(`packetwalk walk: cannot read the inventory ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  return walkAndRun(v, io, outDir, file, inventory, {
    fip: v.fip,
    fipPort: v.port ? Number(v.port) : 80,
    hostHeader: v.host ?? v.fip,
    gatewayVrf: v["gateway-vrf"],
    largePath: v["large-path"],
  });
}

async function walkReplay(v: WalkFlags, io: CommandIO, outDir: string): Promise<number> {
  const source = path.resolve(io.cwd, v.replay!);
  let inv: Investigation;
  try {
    inv = openInvestigation(source);
  } catch (e) {
    io.stderr.write(`packetwalk walk: ${(e as Error).message}\n`);
    return 2;
  }
  for (const w of inv.warnings) io.stderr.write(`packetwalk walk: ${path.basename(source)}: ${w}\n`);
  const recorded = inv.manifest.target.inventory;
  if (!recorded) {
    io.stderr.write(`packetwalk walk: ${source}: the recording holds no inventory to replay against\n`);
    return 2;
  }
  const p = inv.manifest.parameters as { fip?: string; fipPort?: number; hostHeader?: string; gatewayVrf?: string; largePath?: string };
  return walkAndRun(v, io, outDir, source, recorded, {
    fip: v.fip ?? String(p.fip ?? ""),
    fipPort: v.port ? Number(v.port) : Number(p.fipPort ?? 80),
    hostHeader: v.host ?? String(p.hostHeader ?? p.fip ?? ""),
    ...(v["gateway-vrf"] ?? p.gatewayVrf ? { gatewayVrf: v["gateway-vrf"] ?? p.gatewayVrf } : {}),
    ...(v["large-path"] ?? p.largePath ? { largePath: v["large-path"] ?? p.largePath } : {}),
  }, inv);
}

async function walkAndRun(
  v: WalkFlags,
  io: CommandIO,
  outDir: string,
  inventoryFile: string,
  inventoryObject: object,
  params: { fip: string; fipPort: number; hostHeader: string; gatewayVrf?: string; largePath?: string },
  replay?: Investigation,
  timings: string[] = [],
): Promise<number> {
  if (!Number.isInteger(params.fipPort) || params.fipPort < 1 || params.fipPort > 65535) {
    io.stderr.write(`packetwalk walk: --port must be a TCP port number\n`);
    return 2;
  }
  let inventory: ReturnType<typeof loadInventory>;
  try {
    inventory = loadInventory(inventoryObject);
  } catch (e) {
    io.stderr.write(`packetwalk walk: ${inventoryFile}: ${(e as Error).message}\n`);
    return 2;
  }
  io.stderr.write(`${replay ? "replaying" : "walking"} ${params.fip}:${params.fipPort} (Host: ${params.hostHeader})${replay ? ` from ${replay.manifest.id}` : ""}…\n`);
  const startedAt = Date.now();
  // A live walk records everything once into OUT/investigation (a fresh one each run).
  const invDir = path.join(outDir, "investigation");
  let record: InvestigationWriter | undefined;
  if (!replay) {
    fs.rmSync(invDir, { recursive: true, force: true });
    record = createInvestigation(invDir, {
      target: describeTarget(inventory, v.inventory ? "inventory" : "lab", v.inventory ? inventoryFile : `embedded lab (${v.topology ?? "default"} topology)`),
      parameters: { ...params },
      // Records gathered for a poll round and written together: a killed walk loses at most that.
      flushMs: LIVE_FLUSH_MS,
    });
  }
  // The notebooks' kernels start (and load TypeScript and packetwalk's types with one import) while the
  // walk runs its stages, which mostly wait on the network: once the traffic phase (probes, 5 Hz polls,
  // captures, all timing-sensitive) is over, i.e. when the first stage is decided. Each is reset before
  // its first notebook.
  let books = v["no-notebooks"] ? [] : shippedNotebooks();
  if (v.only?.length) books = books.filter((b) => v.only!.some((o) => path.basename(b).includes(o)));
  const jobs = Math.max(1, Math.min(8, v.jobs !== undefined ? Number(v.jobs) || 1 : 2));
  const kernelEnv = replay ? process.env : { ...process.env, PACKETWALK_LIVE_INVENTORY: liveInventoryFile(outDir, inventoryFile, inventoryObject) };
  const reuse = !v["kernel-per-notebook"];
  const warming: Promise<KernelClient | undefined>[] = [];
  const startKernels = (): void => {
    if (!reuse || warming.length > 0) return;
    warming.push(...Array.from({ length: Math.min(jobs, books.length) }, () =>
        KernelClient.start(packetwalkKernelCommand(outDir, kernelEnv)).then(
          async (k) => {
            k.used = true; // reset before the first notebook, whatever the warm-up left
            await k.execute(`import * as packetwalk from "packetwalk";`, { timeoutMs: 120_000 }).catch(() => undefined);
            return k;
          },
          () => undefined, // started again (and its error reported) when its first notebook needs it
        ),
    ));
  };
  try {
    return await walkThenNotebooks();
  } finally {
    // Kernels no notebook took (a walk that threw, an interrupt) end here; shutting one down twice is harmless.
    await Promise.all(warming.map(async (w) => (await w)?.shutdown()));
  }

  async function walkThenNotebooks(): Promise<number> {
    const walkAt = Date.now();
    const report = await runWalk({
      ...params,
      inventory,
      ...(record ? { record } : {}),
      ...(replay ? { replay } : {}),
      signal: io.signal,
      onStage: (st, done, total) => {
        startKernels();
        io.stderr.write(`  [${done}/${total}] ${st.verdict.toUpperCase().padEnd(7)} ${st.title}${st.verdict === "pass" ? "" : `: ${st.reason}`}\n`);
      },
    });
    startKernels();
    timings.push(`${replay ? "replay" : "walk"} ${((Date.now() - walkAt) / 1000).toFixed(1)} s`);
    const productsAt = Date.now();
    // Large tables columnar (Arrow IPC) and the frames the stages used, commented, as a pcapng; linked from the report.
    const files: { href: string; text: string }[] = [];
    try {
      if (record) {
        const made = await recordWalkProducts(record, report.stages);
        for (const w of made.warnings) io.stderr.write(`packetwalk walk: ${w}\n`);
        if (made.evidenceFrames) files.push({ href: `investigation/${made.evidenceFrames.file}`, text: `${made.evidenceFrames.items} frames the stages used as evidence, each commented with the stage and the reason (Wireshark: Statistics → Capture File Properties, or the packet comments column)` });
        for (const t of made.tables) files.push({ href: `investigation/${t.file}`, text: `${t.name}: ${t.rows} rows, Arrow IPC (arquero, DuckDB, Polars)` });
      } else if (replay) {
        const ef = await evidenceFramesPcapng(report.stages, recordedCaptures(replay));
        for (const m of ef?.missing ?? []) io.stderr.write(`packetwalk walk: evidence frames: ${m}\n`);
        if (ef && ef.frames > 0) {
          fs.writeFileSync(path.join(outDir, "evidence-frames.pcapng"), ef.bytes);
          files.push({ href: "evidence-frames.pcapng", text: `${ef.frames} frames the stages used as evidence, each commented with the stage and the reason` });
        }
      }
    } catch (e) {
      io.stderr.write(`packetwalk walk: could not write the evidence frames and tables: ${(e as Error).message}\n`);
    }
    record?.close();
    timings.push(`tables and evidence frames ${((Date.now() - productsAt) / 1000).toFixed(1)} s`);
    fs.writeFileSync(path.join(outDir, "walk.json"), JSON.stringify(report.toJSON(), null, 2) + "\n");
    const reportHtml = path.join(outDir, "walk.html");
    // The timeline of the recording: every command, poll, probe, capture and note, in time order.
    let timeline: unknown;
    try {
      const recorded = replay ?? openInvestigation(invDir);
      timeline = tableBundle(aq.from(investigationTimeline(recorded.records)), { title: `timeline of ${recorded.manifest.id}`, maxRows: 500 });
    } catch {
      /* no recording to show */
    }
    // The report (its charts take seconds to render) is written while the notebooks run.
    const reportAt = Date.now();
    let reportTook = "";
    const reportWritten = walkPage(report, `packet walk: ${params.fip}:${params.fipPort}`, startedAt, timeline, files).then((html) => {
      fs.writeFileSync(reportHtml, html);
      reportTook = `report ${((Date.now() - reportAt) / 1000).toFixed(1)} s (beside the notebooks)`;
    });
    reportWritten.catch(() => undefined); // awaited (and its error thrown) after the notebooks
    io.stdout.write(`\n${report.toString()}\n`);
    const first = report.firstFailure;
    if (first) io.stdout.write(`\nfirst stage where the packet was not seen: ${first.title} — ${first.reason}\n`);

    let notebooksOk = true;
    const rows: { notebook: string; status: string; cells: string; html: string }[] = [];
    if (books.length > 0) {
      // The notebooks replay the recording, so they are independent: run a few at once (one kernel each).
      const results: (typeof rows)[number][] = new Array(books.length);
      let next = 0;
      const took: string[] = [];
      const runOne = async (i: number, client: KernelClient | undefined): Promise<void> => {
        const file = books[i]!;
        const base = path.basename(file, ".ipynb");
        const html = path.join(outDir, `${base}.html`);
        const t0 = Date.now();
        try {
          const r = await runNotebookFile(
            file,
            {
              ...(client ? { client } : {}),
              // The recording, relative to the executed notebook beside it (no path of this machine in it).
              params: { inventory: path.relative(outDir, replay ? inventoryFile : invDir) || ".", fip: params.fip, fipPort: params.fipPort, hostHeader: params.hostHeader, largePath: params.largePath ?? "" },
              cwd: outDir,
              // A command the recording lacks may still run live while this walk's target is up.
              env: kernelEnv,
              out: path.join(outDir, `${base}.ipynb`),
              html,
              timeoutSeconds: v.timeout ? Number(v.timeout) : undefined,
              quiet: true,
            },
            io,
          );
          const bad = r.cells.filter((c) => c.status !== "ok").length;
          notebooksOk &&= r.ok;
          if (v.executed) {
            const dir = path.resolve(io.cwd, v.executed);
            fs.mkdirSync(dir, { recursive: true });
            fs.copyFileSync(path.join(outDir, `${base}.ipynb`), path.join(dir, `${base}.ipynb`));
          }
          results[i] = { notebook: base, status: r.ok ? "ok" : "FAILED", cells: `${r.cells.length - bad}/${r.cells.length} ok`, html: path.relative(io.cwd, html) };
        } catch (e) {
          notebooksOk = false;
          results[i] = { notebook: base, status: "ERROR", cells: (e as Error).message.slice(0, 80), html: "" };
        }
        took.push(`${base} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      };
      // One kernel per job, reset between its notebooks (fresh names, targets closed, execution count 1)
      // instead of a new process each: TypeScript and packetwalk's types load once per job, not per notebook.
      // --kernel-per-notebook starts a new process for each (what a user's Jupyter does on restart).
      const notebooksAt = Date.now();
      await Promise.all(
        Array.from({ length: Math.min(jobs, books.length) }, async (_, job) => {
          let client: KernelClient | undefined = await warming[job];
          try {
            while (next < books.length && !io.signal.aborted) {
              const i = next++;
              if (reuse && client?.used) {
                try {
                  await client.reset();
                  client.used = false;
                } catch (e) {
                  io.stderr.write(`packetwalk walk: a kernel could not be reused (${(e as Error).message}); starting a new one\n`);
                  await client.kill();
                  client = undefined;
                }
              }
              if (reuse && (!client || client.dead)) {
                if (client) await client.kill();
                client = await KernelClient.start(packetwalkKernelCommand(outDir, kernelEnv)).catch((e: unknown) => {
                  io.stderr.write(`packetwalk walk: the kernel did not start: ${(e as Error).message}\n`);
                  return undefined;
                });
              }
              await runOne(i, client);
            }
          } finally {
            await client?.shutdown();
          }
        }),
      );
      timings.push(`notebooks ${((Date.now() - notebooksAt) / 1000).toFixed(1)} s with ${Math.min(jobs, books.length)} ${reuse ? "reused kernels" : "jobs, a kernel per notebook"} (${took.join(", ")})`);
      rows.push(...results.filter(Boolean));
      if (rows.length) {
        const w = Math.max(...rows.map((r) => r.notebook.length), 8);
        io.stdout.write(`\n${"notebook".padEnd(w)}  status  cells       report\n`);
        for (const r of rows) io.stdout.write(`${r.notebook.padEnd(w)}  ${r.status.padEnd(6)}  ${r.cells.padEnd(10)}  ${r.html}\n`);
      }
    }
    await reportWritten;
    timings.push(reportTook);
    io.stderr.write(`timing: ${timings.join("; ")}\n`);
    io.stdout.write(`\nreport: ${path.relative(io.cwd, reportHtml)}   (executed notebooks and HTML in ${path.relative(io.cwd, outDir) || outDir}/)\n`);
    return report.verdict === "pass" && notebooksOk ? 0 : 1;
  }
}

/** The live inventory file the notebooks may fall back to (the lab's is written beside the outputs already). */
function liveInventoryFile(outDir: string, inventoryFile: string, inventoryObject: object): string {
  if (fs.existsSync(inventoryFile)) return inventoryFile;
  const f = path.join(outDir, "live-inventory.json");
  fs.writeFileSync(f, JSON.stringify(inventoryObject), { mode: 0o600 });
  return f;
}

export default command;
