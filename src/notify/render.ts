/**
 * Rendering a notice, pure: the text of an e-mail (subject and body, French, English or both with
 * French first) for one audience, and the JSON body of a webhook. Links are made absolute with the
 * configured public URL; without one they stay paths.
 */
import type { Language } from "./config.js";
import type { Audience, Notice } from "./notice.js";
import { type Lang, texts } from "./texts.js";

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
}

export function absoluteLink(publicUrl: string | null, path: string): string {
  return publicUrl ? new URL(path, publicUrl).href : path;
}

function body(notice: Notice, audience: Audience | "test", lang: Lang, publicUrl: string | null): string {
  // French typography puts a space before the colon.
  const colon = lang === "fr" ? " : " : ": ";
  const lines = [`${texts.kindTitle(notice.kind, lang)}${colon}${notice.summary[lang]}`, ""];
  const field = (key: Parameters<typeof texts.label>[0], value: string | null | undefined) => {
    if (value) lines.push(`${texts.label(key, lang)}${colon}${value}`);
  };
  field("organisation", notice.organisation);
  field("domain", notice.domain);
  field("occurredAt", notice.occurredAt);
  field("incident", notice.links.incident && absoluteLink(publicUrl, notice.links.incident));
  field("audit", notice.links.audit && absoluteLink(publicUrl, notice.links.audit));
  if (notice.details.length > 0) {
    lines.push("");
    for (const d of notice.details) lines.push(`- ${d[lang]}`);
  }
  lines.push(
    "",
    texts.audienceReason(audience, notice.organisation ?? "", lang),
    "",
    texts.label("signature", lang),
  );
  return lines.join("\n");
}

/** The mail for one audience, in the configured language(s). */
export function renderMail(
  notice: Notice,
  audience: Audience | "test",
  language: Language,
  publicUrl: string | null,
): RenderedMail {
  const langs: Lang[] = language === "both" ? ["fr", "en"] : [language];
  const title = langs.map((l) => texts.kindTitle(notice.kind, l)).join(" / ");
  const parts = langs.map((l) => body(notice, audience, l, publicUrl));
  return {
    subject: texts.subject(title, notice.domain),
    text: `${parts.join(`\n\n${texts.separator}\n\n`)}\n`,
  };
}

/**
 * The webhook body (the Standard Webhooks payload shape: `type`, `timestamp`, `data`). Both languages
 * are always in it; the receiver picks.
 */
export function renderWebhook(notice: Notice, publicUrl: string | null, now: Date): Buffer {
  const links = Object.fromEntries(
    Object.entries(notice.links).map(([k, v]) => [k, absoluteLink(publicUrl, v as string)]),
  );
  const payload = {
    type: `mailcharter.${notice.kind}`,
    timestamp: now.toISOString(),
    data: {
      schema: "mailcharter/notice/1",
      kind: notice.kind,
      dedupKey: notice.dedupKey,
      incidentId: notice.incidentId,
      organisationId: notice.organisationId,
      organisation: notice.organisation,
      domain: notice.domain,
      audiences: notice.audiences,
      summary: notice.summary,
      details: notice.details,
      links,
      occurredAt: notice.occurredAt,
    },
  };
  return Buffer.from(JSON.stringify(payload));
}
