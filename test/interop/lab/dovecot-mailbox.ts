/**
 * A Dovecot mailbox on one loopback address for the interop tests that read mail back over IMAPS:
 * IMAPS on 993 only, one static password, maildir per user, and the master.cf service line with
 * which a lab Postfix hands mail to Dovecot's LDA (run as the mailbox's owner, `nobody`).
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface DovecotMailbox {
  readonly conf: string;
  /** The `dovecot` pipe service for Postfix's master.cf (use it as `virtual_transport = dovecot`). */
  readonly ldaService: string;
  readonly stop: () => Promise<void>;
}

const run = (command: string, args: readonly string[]) =>
  new Promise<number | null>((resolve, reject) => {
    // Never a pipe to Dovecot's master: it keeps it open and the caller waits forever
    // (docs/lab-notes.md note 7).
    const child = spawn(command, [...args], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", resolve);
  });

export async function startDovecotMailbox(options: {
  /** A directory of its own; the certificate files are written there. */
  readonly dir: string;
  readonly instance: string;
  readonly address: string;
  readonly password: string;
  readonly certPem: string;
  readonly keyPem: string;
}): Promise<DovecotMailbox> {
  const { dir } = options;
  writeFileSync(join(dir, "imap.pem"), options.certPem);
  writeFileSync(join(dir, "imap-key.pem"), options.keyPem, { mode: 0o600 });
  mkdirSync(join(dir, "mail"), { recursive: true });
  chmodSync(join(dir, "mail"), 0o777);
  chmodSync(dir, 0o755);
  // The LDA runs as the mailbox's owner and logs to the same file as the master.
  writeFileSync(join(dir, "dovecot.log"), "");
  chmodSync(join(dir, "dovecot.log"), 0o666);
  const conf = join(dir, "dovecot.conf");
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
instance_name = ${options.instance}
protocols = imap
listen = ${options.address}
log_path = ${dir}/dovecot.log
auth_mechanisms = plain login
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:${dir}/mail/%u
ssl = required
ssl_cert = <${dir}/imap.pem
ssl_key = <${dir}/imap-key.pem
passdb {
  driver = static
  args = password=${options.password}
}
userdb {
  driver = static
  args = uid=65534 gid=65534 home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    port = 0
  }
  inet_listener imaps {
    address = ${options.address}
    port = 993
    ssl = yes
  }
}
service auth {
  unix_listener auth-userdb {
    mode = 0666
  }
}
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
`,
  );
  const code = await run("dovecot", ["-c", conf]);
  if (code !== 0) throw new Error(`dovecot did not start (${code})`);
  return {
    conf,
    ldaService: `dovecot unix - n n - - pipe\n  flags=DRhu user=nobody argv=/usr/lib/dovecot/dovecot-lda -c ${conf} -d \${recipient} -f \${sender}\n`,
    stop: async () => {
      await run("dovecot", ["-c", conf, "stop"]);
    },
  };
}
