/** Registry behaviour every storage engine must show: run on SQLite (unit) and PostgreSQL (interop). */
import { describe, expect, it } from "vitest";
import { Registry } from "../../src/registry/repository.js";
import type { Store } from "../../src/store/database.js";
import { alphaInput as alpha, bravoInput as bravo, signatories } from "./registry-fixture.js";

export function registryContract(store: () => Store): void {
  describe(`registry contract`, () => {
    it("adds organisations with normalised domains and patterns", async () => {
      const registry = await Registry.open(store());
      await registry.import(signatories);
      const list = await registry.list();
      expect(list.map((s) => s.name)).toEqual(["Alpha Mail", "Bravo Télécom", "Charlie"]);
      expect(list[0]?.domains.map((d) => d.domain)).toEqual(["alpha-corp.example", "alpha.example"]);
      expect(list[0]?.domains[0]?.mx).toEqual(["*.alpha.example"]);
    });

    it("refuses bad input with a clear error and writes nothing", async () => {
      const registry = await Registry.open(store());
      await expect(
        registry.import([
          alpha,
          {
            name: "Broken",
            contact: "not-an-email",
            adhesionDate: "2026-13-01",
            domains: [{ domain: "bad..example", mx: ["mx..x"] }],
          },
        ]),
      ).rejects.toThrow(/entry 2: invalid organisation: .*contact.*adhesionDate/s);
      expect(await registry.count()).toBe(0);
    });

    it("refuses a domain that already belongs to another organisation, without a partial write", async () => {
      const registry = await Registry.open(store());
      await registry.add(alpha);
      await expect(
        registry.add({
          name: "Thief",
          contact: "t@thief.example",
          adhesionDate: "2026-02-01",
          domains: [
            { domain: "bravo.example", mx: ["mx.bravo.example"] },
            { domain: "alpha.example", mx: ["mx.x.example"] },
          ],
        }),
      ).rejects.toThrow(/alpha.example already belongs to "Alpha Mail"/);
      expect((await registry.list()).map((s) => s.name)).toEqual(["Alpha Mail"]);
    });

    it("edits, adds a domain, withdraws with coherent dates", async () => {
      const registry = await Registry.open(store());
      await registry.add(bravo);
      await registry.edit("Bravo Télécom", { contact: "postmaster@bravo.example" });
      await registry.addDomain("Bravo Télécom", { domain: "bravo2.example", mx: ["mx.bravo2.example"] });
      await expect(registry.withdraw("Bravo Télécom", "2026-01-01")).rejects.toThrow(/precede the adhesion/);
      await registry.withdraw("Bravo Télécom", "2026-09-15");
      const [stored] = await registry.list();
      expect(stored?.contact).toBe("postmaster@bravo.example");
      expect(stored?.domains).toHaveLength(2);
      expect(stored?.withdrawalEffectiveDate).toBe("2026-12-15");
      await expect(registry.edit("Nobody", { contact: "a@b.example" })).rejects.toThrow(/no organisation/);
      await expect(registry.edit("Bravo Télécom", { charterVersion: "2099" })).rejects.toThrow(
        /charter version/,
      );
    });

    it("keeps charter versions (art. 8)", async () => {
      const registry = await Registry.open(store());
      await registry.addCharterVersion("2027", "2027-01-01", "Annexe révisée");
      await registry.add({ ...bravo, charterVersion: "2027" });
      expect((await registry.list())[0]?.charterVersion).toBe("2027");
    });
  });
}
