/**
 * Sending one e-mail through the configured relay (nodemailer), TLS required: STARTTLS on the
 * submission port (RFC 3207; nodemailer's `requireTLS`: a relay that does not offer it gets no
 * message, not even the envelope) or implicit TLS (RFC 8314 §3.3), the certificate verified against
 * the system's CAs or the configured CA file, TLS 1.2 at least. Every step has a timeout. The outcome
 * is an Attempt, never an exception.
 */
import { createTransport } from "nodemailer";
import { notifyLimits } from "../core/limits.js";
import { type Attempt, failed, sent } from "./attempt.js";
import type { DkimKey, EmailChannel } from "./config.js";

export type MailToSend =
  | {
      readonly kind: "text";
      readonly to: string;
      readonly subject: string;
      readonly text: string;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: "raw"; readonly to: string; readonly raw: Buffer };

interface SmtpError extends Error {
  code?: string;
  command?: string;
  response?: string;
  responseCode?: number;
}

/** The envelope sender: the address inside `from` ("Name <a@b>" or "a@b"). */
export const addressOf = (from: string) => /<([^>]+)>/.exec(from)?.[1] ?? from.trim();

export function classifySmtpError(error: SmtpError, where: string): Attempt {
  const reply = error.response ? ` (${error.response.slice(0, 300)})` : "";
  const message = `${where}: ${error.message}${reply}`;
  if (error.code === "ETLS" && error.command === "STARTTLS")
    return failed(
      "starttls-unavailable",
      `${where}: the relay does not offer STARTTLS or refused it${reply}; TLS is required, nothing was sent`,
    );
  if (error.code === "ETLS" || error.code === "ESOCKET") {
    if (/certificate|self[- ]signed|verify|Hostname\/IP|altnames|issuer/i.test(error.message))
      return failed("tls-certificate", message);
    if (error.code === "ETLS") return failed("tls-handshake", message);
  }
  if (error.code === "EDNS") return failed("dns", message);
  if (error.code === "ETIMEDOUT") return failed("timeout", message);
  if (error.code === "EAUTH" || error.code === "ENOAUTH") return failed("auth", message);
  if (error.code === "ECONNECTION" || error.code === "ESOCKET") return failed("connect", message);
  const smtp = error.responseCode ?? 0;
  if (smtp >= 500) return failed("smtp-rejected", message, true);
  if (smtp >= 400) return failed("smtp-deferred", message);
  if (error.code === "EENVELOPE" || error.code === "EMESSAGE") return failed("bad-message", message, true);
  if (error.code === "EPROTOCOL") return failed("smtp-protocol", message);
  return failed("internal", message);
}

export async function sendMail(
  channel: EmailChannel,
  mail: MailToSend,
  dkim: DkimKey | null,
): Promise<Attempt> {
  const where = `relay ${channel.host}:${channel.port}`;
  const transport = createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.implicitTls,
    // RFC 3207: STARTTLS is required; nodemailer sends it even if not advertised and fails if refused.
    requireTLS: !channel.implicitTls,
    ...(channel.heloName ? { name: channel.heloName } : {}),
    ...(channel.user && channel.password
      ? { auth: { user: channel.user, pass: channel.password.reveal().toString("utf8") } }
      : {}),
    tls: {
      rejectUnauthorized: true,
      minVersion: "TLSv1.2",
      ...(channel.ca ? { ca: channel.ca } : {}),
      ...(channel.servername ? { servername: channel.servername } : {}),
    },
    connectionTimeout: notifyLimits.stepTimeoutMs,
    greetingTimeout: notifyLimits.stepTimeoutMs,
    socketTimeout: notifyLimits.stepTimeoutMs,
    dnsTimeout: notifyLimits.stepTimeoutMs,
    logger: false,
    debug: false,
  } as never);
  const from = channel.from;
  const signing = dkim
    ? {
        dkim: {
          domainName: dkim.domain,
          keySelector: dkim.selector,
          privateKey: dkim.privateKey.reveal().toString("utf8"),
        },
      }
    : {};
  const message =
    mail.kind === "text"
      ? { from, to: mail.to, subject: mail.subject, text: mail.text, headers: mail.headers ?? {}, ...signing }
      : { envelope: { from: addressOf(from), to: [mail.to] }, raw: mail.raw, ...signing };
  let timer: NodeJS.Timeout | undefined;
  try {
    const info = (await Promise.race([
      transport.sendMail(message as never),
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              Object.assign(new Error(`no end after ${notifyLimits.attemptTimeoutMs} ms`), {
                code: "ETIMEDOUT",
              }),
            ),
          notifyLimits.attemptTimeoutMs,
        );
      }),
    ])) as { response?: string; accepted?: unknown[] };
    return sent(`${where}: ${String(info.response ?? "accepted").slice(0, 300)}`);
  } catch (error) {
    return classifySmtpError(error as SmtpError, where);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
