/**
 * Annex versions in storage, as every storage engine must keep them (charter art. 8): run on SQLite
 * (test/unit/annex/annex-cli.test.ts) and PostgreSQL (test/interop/annex-postgres.test.ts). A domain
 * is judged under its signatory's version; a drafted profile never changes under its id; a
 * consultation records each signatory's latest answer and its adoption makes the new version with
 * its profile.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { AnnexStore } from "../../src/annex/annex-store.js";
import { Registry } from "../../src/registry/repository.js";
import type { Store } from "../../src/store/database.js";

const proposedFile = join(import.meta.dirname, "..", "fixtures", "annex", "tls12-ecdhe-25.json");
const t0 = Date.parse("2026-12-01T10:00:00.000Z");

/** `store` gives an empty store, opened for the test and closed after it by the caller. */
export function annexStoreContract(store: () => Store): void {
  it("a domain is judged under its signatory's version; a consultation ends in a new version with its profile", async () => {
    const registry = await Registry.open(store());
    await registry.import([
      {
        name: "Alpha",
        contact: "pm@alpha.example",
        adhesionDate: "2026-01-01",
        domains: [{ domain: "alpha.example", mx: ["mx.alpha.example"] }],
      },
      { name: "Beta", contact: "pm@beta.example", adhesionDate: "2026-01-01", domains: [] },
    ]);
    const annex = await AnnexStore.open(store());
    expect((await annex.annexOfDomain("alpha.example"))?.profile.id).toBe("charter-2015");
    expect(await annex.annexOfDomain("other.example")).toBeNull();
    const body = JSON.parse(readFileSync(proposedFile, "utf8"));
    await annex.saveProfile(body, "agency@x", t0);
    await annex.saveProfile(body, "agency@x", t0 + 1); // the same again: a no-op
    await expect(annex.saveProfile({ ...body, title: "changed" }, "agency@x", t0)).rejects.toThrow(
      /never changes under its id/,
    );
    await expect(annex.saveProfile({ ...body, id: "charter-2015" }, "agency@x", t0)).rejects.toThrow(
      /built-in/,
    );
    await expect(annex.saveProfile({ ...body, rules: [] }, "a", t0)).rejects.toThrow(/rules: Too small/);

    const c = await annex.openConsultation(
      { version: "2026", title: "Annexe 2026", profile: "charter-2026-draft" },
      "agency@x",
      t0,
    );
    await expect(
      annex.openConsultation({ version: "2026", title: "again", profile: "charter-2026-draft" }, "a", t0),
    ).rejects.toThrow(/exists/);
    await expect(
      annex.openConsultation({ version: "2015", title: "x", profile: "charter-2026-draft" }, "a", t0),
    ).rejects.toThrow(/exists already/);
    await expect(
      annex.openConsultation({ version: "2027", title: "x", profile: "anssi-tls-2020" }, "a", t0),
    ).rejects.toThrow(/cannot be an annex/);
    await expect(
      annex.openConsultation({ version: "2027", title: "x", profile: "nope" }, "a", t0),
    ).rejects.toThrow(/neither built in nor drafted/);
    const alphaId = (await registry.organisationId("Alpha")) as number;
    await annex.answer(c.id, alphaId, { answer: "objection", comment: "trop tôt" }, "op@alpha", t0 + 5);
    await annex.answer(c.id, alphaId, { answer: "consent", comment: "d'accord" }, "op@alpha", t0 + 6);
    const record = await annex.record(c.id, "2026-12-01");
    expect(record?.counts).toEqual({ consent: 1, objection: 0, pending: 1 });
    expect(
      record?.signatories.map((s) => [s.organisation, s.answer?.answer ?? null, s.answer?.comment ?? null]),
    ).toEqual([
      ["Alpha", "consent", "d'accord"],
      ["Beta", null, null],
    ]);
    await expect(annex.adopt(c.id, "2026-13-01", t0)).rejects.toThrow(/not a date/);
    expect(await annex.adopt(c.id, "2026-12-15", t0 + 10)).toEqual({
      version: "2026",
      published: "2026-12-15",
      title: "Annexe 2026",
      profile: "charter-2026-draft",
    });
    await expect(annex.answer(c.id, alphaId, { answer: "consent", comment: "" }, "op", t0)).rejects.toThrow(
      /adopted/,
    );
    expect((await annex.versions()).map((v) => [v.version, v.profile])).toEqual([
      ["2015", "charter-2015"],
      ["2026", "charter-2026-draft"],
    ]);
    // Accepting the new version moves the signatory's audits to its annex.
    await registry.edit("Alpha", { charterVersion: "2026" });
    expect(await annex.annexOfDomain("alpha.example")).toMatchObject({ version: "2026", from: "registry" });
    expect((await annex.annexOfDomain("alpha.example"))?.profile.measures?.["mx.key-exchange"]).toEqual([
      "ecdhe-only",
    ]);
  });

  it("answers, adoption and closure at once: one answer per organisation, the consultation decided once", async () => {
    const registry = await Registry.open(store());
    await registry.import([
      { name: "Alpha", contact: "pm@alpha.example", adhesionDate: "2026-01-01", domains: [] },
      { name: "Beta", contact: "pm@beta.example", adhesionDate: "2026-01-01", domains: [] },
    ]);
    const annex = await AnnexStore.open(store());
    await annex.saveProfile(JSON.parse(readFileSync(proposedFile, "utf8")), "agency@x", t0);
    const c = await annex.openConsultation(
      { version: "2027", title: "Annexe 2027", profile: "charter-2026-draft" },
      "agency@x",
      t0,
    );
    const alpha = (await registry.organisationId("Alpha")) as number;
    const beta = (await registry.organisationId("Beta")) as number;
    // Ten first answers of each organisation at once: none collides, one answer each is kept.
    const answers = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        annex.answer(
          c.id,
          i % 2 === 0 ? alpha : beta,
          { answer: i % 4 < 2 ? "consent" : "objection", comment: `answer ${i}` },
          `op${i}`,
          t0 + 100 + i,
        ),
      ),
    );
    expect(answers.filter((a) => a.status === "rejected")).toEqual([]);
    const record = await annex.record(c.id, "2026-12-01");
    expect(record?.signatories.map((s) => s.organisation)).toEqual(["Alpha", "Beta"]);
    expect((record?.counts.consent ?? 0) + (record?.counts.objection ?? 0)).toBe(2);
    for (const s of record?.signatories ?? []) expect(s.answer?.comment).toMatch(/^answer \d+$/);

    // Adopted and closed at once, with answers still arriving: decided once, no answer after it.
    const [adopted, closed, late] = await Promise.allSettled([
      annex.adopt(c.id, "2027-01-15", t0 + 200),
      annex.close(c.id, t0 + 200),
      annex.answer(c.id, alpha, { answer: "objection", comment: "late" }, "op", t0 + 200),
    ]);
    expect([adopted.status, closed.status].sort()).toEqual(["fulfilled", "rejected"]);
    const refusal =
      adopted.status === "rejected" ? adopted.reason : closed.status === "rejected" ? closed.reason : null;
    expect(String(refusal)).toMatch(/already/);
    const decided = await annex.consultation(c.id);
    expect(decided?.status).toBe(adopted.status === "fulfilled" ? "adopted" : "closed");
    expect((await annex.versions()).some((v) => v.version === "2027")).toBe(adopted.status === "fulfilled");
    // The late answer came before the decision, or was refused after it; never a database error.
    if (late.status === "rejected") expect(String(late.reason)).toMatch(/no more answers/);
    await expect(
      annex.answer(c.id, beta, { answer: "consent", comment: "" }, "op", t0 + 300),
    ).rejects.toThrow(/no more answers/);
  });
}
