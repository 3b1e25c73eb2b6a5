/**
 * A standalone Exim 4 daemon (Debian's exim4-daemon-light, GnuTLS) for the lab, run unpacked beside
 * Postfix: Debian's package conflicts with postfix, so `scripts/install-system-deps.sh` unpacks its
 * .deb files into `eximRoot`. Each instance has its own directory (config, spool, logs, pid) and runs
 * `exim -C CONFIG -bdf` in a private mount namespace (unshare -m) where:
 *  - /etc/passwd and /etc/group also name the `Debian-exim` user the binary is built for;
 *  - /usr/lib/x86_64-linux-gnu also holds the unpacked libraries the system lacks (an overlay: Exim
 *    re-executes itself setuid, and the loader then ignores LD_LIBRARY_PATH);
 *  - optionally /etc/resolv.conf names the lab's DNS, and /etc/ssl/certs/ca-certificates.crt holds the
 *    lab's CA, so that `tls_verify_certificates = system` means the lab's trust;
 *  - optionally /etc/hosts is its own (names without DNS, for `manualroute … byname`).
 * Nothing changes outside that namespace. `stop` ends the daemon and removes the directory.
 */
import { execFile, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const eximRoot = process.env.MAILCHARTER_EXIM_ROOT ?? "/opt/mailcharter-lab/exim";
export const eximBinary = join(eximRoot, "usr/sbin/exim4");
const libDir = "/usr/lib/x86_64-linux-gnu";

/** uid/gid of `Debian-exim` inside the namespace: unused on the machine (checked at start). */
export const eximId = 64990;

export interface EximInstance {
  readonly name: string;
  readonly dir: string;
  readonly address: string;
  /** Exim's main log (deliveries, deferrals, TLS of each connection). */
  mainlog(): string;
  paniclog(): string;
  /** `exim -bp`: the messages still in the queue. */
  queue(): Promise<string>;
  /** Forgets Exim's retry data (hints database), so the next message is tried at once. */
  forgetRetries(): void;
  /** Replaces the configuration and restarts the daemon on it (same spool and logs). */
  reconfigure(config: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EximOptions {
  readonly name: string;
  readonly address: string;
  /** Ports the daemon listens on (at `address`); wait for the first one to answer. */
  readonly ports: readonly number[];
  /** More addresses the daemon also listens on, with the same ports. */
  readonly moreAddresses?: readonly string[];
  /** The configuration after the common paths (see `eximCommon`): receives the instance directory. */
  readonly config: (dir: string) => string;
  /** DNS server for this Exim's lookups (its own /etc/resolv.conf). */
  readonly resolver?: string;
  /** PEM file that replaces the system trust store for this Exim. */
  readonly systemTrust?: string;
  /** An /etc/hosts of its own (same private mount namespace). */
  readonly hosts?: string;
}

/** What every instance's configuration starts with: its own paths, addresses and log detail. */
export function eximCommon(dir: string, addresses: readonly string[], ports: readonly number[]): string {
  return `exim_path = ${eximBinary}
spool_directory = ${dir}/spool
log_file_path = ${dir}/log/%slog
pid_file_path = ${dir}/exim.pid
# No environment variable reaches the transports.
keep_environment =
local_interfaces = <; ${addresses.flatMap((a) => ports.map((p) => `${a}.${p}`)).join(" ; ")}
# No reverse lookups of clients, no ident: the lab's DNS has no PTR records.
host_lookup = :
rfc1413_hosts = :
log_selector = +tls_certificate_verified +tls_peerdn +tls_sni +received_recipients +smtp_connection +outgoing_interface
`;
}

/** The private view of the machine this instance runs in (see the file's comment). */
function mounts(dir: string, options: EximOptions): string[] {
  const lines = [
    `mount --bind ${dir}/etc/passwd /etc/passwd`,
    `mount --bind ${dir}/etc/group /etc/group`,
    `mount -t overlay overlay -o lowerdir=${eximRoot}${libDir}:${libDir} ${libDir}`,
  ];
  if (options.resolver) lines.push(`mount --bind ${dir}/etc/resolv.conf /etc/resolv.conf`);
  if (options.systemTrust)
    lines.push(`mount --bind ${dir}/etc/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt`);
  if (options.hosts !== undefined) lines.push(`mount --bind ${dir}/etc/hosts /etc/hosts`);
  return lines;
}

/** The daemon in the foreground (its pid is ours to stop), a queue run every 5 s. */
const namespaceScript = (dir: string, options: EximOptions, command = "-bdf -q5s") =>
  `set -e\n${mounts(dir, options).join("\n")}\nexec ${eximBinary} -C ${dir}/exim.conf ${command}\n`;

function waitForPort(address: string, port: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  const attempt = (): Promise<void> =>
    new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    }).then(async (open) => {
      if (open) return;
      if (Date.now() > until)
        throw new Error(`exim: nothing listens on ${address}:${port} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
      return attempt();
    });
  return attempt();
}

function mountNamespace(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/** Processes in that mount namespace (only ours: it was made for one Exim instance). */
const namespaceMembers = (namespace: string) =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => mountNamespace(pid) === namespace);

async function endNamespace(namespace: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const members = namespaceMembers(namespace);
    if (members.length === 0) return;
    // A grace of one second, then SIGTERM, then SIGKILL after three.
    const signal = i >= 30 ? "SIGKILL" : i >= 10 ? "SIGTERM" : null;
    if (signal)
      for (const pid of members) {
        try {
          process.kill(pid, signal);
        } catch {
          // already gone
        }
      }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`exim: processes ${namespaceMembers(namespace).join(", ")} would not end`);
}

const readIfExists = (file: string) => (existsSync(file) ? readFileSync(file, "utf8") : "");

export async function startExim(options: EximOptions): Promise<EximInstance> {
  if (!existsSync(eximBinary)) {
    throw new Error(`exim: ${eximBinary} is missing; run scripts/install-system-deps.sh as root`);
  }
  const passwd = readFileSync("/etc/passwd", "utf8");
  if (passwd.split("\n").some((l) => l.split(":")[2] === String(eximId))) {
    throw new Error(`exim: uid ${eximId} is taken on this machine; change eximId`);
  }
  const dir = mkdtempSync(join(tmpdir(), `mailcharter-exim-${options.name}-`));
  chmodSync(dir, 0o755);
  for (const sub of ["etc", "spool", "log"]) mkdirSync(join(dir, sub));
  chownSync(join(dir, "spool"), eximId, eximId);
  chownSync(join(dir, "log"), eximId, eximId);
  writeFileSync(
    join(dir, "etc/passwd"),
    `${passwd.trimEnd()}\nDebian-exim:x:${eximId}:${eximId}:Exim (mailcharter lab):/nonexistent:/usr/sbin/nologin\n`,
  );
  writeFileSync(
    join(dir, "etc/group"),
    `${readFileSync("/etc/group", "utf8").trimEnd()}\nDebian-exim:x:${eximId}:\n`,
  );
  if (options.resolver) {
    writeFileSync(
      join(dir, "etc/resolv.conf"),
      `nameserver ${options.resolver}\noptions timeout:2 attempts:1\n`,
    );
  }
  if (options.systemTrust)
    writeFileSync(join(dir, "etc/ca-certificates.crt"), readFileSync(options.systemTrust));
  if (options.hosts !== undefined) writeFileSync(join(dir, "etc/hosts"), options.hosts);
  writeFileSync(join(dir, "start.sh"), namespaceScript(dir, options));

  let child: ReturnType<typeof spawn> | null = null;
  let exited: Promise<void> = Promise.resolve();
  const writeConfig = (config: string) =>
    // Exim refuses a configuration file writable by others.
    writeFileSync(
      join(dir, "exim.conf"),
      `${eximCommon(dir, [options.address, ...(options.moreAddresses ?? [])], options.ports)}${config}`,
      {
        mode: 0o644,
      },
    );

  const launch = async () => {
    // Output goes to a file, never a pipe a daemon could keep open.
    const fd = openSync(join(dir, "daemon.out"), "a");
    const started = spawn("unshare", ["-m", "sh", join(dir, "start.sh")], { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    child = started;
    exited = new Promise((resolve) => started.once("exit", () => resolve()));
    const failed = exited.then(() => {
      throw new Error(
        `exim ${options.name} exited at start: ${readIfExists(join(dir, "daemon.out")).slice(-1500)}${readIfExists(join(dir, "log/paniclog")).slice(-1500)}`,
      );
    });
    failed.catch(() => undefined);
    const first = options.ports[0];
    if (first === undefined) throw new Error("exim: no port");
    await Promise.race([waitForPort(options.address, first, 15_000), failed]);
  };

  const halt = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.pid === undefined) return;
    // The daemon's children (a connection being served, a delivery) outlive it: they are found by
    // the private mount namespace they share with it, and ended too, before the directory goes.
    const namespace = mountNamespace(running.pid);
    running.kill("SIGTERM");
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
    // Never the namespace this process lives in (the daemon had not yet left it when it failed).
    if (namespace && namespace !== mountNamespace(process.pid)) await endNamespace(namespace);
  };

  writeConfig(options.config(dir));
  try {
    await launch();
  } catch (error) {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  return {
    name: options.name,
    dir,
    address: options.address,
    mainlog: () => readIfExists(join(dir, "log/mainlog")),
    paniclog: () => readIfExists(join(dir, "log/paniclog")),
    queue: () =>
      new Promise((resolve, reject) => {
        execFile(
          "unshare",
          ["-m", "sh", "-c", namespaceScript(dir, options, "-bp")],
          { timeout: 10_000 },
          (error, stdout, stderr) =>
            error ? reject(new Error(`exim -bp: ${stderr || error.message}`)) : resolve(stdout),
        );
      }),
    forgetRetries: () => rmSync(join(dir, "spool/db"), { recursive: true, force: true }),
    async reconfigure(config) {
      await halt();
      writeConfig(config);
      await launch();
    },
    async stop() {
      await halt();
      if (!process.env.MAILCHARTER_LAB_KEEP) rmSync(dir, { recursive: true, force: true });
    },
  };
}
