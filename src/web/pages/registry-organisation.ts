/**
 * The agency's pages for one organisation: the adhesion form (a new signatory) and the management
 * page of an existing one (contact, domains added or removed, withdrawal notice with its effective
 * date under Charte art. 7). Every form posts with the session's CSRF token and works without script;
 * a refused form comes back with its values and a message under each refused field. Pure.
 */
import type { OrganisationState } from "../app/registry-views.js";
import { emptyForm, type FormState } from "../forms/form-state.js";
import { type MessageKey, t } from "../i18n.js";
import { csrfField, errorSummary, inputField, selectField, textareaField } from "./form-fields.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { agencyNav, doneNotice, stateBadge } from "./registry-list.js";

export interface CharterVersionOption {
  readonly version: string;
  readonly title: string;
}

export interface AdhesionView {
  readonly versions: readonly CharterVersionOption[];
  readonly today: string;
  readonly form: FormState;
}

const versionOptions = (versions: readonly CharterVersionOption[]) =>
  versions.map((v) => ({ value: v.version, label: `${v.version} — ${v.title}` }));

export function adhesionPage(ctx: PageContext, view: AdhesionView): string {
  const { lang } = ctx;
  const f = view.form;
  const newest = view.versions.at(-1)?.version ?? "";
  return layout(
    ctx,
    t(lang, "adhesionTitle"),
    html`${agencyNav(ctx)}
<h1>${t(lang, "adhesionTitle")}</h1>
<p class="muted">${t(lang, "adhesionIntro")}</p>
${errorSummary(lang, f)}
<form method="post" action="/agency/organisations" class="manage" novalidate>
${csrfField(ctx.csrfToken)}
${inputField(lang, { form: f, idPrefix: "adh", name: "name", label: "organisationName", required: true, autocomplete: "organization" })}
${inputField(lang, { form: f, idPrefix: "adh", name: "contact", label: "contact", type: "email", hint: "contactHint", required: true, autocomplete: "email" })}
${inputField(lang, { form: f, idPrefix: "adh", name: "adhesionDate", label: "adhesionDate", type: "date", hint: "dateHint", required: true, initial: view.today })}
${selectField(lang, { form: f, idPrefix: "adh", name: "charterVersion", label: "charterVersion", required: true, initial: newest, options: versionOptions(view.versions) })}
${textareaField(lang, { form: f, idPrefix: "adh", name: "domains", label: "domainsWithMx", hint: "domainsHint", rows: 5 })}
<p><button type="submit">${t(lang, "recordAdhesion")}</button></p>
</form>`,
  );
}

export interface ManageView {
  readonly id: number;
  readonly name: string;
  readonly contact: string;
  readonly adhesionDate: string;
  readonly charterVersion: string;
  readonly withdrawalNoticeDate: string | null;
  readonly withdrawalEffectiveDate: string | null;
  readonly state: OrganisationState;
  readonly domains: readonly {
    readonly id: number;
    readonly domain: string;
    readonly mx: readonly string[];
  }[];
  readonly today: string;
  readonly forms: {
    readonly contact?: FormState;
    readonly domain?: FormState;
    readonly withdrawal?: FormState;
    /** A refusal of a domain's removal (the form's own message). */
    readonly remove?: FormState;
  };
  readonly done: MessageKey | null;
}

function section(id: string, title: string, body: SafeHtml): SafeHtml {
  return html`<section aria-labelledby="${id}">
<h2 id="${id}">${title}</h2>
${body}
</section>`;
}

function domainsSection(ctx: PageContext, view: ManageView): SafeHtml {
  const { lang } = ctx;
  const f = view.forms.domain ?? emptyForm;
  const rows = view.domains.map(
    (d) => html`<tr><th scope="row"><a href="/domains/${d.id}">${d.domain}</a></th><td>${d.mx.join(", ")}</td>
<td><form method="post" action="/agency/organisations/${view.id}/domains/${d.id}/delete" class="inline">
${csrfField(ctx.csrfToken)}
<button type="submit" class="small danger" aria-label="${t(lang, "removeDomain")} ${d.domain}">${t(lang, "removeDomain")}</button>
</form></td></tr>`,
  );
  return section(
    "org-domains",
    t(lang, "domains"),
    html`${view.forms.remove ? errorSummary(lang, view.forms.remove) : null}
${
  view.domains.length === 0
    ? html`<p class="muted">${t(lang, "noDomains")}</p>`
    : html`<table class="domains"><thead><tr><th scope="col">${t(lang, "domain")}</th><th scope="col">${t(lang, "mxPatterns")}</th><th scope="col"><span class="visually-hidden">${t(lang, "removeDomain")}</span></th></tr></thead>
<tbody>${rows}</tbody></table>`
}
<h3 id="add-domain">${t(lang, "addDomain")}</h3>
${errorSummary(lang, f)}
<form method="post" action="/agency/organisations/${view.id}/domains" class="manage" novalidate aria-labelledby="add-domain">
${csrfField(ctx.csrfToken)}
${inputField(lang, { form: f, idPrefix: "dom", name: "domain", label: "domain", required: true })}
${inputField(lang, { form: f, idPrefix: "dom", name: "mx", label: "mxPatterns", hint: "mxHint", required: true })}
<p><button type="submit">${t(lang, "addDomain")}</button></p>
</form>`,
  );
}

function withdrawalSection(ctx: PageContext, view: ManageView): SafeHtml {
  const { lang } = ctx;
  const f = view.forms.withdrawal ?? emptyForm;
  const recorded = view.withdrawalNoticeDate
    ? html`<p class="notice" role="status">${t(lang, "noticeRecorded")} <strong>${view.withdrawalNoticeDate}</strong> · ${t(lang, "effectiveOn")} <strong>${view.withdrawalEffectiveDate ?? ""}</strong></p>`
    : null;
  return section(
    "org-withdrawal",
    t(lang, "withdrawalTitle"),
    html`<p class="muted">${t(lang, "withdrawalRule")}</p>
${recorded}
${errorSummary(lang, f)}
<form method="post" action="/agency/organisations/${view.id}/withdrawal" class="manage" novalidate>
${csrfField(ctx.csrfToken)}
${inputField(lang, { form: f, idPrefix: "wd", name: "noticeDate", label: "noticeDate", type: "date", hint: "noticeHint", required: true, initial: view.today })}
${
  view.withdrawalNoticeDate
    ? html`<p class="field"><input type="checkbox" id="wd-replace" name="replace" value="1"${f.values.replace ? html` checked` : null}> <label for="wd-replace">${t(lang, "replaceNotice")}</label></p>`
    : null
}
<p><button type="submit">${t(lang, "recordNotice")}</button></p>
</form>`,
  );
}

/** The contact form, shared by the agency's page and an operator's own (its action differs). */
export function contactFormHtml(
  ctx: PageContext,
  action: string,
  contact: string,
  form: FormState,
): SafeHtml {
  const { lang } = ctx;
  return html`${errorSummary(lang, form)}
<form method="post" action="${action}" class="manage" novalidate>
${csrfField(ctx.csrfToken)}
${inputField(lang, { form, idPrefix: "ct", name: "contact", label: "contact", type: "email", hint: "contactHint", required: true, initial: contact, autocomplete: "email" })}
<p><button type="submit">${t(lang, "save")}</button></p>
</form>`;
}

export function managePage(ctx: PageContext, view: ManageView): string {
  const { lang } = ctx;
  return layout(
    ctx,
    view.name,
    html`${agencyNav(ctx)}
<p class="crumbs"><a href="/agency/organisations">${t(lang, "registryTitle")}</a> › ${view.name}</p>
<h1>${view.name} ${stateBadge(ctx, view.state)}</h1>
${doneNotice(ctx, view.done)}
<dl class="facts">
<dt>${t(lang, "adhesion")}</dt><dd>${view.adhesionDate}</dd>
<dt>${t(lang, "charterVersion")}</dt><dd>${view.charterVersion}</dd>
<dt>${t(lang, "withdrawal")}</dt><dd>${view.withdrawalEffectiveDate ?? "—"}</dd>
</dl>
<p><a href="/organisations/${view.id}">${t(lang, "dashboardTitle")}</a></p>
${section("org-contact", t(lang, "contact"), contactFormHtml(ctx, `/agency/organisations/${view.id}/contact`, view.contact, view.forms.contact ?? emptyForm))}
${domainsSection(ctx, view)}
${withdrawalSection(ctx, view)}`,
  );
}

/** An operator's (or the agency's) page to change an organisation's contact. */
export function contactPage(
  ctx: PageContext,
  view: {
    readonly id: number;
    readonly name: string;
    readonly contact: string;
    readonly form: FormState;
    readonly done: MessageKey | null;
  },
): string {
  const { lang } = ctx;
  return layout(
    ctx,
    `${t(lang, "contact")} — ${view.name}`,
    html`<p class="crumbs"><a href="/organisations/${view.id}">${view.name}</a> › ${t(lang, "contact")}</p>
<h1>${t(lang, "contactTitle")} : ${view.name}</h1>
${doneNotice(ctx, view.done)}
${contactFormHtml(ctx, `/organisations/${view.id}/contact`, view.contact, view.form)}`,
  );
}
