/**
 * The argument and usage rules every `packetwalk` command shares, in one place:
 * - `--help` or `-h` (before a `--`) prints the command's usage on stdout and exits 0;
 * - options are parsed strictly with `node:util`'s `parseArgs` from a spec, and their values are typed
 *   from it (`{ json: { type: "boolean" } }` gives `values.json: boolean | undefined`);
 * - a usage error — an unknown option, a missing value, or a {@link UsageError} thrown by the command —
 *   prints `packetwalk NAME: MESSAGE` and the usage on stderr and exits 2.
 *
 * A command either declares its options ({@link defineCommand}) or, when its first word picks a
 * subcommand with options of its own, dispatches on its argv and parses each subcommand's options with
 * {@link readCommandArgs} ({@link defineDispatcher}).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { Command, CommandIO } from "./types";

/** An options spec, as `parseArgs` takes it. */
export type OptionsSpec = NonNullable<ParseArgsConfig["options"]>;

type ParseConfig<O extends OptionsSpec> = { args: string[]; options: O; allowPositionals: true; strict: true };

/** Typed option values of a spec (`string`, `boolean`, arrays for `multiple`; undefined when absent). */
export type OptionValues<O extends OptionsSpec> = ReturnType<typeof parseArgs<ParseConfig<O>>>["values"];

/** What a command's `run` receives. */
export interface CommandArgs<O extends OptionsSpec> {
  values: OptionValues<O>;
  positionals: string[];
  /** With `rest: true`: the words after the first `--`, untouched (empty when there is no `--`). */
  rest: string[];
}

/** How to read one command's (or subcommand's) arguments. */
export interface ArgsSpec<O extends OptionsSpec> {
  options: O;
  /** Whether positional arguments are allowed (default true). */
  positionals?: boolean;
  /** Whether the words after `--` are handed over as `rest` instead of being parsed (default false). */
  rest?: boolean;
  /** The message prefix of usage errors, when not `packetwalk NAME` (e.g. `packetwalk kernel install`). */
  prog?: string;
}

/**
 * A usage error: the command prints `PROG: MESSAGE` on stderr — followed by its usage unless
 * `usage: false`; an empty message prints the usage alone — and exits 2.
 *
 * @example
 * if (positionals.length !== 1) throw new UsageError("expected one NODE argument");
 * if (!(every > 0)) throw new UsageError("--every must be a positive number of seconds", { usage: false });
 */
export class UsageError extends Error {
  readonly showUsage: boolean;
  readonly prog?: string;
  constructor(message: string, opts: { usage?: boolean; prog?: string } = {}) {
    super(message);
    this.name = "UsageError";
    this.showUsage = opts.usage ?? true;
    this.prog = opts.prog;
  }
}

/** Thrown to stop at `--help`; the command prints its usage and exits 0. */
class HelpRequest extends Error {}

function splitRest(argv: string[], rest: boolean | undefined): { head: string[]; tail: string[] } {
  const dash = rest ? argv.indexOf("--") : -1;
  return dash < 0 ? { head: argv, tail: [] } : { head: argv.slice(0, dash), tail: argv.slice(dash + 1) };
}

function wantsHelp(args: string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}

/**
 * Reads `argv` against a spec: typed values and positionals. Throws a {@link UsageError} (a bad
 * option) or a help request (`--help`/`-h`), which the command's wrapper ({@link defineCommand},
 * {@link defineDispatcher}) turns into output and an exit code. Dispatchers call it per subcommand;
 * `defineCommand` calls it for the commands that declare their options.
 *
 * @example
 * const { values, positionals } = readCommandArgs(rest, { options: { hold: { type: "string" }, json: { type: "boolean" } } });
 */
export function readCommandArgs<const O extends OptionsSpec>(argv: string[], spec: ArgsSpec<O>): CommandArgs<O> {
  const { head, tail } = splitRest(argv, spec.rest);
  if (wantsHelp(head)) throw new HelpRequest();
  try {
    const { values, positionals } = parseArgs({ args: head, options: spec.options, allowPositionals: spec.positionals ?? true, strict: true });
    return { values: values as OptionValues<O>, positionals, rest: tail };
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) throw new UsageError((e as Error).message, { prog: spec.prog });
    throw e;
  }
}

/** Runs a command body, turning help requests and usage errors into output and exit codes. */
async function withUsage(name: string, usage: string, io: CommandIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (e instanceof HelpRequest) {
      io.stdout.write(`${usage}\n`);
      return 0;
    }
    if (e instanceof UsageError) {
      const line = e.message ? `${e.prog ?? `packetwalk ${name}`}: ${e.message}\n` : "";
      io.stderr.write(`${line}${e.showUsage ? `${usage}\n` : ""}`);
      return 2;
    }
    throw e;
  }
}

/** A command that declares its options: the wrapper parses them before `run`. */
export interface CommandSpec<O extends OptionsSpec> extends ArgsSpec<O> {
  name: string;
  usage: string;
  run(args: CommandArgs<O>, io: CommandIO): Promise<number>;
}

/**
 * Defines a command from its options spec and body. `run` gets typed values and may throw
 * {@link UsageError}; `--help` and parse errors never reach it.
 *
 * @example
 * export default defineCommand({
 *   name: "hello",
 *   usage: "usage: packetwalk hello NAME [--shout]",
 *   options: { shout: { type: "boolean" } },
 *   async run({ values, positionals }, io) {
 *     if (positionals.length !== 1) throw new UsageError("expected one NAME");
 *     io.stdout.write(`hello ${values.shout ? positionals[0].toUpperCase() : positionals[0]}\n`);
 *     return 0;
 *   },
 * });
 */
export function defineCommand<const O extends OptionsSpec>(spec: CommandSpec<O>): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    run: (argv, io) => withUsage(spec.name, spec.usage, io, () => spec.run(readCommandArgs(argv, spec), io)),
  };
}

/** A command whose first word picks a subcommand: `run` gets the raw argv. */
export interface DispatcherSpec {
  name: string;
  usage: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}

/**
 * Defines a command that dispatches on its first word and parses each subcommand's options with
 * {@link readCommandArgs}; `--help` anywhere prints the usage, and usage errors are handled as in
 * {@link defineCommand}.
 *
 * @example
 * export default defineDispatcher({
 *   name: "probe",
 *   usage: USAGE,
 *   async run([sub, ...rest], io) {
 *     if (sub === "tcp") return runTcp(readCommandArgs(rest, { options: TCP_OPTIONS }), io);
 *     throw new UsageError(sub === undefined ? "" : `unknown probe kind: ${sub} (tcp or http)`);
 *   },
 * });
 */
export function defineDispatcher(spec: DispatcherSpec): Command {
  return {
    name: spec.name,
    usage: spec.usage,
    run: (argv, io) =>
      withUsage(spec.name, spec.usage, io, () => {
        if (wantsHelp(argv)) throw new HelpRequest();
        return spec.run(argv, io);
      }),
  };
}
