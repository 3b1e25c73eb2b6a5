/**
 * The viewer's own API tokens: each with its name, prefix (never the secret), role, organisation,
 * dates and a revoke button; and the form creating one, for a role no higher than the account's.
 * Pure.
 */
import type { FormState } from "../forms/form-state.js";
import { type MessageKey, t } from "../i18n.js";
import { csrfField, errorSummary, inputField, selectField } from "./form-fields.js";
import { html } from "./html.js";
import { layout, type PageContext, roleKey } from "./layout.js";
import { agencyNav, doneNotice } from "./registry-list.js";
import { when } from "./status-words.js";

type Role = "agency" | "operator" | "auditor";

export interface TokensView {
  readonly tokens: readonly {
    readonly id: number;
    readonly name: string;
    readonly prefix: string;
    readonly role: Role;
    readonly organisation: string | null;
    readonly createdAt: string;
    readonly lastUsedAt: string | null;
    readonly revokedAt: string | null;
  }[];
  /** The roles this account may give a token (never more than its own). */
  readonly roles: readonly Role[];
  /** The organisation an operator's token acts for. */
  readonly organisation: string | null;
  readonly form: FormState;
  readonly done: MessageKey | null;
  readonly agencyNav: boolean;
}

export function tokensPage(ctx: PageContext, view: TokensView): string {
  const { lang } = ctx;
  const rows = view.tokens.map(
    (k) => html`<tr${k.revokedAt ? html` class="disabled"` : null}>
<th scope="row">${k.name}</th>
<td><code>${k.prefix}…</code></td>
<td>${t(lang, roleKey(k.role))}${k.organisation ? html` · ${k.organisation}` : null}</td>
<td><time datetime="${k.createdAt}">${when(k.createdAt)}</time></td>
<td>${k.lastUsedAt ? html`<time datetime="${k.lastUsedAt}">${when(k.lastUsedAt)}</time>` : html`<span class="muted">${t(lang, "neverUsed")}</span>`}</td>
<td>${
      k.revokedAt
        ? html`${t(lang, "revokedOn")} <time datetime="${k.revokedAt}">${when(k.revokedAt)}</time>`
        : html`<form method="post" action="/account/tokens/${k.id}/revoke" class="inline">${csrfField(ctx.csrfToken)}<button type="submit" class="small danger" aria-label="${t(lang, "revoke")} ${k.name}">${t(lang, "revoke")}</button></form>`
    }</td>
</tr>`,
  );
  const f = view.form;
  return layout(
    ctx,
    t(lang, "tokensTitle"),
    html`${view.agencyNav ? agencyNav(ctx) : null}
<h1>${t(lang, "tokensTitle")}</h1>
<p class="muted">${t(lang, "tokensIntro")}</p>
${doneNotice(ctx, view.done)}
${
  view.tokens.length === 0
    ? html`<p>${t(lang, "noTokens")}</p>`
    : html`<table class="tokens">
<thead><tr><th scope="col">${t(lang, "tokenName")}</th><th scope="col">${t(lang, "tokenPrefix")}</th><th scope="col">${t(lang, "scope")}</th><th scope="col">${t(lang, "createdOn")}</th><th scope="col">${t(lang, "lastUsed")}</th><th scope="col">${t(lang, "status")}</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
}
<section aria-labelledby="new-token">
<h2 id="new-token">${t(lang, "createToken")}</h2>
${errorSummary(lang, f)}
<form method="post" action="/account/tokens" class="manage" novalidate>
${csrfField(ctx.csrfToken)}
${inputField(lang, { form: f, idPrefix: "tok", name: "name", label: "tokenName", hint: "tokenNameHint", required: true, autocomplete: "off" })}
${selectField(lang, {
  form: f,
  idPrefix: "tok",
  name: "role",
  label: "role",
  required: true,
  initial: view.roles[view.roles.length - 1] ?? "",
  options: view.roles.map((r) => ({ value: r, label: t(lang, roleKey(r)) })),
})}
${view.organisation ? html`<p class="muted">${t(lang, "tokenActsFor")} <strong>${view.organisation}</strong></p>` : null}
<p><button type="submit">${t(lang, "createToken")}</button></p>
</form>
</section>`,
  );
}
