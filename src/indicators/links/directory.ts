/** The party directory (parties.ts) of the registry's organisations, domains and MX patterns. */
import type { RegistryEntry } from "../../registry/repository.js";
import type { PartyDirectory } from "./parties.js";

export function partyDirectory(entries: readonly RegistryEntry[]): PartyDirectory {
  const domains = new Map<string, number>();
  const mxPatterns: { pattern: string; organisationId: number }[] = [];
  const names = new Map<number, string>();
  for (const e of entries) {
    names.set(e.id, e.signatory.name);
    for (const d of e.domains) {
      domains.set(d.domain.toLowerCase(), e.id);
      for (const pattern of d.mx) mxPatterns.push({ pattern, organisationId: e.id });
    }
  }
  return { domains, mxPatterns, names };
}
