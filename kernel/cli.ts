#!/usr/bin/env node
/**
 * `packetwalk`: one command, many subcommands. Each lives in `kernel/commands/` and follows the
 * {@link Command} contract; this file only dispatches (loading the one command that runs) and wires
 * SIGINT/SIGTERM to an AbortSignal.
 */
import { COMMANDS, loadCommand } from "./commands/index";
import type { CommandIO } from "./commands/types";
import { packetwalkVersion } from "../lib/display/version";

function help(): string {
  return `packetwalk ${packetwalkVersion()} — walk a packet through a Tungsten Fabric / Contrail cluster

usage: packetwalk COMMAND [ARGS]   (packetwalk COMMAND --help for details)

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join("\n")}
`;
}

/**
 * Runs the CLI in-process with the given argv (without `node` and the script) and IO; resolves to the
 * exit code.
 *
 * @example
 * const code = await main(["kernel", "list"], { ...defaultIO(), stdout: myStream });
 */
export async function main(argv: string[], io: CommandIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(help());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-V") {
    io.stdout.write(`${packetwalkVersion()}\n`);
    return 0;
  }
  if (!COMMANDS.some((c) => c.name === name)) {
    io.stderr.write(`packetwalk: unknown command ${JSON.stringify(name)}\n${help()}`);
    return 2;
  }
  // `--help` and usage errors are each command's (commands/args.ts).
  return (await loadCommand(name)).run(rest, io);
}

/**
 * The IO of the real process, with SIGINT/SIGTERM/SIGHUP aborting the signal (a second signal exits).
 *
 * @example
 * main(process.argv.slice(2), defaultIO()).then((code) => (process.exitCode = code));
 */
export function defaultIO(handleSignals = true): CommandIO {
  const ac = new AbortController();
  if (handleSignals) {
    let count = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++count > 1) process.exit(130);
      ac.abort(new Error(`received ${sig}`));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // A closed terminal: stop like Ctrl-C, so the lab removes its key material and captures are flushed.
    process.on("SIGHUP", onSignal);
  }
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signal: ac.signal, env: process.env, cwd: process.cwd() };
}

if (require.main === module) {
  // The kernel handles SIGINT itself (interrupts, not exit).
  const isKernel = process.argv[2] === "kernel" && process.argv[3] === "start";
  main(process.argv.slice(2), defaultIO(!isKernel)).then(
    (code) => {
      process.exitCode = code;
      if (isKernel) process.exit(code);
    },
    (e: unknown) => {
      process.stderr.write(`packetwalk: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 1;
    },
  );
}
