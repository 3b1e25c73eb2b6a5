/**
 * mx.territory — charter annex §2.1: every MX address is located in the configured territory, with
 * the source of the location. An address no source locates is `error`, never `pass`; the evidence
 * says how to give its location (`--geo-file`).
 */
import { finding } from "../findings/evidence.js";
import { at, reachOrError } from "./endpoint-evidence.js";
import type { Measure } from "./measure.js";
import { mxJudgement } from "./mx-endpoints.js";

export const mxTerritory: Measure = {
  id: "mx.territory",
  ref: "§2.1",
  charter: true,
  title: { fr: "Localisation des MX sur le territoire", en: "MX hosts located in the territory" },
  judge(facts) {
    const { territory } = facts;
    const addresses = [
      ...new Map(facts.mxEndpoints.filter((e) => e.address).map((e) => [e.address, e])).values(),
    ];
    const evidence = addresses.map((e) => {
      const found = territory.locate(e.address ?? "");
      if (!found.country) return at(e, finding("error", "territory.unknown", { source: found.source }));
      const inside = territory.countries.includes(found.country);
      return inside
        ? at(e, finding("pass", "territory.inside", { country: found.country, source: found.source }))
        : at(
            e,
            finding("fail", "territory.outside", {
              country: found.country,
              countries: territory.countries,
              source: found.source,
            }),
          );
    });
    // A host whose addresses could not be resolved has no location to judge: undetermined.
    const unresolved = facts.mxEndpoints.flatMap((e) => (e.address ? [] : [reachOrError(e) ?? []].flat()));
    return mxJudgement(facts, [...unresolved, ...evidence]);
  },
};
