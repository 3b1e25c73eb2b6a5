/**
 * The annex page (Charte art. 8): the profiles (built in and drafted), the consultations with their
 * state, and for the agency the forms that draft a proposed annex and open a consultation on it.
 * Forms post without script, each with its CSRF token. Pure.
 */
import type { Consultation } from "../../annex/annex-store.js";
import type { ProfileSummary } from "../app/annex-views.js";
import { type MessageKey, t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { when } from "./status-words.js";

export interface AnnexPageView {
  readonly profiles: readonly ProfileSummary[];
  readonly consultations: readonly Consultation[];
  readonly canDraft: boolean;
  readonly canImpact: boolean;
  /** A refused draft or opening: the message (with the paths of the profile's issues) and what was typed. */
  readonly error?: { readonly message: string; readonly profileText?: string };
}

export const consultationStatusKey = (s: Consultation["status"]): MessageKey =>
  s === "open" ? "consultation_open" : s === "adopted" ? "consultation_adopted" : "consultation_closed";

const csrf = (ctx: PageContext) => html`<input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ""}">`;

function forms(ctx: PageContext, view: AnnexPageView): SafeHtml {
  const { lang } = ctx;
  const annexProfiles = view.profiles.filter((p) => p.annex);
  return html`<section class="forms">
<h2>${t(lang, "draftTitle")}</h2>
<p class="muted">${t(lang, "draftHelp")}</p>
<form method="post" action="/annex/profiles">
${csrf(ctx)}
<label for="profile-json">${t(lang, "profile")} (JSON)</label>
<textarea id="profile-json" name="profile" rows="16" cols="90" required>${view.error?.profileText ?? ""}</textarea>
<p><button type="submit">${t(lang, "draftSubmit")}</button></p>
</form>
<h2>${t(lang, "openTitle")}</h2>
<form method="post" action="/annex/consultations">
${csrf(ctx)}
<p><label for="c-version">${t(lang, "proposedVersion")}</label> <input id="c-version" name="version" required maxlength="40" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]*"></p>
<p><label for="c-title">${t(lang, "title")}</label> <input id="c-title" name="title" required maxlength="500" size="60"></p>
<p><label for="c-profile">${t(lang, "profile")}</label> <select id="c-profile" name="profile">${annexProfiles.map(
    (p) => html`<option value="${p.id}">${p.id} — ${p.title}</option>`,
  )}</select></p>
<p><button type="submit">${t(lang, "openSubmit")}</button></p>
</form>
</section>`;
}

export function annexPage(ctx: PageContext, view: AnnexPageView): string {
  const { lang } = ctx;
  const profiles = html`<table class="profiles">
<thead><tr><th scope="col">${t(lang, "profile")}</th><th scope="col">${t(lang, "title")}</th><th scope="col">${t(lang, "origin")}</th><th scope="col">${t(lang, "rules")}</th>${view.canImpact ? html`<th scope="col">${t(lang, "impact")}</th>` : null}</tr></thead>
<tbody>${view.profiles.map(
    (p) =>
      html`<tr><th scope="row"><code>${p.id}</code></th><td>${p.title}</td><td>${t(lang, p.origin === "built-in" ? "originBuiltIn" : "originDrafted")}</td><td>${p.rules}</td>${
        view.canImpact
          ? html`<td>${p.annex ? html`<a href="/annex/impact?profile=${encodeURIComponent(p.id)}">${t(lang, "seeImpact")}</a>` : "—"}</td>`
          : null
      }</tr>`,
  )}</tbody></table>`;
  const consultations =
    view.consultations.length === 0
      ? html`<p>${t(lang, "noConsultation")}</p>`
      : html`<table class="consultations">
<thead><tr><th scope="col">${t(lang, "proposedVersion")}</th><th scope="col">${t(lang, "title")}</th><th scope="col">${t(lang, "profile")}</th><th scope="col">${t(lang, "consultationStatus")}</th><th scope="col">${t(lang, "consultationOpenedAt")}</th></tr></thead>
<tbody>${view.consultations.map(
          (c) =>
            html`<tr><th scope="row"><a href="/annex/consultations/${c.id}">${c.version}</a></th><td>${c.title}</td><td><code>${c.profile}</code></td><td>${t(lang, consultationStatusKey(c.status))}${c.adoptedOn ? html` (${c.adoptedOn})` : null}</td><td>${when(c.openedAt)}</td></tr>`,
        )}</tbody></table>`;
  return layout(
    ctx,
    t(lang, "annexTitle"),
    html`<h1>${t(lang, "annexTitle")}</h1>
<p class="muted">${t(lang, "annexIntro")}</p>
${view.error ? html`<p class="error" role="alert">${view.error.message}</p>` : null}
<h2>${t(lang, "consultations")}</h2>
${consultations}
<h2>${t(lang, "profiles")}</h2>
${profiles}
${view.canDraft ? forms(ctx, view) : null}`,
  );
}
