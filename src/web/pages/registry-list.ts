/**
 * The agency's registry: every organisation with where it stands today (in force, notice given,
 * withdrawn, not yet in force), its domains and a link to manage it; and the way to the adhesion form.
 * Pure: data in, HTML out.
 */
import type { OrganisationState } from "../app/registry-views.js";
import { type MessageKey, t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext } from "./layout.js";

export interface RegistryListView {
  readonly organisations: readonly {
    readonly id: number;
    readonly name: string;
    readonly contact: string;
    readonly adhesionDate: string;
    readonly withdrawalEffectiveDate: string | null;
    readonly charterVersion: string;
    readonly state: OrganisationState;
    readonly domains: readonly string[];
  }[];
  /** A change just made (Post/Redirect/Get: the redirect's `done=` names it). */
  readonly done: MessageKey | null;
}

export const organisationStateKey: Record<OrganisationState, MessageKey> = {
  in_force: "stateInForce",
  notice_given: "stateNoticeGiven",
  withdrawn: "stateWithdrawn",
  not_yet: "stateNotYet",
};

export const stateBadge = (ctx: PageContext, state: OrganisationState): SafeHtml =>
  html`<span class="org-state ${state}">${t(ctx.lang, organisationStateKey[state])}</span>`;

export function agencyNav(ctx: PageContext): SafeHtml {
  const { lang } = ctx;
  const current = ctx.path.split("?", 1)[0] ?? "";
  const links: { href: string; label: MessageKey }[] = [
    { href: "/agency/organisations", label: "navRegistryList" },
    { href: "/agency/organisations/new", label: "navAdhesion" },
    { href: "/agency/accounts", label: "accounts" },
    { href: "/agency/cadence", label: "navCadence" },
    { href: "/agency/indicator-schedule", label: "navIndicatorSchedule" },
    { href: "/account/tokens", label: "navTokens" },
  ];
  return html`<nav class="sub" aria-label="${t(lang, "agencyNav")}"><ul>${links.map(
    (l) =>
      html`<li><a href="${l.href}"${current === l.href ? html` aria-current="page"` : null}>${t(lang, l.label)}</a></li>`,
  )}</ul></nav>`;
}

export function doneNotice(ctx: PageContext, done: MessageKey | null): SafeHtml | null {
  return done ? html`<p class="notice ok" role="status">${t(ctx.lang, done)}</p>` : null;
}

export function registryListPage(ctx: PageContext, view: RegistryListView): string {
  const { lang } = ctx;
  const rows = view.organisations.map(
    (o) => html`<tr>
<th scope="row"><a href="/agency/organisations/${o.id}">${o.name}</a></th>
<td>${stateBadge(ctx, o.state)}</td>
<td>${o.adhesionDate}</td>
<td>${o.withdrawalEffectiveDate ?? "—"}</td>
<td>${o.charterVersion}</td>
<td>${o.domains.length > 0 ? o.domains.join(", ") : html`<span class="muted">${t(lang, "noDomains")}</span>`}</td>
<td>${o.contact}</td>
</tr>`,
  );
  return layout(
    ctx,
    t(lang, "registryTitle"),
    html`${agencyNav(ctx)}
<h1>${t(lang, "registryTitle")}</h1>
${doneNotice(ctx, view.done)}
<p><a class="button" href="/agency/organisations/new">${t(lang, "navAdhesion")}</a></p>
${
  view.organisations.length === 0
    ? html`<p>${t(lang, "registryEmpty")}</p>`
    : html`<table class="registry">
<thead><tr><th scope="col">${t(lang, "organisation")}</th><th scope="col">${t(lang, "state")}</th><th scope="col">${t(lang, "adhesion")}</th><th scope="col">${t(lang, "withdrawal")}</th><th scope="col">${t(lang, "charterVersion")}</th><th scope="col">${t(lang, "domains")}</th><th scope="col">${t(lang, "contact")}</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
}`,
  );
}
