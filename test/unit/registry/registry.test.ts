/** The registry on SQLite (the same tests run on PostgreSQL in the interop suite). */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addMonths, inForceAt } from "../../../src/registry/model.js";
import { Registry } from "../../../src/registry/repository.js";
import { openStore, type Store } from "../../../src/store/database.js";
import { registryContract } from "../../support/registry-contract.js";
import { signatories } from "../../support/registry-fixture.js";

let store: Store;
beforeEach(async () => {
  store = await openStore(":memory:");
});
afterEach(async () => {
  await store.close();
});

registryContract(() => store);

describe("registry model", () => {
  it("withdrawal takes effect three months after notice, at month ends too", () => {
    expect(addMonths("2026-03-31", 3)).toBe("2026-06-30");
    expect(addMonths("2026-11-30", 3)).toBe("2027-02-28");
  });
  it("in force from adhesion to effective withdrawal", async () => {
    const registry = await Registry.open(store);
    await registry.import(signatories);
    const charlie = (await registry.list()).find((s) => s.name === "Charlie");
    expect(charlie?.withdrawalEffectiveDate).toBe("2026-06-30");
    expect(charlie && inForceAt(charlie, "2026-06-29")).toBe(true);
    expect(charlie && inForceAt(charlie, "2026-06-30")).toBe(false);
    expect(charlie && inForceAt(charlie, "2025-03-30")).toBe(false);
  });
});
