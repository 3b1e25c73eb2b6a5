/**
 * An organisation's dashboard: its domains with their latest verdict and an audit-now button, and its
 * art. 4.4 deadlines toward the other signatories. Pure.
 */
import type { Art44Row } from "../../policy/generate.js";
import type { IncidentView } from "../app/incident-views.js";
import { type MessageKey, t } from "../i18n.js";
import { auditNowForm } from "./domain.js";
import { html, type SafeHtml } from "./html.js";
import { incidentTable } from "./incidents.js";
import { layout, type PageContext } from "./layout.js";
import { type Verdict, verdictBadge, when } from "./status-words.js";

export interface OrganisationPageView {
  readonly id?: number;
  readonly name: string;
  readonly adhesionDate: string;
  readonly withdrawalEffectiveDate: string | null;
  readonly domains: readonly {
    readonly id: number;
    readonly domain: string;
    readonly latest: { readonly verdict: Verdict; readonly finishedAt: string } | null;
  }[];
  readonly deadlines: readonly Art44Row[];
  readonly canAudit: boolean;
  /** The viewer may change the organisation's contact (its operator, the agency). */
  readonly canEditContact?: boolean;
  /** The organisation's incidents the viewer sees (absent: the server keeps none). */
  readonly incidents?: readonly IncidentView[];
}

const stateKey: Record<Art44Row["state"], MessageKey> = {
  covered: "art44_covered",
  due: "art44_due",
  late: "art44_late",
  "not yet a signatory": "art44_not_yet",
  withdrawn: "art44_withdrawn",
};

function deadlines(ctx: PageContext, rows: readonly Art44Row[]): SafeHtml {
  const { lang } = ctx;
  if (rows.length === 0) return html`<p>${t(lang, "noPeers")}</p>`;
  return html`<table class="art44">
<thead><tr><th scope="col">${t(lang, "peer")}</th><th scope="col">${t(lang, "newerAdhesion")}</th><th scope="col">${t(lang, "deadline")}</th><th scope="col">${t(lang, "state")}</th></tr></thead>
<tbody>
${rows.map(
  (r) =>
    html`<tr><th scope="row">${r.peer}</th><td>${r.newerAdhesion}</td><td>${r.deadline}</td><td><span class="state ${r.state.replace(/ /g, "-")}">${t(lang, stateKey[r.state])}</span></td></tr>`,
)}
</tbody></table>`;
}

export function organisationPage(ctx: PageContext, view: OrganisationPageView): string {
  const { lang } = ctx;
  const rows = view.domains.map(
    (d) => html`<tr><th scope="row"><a href="/domains/${d.id}">${d.domain}</a></th>
<td>${d.latest ? verdictBadge(d.latest.verdict, lang) : html`<span class="muted">${t(lang, "notAudited")}</span>`}</td>
<td>${d.latest ? html`<time datetime="${d.latest.finishedAt}">${when(d.latest.finishedAt)}</time>` : "—"}</td>
${view.canAudit ? html`<td>${auditNowForm(ctx, d.id, true)}</td>` : null}</tr>`,
  );
  return layout(
    ctx,
    view.name,
    html`<h1>${t(lang, "dashboardTitle")} : ${view.name}</h1>
<p class="muted">${t(lang, "adhesion")} ${view.adhesionDate}${view.withdrawalEffectiveDate ? html` · ${t(lang, "withdrawal")} ${view.withdrawalEffectiveDate}` : null}${view.canEditContact ? html` · <a href="${`/organisations/${view.id}/contact`}">${t(lang, "contactTitle")}</a>` : null}</p>
<section aria-labelledby="domains">
<h2 id="domains">${t(lang, "domains")}</h2>
<table class="domains">
<thead><tr><th scope="col">${t(lang, "domain")}</th><th scope="col">${t(lang, "verdict")}</th><th scope="col">${t(lang, "auditedAt")}</th>${view.canAudit ? html`<th scope="col"><span class="visually-hidden">${t(lang, "auditNow")}</span></th>` : null}</tr></thead>
<tbody>
${rows}
</tbody></table>
</section>
${
  view.incidents
    ? html`<section aria-labelledby="incidents">
<h2 id="incidents">${t(lang, "incidentsOfOrganisation")}</h2>
${incidentTable(ctx, view.incidents)}
</section>`
    : null
}
<section aria-labelledby="art44">
<h2 id="art44">${t(lang, "art44Title")}</h2>
<p class="muted">${t(lang, "art44Intro")}</p>
${deadlines(ctx, view.deadlines)}
</section>`,
  );
}
