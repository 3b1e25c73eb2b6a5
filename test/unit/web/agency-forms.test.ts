/** The management forms' pure parts: values and errors of a form, domain lines, messages, states. */
import { describe, expect, it } from "vitest";
import { organisationState } from "../../../src/web/app/registry-views.js";
import { formValues, parseForm } from "../../../src/web/forms/form-state.js";
import {
  adhesionForm,
  domainForm,
  parseDomainLine,
  withdrawalForm,
} from "../../../src/web/forms/registry-forms.js";
import { inputField, message, withArgs } from "../../../src/web/pages/form-fields.js";

describe("form state", () => {
  it("keeps strings, the first of repeated fields, and drops the CSRF field", () => {
    expect(formValues({ a: "1", b: ["2", "3"], _csrf: "x", c: 4, d: null })).toEqual({ a: "1", b: "2" });
    expect(formValues(undefined)).toEqual({});
  });

  it("gives one message per refused field and the values typed", () => {
    const parsed = parseForm(adhesionForm, {
      name: " ",
      contact: "x",
      adhesionDate: "2026-13-01",
      charterVersion: "2015",
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.form.errors).toEqual({ name: "errRequired", contact: "errEmail", adhesionDate: "errDate" });
    expect(parsed.form.values.contact).toBe("x");
  });

  it("accepts a full adhesion and normalises its domains", () => {
    const parsed = parseForm(adhesionForm, {
      name: " Z ",
      contact: "NOC@z.example",
      adhesionDate: "2026-11-01",
      charterVersion: "2015",
      domains: "Z.example.: MX1.z.example, *.mail.z.example\n\n  zz.example   mx.zz.example ",
    });
    expect(parsed).toEqual({
      ok: true,
      data: {
        name: "Z",
        contact: "NOC@z.example",
        adhesionDate: "2026-11-01",
        charterVersion: "2015",
        domains: [
          { domain: "z.example", mx: ["mx1.z.example", "*.mail.z.example"] },
          { domain: "zz.example", mx: ["mx.zz.example"] },
        ],
      },
    });
  });

  it("a domain line: refused domain, missing MX, bad pattern, twice", () => {
    expect(parseDomainLine("bad_domain mx.example")).toEqual({ error: "errDomainName|bad_domain" });
    expect(parseDomainLine("a.example")).toEqual({ error: "errNoMx|a.example" });
    expect(parseDomainLine("a.example: *.*.a.example")).toEqual({ error: "errMxPattern|*.*.a.example" });
    const twice = parseForm(adhesionForm, {
      name: "Z",
      contact: "a@z.example",
      adhesionDate: "2026-11-01",
      charterVersion: "2015",
      domains: "a.example mx.a.example\nA.example mx2.a.example",
    });
    expect(twice.ok ? null : twice.form.errors.domains).toBe("errDomainTwice|a.example");
  });

  it("the add-domain form puts a bad name on the domain field, a bad pattern on the MX field", () => {
    const name = parseForm(domainForm, { domain: "-x", mx: "mx.x.example" });
    expect(name.ok ? null : name.form.errors).toEqual({ domain: "errDomainName|-x" });
    const mx = parseForm(domainForm, { domain: "x.example", mx: "a..b" });
    expect(mx.ok ? null : mx.form.errors).toEqual({ mx: "errMxPattern|a..b" });
  });

  it("the withdrawal form's replace box", () => {
    expect(parseForm(withdrawalForm, { noticeDate: "2026-11-30" })).toEqual({
      ok: true,
      data: { noticeDate: "2026-11-30", replace: false },
    });
    expect(parseForm(withdrawalForm, { noticeDate: "2026-11-30", replace: "1" })).toMatchObject({
      data: { replace: true },
    });
  });
});

describe("messages", () => {
  it("translates keys with their arguments, nested, and leaves other sentences alone", () => {
    expect(message("en", "errOnLine|2|errDomainName|x_y")).toBe("Line 2: “x_y” is not a domain name.");
    expect(message("fr", "errOnLine|2|errDomainName|x_y")).toBe(
      "Ligne 2 : « x_y » n'est pas un nom de domaine.",
    );
    expect(message("en", 'organisation "X" already exists')).toBe('organisation "X" already exists');
    expect(withArgs("errDomainName", "a|b")).toBe("errDomainName|a/b");
  });

  it("a field refused carries its label, its message and aria links; values are escaped", () => {
    const field = inputField("en", {
      form: { values: { contact: '"><script>' }, errors: { contact: "errEmail" } },
      idPrefix: "t",
      name: "contact",
      label: "contact",
      type: "email",
      hint: "contactHint",
    }).value;
    expect(field).toContain('<label for="t-contact">Contact</label>');
    expect(field).toContain('aria-invalid="true" aria-describedby="t-contact-hint t-contact-error"');
    expect(field).toContain("&quot;&gt;&lt;script&gt;");
    expect(field).not.toContain("<script>");
  });
});

describe("organisation state", () => {
  const o = (adhesionDate: string, withdrawalEffectiveDate: string | null) => ({
    adhesionDate,
    withdrawalEffectiveDate,
  });
  it.each([
    [o("2026-01-01", null), "2025-12-31", "not_yet"],
    [o("2026-01-01", null), "2026-01-01", "in_force"],
    [o("2026-01-01", "2026-06-01"), "2026-05-31", "notice_given"],
    [o("2026-01-01", "2026-06-01"), "2026-06-01", "withdrawn"],
  ] as const)("%o on %s: %s", (org, date, state) => {
    expect(organisationState(org, date)).toBe(state);
  });
});
