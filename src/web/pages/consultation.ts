/**
 * One consultation on a proposed annex (Charte art. 8): its profile, the tally and who has answered
 * (every organisation for the agency and auditors, its own for an operator), the answer form of the
 * organisations the viewer answers for, and the agency's adoption and closing forms. Pure.
 */
import type { ConsultationView } from "../app/annex-views.js";
import { t } from "../i18n.js";
import { consultationStatusKey } from "./annex.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";
import { when } from "./status-words.js";

const csrf = (ctx: PageContext) => html`<input type="hidden" name="_csrf" value="${ctx.csrfToken ?? ""}">`;

function answerForm(
  ctx: PageContext,
  consultationId: number,
  org: { organisationId: number; organisation: string },
): SafeHtml {
  const { lang } = ctx;
  const id = `a-${org.organisationId}`;
  return html`<form method="post" action="/organisations/${org.organisationId}/consultations/${consultationId}/answer" class="answer">
${csrf(ctx)}
<fieldset><legend>${t(lang, "answerTitle")} ${org.organisation}</legend>
<p><input type="radio" id="${id}-c" name="answer" value="consent" required> <label for="${id}-c">${t(lang, "consent")}</label>
<input type="radio" id="${id}-o" name="answer" value="objection"> <label for="${id}-o">${t(lang, "objection")}</label></p>
<p><label for="${id}-comment">${t(lang, "answerComment")}</label><br><textarea id="${id}-comment" name="comment" rows="4" cols="70" maxlength="4000"></textarea></p>
<p class="muted">${t(lang, "answerReplaces")}</p>
<p><button type="submit">${t(lang, "answerSubmit")}</button></p>
</fieldset></form>`;
}

export function consultationPage(
  ctx: PageContext,
  view: ConsultationView,
  options: {
    readonly canDecide: boolean;
    readonly canImpact: boolean;
    readonly today: string;
    readonly error?: string;
  },
): string {
  const { lang } = ctx;
  const { consultation: c, signatories, counts } = view.record;
  const rows = signatories.map(
    (s) =>
      html`<tr><th scope="row">${s.organisation}</th><td>${s.acceptedVersion}</td><td>${s.answer ? html`<span class="answer-${s.answer.answer}">${t(lang, s.answer.answer)}</span>` : html`<span class="muted">${t(lang, "pending")}</span>`}</td><td>${s.answer?.comment ?? ""}</td><td>${s.answer ? html`${when(s.answer.answeredAt)} ${t(lang, "answeredBy")} ${s.answer.answeredBy}` : ""}</td></tr>`,
  );
  const decide =
    options.canDecide && c.status === "open"
      ? html`<section class="forms"><h2>${t(lang, "adoptTitle")}</h2>
<form method="post" action="/annex/consultations/${c.id}/adopt">${csrf(ctx)}
<p><label for="published">${t(lang, "publishedOn")}</label> <input id="published" name="published" type="date" required value="${options.today}"></p>
<p><button type="submit">${t(lang, "adoptSubmit")}</button></p></form>
<form method="post" action="/annex/consultations/${c.id}/close">${csrf(ctx)}<p><button type="submit">${t(lang, "closeSubmit")}</button></p></form></section>`
      : null;
  return layout(
    ctx,
    `${t(lang, "consultationTitle")} ${c.version}`,
    html`<h1>${t(lang, "consultationTitle")} — ${c.version}</h1>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : null}
<dl class="facts">
<dt>${t(lang, "title")}</dt><dd>${c.title}</dd>
<dt>${t(lang, "profile")}</dt><dd><code>${view.profile.id}</code> — ${view.profile.title}${options.canImpact ? html` (<a href="/annex/impact?profile=${encodeURIComponent(view.profile.id)}">${t(lang, "seeImpact")}</a>)` : null}</dd>
<dt>${t(lang, "consultationStatus")}</dt><dd>${t(lang, consultationStatusKey(c.status))}${c.adoptedOn ? html` (${c.adoptedOn})` : null}</dd>
<dt>${t(lang, "consultationOpenedAt")}</dt><dd>${when(c.openedAt)} ${t(lang, "answeredBy")} ${c.openedBy}</dd>
<dt>${t(lang, "counts")}</dt><dd>${t(lang, "consent")} ${counts.consent} · ${t(lang, "objection")} ${counts.objection} · ${t(lang, "pending")} ${counts.pending}</dd>
</dl>
<h2>${t(lang, "answers")}</h2>
${view.seesAll ? null : html`<p class="muted">${t(lang, "ownAnswerOnly")}</p>`}
<table class="answers">
<thead><tr><th scope="col">${t(lang, "organisation")}</th><th scope="col">${t(lang, "acceptedVersion")}</th><th scope="col">${t(lang, "answers")}</th><th scope="col">${t(lang, "answerComment")}</th><th scope="col">${t(lang, "answeredAt")}</th></tr></thead>
<tbody>${rows}</tbody></table>
${view.answerable.map((o) => answerForm(ctx, c.id, o))}
${decide}`,
  );
}
