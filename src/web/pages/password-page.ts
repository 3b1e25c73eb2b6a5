/** An account's own page to choose a new password (knowing the current one). Pure. */
import type { FormState } from "../forms/form-state.js";
import { t } from "../i18n.js";
import { csrfField, errorSummary, inputField } from "./form-fields.js";
import { html } from "./html.js";
import { layout, type PageContext } from "./layout.js";

export function passwordPage(ctx: PageContext, view: { readonly form: FormState }): string {
  const { lang } = ctx;
  const f = view.form;
  return layout(
    ctx,
    t(lang, "changePassword"),
    html`<h1>${t(lang, "changePassword")}</h1>
<p class="muted">${t(lang, "changePasswordIntro")}</p>
${errorSummary(lang, f)}
<form method="post" action="/account/password" class="manage" novalidate>
${csrfField(ctx.csrfToken)}
${inputField(lang, { form: f, idPrefix: "pw", name: "current", label: "currentPassword", type: "password", required: true, autocomplete: "current-password" })}
${inputField(lang, { form: f, idPrefix: "pw", name: "next", label: "newPassword", type: "password", hint: "passwordRule", required: true, autocomplete: "new-password" })}
${inputField(lang, { form: f, idPrefix: "pw", name: "confirm", label: "confirmPassword", type: "password", required: true, autocomplete: "new-password" })}
<p><button type="submit">${t(lang, "changePassword")}</button></p>
</form>`,
  );
}
