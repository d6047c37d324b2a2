/**
 * Writes the lab's utility executables: one tiny standalone Node script (`tool.js`, talks only to the
 * lab's tool socket, and implements `telnet` through the address map) and, per node, a `bin/` dir of
 * `#!/bin/sh` wrappers (`flow`, `nh`, `rt`, ... or `cli`, or `ip`, `curl`, `telnet`) that the SSH
 * server puts first on PATH. Nothing here depends on `dist/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { toolsFor, type NodeRole } from "./commands";

/** The client script; plain CommonJS, no dependencies. */
export const TOOL_SCRIPT = String.raw`'use strict';
const net = require('net');
const sock = process.env.PWLAB_SOCK;
const node = process.env.PWLAB_NODE;
const argv = process.argv.slice(2);
process.stdout.on('error', () => process.exit(141));
process.stderr.on('error', () => undefined);
if (argv[0] === 'telnet') {
  telnet(argv.slice(1));
} else if (argv[0] === 'curl') {
  curl(argv.slice(1));
} else {
  tool();
}
function addrMap() {
  try { return JSON.parse(process.env.PWLAB_ADDRMAP || '{}'); } catch (e) { return {}; }
}
function curl(a) {
  // Real curl, reaching cluster addresses through the lab's loopback ports (--connect-to); its -v
  // notes are rewritten back to the cluster addresses so the transcript reads as on the real host.
  // Only 127.0.0.1 is ever contacted: every mapped address goes to its lab port, everything else to a
  // closed lab port (connection refused), only plain HTTP, and no option that could reach elsewhere.
  const blocked = /^(-x|-K|-U|--proxy|--preproxy|--socks|--proxy-|--doh-url|--dns-|--interface|--connect-to|--resolve|--unix-socket|--abstract-unix-socket|--config|--happy-eyeballs|--local-port|--ftp-port|-P)/;
  for (const x of a) {
    const m = blocked.exec(x);
    if (m && (x.startsWith('--') || x.length === 2 || /^-[xKUP]/.test(x))) {
      process.stderr.write('curl: option ' + x.split('=')[0] + ': is not available in this lab\ncurl: try \'curl --help\' for more information\n');
      process.exit(2);
    }
  }
  const map = addrMap();
  const back = {};
  const args = ['-q', '--noproxy', '*', '--proto', '=http', '--proto-redir', '=http'];
  for (const from of Object.keys(map)) {
    args.push('--connect-to', from + ':' + map[from]);
    if (!back[map[from]] || /^[0-9.]+:/.test(from)) back[map[from]] = from; // prefer the address to a host name
  }
  args.push('--connect-to', '::127.0.0.1:' + (process.env.PWLAB_DEADPORT || '9'));
  const { spawn } = require('child_process');
  const c = spawn(process.env.PWLAB_CURL, args.concat(a), { stdio: ['inherit', 'inherit', 'pipe'] });
  let pend = '';
  const fix = (line) => {
    if (/^\* Connecting to (hostname|port): /.test(line)) return null;
    let m = /^(\*\s+Trying )127\.0\.0\.1:(\d+)(.*)$/.exec(line);
    if (m && back['127.0.0.1:' + m[2]]) return m[1] + back['127.0.0.1:' + m[2]] + m[3];
    m = /^(\* Connected to )(\S+) \(127\.0\.0\.1\) port (\d+)(.*)$/.exec(line);
    if (m && back['127.0.0.1:' + m[3]]) {
      const to = back['127.0.0.1:' + m[3]];
      const i = to.lastIndexOf(':');
      const host = m[2] === '(nil)' ? to.slice(0, i) : m[2];
      const ip = to.slice(0, i);
      return m[1] + host + ' (' + ip + ') port ' + to.slice(i + 1) + m[4];
    }
    return line;
  };
  c.stderr.on('data', (d) => {
    pend += d.toString('latin1');
    let i;
    while ((i = pend.indexOf('\n')) >= 0) {
      const line = fix(pend.slice(0, i).replace(/\r$/, ''));
      const cr = pend.slice(0, i).endsWith('\r') ? '\r' : '';
      pend = pend.slice(i + 1);
      if (line !== null) process.stderr.write(Buffer.from(line + cr + '\n', 'latin1'));
    }
    if (pend.length > 4096 || pend.includes('\r')) { process.stderr.write(Buffer.from(pend, 'latin1')); pend = ''; }
  });
  c.on('error', (e) => { process.stderr.write('curl: ' + e.message + '\n'); process.exit(127); });
  c.on('close', (code, sig) => { if (pend) process.stderr.write(Buffer.from(pend, 'latin1')); process.exit(sig ? 128 : code); });
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => c.kill(s));
}
function tool() {
  const c = net.connect(sock);
  let code = 1;
  let buf = Buffer.alloc(0);
  c.on('error', (e) => { process.stderr.write(argv[0] + ': cannot reach the lab: ' + e.message + '\n'); process.exit(1); });
  c.write(JSON.stringify({ node, argv }) + '\n');
  c.on('data', (d) => {
    buf = buf.length ? Buffer.concat([buf, d]) : d;
    while (buf.length >= 5) {
      const t = buf[0];
      const n = buf.readUInt32BE(1);
      if (buf.length < 5 + n) break;
      const p = buf.subarray(5, 5 + n);
      buf = buf.subarray(5 + n);
      if (t === 1) process.stdout.write(p);
      else if (t === 2) process.stderr.write(p);
      else if (t === 3) code = p.readInt32BE(0);
    }
  });
  c.on('end', () => process.exit(code));
  process.on('SIGTERM', () => { c.destroy(); process.exit(143); });
  process.on('SIGHUP', () => { c.destroy(); process.exit(129); });
  process.on('SIGINT', () => { c.destroy(); process.exit(130); });
}
function telnet(a) {
  const args = a.filter((x) => !x.startsWith('-'));
  if (args.length < 1) { process.stderr.write('usage: telnet [-l user] [host-name [port]]\n'); process.exit(1); }
  const host = args[0];
  const port = args[1] === undefined ? 23 : Number(args[1]);
  const map = addrMap();
  process.stdout.write('Trying ' + host + '...\n');
  const target = map[host + ':' + port];
  if (!target) {
    setTimeout(() => { process.stderr.write('telnet: Unable to connect to remote host: Connection timed out\n'); process.exit(1); }, 1500);
    return;
  }
  const i = target.lastIndexOf(':');
  const c = net.connect({ host: target.slice(0, i), port: Number(target.slice(i + 1)) });
  c.on('connect', () => {
    process.stdout.write('Connected to ' + host + '.\nEscape character is \'^]\'.\n');
    process.stdin.on('data', (d) => c.write(d));
    process.stdin.on('end', () => c.end());
  });
  c.on('data', (d) => process.stdout.write(d));
  c.on('error', (e) => {
    if (e.code === 'ECONNREFUSED') process.stderr.write('telnet: Unable to connect to remote host: Connection refused\n');
    else if (e.code === 'ECONNRESET') process.stderr.write('Connection closed by foreign host.\n');
    else process.stderr.write('telnet: ' + e.message + '\n');
    process.exit(1);
  });
  c.on('close', () => { process.stderr.write('Connection closed by foreign host.\n'); process.exit(1); });
}
`;

/** Network tools that are "not found" on lab nodes (they could reach real addresses). */
export const SHADOWED = [
  "ping", "ping6", "nc", "ncat", "netcat", "socat", "wget", "ssh", "scp", "sftp", "rsync", "dig", "nslookup", "host",
  "traceroute", "tracepath", "mtr", "nmap", "ftp", "tftp", "arping", "http", "lynx", "w3m",
];

/**
 * Finds an executable on PATH (outside the lab's bin dirs).
 *
 * @example
 * findExecutable("curl"); // "/usr/bin/curl" (undefined when not installed)
 */
export function findExecutable(name: string, pathEnv = process.env.PATH ?? "/usr/bin:/bin"): string | undefined {
  for (const dir of pathEnv.split(":")) {
    if (!dir || dir.includes("pwlab-")) continue;
    const f = path.join(dir, name);
    try {
      fs.accessSync(f, fs.constants.X_OK);
      if (fs.statSync(f).isFile()) return f;
    } catch {
      /* next */
    }
  }
  return undefined;
}

function shQuote(s: string): string {
  return "'" + s.replace(/'/g, `'\\''`) + "'";
}

/**
 * Writes `tool.js` into `root` and the wrappers of one node into `root/nodes/<node>/bin`; returns the
 * bin dir. The Internet host's `curl` (real curl with `--connect-to`) and `telnet` read the address map
 * from `PWLAB_ADDRMAP` in their environment (set by the SSH server); `addressMap` is kept for callers.
 *
 * @example
 * const bin = writeNodeBin("/tmp/pwlab-x", "cent222", "compute", {});
 * // /tmp/pwlab-x/nodes/cent222/bin/flow: #!/bin/sh + exec node tool.js flow "$@"
 */
export function writeNodeBin(root: string, node: string, role: NodeRole, addressMap: Record<string, string> = {}): string {
  void addressMap;
  const script = path.join(root, "tool.js");
  if (!fs.existsSync(script)) fs.writeFileSync(script, TOOL_SCRIPT, { mode: 0o644 });
  const bin = path.join(root, "nodes", node, "bin");
  fs.mkdirSync(bin, { recursive: true });
  const nodeExe = process.execPath;
  const write = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), "#!/bin/sh\n" + body + "\n", { mode: 0o755 });
  for (const t of toolsFor(role)) write(t, `exec ${shQuote(nodeExe)} ${shQuote(script)} ${t} "$@"`);
  // Network clients: curl and telnet reach only the lab's loopback ports (address map); the others are
  // shadowed so that nothing typed on a lab node contacts a real cluster address.
  write("telnet", `exec ${shQuote(nodeExe)} ${shQuote(script)} telnet "$@"`);
  const curl = findExecutable("curl");
  if (curl) write("curl", `PWLAB_CURL=${shQuote(curl)} exec ${shQuote(nodeExe)} ${shQuote(script)} curl "$@"`);
  for (const t of SHADOWED) write(t, `echo "sh: 1: ${t}: not found" >&2\nexit 127`);
  return bin;
}
