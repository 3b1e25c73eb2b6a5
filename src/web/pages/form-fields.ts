/**
 * Form fields of the management pages, accessible without script: every input has its label, a
 * refused field says why right under it (aria-describedby, aria-invalid), and the form's own error
 * comes first as an alert. Messages that are catalogue keys are translated, others shown as they are.
 */
import type { FormState } from "../forms/form-state.js";
import { isMessageKey, type Lang, type MessageKey, t } from "../i18n.js";
import { html, type SafeHtml } from "./html.js";

/**
 * A message of a form: a catalogue key in the page's language, with its arguments after "|" in the
 * places {1}, {2}… ("errDomainLine|2|mx..example"), or the application's own sentence.
 */
export function message(lang: Lang, text: string): string {
  const [key = "", ...parts] = text.split("|");
  if (!isMessageKey(key)) return text;
  // An argument that is a key starts a message of its own, the last argument ("Line 2: <why>").
  const nested = parts.findIndex(isMessageKey);
  const args = nested < 0 ? parts : [...parts.slice(0, nested), message(lang, parts.slice(nested).join("|"))];
  return args.reduce((out, arg, i) => out.replaceAll(`{${i + 1}}`, arg), t(lang, key));
}

/** A message key with its arguments, for `message`. */
export const withArgs = (key: MessageKey, ...args: readonly (string | number)[]): string =>
  [key, ...args.map((a) => String(a).replaceAll("|", "/"))].join("|");

/** A message key whose last argument is another message (built by `withArgs`). */
export const around = (key: MessageKey, arg: string | number, inner: string): string =>
  [key, String(arg).replaceAll("|", "/"), inner].join("|");

export interface FieldOptions {
  readonly form: FormState;
  /** The id prefix, so two forms of one page never share an id. */
  readonly idPrefix: string;
  readonly name: string;
  readonly label: MessageKey;
  readonly type?: "text" | "email" | "date" | "password" | "number";
  readonly hint?: MessageKey;
  readonly required?: boolean;
  readonly autocomplete?: string;
  /** The value shown when the form was not submitted yet. */
  readonly initial?: string;
}

function describedBy(id: string, hint: boolean, error: boolean): SafeHtml | null {
  const ids = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return ids ? html` aria-describedby="${ids}"` : null;
}

function help(lang: Lang, id: string, hint: MessageKey | undefined, error: string | undefined): SafeHtml {
  return html`${hint ? html`<small id="${id}-hint" class="hint">${t(lang, hint)}</small>` : null}${error ? html`<small id="${id}-error" class="field-error">${message(lang, error)}</small>` : null}`;
}

export function inputField(lang: Lang, o: FieldOptions): SafeHtml {
  const id = `${o.idPrefix}-${o.name}`;
  const error = o.form.errors[o.name];
  const value = o.form.values[o.name] ?? o.initial ?? "";
  return html`<p class="field"><label for="${id}">${t(lang, o.label)}</label>
<input id="${id}" name="${o.name}" type="${o.type ?? "text"}" value="${o.type === "password" ? "" : value}"${o.required ? html` required` : null}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : null}${error ? html` aria-invalid="true"` : null}${describedBy(id, Boolean(o.hint), Boolean(error))}>
${help(lang, id, o.hint, error)}</p>`;
}

export function textareaField(lang: Lang, o: FieldOptions & { readonly rows?: number }): SafeHtml {
  const id = `${o.idPrefix}-${o.name}`;
  const error = o.form.errors[o.name];
  const value = o.form.values[o.name] ?? o.initial ?? "";
  return html`<p class="field"><label for="${id}">${t(lang, o.label)}</label>
<textarea id="${id}" name="${o.name}" rows="${o.rows ?? 4}"${o.required ? html` required` : null}${error ? html` aria-invalid="true"` : null}${describedBy(id, Boolean(o.hint), Boolean(error))}>${value}</textarea>
${help(lang, id, o.hint, error)}</p>`;
}

export function selectField(
  lang: Lang,
  o: FieldOptions & { readonly options: readonly { readonly value: string; readonly label: string }[] },
): SafeHtml {
  const id = `${o.idPrefix}-${o.name}`;
  const error = o.form.errors[o.name];
  const value = o.form.values[o.name] ?? o.initial ?? "";
  return html`<p class="field"><label for="${id}">${t(lang, o.label)}</label>
<select id="${id}" name="${o.name}"${o.required ? html` required` : null}${error ? html` aria-invalid="true"` : null}${describedBy(id, Boolean(o.hint), Boolean(error))}>
${o.options.map((option) => html`<option value="${option.value}"${option.value === value ? html` selected` : null}>${option.label}</option>`)}
</select>
${help(lang, id, o.hint, error)}</p>`;
}

/** The form's own error (not tied to a field), as an alert at its top. */
export function formError(lang: Lang, form: FormState): SafeHtml | null {
  const error = form.errors[""];
  return error ? html`<p class="notice error" role="alert">${message(lang, error)}</p>` : null;
}

/** A short summary when fields were refused, so a screen reader hears it first. */
export function errorSummary(lang: Lang, form: FormState): SafeHtml | null {
  const fields = Object.keys(form.errors).filter((k) => k !== "");
  if (fields.length === 0) return formError(lang, form);
  return html`${formError(lang, form)}<p class="notice error" role="alert">${t(lang, "formHasErrors")}</p>`;
}

export const csrfField = (token: string | null): SafeHtml =>
  html`<input type="hidden" name="_csrf" value="${token ?? ""}">`;
