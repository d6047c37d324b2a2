/**
 * The ONE place where arguments become a remote shell command line.
 *
 * OpenSSH (and ssh2) send an exec request as a single string that the remote user's login shell parses.
 * Every argument therefore goes through {@link quoteShellArg}: a POSIX single-quoted word, inside which
 * no character is special (`$`, backticks, `;`, `\`, newlines, globs all stay literal). A single quote
 * is written as `'\''`. The login shell must be POSIX-like (sh, dash, bash, ksh, mksh, zsh, busybox sh); csh/tcsh
 * treat a newline inside quotes differently and are not supported.
 */

/**
 * Characters that never need quoting in a POSIX shell word (no glob, no tilde, no expansion) in any of
 * the login shells met on nodes: bash, dash, zsh, mksh and busybox sh. `=` is not among them: zsh
 * expands a word that starts with `=` (`=ls` → `/usr/bin/ls`), and a first word `a=b` is an assignment.
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+:,./-]+$/;

/**
 * Quotes one argument for a POSIX shell, so it arrives as exactly one argv element, byte for byte.
 * Throws a `TypeError` for a NUL character: no argv element can contain one, and silently cutting
 * the string would run a different command than asked.
 *
 * @example
 * quoteShellArg("flow")          // "flow"
 * quoteShellArg("a b")           // "'a b'"
 * quoteShellArg("it's; rm -rf /") // "'it'\\''s; rm -rf /'"
 */
export function quoteShellArg(arg: string): string {
  if (typeof arg !== "string") throw new TypeError(`quoteShellArg: expected a string, got ${typeof arg}`);
  if (arg.includes("\0")) throw new TypeError(`quoteShellArg: argument contains a NUL character: ${JSON.stringify(arg)}`);
  if (SAFE_WORD.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Joins an argv into one shell command line, each element quoted by {@link quoteShellArg}.
 *
 * @example
 * shellCommand(["flow", "--match", "15.15.15.2:51000 & proto tcp"])
 * // "flow --match '15.15.15.2:51000 & proto tcp'"
 */
export function shellCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError("shellCommand: empty argv");
  return argv.map(quoteShellArg).join(" ");
}

/**
 * Wraps a command line so the remote command is stopped (SIGTERM) when the SSH channel closes, for
 * servers that refuse "signal" requests (OpenSSH answers `session signalling requires privilege
 * separation` in some set-ups). A watcher reads the channel's stdin; the channel closing ends stdin,
 * and the watcher sends SIGTERM to the command's process group. The command itself gets no stdin.
 *
 * @example
 * killOnCloseCommand("sleep 30 && touch /tmp/x")
 * // "sh -c 'exec 3<&0; if command -v setsid …' packetwalk 'sleep 30 && touch /tmp/x'"
 */
export function killOnCloseCommand(commandLine: string): string {
  // The command runs in its own process group (setsid, where available) so the whole group can be
  // stopped. fd 3 carries the channel's stdin to the watcher (an asynchronous list's own stdin is
  // /dev/null); the watcher holds no stdout/stderr, so the server does not wait for it.
  // The trap covers servers that kill the session's process group instead: the command's own group
  // (made by setsid) would escape that, so the wrapper passes the signal on.
  // PW_WATCH_PID lets a long-running command (the flow loop) notice that the wrapper is gone.
  const wrapper =
    "exec 3<&0; PW_WATCH_PID=$$; export PW_WATCH_PID; " +
    'trap \'kill -TERM -"$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null; exit 143\' TERM HUP INT; ' +
    'if command -v setsid >/dev/null 2>&1; then setsid sh -c "$1" </dev/null 3<&- & else sh -c "$1" </dev/null 3<&- & fi; p=$!; ' +
    '{ cat <&3; kill -TERM -"$p" || kill -TERM "$p"; } >/dev/null 2>&1 & w=$!; exec 3<&-; ' +
    'wait "$p"; rc=$?; kill "$w" 2>/dev/null; exit "$rc"';
  return shellCommand(["sh", "-c", wrapper, "packetwalk", commandLine]);
}
