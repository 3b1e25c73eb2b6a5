/** The measure registry and the evidence catalogue: one measure per identifier, every code in both languages. */
import { describe, expect, it } from "vitest";
import { evidenceCodes, phrase } from "../../../src/audit/findings/phrases.js";
import { measureRegistry, measures } from "../../../src/audit/measures/registry.js";
import { evidenceSchema } from "../../../src/audit/report/schema.js";

describe("measure registry", () => {
  it("maps each identifier to the measure of that identifier, each listed once", () => {
    for (const [id, measure] of Object.entries(measureRegistry)) expect(measure.id).toBe(id);
    const ids = measures.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(23);
  });
  it("the 15 charter measures are the annex's, the others beside the verdict", () => {
    expect(measures.filter((m) => m.charter).map((m) => m.id)).toEqual([
      "access.tls",
      "access.certificate",
      "access.pfs",
      "access.tls-parameters",
      "access.implicit-tls",
      "access.starttls",
      "webmail.https",
      "webmail.session",
      "mx.starttls",
      "mx.tls-version",
      "mx.cipher",
      "mx.key-exchange",
      "mx.hash",
      "mx.certificate",
      "mx.territory",
    ]);
  });
});

describe("evidence catalogue", () => {
  const sample = {
    step: "handshake",
    reason: "timeout",
    message: "m",
    what: "forward-secret",
    records: ["r"],
    mx: ["mx.example.org"],
    good: "AES",
    bad: "3DES/RC4",
    order: "server",
    redirected: true,
  };
  it("every code reads in French and in English, and the French is not the English", () => {
    const same: string[] = [];
    for (const code of evidenceCodes) {
      const en = phrase(code, sample, "en");
      const fr = phrase(code, sample, "fr");
      expect(en.length, code).toBeGreaterThan(0);
      expect(fr.length, code).toBeGreaterThan(0);
      if (en === fr) same.push(code);
    }
    // Only sentences made of the quoted values alone, or of technical words, are the same.
    expect(same.sort()).toEqual(["rule.key", "sts.policy", "sts.record", "tlsrpt.record"]);
  });
  it("every code is one the report schema accepts, and reads even without its values", () => {
    for (const code of evidenceCodes) {
      expect(phrase(code, {}, "fr").length, code).toBeGreaterThan(0);
      const e = { status: "pass", code, values: {}, observed: phrase(code, {}, "en") };
      expect(evidenceSchema.safeParse(e).success, code).toBe(true);
    }
  });
  it("the words around a value agree with it (no 'no a forward-secret suite')", () => {
    expect(phrase("rule.suite-required-missing", { what: "forward-secret" }, "en")).toBe(
      "no forward-secret suite accepted",
    );
    expect(phrase("rule.suite-required-missing", { what: "forward-secret" }, "fr")).toBe(
      "aucune suite à confidentialité persistante acceptée",
    );
    expect(phrase("probe.unreached", { step: "connect", reason: "timeout", message: "x" }, "fr")).toBe(
      "injoignable : connexion, délai dépassé — x",
    );
  });
});
