/**
 * The CLI's shared rules: the command list, `--help`, usage errors and exit codes the same for every
 * command (kernel/commands/args.ts), and only the command that runs is loaded.
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../kernel/cli";
import { defineCommand, defineDispatcher, readCommandArgs, UsageError } from "../../kernel/commands/args";
import { COMMANDS, loadCommand } from "../../kernel/commands/index";
import { captureIO } from "../helpers/io";
import { CLI, requireBuilt, ROOT, streamText, withKernel } from "./helpers";

describe("packetwalk command list", () => {
  it("lists every command with its summary, and each entry loads the module of that name", async () => {
    const t = captureIO();
    expect(await main(["--help"], t.io)).toBe(0);
    for (const c of COMMANDS) {
      expect(t.out()).toContain(`  ${c.name.padEnd(8)} ${c.summary}\n`);
      expect((await loadCommand(c.name)).name).toBe(c.name);
    }
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(["capture", "discover", "drill", "exec", "flows", "kernel", "lab", "note", "pack", "parse", "probe", "run", "share", "walk"]);
    // Only listed commands load: a name is never a path.
    await expect(loadCommand("../server")).rejects.toThrow(/no packetwalk command/);
    await expect(loadCommand("types")).rejects.toThrow(/no packetwalk command/);
  });

  it("with no command prints the list and exits 2; an unknown command is named on stderr", async () => {
    const a = captureIO();
    expect(await main([], a.io)).toBe(2);
    expect(a.out()).toContain("usage: packetwalk COMMAND");
    const b = captureIO();
    expect(await main(["frobnicate"], b.io)).toBe(2);
    expect(b.err()).toMatch(/^packetwalk: unknown command "frobnicate"\n/);
  });

  it("`packetwalk --help` loads no command module", () => {
    requireBuilt();
    const script = `
      const { main } = require(${JSON.stringify(path.join(ROOT, "dist", "kernel", "cli.js"))});
      const { PassThrough } = require("node:stream");
      const sink = new PassThrough();
      main(["--help"], { stdout: sink, stderr: sink, stdin: sink, signal: new AbortController().signal, env: {}, cwd: "/" }).then(() => {
        process.stdout.write(JSON.stringify(Object.keys(require.cache)));
      });`;
    const loaded = JSON.parse(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" })) as string[];
    const commands = loaded.filter((f) => /[\\/]kernel[\\/]commands[\\/](?!index\.js|types\.js)/.test(f));
    expect(commands).toEqual([]);
    expect(loaded.some((f) => /[\\/]lib[\\/](lab|remote|capture|vrouter|walk)[\\/]/.test(f))).toBe(false);
  });
});

describe("packetwalk kernel start", () => {
  it("serves the kernel through the CLI as through start.js", async () => {
    await withKernel({ argv: [process.execPath, CLI, "kernel", "start", "{connection_file}"], cwd: ROOT }, async (k) => {
      const r = await k.execute("console.log('via the CLI'); 6 * 7");
      expect(r.status).toBe("ok");
      expect(streamText(r.outputs)).toBe("via the CLI\n");
      expect((r.outputs.find((o) => o.output_type === "execute_result") as { data: Record<string, string> }).data["text/plain"]).toBe("42");
    });
  });
});

describe("every command's --help and usage errors", () => {
  for (const entry of COMMANDS) {
    it(`${entry.name}: --help and -h print the usage on stdout and exit 0; an unknown option exits 2 with the usage on stderr`, async () => {
      const cmd = await loadCommand(entry.name);
      expect(cmd.usage).toMatch(/^usage:/);
      for (const flag of ["--help", "-h"]) {
        const t = captureIO();
        expect(await main([entry.name, flag], t.io)).toBe(0);
        expect(t.out()).toBe(`${cmd.usage}\n`);
        expect(t.err()).toBe("");
      }
      // Subcommand-shaped commands take --help after the subcommand word too.
      const sub = { kernel: ["install"], lab: ["faults"], probe: ["tcp"] }[entry.name] ?? [];
      const h = captureIO();
      expect(await main([entry.name, ...sub, "x", "--help"], h.io)).toBe(0);
      expect(h.out()).toBe(`${cmd.usage}\n`);

      const u = captureIO({ env: {} });
      expect(await main([entry.name, ...sub, "--no-such-option"], u.io)).toBe(2);
      expect(u.err()).toMatch(new RegExp(`^packetwalk ${entry.name}\\b.*: Unknown option '--no-such-option'`));
      expect(u.err().endsWith(`${cmd.usage}\n`)).toBe(true);
      expect(u.out()).toBe("");
    });
  }

  it("exec: --help after -- belongs to the remote command, not to packetwalk", async () => {
    const t = captureIO({ env: {} });
    const code = await main(["exec", "cent222", "--", "ls", "--help"], t.io);
    expect(t.out()).toBe("");
    expect(code).toBe(2); // no inventory here: the command ran past the argument checks
    expect(t.err()).toMatch(/^packetwalk exec: .*inventory/i);
  });
});

describe("defineCommand / defineDispatcher", () => {
  const hello = defineCommand({
    name: "hello",
    usage: "usage: packetwalk hello NAME [--shout] [--times N] [-- WORDS]",
    options: { shout: { type: "boolean" }, times: { type: "string" }, tag: { type: "string", multiple: true } },
    rest: true,
    async run({ values, positionals, rest }, io) {
      if (positionals.length !== 1) throw new UsageError("expected one NAME");
      const times = Number(values.times ?? 1);
      if (!(times > 0)) throw new UsageError(`--times ${values.times} is not a positive number`, { usage: false });
      // Typed values: a boolean, a string and a string[] (the compiler checks these uses).
      const shout: boolean = values.shout ?? false;
      const tags: string[] = values.tag ?? [];
      const name = shout ? positionals[0].toUpperCase() : positionals[0];
      io.stdout.write(`${`hello ${name}`.repeat(times)}${tags.map((t) => ` #${t}`).join("")}${rest.length ? ` (${rest.join(" ")})` : ""}\n`);
      return 0;
    },
  });

  it("hands typed values, positionals and the words after -- to run", async () => {
    const t = captureIO();
    expect(await hello.run(["pw", "--shout", "--tag", "a", "--tag", "b", "--", "--shout", "-h"], t.io)).toBe(0);
    expect(t.out()).toBe("hello PW #a #b (--shout -h)\n");
  });

  it("prints `packetwalk NAME: MESSAGE` and the usage for a usage error, the message alone with usage: false, exit 2", async () => {
    const a = captureIO();
    expect(await hello.run([], a.io)).toBe(2);
    expect(a.err()).toBe(`packetwalk hello: expected one NAME\n${hello.usage}\n`);
    const b = captureIO();
    expect(await hello.run(["pw", "--times", "0"], b.io)).toBe(2);
    expect(b.err()).toBe("packetwalk hello: --times 0 is not a positive number\n");
    const c = captureIO();
    expect(await hello.run(["pw", "--times"], c.io)).toBe(2);
    expect(c.err()).toBe(`packetwalk hello: Option '--times <value>' argument missing\n${hello.usage}\n`);
  });

  it("refuses positionals when the spec says so", async () => {
    const none = defineCommand({ name: "none", usage: "usage: none", options: {}, positionals: false, run: async () => 0 });
    const t = captureIO();
    expect(await none.run(["stray"], t.io)).toBe(2);
    expect(t.err()).toMatch(/^packetwalk none: Unexpected argument 'stray'/);
  });

  it("lets errors that are not usage errors through", async () => {
    const boom = defineCommand({ name: "boom", usage: "usage: boom", options: {}, run: async () => { throw new Error("not a usage error"); } });
    await expect(boom.run([], captureIO().io)).rejects.toThrow("not a usage error");
  });

  it("dispatches subcommands; an empty usage error prints the usage alone; prog renames the message prefix", async () => {
    const d = defineDispatcher({
      name: "tool",
      usage: "usage: packetwalk tool run|stop",
      async run([sub, ...rest], io) {
        if (sub === "run") {
          const { values } = readCommandArgs(rest, { options: { fast: { type: "boolean" } }, positionals: false, prog: "packetwalk tool run" });
          io.stdout.write(values.fast ? "fast\n" : "slow\n");
          return 0;
        }
        throw new UsageError(sub === undefined ? "" : `unknown subcommand ${sub}`);
      },
    });
    const a = captureIO();
    expect(await d.run(["run", "--fast"], a.io)).toBe(0);
    expect(a.out()).toBe("fast\n");
    const b = captureIO();
    expect(await d.run([], b.io)).toBe(2);
    expect(b.err()).toBe(`${d.usage}\n`);
    const c = captureIO();
    expect(await d.run(["jump"], c.io)).toBe(2);
    expect(c.err()).toBe(`packetwalk tool: unknown subcommand jump\n${d.usage}\n`);
    const e = captureIO();
    expect(await d.run(["run", "--slow"], e.io)).toBe(2);
    expect(e.err()).toMatch(/^packetwalk tool run: Unknown option '--slow'/);
    const h = captureIO();
    expect(await d.run(["run", "-h"], h.io)).toBe(0);
    expect(h.out()).toBe(`${d.usage}\n`);
  });
});
