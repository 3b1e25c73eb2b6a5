/**
 * The home page: what the viewer's role can reach, then the public list of signatories in force with
 * each domain's latest verdict and its date (charter art. 7).
 */
import { type MessageKey, t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";
import { layout, type PageContext, roleKey } from "./layout.js";

export type Verdict = "compliant" | "non_compliant" | "inconclusive";

export interface PublicSignatory {
  readonly name: string;
  readonly adhesionDate: string;
  readonly withdrawalEffectiveDate: string | null;
  readonly domains: readonly {
    readonly domain: string;
    readonly latest: { readonly verdict: Verdict; readonly finishedAt: string } | null;
  }[];
}

export interface HomeView {
  readonly signatories: readonly PublicSignatory[];
  /** For a logged-in viewer: their organisation (operators) and the places their role reaches. */
  readonly reach: {
    readonly organisation: { readonly name: string; readonly domains: readonly string[] } | null;
    readonly links: readonly { readonly href: string; readonly label: MessageKey }[];
  } | null;
  /** For the public: the login form beside the list (its CSRF token). */
  readonly login: { readonly csrfToken: string } | null;
}

const reachKey = { agency: "reachAgency", auditor: "reachAuditor", operator: "reachOperator" } as const;

function verdictCell(ctx: PageContext, latest: PublicSignatory["domains"][number]["latest"]): SafeHtml {
  if (!latest) return html`<td class="muted">${t(ctx.lang, "notAudited")}</td><td></td>`;
  return html`<td><span class="badge ${latest.verdict}">${t(ctx.lang, latest.verdict)}</span></td><td><time datetime="${latest.finishedAt}">${latest.finishedAt.slice(0, 10)}</time></td>`;
}

function signatoriesTable(ctx: PageContext, signatories: readonly PublicSignatory[]): SafeHtml {
  const { lang } = ctx;
  if (signatories.length === 0) return html`<p>${t(lang, "noSignatories")}</p>`;
  const rows = signatories.flatMap((s) => {
    const domains = s.domains.length > 0 ? s.domains : [null];
    return domains.map(
      (d, i) => html`<tr>
  ${i === 0 ? html`<th scope="rowgroup" rowspan="${domains.length}">${s.name}</th><td rowspan="${domains.length}">${s.adhesionDate}${s.withdrawalEffectiveDate ? html`<br><small>${t(lang, "withdrawal")} ${s.withdrawalEffectiveDate}</small>` : null}</td>` : null}
  ${d ? html`<td>${d.domain}</td>${verdictCell(ctx, d.latest)}` : html`<td></td><td></td><td></td>`}
</tr>`,
    );
  });
  return html`<table class="signatories">
<thead><tr><th scope="col">${t(lang, "organisation")}</th><th scope="col">${t(lang, "adhesion")}</th><th scope="col">${t(lang, "domain")}</th><th scope="col">${t(lang, "verdict")}</th><th scope="col">${t(lang, "auditedAt")}</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

export function homePage(ctx: PageContext, view: HomeView): string {
  const { lang } = ctx;
  const reach =
    ctx.viewer && view.reach
      ? html`<section class="reach" aria-labelledby="reach">
<h2 id="reach">${t(lang, "yourReach")} (${t(lang, roleKey(ctx.viewer.role))})</h2>
<p>${t(lang, reachKey[ctx.viewer.role])}</p>
${view.reach.organisation ? html`<p>${t(lang, "yourOrganisation")}: <strong>${view.reach.organisation.name}</strong> — ${view.reach.organisation.domains.join(", ")}</p>` : null}
<ul>
${view.reach.links.map((l) => html`<li><a href="${l.href}">${t(lang, l.label)}</a></li>`)}
</ul>
</section>`
      : null;
  const login =
    !ctx.viewer && view.login
      ? html`<section class="reach" aria-labelledby="login">
<h2 id="login">${t(lang, "login")}</h2>
<form method="post" action="/login" class="login">
  <input type="hidden" name="_csrf" value="${view.login.csrfToken}">
  <input type="hidden" name="lang" value="${lang}">
  <p><label for="email">${t(lang, "email")}</label>
  <input id="email" name="email" type="email" autocomplete="username" required></p>
  <p><label for="password">${t(lang, "password")}</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required></p>
  <p><button type="submit">${t(lang, "submitLogin")}</button></p>
</form>
</section>`
      : null;
  return layout(
    ctx,
    t(lang, "signatories"),
    html`${reach}
<section aria-labelledby="signatories">
<h1 id="signatories">${t(lang, "signatories")}</h1>
<p>${t(lang, "signatoriesIntro")}</p>
${signatoriesTable(ctx, view.signatories)}
<p>${t(lang, "publishedList")}: <a href="/published-list.json">published-list.json</a>, <a href="/published-list.json.sig">${t(lang, "signature")}</a>, <a href="/published-list.pub">${t(lang, "publicKey")}</a></p>
</section>
${login}`,
  );
}
