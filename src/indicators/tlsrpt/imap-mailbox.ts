/**
 * The IMAP door (RFC 8460 §5.3.1 reports sent by mail, read from a mailbox with imapflow): each mail is
 * read, ingested through the one pipeline (ingest.ts), then moved out of the mailbox — to the processed
 * folder once its report is committed (accepted or duplicate), to the set-aside folder with the
 * keyword `$TLSRPT-<reason>` when it cannot be read. A bad mail never stops the others; a crash between
 * the commit and the move only means the mail is seen again next run, as a duplicate.
 *
 * Every step has a timeout (connect, greeting, each command: tlsrptLimits.imapStepTimeoutMs); a mail
 * larger than the mail cap is set aside from its size, without being downloaded.
 */
import { ImapFlow } from "imapflow";
import { errorMessage, MailcharterError } from "../../core/errors.js";
import { tlsrptLimits } from "../../core/limits.js";
import type { Resolver } from "../../net/resolver.js";
import { type IngestResult, ingestReport, rejectedResult } from "./ingest.js";
import type { TlsRptStore } from "./report-store.js";

export interface MailboxLocation {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly mailbox: string;
}

/** `imaps://user@host[:port]/MAILBOX` (RFC 5092), or `imap://…` which then requires STARTTLS. */
export function parseMailboxUrl(text: string): MailboxLocation {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MailcharterError("usage", `--imap ${text}: not a URL (imaps://user@host/INBOX)`);
  }
  if (url.protocol !== "imaps:" && url.protocol !== "imap:")
    throw new MailcharterError("usage", `--imap ${text}: the scheme is imaps:// or imap:// (STARTTLS)`);
  if (!url.username) throw new MailcharterError("usage", `--imap ${text}: no user (imaps://user@host/INBOX)`);
  if (url.password)
    throw new MailcharterError("usage", `--imap: put the password in --password-file, not in the URL`);
  const secure = url.protocol === "imaps:";
  return {
    secure,
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    user: decodeURIComponent(url.username),
    mailbox: decodeURIComponent(url.pathname.replace(/^\//, "")) || "INBOX",
  };
}

export interface FetchOptions {
  readonly location: MailboxLocation;
  readonly password: string;
  /** Extra trusted CA certificates (PEM), for a mailbox under a private CA. */
  readonly ca?: string;
  readonly processedFolder: string;
  readonly rejectedFolder: string;
  readonly stepTimeoutMs?: number;
  readonly maxMails?: number;
  readonly now: () => Date;
  /** DNS for the DKIM keys of the report mails (ingest.ts); without it they are not verified. */
  readonly resolver?: Resolver;
}

export interface FetchedMail {
  readonly uid: number;
  /** Where the mail was (RFC 5092 URL with its UID). */
  readonly url: string;
  readonly result: IngestResult;
  /** The folder it was moved to, or null when the move failed (it stays, and is seen again). */
  readonly movedTo: string | null;
}

export interface FetchOutcome {
  readonly mails: readonly FetchedMail[];
  /** Mails left for the next run (over the per-run bound). */
  readonly left: number;
}

/** The IMAP keyword a set-aside mail carries: `$TLSRPT-bad_gzip` (RFC 3501 atom characters only). */
export const reasonKeyword = (reason: string) => `$TLSRPT-${reason.replace(/[^A-Za-z0-9_-]/g, "_")}`;

export async function fetchMailbox(store: TlsRptStore, options: FetchOptions): Promise<FetchOutcome> {
  const { location } = options;
  const step = options.stepTimeoutMs ?? tlsrptLimits.imapStepTimeoutMs;
  const where = `${location.secure ? "imaps" : "imap"}://${location.host}:${location.port}`;
  const client = new ImapFlow({
    host: location.host,
    port: location.port,
    secure: location.secure,
    // imap:// is STARTTLS or nothing: the password never travels in clear.
    doSTARTTLS: location.secure ? undefined : true,
    auth: { user: location.user, pass: options.password },
    logger: false,
    connectionTimeout: step,
    greetingTimeout: step,
    socketTimeout: step,
    tls: { ...(options.ca ? { ca: options.ca } : {}), minVersion: "TLSv1.2" },
    disableAutoIdle: true,
  });
  client.on("error", () => {}); // reported by the command that fails
  try {
    await client.connect();
  } catch (error) {
    throw new MailcharterError(
      "config",
      `--imap ${where}: cannot log in (${errorMessage(error)}; timeout ${step} ms)`,
      { cause: error },
    );
  }
  try {
    for (const folder of [options.processedFolder, options.rejectedFolder])
      await client.mailboxCreate(folder).catch(() => {}); // exists already
    const lock = await client.getMailboxLock(location.mailbox).catch((error: unknown) => {
      throw new MailcharterError(
        "config",
        `--imap ${where}: no mailbox ${location.mailbox} (${errorMessage(error)})`,
        { cause: error },
      );
    });
    try {
      const uids = ((await client.search({ all: true }, { uid: true })) || []).sort((a, b) => a - b);
      const bound = options.maxMails ?? tlsrptLimits.imapMaxMailsPerRun;
      const sizes = new Map<number, number>();
      if (uids.length > 0)
        for await (const m of client.fetch(
          uids.slice(0, bound).join(","),
          { uid: true, size: true },
          { uid: true },
        ))
          sizes.set(m.uid, m.size ?? 0);
      const mails: FetchedMail[] = [];
      for (const uid of uids.slice(0, bound)) {
        const url = `${where}/${encodeURIComponent(location.mailbox)};UID=${uid}`;
        const size = sizes.get(uid) ?? 0;
        let result: IngestResult;
        if (size > tlsrptLimits.maxMailBytes)
          result = rejectedResult(
            "too_large",
            `a mail of ${size} bytes, over the ${tlsrptLimits.maxMailBytes} cap`,
          );
        else {
          const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
          const source = message ? message.source : undefined;
          result = source
            ? await ingestReport(store, {
                bytes: source,
                kind: "mail",
                door: "imap",
                source: url,
                now: options.now,
                ...(options.resolver ? { resolver: options.resolver } : {}),
              })
            : rejectedResult("bad_mail", "the server sent no message body");
        }
        const folder = result.status === "rejected" ? options.rejectedFolder : options.processedFolder;
        let movedTo: string | null = null;
        try {
          if (result.status === "rejected" && result.error)
            await client.messageFlagsAdd(String(uid), [reasonKeyword(result.error.code)], { uid: true });
          const moved = await client.messageMove(String(uid), folder, { uid: true });
          if (moved) movedTo = folder;
        } catch {
          // Left in place: ingestion is idempotent, the next run sees it again.
        }
        mails.push({ uid, url, result, movedTo });
      }
      return { mails, left: Math.max(0, uids.length - bound) };
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}
