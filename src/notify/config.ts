/**
 * The notification channels' configuration: a JSON file, `notify.json` in the service's data
 * directory (or `--notify-config FILE`). Secrets are never in it: it names files (SMTP password,
 * webhook secrets, DKIM keys, the metrics token) that are read when the configuration is loaded and
 * kept out of every log and error message. A missing file means "no channel configured": notices stay
 * in the outbox, visible, until a channel exists.
 *
 * ```json
 * {
 *   "publicUrl": "https://mailcharter.example.org/",
 *   "language": "both",
 *   "agency": { "email": "cert@agency.example.org" },
 *   "email": {
 *     "relay": { "host": "smtp.example.org", "port": 587, "caFile": "/etc/ssl/relay-ca.pem",
 *                "user": "mailcharter", "passwordFile": "/etc/mailcharter/smtp-password" },
 *     "from": "mailcharter <noreply@agency.example.org>",
 *     "dkim": [ { "domain": "agency.example.org", "selector": "mc1", "privateKeyFile": "/etc/mailcharter/dkim.pem" } ]
 *   },
 *   "webhooks": [ { "name": "siem", "url": "https://siem.example.org/hook", "secretFile": "/etc/mailcharter/hook-secret",
 *                   "kinds": ["incident-opened", "incident-resolved"] },
 *                 { "name": "a-soc", "url": "https://soc.a.example/hook", "secretFile": "a-hook-secret",
 *                   "organisations": ["Ministère A"], "caFile": "a-soc-ca.pem" } ],
 *   "audiences": { "incident-acknowledged": ["organisation", "agency"] },
 *   "retry": { "maxAttempts": 8, "firstDelaySeconds": 60, "maxDelaySeconds": 3600 },
 *   "metrics": { "tokenFile": "/etc/mailcharter/metrics-token" }
 * }
 * ```
 * Relative file names are read from the configuration file's directory. Every object is strict: a
 * key we do not know is refused with its path, never dropped — a misspelt `organizations` would
 * otherwise make an organisation's own receiver the agency's, sent every notice, and a webhook's
 * `allowPrivate` (a top-level key) would be ignored without a word.
 *
 * Webhooks are the service's receivers (the agency's SIEM) unless `organisations` names registered
 * organisations (by name, as in the registry): then it is that organisation's own receiver and gets
 * only the notices about it, plus those addressed to every signatory (Charte art. 4.6), which each
 * signatory in force is told. `kinds` filters further. `caFile` trusts a private CA for that receiver.
 * Each webhook has its own name and URL (a URL is where one secret signs: two entries with the same
 * URL are refused rather than merged).
 */
import { readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { z } from "zod";
import { MailcharterError } from "../core/errors.js";
import { notifyLimits } from "../core/limits.js";
import { type Audience, audiences, type NoticeKind, noticeKinds } from "./notice.js";

export const languages = ["fr", "en", "both"] as const;
export type Language = (typeof languages)[number];

const fileName = z.string().min(1);
const emailAddress = z.email();

const relaySchema = z.strictObject({
  host: z.string().min(1),
  /** 587 (submission, STARTTLS) by default; 465 with `implicitTls`. */
  port: z.number().int().min(1).max(65_535).default(587),
  /** TLS from the first byte (RFC 8314 §3.3, port 465) instead of STARTTLS (RFC 3207). */
  implicitTls: z.boolean().default(false),
  /** CA certificates (PEM) for a relay with a private CA; the system's trust store otherwise. */
  caFile: fileName.optional(),
  /** Name the relay's certificate must carry, when it differs from `host` (e.g. an IP address). */
  servername: z.string().min(1).optional(),
  user: z.string().min(1).optional(),
  passwordFile: fileName.optional(),
  /** Name sent in EHLO (default: the machine's host name). */
  heloName: z.string().min(1).optional(),
});

const dkimKeySchema = z.strictObject({
  domain: z.string().min(1),
  selector: z.string().min(1),
  privateKeyFile: fileName,
});

const webhookSchema = z.strictObject({
  name: z.string().min(1).max(100),
  url: z.string().url(),
  secretFile: fileName,
  kinds: z
    .array(z.enum(noticeKinds))
    .min(1)
    .default(["incident-opened", "incident-acknowledged", "incident-resolved", "certificate-expiring"]),
  /** An organisation's own receiver: only the notices about these organisations (and art. 4.6's). */
  organisations: z.array(z.string().trim().min(1).max(200)).min(1).max(100).optional(),
  /** CA certificates (PEM) for a receiver with a private CA; the system's trust store otherwise. */
  caFile: fileName.optional(),
});

export const notifyConfigSchema = z
  .object({
    /** Where the service is reached, to make the notices' links absolute. */
    publicUrl: z.string().url().optional(),
    /** Texts in French, English, or both (French first) — the charter's parties are French. */
    language: z.enum(languages).default("both"),
    agency: z.strictObject({ email: emailAddress }).optional(),
    email: z
      .strictObject({
        relay: relaySchema,
        from: z.string().min(3),
        /** Keys for DKIM signing (RFC 6376); TLS-RPT mails name the domain and selector to use. */
        dkim: z.array(dkimKeySchema).default([]),
        /** Sign notice mails too, with this configured key's domain. */
        signNoticesWith: z.string().min(1).optional(),
      })
      .optional(),
    webhooks: z.array(webhookSchema).default([]),
    /** Which audiences each kind reaches (default: all that the notice names). */
    audiences: z.partialRecord(z.enum(noticeKinds), z.array(z.enum(audiences))).default({}),
    retry: z
      .strictObject({
        maxAttempts: z.number().int().min(1).max(50).default(notifyLimits.maxAttempts),
        firstDelaySeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400)
          .default(notifyLimits.firstRetryDelayMs / 1000),
        maxDelaySeconds: z
          .number()
          .int()
          .min(1)
          .max(7 * 86_400)
          .default(notifyLimits.maxRetryDelayMs / 1000),
      })
      .default({
        maxAttempts: notifyLimits.maxAttempts,
        firstDelaySeconds: notifyLimits.firstRetryDelayMs / 1000,
        maxDelaySeconds: notifyLimits.maxRetryDelayMs / 1000,
      }),
    /** Let webhooks and TLS-RPT POSTs reach private and loopback addresses (an internal receiver). */
    allowPrivate: z.boolean().default(false),
    metrics: z.strictObject({ tokenFile: fileName }).optional(),
  })
  .strict();

export type NotifyConfigFile = z.output<typeof notifyConfigSchema>;

/** A secret read from a file: its value is not printed by `String()`, JSON or inspection. */
export class Secret {
  readonly #value: Buffer;
  constructor(value: Buffer) {
    this.#value = value;
  }
  reveal(): Buffer {
    return this.#value;
  }
  toString(): string {
    return "[secret]";
  }
  toJSON(): string {
    return "[secret]";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "[secret]";
  }
}

export interface DkimKey {
  readonly domain: string;
  readonly selector: string;
  readonly privateKey: Secret;
}

export interface WebhookChannel {
  readonly name: string;
  readonly url: string;
  readonly secret: Secret;
  readonly kinds: readonly NoticeKind[];
  /** Organisations (registry names) whose receiver this is; absent or null: the service's, every notice. */
  readonly organisations?: readonly string[] | null;
  /** CA certificates (PEM) the receiver's certificate is verified with (absent: the system's). */
  readonly ca?: string | null;
}

export interface EmailChannel {
  readonly host: string;
  readonly port: number;
  readonly implicitTls: boolean;
  readonly ca: string | null;
  readonly servername: string | null;
  readonly user: string | null;
  readonly password: Secret | null;
  readonly heloName: string | null;
  readonly from: string;
  readonly dkim: readonly DkimKey[];
  readonly signNoticesWith: string | null;
}

/** The configuration loaded: secrets read, files checked. */
export interface NotifyConfig {
  readonly source: string | null;
  readonly publicUrl: string | null;
  readonly language: Language;
  readonly agencyEmail: string | null;
  readonly email: EmailChannel | null;
  readonly webhooks: readonly WebhookChannel[];
  readonly audiences: Readonly<Partial<Record<NoticeKind, readonly Audience[]>>>;
  readonly retry: {
    readonly maxAttempts: number;
    readonly firstDelayMs: number;
    readonly maxDelayMs: number;
  };
  readonly allowPrivate: boolean;
  readonly metricsToken: Secret | null;
}

export const emptyNotifyConfig: NotifyConfig = {
  source: null,
  publicUrl: null,
  language: "both",
  agencyEmail: null,
  email: null,
  webhooks: [],
  audiences: {},
  retry: {
    maxAttempts: notifyLimits.maxAttempts,
    firstDelayMs: notifyLimits.firstRetryDelayMs,
    maxDelayMs: notifyLimits.maxRetryDelayMs,
  },
  allowPrivate: false,
  metricsToken: null,
};

export const notifyConfigName = "notify.json";

export function readSecretFile(path: string, what: string, source: string): Buffer {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new MailcharterError(
      "config",
      `${source}: ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`,
    );
  }
  if (!stat.isFile()) throw new MailcharterError("config", `${source}: ${what} ${path} is not a file`);
  if ((stat.mode & 0o077) !== 0)
    throw new MailcharterError(
      "config",
      `${source}: ${what} ${path} is readable by others: chmod 600 it (it holds a secret)`,
    );
  if (stat.size > notifyLimits.maxSecretFileBytes)
    throw new MailcharterError(
      "config",
      `${source}: ${what} ${path} is larger than ${notifyLimits.maxSecretFileBytes} bytes`,
    );
  return readFileSync(path);
}

/** Trailing newlines of a secret file are not part of the secret (`echo secret > file`). */
const trimEnd = (bytes: Buffer) => {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d)) end--;
  return bytes.subarray(0, end);
};

/** Parses and loads a configuration document; `source` names it in errors, `base` resolves file names. */
export function loadNotifyConfig(text: string, source: string, base: string): NotifyConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MailcharterError("config", `${source}: not JSON (${(error as Error).message})`);
  }
  const parsed = notifyConfigSchema.safeParse(json);
  if (!parsed.success)
    throw new MailcharterError(
      "config",
      `${source}: ${parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}`,
    );
  const c = parsed.data;
  const at = (file: string) => (isAbsolute(file) ? file : join(base, file));
  const secret = (file: string, what: string) => new Secret(trimEnd(readSecretFile(at(file), what, source)));
  let email: EmailChannel | null = null;
  if (c.email) {
    const r = c.email.relay;
    if (r.passwordFile && !r.user)
      throw new MailcharterError("config", `${source}: email.relay.passwordFile needs email.relay.user`);
    let ca: string | null = null;
    if (r.caFile) {
      try {
        ca = readFileSync(at(r.caFile), "utf8");
      } catch (error) {
        throw new MailcharterError(
          "config",
          `${source}: email.relay.caFile ${at(r.caFile)}: ${(error as Error).message}`,
        );
      }
      if (!ca.includes("-----BEGIN CERTIFICATE-----"))
        throw new MailcharterError(
          "config",
          `${source}: email.relay.caFile ${at(r.caFile)} holds no PEM certificate`,
        );
    }
    const dkim = c.email.dkim.map((k) => ({
      domain: k.domain.toLowerCase(),
      selector: k.selector,
      privateKey: secret(k.privateKeyFile, `DKIM key of ${k.selector}._domainkey.${k.domain}`),
    }));
    const signWith = c.email.signNoticesWith?.toLowerCase() ?? null;
    if (signWith && !dkim.some((k) => k.domain === signWith))
      throw new MailcharterError(
        "config",
        `${source}: email.signNoticesWith ${signWith} has no key in email.dkim`,
      );
    email = {
      host: r.host,
      port: r.implicitTls && r.port === 587 ? 465 : r.port,
      implicitTls: r.implicitTls,
      ca,
      servername: r.servername ?? null,
      user: r.user ?? null,
      password: r.passwordFile ? secret(r.passwordFile, "SMTP password") : null,
      heloName: r.heloName ?? null,
      from: c.email.from,
      dkim,
      signNoticesWith: signWith,
    };
  }
  const pem = (file: string, what: string) => {
    let text: string;
    try {
      text = readFileSync(at(file), "utf8");
    } catch (error) {
      throw new MailcharterError("config", `${source}: ${what} ${at(file)}: ${(error as Error).message}`);
    }
    if (!text.includes("-----BEGIN CERTIFICATE-----"))
      throw new MailcharterError("config", `${source}: ${what} ${at(file)} holds no PEM certificate`);
    return text;
  };
  const seen = { names: new Set<string>(), urls: new Set<string>() };
  const webhooks = c.webhooks.map((w) => {
    const url = new URL(w.url);
    if (
      url.protocol !== "https:" &&
      !(url.protocol === "http:" && c.allowPrivate && isLoopbackHost(url.hostname))
    )
      throw new MailcharterError(
        "config",
        `${source}: webhook ${w.name}: ${w.url} is not https (plain http only to loopback, with allowPrivate)`,
      );
    if (seen.names.has(w.name))
      throw new MailcharterError("config", `${source}: two webhooks are named ${w.name}`);
    if (seen.urls.has(url.href))
      throw new MailcharterError(
        "config",
        `${source}: webhook ${w.name}: ${url.href} is already another webhook's (one URL, one entry: list its organisations and kinds there)`,
      );
    seen.names.add(w.name);
    seen.urls.add(url.href);
    return {
      name: w.name,
      url: url.href,
      secret: webhookSecret(secret(w.secretFile, `secret of webhook ${w.name}`)),
      kinds: w.kinds,
      organisations: w.organisations ? [...new Set(w.organisations)] : null,
      ca: w.caFile ? pem(w.caFile, `caFile of webhook ${w.name}`) : null,
    };
  });
  return {
    source,
    publicUrl: c.publicUrl ?? null,
    language: c.language,
    agencyEmail: c.agency?.email ?? null,
    email,
    webhooks,
    audiences: c.audiences,
    retry: {
      maxAttempts: c.retry.maxAttempts,
      firstDelayMs: c.retry.firstDelaySeconds * 1000,
      maxDelayMs: Math.max(c.retry.maxDelaySeconds, c.retry.firstDelaySeconds) * 1000,
    },
    allowPrivate: c.allowPrivate,
    metricsToken: c.metrics ? secret(c.metrics.tokenFile, "metrics token") : null,
  };
}

/** Standard Webhooks secrets are `whsec_` and base64; any other file content is the key's bytes. */
function webhookSecret(file: Secret): Secret {
  const text = file.reveal().toString("utf8");
  return text.startsWith("whsec_") ? new Secret(Buffer.from(text.slice(6), "base64")) : file;
}

export const isLoopbackHost = (host: string) =>
  /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === "[::1]" || host === "::1" || host === "localhost";

/** Reads the configuration file; a file that does not exist is the empty configuration. */
export function readNotifyConfig(path: string, required = false): NotifyConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" && !required) return emptyNotifyConfig;
    throw new MailcharterError(
      "config",
      `notification configuration ${path}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : ((error as NodeJS.ErrnoException).code ?? (error as Error).message)}`,
    );
  }
  return loadNotifyConfig(text, path, dirname(path));
}
