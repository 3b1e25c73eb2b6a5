/**
 * A submitted form as the pages handle it: the values typed (to show them again) and one message per
 * field that was refused, plus one for the form as a whole (a registry refusal, a conflict). Pure.
 * Messages are catalogue keys when the page can translate them, else the application's own text.
 */
import type { z } from "zod";

export interface FormState {
  readonly values: Readonly<Record<string, string>>;
  /** Field name → message (a catalogue key, or a sentence); "" is the form's own message. */
  readonly errors: Readonly<Record<string, string>>;
}

export const emptyForm: FormState = { values: {}, errors: {} };

/** What a url-encoded body holds, as strings: a field sent twice keeps its first value; the CSRF field is left out. */
export function formValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof body !== "object" || body === null) return out;
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === "_csrf") continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (typeof first === "string") out[name] = first;
  }
  return out;
}

/** One message per field (the first issue of each), from a zod error. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : "";
    errors[field] ??= issue.message;
  }
  return errors;
}

export type Parsed<T> =
  | { readonly ok: true; readonly data: T }
  | { readonly ok: false; readonly form: FormState };

/** Validates a form's values with its schema: the data, or the form to show again with its errors. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): Parsed<z.output<S>> {
  const values = formValues(body);
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, form: { values, errors: fieldErrors(parsed.error) } };
}
