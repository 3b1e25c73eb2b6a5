/**
 * The agency's accounts page: every account (e-mail, role, organisation, last login, disabled) with
 * its actions (disable or enable, a new generated password), and the form creating one. Pure.
 */
import type { FormState } from "../forms/form-state.js";
import { type MessageKey, t } from "../i18n.js";
import { csrfField, errorSummary, inputField, selectField } from "./form-fields.js";
import { html } from "./html.js";
import { layout, type PageContext, roleKey } from "./layout.js";
import { agencyNav, doneNotice } from "./registry-list.js";
import { when } from "./status-words.js";

export interface AccountsView {
  readonly accounts: readonly {
    readonly id: number;
    readonly email: string;
    readonly role: "agency" | "operator" | "auditor";
    readonly organisation: string | null;
    readonly lastLoginAt: string | null;
    readonly disabledAt: string | null;
    /** The viewer's own account (it cannot disable itself). */
    readonly self: boolean;
  }[];
  readonly organisations: readonly { readonly id: number; readonly name: string }[];
  readonly form: FormState;
  /** A refused action on a row (the form's own message). */
  readonly actionError: FormState | null;
  readonly done: MessageKey | null;
}

export function accountsPage(ctx: PageContext, view: AccountsView): string {
  const { lang } = ctx;
  const rows = view.accounts.map((a) => {
    const toggle = a.disabledAt
      ? html`<form method="post" action="/agency/accounts/${a.id}/enable" class="inline">${csrfField(ctx.csrfToken)}<button type="submit" class="small" aria-label="${t(lang, "enableAccount")} ${a.email}">${t(lang, "enableAccount")}</button></form>`
      : a.self
        ? null
        : html`<form method="post" action="/agency/accounts/${a.id}/disable" class="inline">${csrfField(ctx.csrfToken)}<button type="submit" class="small danger" aria-label="${t(lang, "disableAccount")} ${a.email}">${t(lang, "disableAccount")}</button></form>`;
    return html`<tr${a.disabledAt ? html` class="disabled"` : null}>
<th scope="row">${a.email}</th>
<td>${t(lang, roleKey(a.role))}</td>
<td>${a.organisation ?? "—"}</td>
<td>${a.lastLoginAt ? html`<time datetime="${a.lastLoginAt}">${when(a.lastLoginAt)}</time>` : html`<span class="muted">${t(lang, "neverLoggedIn")}</span>`}</td>
<td>${a.disabledAt ? html`${t(lang, "disabledSince")} <time datetime="${a.disabledAt}">${when(a.disabledAt)}</time>` : t(lang, "active")}</td>
<td>${toggle}
<form method="post" action="/agency/accounts/${a.id}/password" class="inline">${csrfField(ctx.csrfToken)}<button type="submit" class="small secondary" aria-label="${t(lang, "resetPassword")} ${a.email}">${t(lang, "resetPassword")}</button></form></td>
</tr>`;
  });
  const f = view.form;
  return layout(
    ctx,
    t(lang, "accounts"),
    html`${agencyNav(ctx)}
<h1>${t(lang, "accounts")}</h1>
${doneNotice(ctx, view.done)}
${view.actionError ? errorSummary(lang, view.actionError) : null}
<table class="accounts">
<thead><tr><th scope="col">${t(lang, "email")}</th><th scope="col">${t(lang, "role")}</th><th scope="col">${t(lang, "organisation")}</th><th scope="col">${t(lang, "lastLogin")}</th><th scope="col">${t(lang, "status")}</th><th scope="col">${t(lang, "actions")}</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<section aria-labelledby="new-account">
<h2 id="new-account">${t(lang, "createAccount")}</h2>
<p class="muted">${t(lang, "createAccountIntro")}</p>
${errorSummary(lang, f)}
<form method="post" action="/agency/accounts" class="manage" novalidate>
${csrfField(ctx.csrfToken)}
${inputField(lang, { form: f, idPrefix: "acc", name: "email", label: "email", type: "email", required: true, autocomplete: "off" })}
${selectField(lang, {
  form: f,
  idPrefix: "acc",
  name: "role",
  label: "role",
  required: true,
  initial: "operator",
  options: (["operator", "auditor", "agency"] as const).map((r) => ({
    value: r,
    label: t(lang, roleKey(r)),
  })),
})}
${selectField(lang, {
  form: f,
  idPrefix: "acc",
  name: "organisation",
  label: "organisation",
  hint: "organisationHint",
  options: [
    { value: "", label: "—" },
    ...view.organisations.map((o) => ({ value: String(o.id), label: o.name })),
  ],
})}
<p><button type="submit">${t(lang, "createAccount")}</button></p>
</form>
</section>`,
  );
}
