/**
 * Tables of the annex versions (migration `2026-12-11-annex-versions`, Charte art. 8): the profile of
 * each charter version's annex (a column of `charter_versions`), drafted profiles kept as data, the
 * consultations the agency opens on a proposed version, and each signatory's answer. Dates are ISO
 * strings. Only src/annex reads and writes them (the registry reads `charter_versions.profile`).
 */
import type { Generated } from "kysely";

/** A drafted annex profile (audit/profiles/profile.ts), as the agency wrote it: validated JSON. */
export interface AnnexProfileTable {
  id: string;
  title: string;
  /** The profile as JSON text (annex/profile-schema.ts validated it before it was written). */
  body: string;
  created_at: string;
  created_by: string;
}

/** Art. 8: the agency first sends the modified annex to each signatory for its consent. */
export interface AnnexConsultationTable {
  id: Generated<number>;
  /** The charter version the annex would become ("2026"). */
  version: string;
  title: string;
  profile_id: string;
  opened_at: string;
  opened_by: string;
  status: "open" | "adopted" | "closed";
  /** When the agency adopted it: the new version's publication date (YYYY-MM-DD). */
  adopted_on: string | null;
  closed_at: string | null;
}

/** One organisation's answer to a consultation (the latest one counts; answering again replaces it). */
export interface AnnexAnswerTable {
  consultation_id: number;
  organisation_id: number;
  answer: "consent" | "objection";
  comment: string;
  answered_at: string;
  answered_by: string;
}

export interface AnnexTables {
  annex_profiles: AnnexProfileTable;
  annex_consultations: AnnexConsultationTable;
  annex_answers: AnnexAnswerTable;
}
