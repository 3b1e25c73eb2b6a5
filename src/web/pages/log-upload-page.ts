/**
 * The MTA log upload page (charter art. 4.5: the operators' own evidence): a form that works without
 * script (multipart/form-data, the CSRF field first so it is read before the file), the caps written
 * on the page, a refused field saying why under it; and the result page, the log's summary
 * (mailcharter/indicators-log/1: lines, lines not recognised, TLS classes, deliveries). Pure.
 */
import { serviceLimits } from "../../core/limits.js";
import type { LogSummary } from "../../indicators/log/summary.js";
import type { UploadLimits } from "../app/log-upload.js";
import type { FormState } from "../forms/form-state.js";
import { type Lang, type MessageKey, t } from "../i18n.js";
import { csrfField, errorSummary, message, selectField, withArgs } from "./form-fields.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";

export const mib = (bytes: number): string => {
  const n = bytes / 1024 / 1024;
  return `${Number.isInteger(n) ? n : n.toFixed(1)} MiB`;
};

/** Bytes as a person reads them (B, KiB, MiB). */
export function byteSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export interface LogUploadView {
  readonly organisations: readonly { readonly id: number; readonly name: string }[];
  readonly form: FormState;
  readonly limits: UploadLimits;
}

function fileField(lang: Lang, form: FormState, limits: UploadLimits): SafeHtml {
  const id = "log-file";
  const error = form.errors.file;
  const hint = withArgs(
    "uploadFileHint",
    mib(limits.uploadBytes),
    mib(limits.inflatedBytes),
    limits.inflateRatio,
    Math.round(serviceLimits.requestTimeoutMs / 1000),
  );
  return html`<p class="field"><label for="${id}">${t(lang, "uploadFile")}</label>
<input id="${id}" name="file" type="file" accept=".log,.txt,.gz,text/plain,application/gzip" required${error ? html` aria-invalid="true"` : null} aria-describedby="${id}-hint${error ? ` ${id}-error` : ""}">
<small id="${id}-hint" class="hint">${message(lang, hint)}</small>${error ? html`<small id="${id}-error" class="field-error">${message(lang, error)}</small>` : null}</p>`;
}

export function logUploadPage(ctx: PageContext, view: LogUploadView): string {
  const { lang } = ctx;
  const f = view.form;
  const organisations = view.organisations.map((o) => ({ value: String(o.id), label: o.name }));
  return layout(
    ctx,
    t(lang, "uploadLogTitle"),
    html`<h1>${t(lang, "uploadLogTitle")}</h1>
<p class="muted">${t(lang, "uploadLogIntro")}</p>
${errorSummary(lang, f)}
<form method="post" action="/indicators/logs" enctype="multipart/form-data" class="manage" novalidate>
${csrfField(ctx.csrfToken)}
${selectField(lang, { form: f, idPrefix: "log", name: "organisation", label: "uploadOrganisation", options: organisations, required: true, ...(organisations.length === 1 ? { initial: organisations[0]?.value ?? "" } : {}) })}
${selectField(lang, {
  form: f,
  idPrefix: "log",
  name: "format",
  label: "uploadFormat",
  hint: "uploadFormatHint",
  required: true,
  initial: "postfix",
  options: [
    { value: "postfix", label: t(lang, "formatPostfix") },
    { value: "exim", label: t(lang, "formatExim") },
  ],
})}
${fileField(lang, f, view.limits)}
<p><button type="submit">${t(lang, "uploadSubmit")}</button></p>
</form>
<p class="muted">${t(lang, "uploadHint")}</p>`,
  );
}

/** What the result page shows of one upload (kept in the session for Post/Redirect/Get). */
export interface LogUploadResult {
  readonly organisation: string;
  readonly format: "postfix" | "exim";
  readonly fileName: string;
  readonly bytes: number;
  readonly gzip: boolean;
  readonly inflatedBytes: number;
  readonly at: string;
  readonly summary: LogSummary;
}

const classKeys = [
  ["verified", "classVerified"],
  ["trusted", "classTrusted"],
  ["untrusted", "classUntrusted"],
  ["anonymous", "classAnonymous"],
  ["none", "classNone"],
] as const satisfies readonly (readonly [keyof LogSummary["tls"]["outbound"], MessageKey])[];

function classesTable(lang: Lang, summary: LogSummary): SafeHtml {
  const row = (label: MessageKey, counts: LogSummary["tls"]["outbound"]) =>
    html`<tr><th scope="row">${t(lang, label)}</th>${classKeys.map(([c]) => html`<td class="num" data-class="${c}">${counts[c]}</td>`)}</tr>`;
  return html`<table class="grid upload-classes">
<caption>${t(lang, "uploadTlsClasses")}</caption>
<thead><tr><td></td>${classKeys.map(([, key]) => html`<th scope="col">${t(lang, key)}</th>`)}</tr></thead>
<tbody>${row("uploadOutbound", summary.tls.outbound)}${row("uploadInbound", summary.tls.inbound)}</tbody></table>`;
}

/** No session found and most lines not recognised: likely the other format (or not a mail log). */
export function wrongFormat(s: LogSummary): boolean {
  const inbound = Object.values(s.tls.inbound).reduce((a, b) => a + b, 0);
  const sessions = inbound + s.deliveries.sent + s.deliveries.deferred + s.deliveries.bounced;
  return sessions === 0 && s.lines > 0 && s.unparsed * 2 >= s.lines;
}

export function logUploadResultPage(ctx: PageContext, result: LogUploadResult): string {
  const { lang } = ctx;
  const s = result.summary;
  const received = result.gzip
    ? `${byteSize(result.bytes)} (gzip, ${message(lang, withArgs("uploadInflated", byteSize(result.inflatedBytes)))})`
    : byteSize(result.bytes);
  const format = t(lang, result.format === "postfix" ? "formatPostfix" : "formatExim");
  const intro = withArgs(
    "uploadResultIntro",
    result.fileName,
    format,
    result.organisation,
    received,
    result.at,
  );
  return layout(
    ctx,
    t(lang, "uploadResultTitle"),
    html`<h1>${t(lang, "uploadResultTitle")}</h1>
<p>${message(lang, intro)}</p>
${wrongFormat(s) ? html`<p class="notice error" role="alert">${message(lang, withArgs("uploadAllUnparsed", format))}</p>` : null}
<dl class="upload-summary">
<dt>${t(lang, "uploadLines")}</dt><dd data-figure="lines">${s.lines}</dd>
<dt>${t(lang, "uploadUnparsed")}</dt><dd data-figure="unparsed">${s.unparsed}</dd>
</dl>
${classesTable(lang, s)}
<table class="grid upload-deliveries">
<caption>${t(lang, "uploadDeliveries")}</caption>
<thead><tr><th scope="col">${t(lang, "deliverySent")}</th><th scope="col">${t(lang, "deliveryDeferred")}</th><th scope="col">${t(lang, "deliveryBounced")}</th></tr></thead>
<tbody><tr><td class="num" data-delivery="sent">${s.deliveries.sent}</td><td class="num" data-delivery="deferred">${s.deliveries.deferred}</td><td class="num" data-delivery="bounced">${s.deliveries.bounced}</td></tr></tbody></table>
<p><a href="/indicators/logs">${t(lang, "uploadAnother")}</a> · <a href="/indicators">${t(lang, "uploadSeeIndicators")}</a></p>`,
  );
}
