/** Charter art. 4.4 table of one signatory from the store: configured (policy) and observed (figures). */
import { art44Table } from "../../policy/generate.js";
import type { Signatory } from "../../registry/model.js";
import { Registry } from "../../registry/repository.js";
import type { Store } from "../../store/database.js";
import { type Art44Evidence, art44Evidence } from "./art44-evidence.js";
import { partyDirectory } from "./directory.js";
import { linkFigures } from "./link-figures.js";

export async function art44Report(
  store: Store,
  self: Signatory,
  all: readonly Signatory[],
  at: string,
): Promise<Art44Evidence[]> {
  const entries = await (await Registry.open(store)).entries();
  const directory = partyDirectory(entries);
  const ids = new Map(entries.map((e) => [e.signatory.name, e.id]));
  const selfId = ids.get(self.name);
  if (selfId === undefined) return [];
  const rows = await linkFigures(store, directory, { from: "0000-01-01", to: at, organisationId: selfId });
  return art44Evidence(art44Table(self, all, at), ids, rows, selfId, at);
}
