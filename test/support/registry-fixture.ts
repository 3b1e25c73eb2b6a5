/** Three signatories for registry and policy tests. */
import type { OrganisationInput } from "../../src/registry/model.js";

export const alphaInput: OrganisationInput = {
  name: "Alpha Mail",
  contact: "postmaster@alpha.example",
  adhesionDate: "2026-01-15",
  domains: [
    { domain: "alpha.example", mx: ["mx1.alpha.example", "mx2.alpha.example"] },
    { domain: "Alpha-Corp.EXAMPLE.", mx: ["*.alpha.example"] },
  ],
};

export const bravoInput: OrganisationInput = {
  name: "Bravo Télécom",
  contact: "noc@bravo.example",
  adhesionDate: "2026-06-01",
  domains: [{ domain: "bravo.example", mx: ["*.mail.bravo.example"] }],
};

export const charlieInput: OrganisationInput = {
  name: "Charlie",
  contact: "admin@charlie.example",
  adhesionDate: "2025-03-31",
  withdrawalNoticeDate: "2026-03-31",
  domains: [{ domain: "charlie.example", mx: ["mx.charlie.example"] }],
};

export const signatories: OrganisationInput[] = [alphaInput, bravoInput, charlieInput];
