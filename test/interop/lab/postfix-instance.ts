/**
 * A standalone Postfix instance for the delivery proofs: its own config directory, queue and log,
 * one smtpd on ADDRESS:25, and — when `resolver` is given — its own /etc/resolv.conf seen through a
 * private mount namespace (unshare -m), so its MX lookups go to the lab's DNS and nowhere else.
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface PostfixInstance {
  readonly dir: string;
  readonly address: string;
  log(): string;
  postconf(settings: Readonly<Record<string, string>>): Promise<void>;
  stop(): Promise<void>;
}

/** The internal services every Postfix instance of the lab needs (no chroot: the spool is a temp dir). */
export const postfixBaseMaster = `pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
local unix - n n - - local
lmtp unix - - n - - lmtp
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`;

function spawnQuiet(command: string, args: readonly string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", resolve);
  });
}

export async function startPostfix(options: {
  readonly name: string;
  readonly address: string;
  readonly hostname: string;
  readonly main: Readonly<Record<string, string>>;
  readonly resolver?: string;
  /** An /etc/hosts of its own (same private mount namespace): names without DNS, both ways. */
  readonly hosts?: string;
  /** More master.cf services (e.g. submission on ADDRESS:587). */
  readonly master?: string;
}): Promise<PostfixInstance> {
  const dir = mkdtempSync(join(tmpdir(), `mailcharter-postfix-${options.name}-`));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "spool"));
  mkdirSync(join(dir, "data"));
  await run("chown", ["postfix", join(dir, "data")]);
  const main: Record<string, string> = {
    compatibility_level: "3.6",
    queue_directory: `${dir}/spool`,
    data_directory: `${dir}/data`,
    mail_owner: "postfix",
    myhostname: options.hostname,
    inet_interfaces: "loopback-only",
    inet_protocols: "ipv4",
    mynetworks: "127.0.0.0/8",
    maillog_file: `${dir}/maillog`,
    maillog_file_prefixes: dir,
    smtp_tls_loglevel: "1",
    smtpd_tls_loglevel: "1",
    // The lab's MX answers at once; keep retries short for the deferral proof.
    smtp_connect_timeout: "5s",
    ...options.main,
  };
  writeFileSync(
    join(dir, "main.cf"),
    `${Object.entries(main)
      .map(([k, v]) => `${k} = ${v}`)
      .join("\n")}\n`,
  );
  writeFileSync(
    join(dir, "master.cf"),
    `${postfixBaseMaster}${options.address}:25 inet n - n - - smtpd\n${options.master ?? ""}`,
  );
  let start: [string, string[]] = ["postfix", ["-c", dir, "start"]];
  const mounts: string[] = [];
  if (options.resolver) {
    writeFileSync(join(dir, "resolv.conf"), `nameserver ${options.resolver}\noptions timeout:2 attempts:1\n`);
    mounts.push(`mount --bind ${dir}/resolv.conf /etc/resolv.conf`);
  }
  if (options.hosts !== undefined) {
    writeFileSync(join(dir, "hosts"), options.hosts);
    mounts.push(`mount --bind ${dir}/hosts /etc/hosts`);
  }
  if (mounts.length > 0)
    start = ["unshare", ["-m", "sh", "-c", `${mounts.join(" && ")} && exec postfix -c ${dir} start`]];
  const code = await spawnQuiet(start[0], start[1]);
  if (code !== 0) {
    const log = existsSync(join(dir, "maillog")) ? readFileSync(join(dir, "maillog"), "utf8") : "";
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`postfix ${options.name} did not start (${code}): ${log.slice(-1000)}`);
  }
  return {
    dir,
    address: options.address,
    log: () => (existsSync(join(dir, "maillog")) ? readFileSync(join(dir, "maillog"), "utf8") : ""),
    async postconf(settings) {
      await run("postconf", ["-c", dir, "-e", ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)]);
      await spawnQuiet("postfix", ["-c", dir, "reload"]);
      await new Promise((r) => setTimeout(r, 500));
    },
    async stop() {
      await spawnQuiet("postfix", ["-c", dir, "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
