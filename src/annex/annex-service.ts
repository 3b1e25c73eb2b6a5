/**
 * The annex versions as one object for the service's doors (pages, API): the store of profiles,
 * versions and consultations, and the impact of a profile from the stored audits (no probing).
 */
import type { Store } from "../store/database.js";
import { AnnexError, AnnexStore, notAnAnnex } from "./annex-store.js";
import { annexImpact, type ImpactReport } from "./impact.js";
import { impactInputs } from "./impact-input.js";

export interface AnnexService {
  readonly store: AnnexStore;
  /** The impact of profile `profileId` (built in or drafted) on the signatories in force on `at`. */
  impact(profileId: string, at: string, now: Date): Promise<ImpactReport>;
}

export async function openAnnexService(store: Store): Promise<AnnexService> {
  const annex = await AnnexStore.open(store);
  return {
    store: annex,
    async impact(profileId, at, now) {
      const found = await annex.profile(profileId);
      if (!found) throw new AnnexError("not_found", `no profile ${profileId}`);
      if (!found.profile.measures) throw new AnnexError("invalid", notAnAnnex(profileId));
      return annexImpact(await impactInputs(store, at), found.profile, now.toISOString());
    },
  };
}
