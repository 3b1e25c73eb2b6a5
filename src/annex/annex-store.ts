/**
 * The annex versions in storage (Charte art. 8): drafted profiles kept as data, the profile of each
 * charter version, the consultations the agency opens on a proposed version and each signatory's
 * answer, and the adoption that makes the proposal a charter version with its date (published as
 * art. 7 says: the registry's versions, the published pages). Every write is one transaction; input
 * errors are `AnnexError`s naming what is wrong, and write nothing.
 */
import type { Transaction } from "kysely";
import type { AnnexChoice } from "../audit/audit.js";
import type { Profile } from "../audit/profiles/profile.js";
import { profiles as builtIn } from "../audit/profiles/profiles.js";
import { MailcharterError } from "../core/errors.js";
import { inForceAt, isoDate, withWithdrawal } from "../registry/model.js";
import type { AnnexConsultationTable } from "../store/annex-tables.js";
import type { Database, Store } from "../store/database.js";
import { migrate } from "../store/migrations.js";
import { parseProfile } from "./profile-schema.js";

/** Why an annex operation was refused: `not_found` (404), `conflict` (409) or `invalid` (400). */
export class AnnexError extends MailcharterError {
  constructor(
    readonly reason: "not_found" | "conflict" | "invalid",
    message: string,
  ) {
    super("usage", message);
    this.name = "AnnexError";
  }
}

export interface CharterVersion {
  readonly version: string;
  readonly published: string;
  readonly title: string;
  readonly profile: string;
}

export interface StoredProfile {
  readonly profile: Profile;
  /** built-in: one of audit/profiles/profiles.ts; drafted: written by the agency, kept here. */
  readonly origin: "built-in" | "drafted";
  readonly createdAt: string | null;
  readonly createdBy: string | null;
}

export type ConsultationStatus = AnnexConsultationTable["status"];
export type Answer = "consent" | "objection";

export interface Consultation {
  readonly id: number;
  readonly version: string;
  readonly title: string;
  readonly profile: string;
  readonly openedAt: string;
  readonly openedBy: string;
  readonly status: ConsultationStatus;
  readonly adoptedOn: string | null;
  readonly closedAt: string | null;
}

export interface ConsultationAnswer {
  readonly organisationId: number;
  readonly organisation: string;
  readonly answer: Answer;
  readonly comment: string;
  readonly answeredAt: string;
  readonly answeredBy: string;
}

/** A consultation with every signatory in force, answered or not (the page's "who has answered"). */
export interface ConsultationRecord {
  readonly consultation: Consultation;
  readonly signatories: readonly {
    readonly organisationId: number;
    readonly organisation: string;
    readonly acceptedVersion: string;
    readonly answer: ConsultationAnswer | null;
  }[];
  readonly counts: { readonly consent: number; readonly objection: number; readonly pending: number };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A profile without `measures` judges no charter measure: as an annex it would pass everything. */
export const notAnAnnex = (id: string) =>
  `profile "${id}" names no rules for the charter measures ("measures"): it cannot be an annex`;
const versionName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

function consultationOf(row: {
  id: number;
  version: string;
  title: string;
  profile_id: string;
  opened_at: string;
  opened_by: string;
  status: ConsultationStatus;
  adopted_on: string | null;
  closed_at: string | null;
}): Consultation {
  return {
    id: Number(row.id),
    version: row.version,
    title: row.title,
    profile: row.profile_id,
    openedAt: row.opened_at,
    openedBy: row.opened_by,
    status: row.status,
    adoptedOn: row.adopted_on,
    closedAt: row.closed_at,
  };
}

/**
 * Takes the consultation's row for the transaction if it is open (a write that changes nothing: on
 * PostgreSQL it waits for, and then sees, a concurrent adoption, closure or answer; SQLite's write
 * transactions are one at a time anyway). False when it is not open, or not there.
 */
async function holdOpen(trx: Transaction<Database>, id: number): Promise<boolean> {
  const held = await trx
    .updateTable("annex_consultations")
    .set({ status: "open" })
    .where("id", "=", id)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(held.numUpdatedRows) === 1;
}

export class AnnexStore {
  private constructor(private readonly store: Store) {}

  static async open(store: Store): Promise<AnnexStore> {
    await migrate(store.db as never, store.engine);
    return new AnnexStore(store);
  }

  private get db() {
    return this.store.db;
  }

  /** A profile by id: a built-in one, or one the agency drafted. */
  async profile(id: string): Promise<StoredProfile | null> {
    const known = builtIn.find((p) => p.id === id);
    if (known) return { profile: known, origin: "built-in", createdAt: null, createdBy: null };
    const row = await this.db
      .selectFrom("annex_profiles")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) return null;
    const parsed = parseProfile(JSON.parse(row.body));
    // Written only after validation: a stored profile that no longer parses is a bug (or a hand edit).
    if (!parsed.ok) throw new Error(`internal: stored profile ${id} is invalid: ${parsed.issues.join("; ")}`);
    return {
      profile: parsed.profile,
      origin: "drafted",
      createdAt: row.created_at,
      createdBy: row.created_by,
    };
  }

  /** Every profile: the built-in ones, then the drafted ones by id. */
  async profiles(): Promise<StoredProfile[]> {
    const rows = await this.db.selectFrom("annex_profiles").select("id").orderBy("id").execute();
    const drafted = await Promise.all(rows.map((r) => this.profile(r.id)));
    return [
      ...builtIn.map((p) => ({ profile: p, origin: "built-in" as const, createdAt: null, createdBy: null })),
      ...drafted.filter((p): p is StoredProfile => p !== null),
    ];
  }

  /**
   * Keeps a drafted profile (validated JSON). The same profile saved again is a no-op; another one
   * under a taken id is a conflict (a profile judged a version: it never changes under its id).
   */
  async saveProfile(data: unknown, by: string, now: number): Promise<Profile> {
    const parsed = parseProfile(data);
    if (!parsed.ok) throw new AnnexError("invalid", `invalid profile: ${parsed.issues.join("; ")}`);
    const profile = parsed.profile;
    if (builtIn.some((p) => p.id === profile.id))
      throw new AnnexError("conflict", `profile id "${profile.id}" is a built-in profile; choose another id`);
    const body = JSON.stringify(profile);
    await this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("annex_profiles")
        .select("body")
        .where("id", "=", profile.id)
        .executeTakeFirst();
      if (row && row.body !== body)
        throw new AnnexError(
          "conflict",
          `profile "${profile.id}" exists with other rules; a profile never changes under its id — give the new draft another id`,
        );
      if (!row)
        await trx
          .insertInto("annex_profiles")
          .values({ id: profile.id, title: profile.title, body, created_at: iso(now), created_by: by })
          .execute();
    });
    return profile;
  }

  /** The charter versions with the profile of their annex, oldest first. */
  async versions(): Promise<CharterVersion[]> {
    const rows = await this.db
      .selectFrom("charter_versions")
      .select(["version", "published", "title", "profile"])
      .orderBy("published")
      .orderBy("version")
      .execute();
    return rows.map((r) => ({
      version: r.version,
      published: r.published,
      title: r.title,
      profile: r.profile,
    }));
  }

  /**
   * The annex a domain is judged under: the charter version its organisation accepted, and that
   * version's profile. A domain no signatory holds is judged under the 2015 annex (`from: default`).
   */
  async annexOfDomain(domain: string): Promise<AnnexChoice | null> {
    const row = await this.db
      .selectFrom("domains")
      .innerJoin("organisations", "organisations.id", "domains.organisation_id")
      .innerJoin("charter_versions", "charter_versions.version", "organisations.charter_version")
      .select(["charter_versions.version", "charter_versions.profile"])
      .where("domains.domain", "=", domain.toLowerCase().replace(/\.$/, ""))
      .executeTakeFirst();
    if (!row) return null;
    const found = await this.profile(row.profile);
    if (!found)
      throw new AnnexError(
        "not_found",
        `charter version ${row.version} names profile "${row.profile}", which is neither built in nor drafted`,
      );
    return { version: row.version, from: "registry", profile: found.profile };
  }

  /** The annex of a charter version (its profile), or null when there is no such version. */
  async annexOfVersion(version: string): Promise<AnnexChoice | null> {
    const row = await this.db
      .selectFrom("charter_versions")
      .select(["version", "profile"])
      .where("version", "=", version)
      .executeTakeFirst();
    if (!row) return null;
    const found = await this.profile(row.profile);
    if (!found) throw new AnnexError("not_found", `charter version ${version}: no profile "${row.profile}"`);
    return { version: row.version, from: "registry", profile: found.profile };
  }

  /** Art. 8: the agency opens a consultation on a proposed version of the annex (its profile). */
  async openConsultation(
    input: { readonly version: string; readonly title: string; readonly profile: string },
    by: string,
    now: number,
  ): Promise<Consultation> {
    if (!versionName.test(input.version))
      throw new AnnexError("invalid", `version "${input.version}": letters, digits, . _ - (≤ 40)`);
    const title = input.title.trim();
    if (title.length === 0 || title.length > 500)
      throw new AnnexError("invalid", "title: 1 to 500 characters");
    const found = await this.profile(input.profile);
    if (!found) throw new AnnexError("invalid", `profile "${input.profile}" is neither built in nor drafted`);
    if (!found.profile.measures) throw new AnnexError("invalid", notAnAnnex(input.profile));
    return this.db.transaction().execute(async (trx) => {
      const taken = await trx
        .selectFrom("charter_versions")
        .select("version")
        .where("version", "=", input.version)
        .executeTakeFirst();
      if (taken) throw new AnnexError("conflict", `charter version ${input.version} exists already`);
      const other = await trx
        .selectFrom("annex_consultations")
        .select("id")
        .where("version", "=", input.version)
        .executeTakeFirst();
      if (other)
        throw new AnnexError("conflict", `a consultation on version ${input.version} exists (#${other.id})`);
      const row = await trx
        .insertInto("annex_consultations")
        .values({
          version: input.version,
          title,
          profile_id: input.profile,
          opened_at: iso(now),
          opened_by: by,
          status: "open",
          adopted_on: null,
          closed_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return consultationOf(row);
    });
  }

  async consultations(): Promise<Consultation[]> {
    const rows = await this.db
      .selectFrom("annex_consultations")
      .selectAll()
      .orderBy("opened_at", "desc")
      .orderBy("id", "desc")
      .execute();
    return rows.map(consultationOf);
  }

  async consultation(id: number): Promise<Consultation | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const row = await this.db
      .selectFrom("annex_consultations")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? consultationOf(row) : null;
  }

  /**
   * The consultation with every signatory in force on `at` (YYYY-MM-DD) and its answer, if any. An
   * organisation that answered and has since left is still listed with its answer.
   */
  async record(id: number, at: string): Promise<ConsultationRecord | null> {
    const consultation = await this.consultation(id);
    if (!consultation) return null;
    const orgs = await this.db.selectFrom("organisations").selectAll().orderBy("name").execute();
    const answers = await this.db
      .selectFrom("annex_answers")
      .selectAll()
      .where("consultation_id", "=", consultation.id)
      .execute();
    const byOrg = new Map(answers.map((a) => [Number(a.organisation_id), a]));
    const signatories = orgs
      .filter((o) => {
        const s = withWithdrawal({
          name: o.name,
          contact: o.contact,
          adhesionDate: o.adhesion_date,
          withdrawalNoticeDate: o.withdrawal_notice_date,
          charterVersion: o.charter_version,
          domains: [],
        });
        return inForceAt(s, at) || byOrg.has(Number(o.id));
      })
      .map((o) => {
        const a = byOrg.get(Number(o.id));
        return {
          organisationId: Number(o.id),
          organisation: o.name,
          acceptedVersion: o.charter_version,
          answer: a
            ? {
                organisationId: Number(o.id),
                organisation: o.name,
                answer: a.answer,
                comment: a.comment,
                answeredAt: a.answered_at,
                answeredBy: a.answered_by,
              }
            : null,
        };
      });
    const count = (what: Answer) => signatories.filter((s) => s.answer?.answer === what).length;
    return {
      consultation,
      signatories,
      counts: {
        consent: count("consent"),
        objection: count("objection"),
        pending: signatories.filter((s) => s.answer === null).length,
      },
    };
  }

  /**
   * An operator's answer for its organisation (the caller checked the organisation is the operator's
   * own). Only an open consultation takes answers; answering again replaces the earlier answer.
   */
  async answer(
    id: number,
    organisationId: number,
    input: { readonly answer: Answer; readonly comment: string },
    by: string,
    now: number,
  ): Promise<ConsultationAnswer> {
    if (input.answer !== "consent" && input.answer !== "objection")
      throw new AnnexError("invalid", `answer: consent or objection, not "${String(input.answer)}"`);
    const comment = input.comment.trim();
    if (comment.length > 4000) throw new AnnexError("invalid", "comment: at most 4000 characters");
    return this.db.transaction().execute(async (trx) => {
      // Holds the open consultation's row for the transaction (on PostgreSQL, a concurrent adoption
      // or closure waits for this answer, or this answer sees it done).
      if (!(await holdOpen(trx, id))) {
        const c = await trx
          .selectFrom("annex_consultations")
          .select("status")
          .where("id", "=", id)
          .executeTakeFirst();
        if (!c) throw new AnnexError("not_found", `no consultation ${id}`);
        throw new AnnexError("conflict", `consultation ${id} is ${c.status}: no more answers`);
      }
      const org = await trx
        .selectFrom("organisations")
        .select(["id", "name"])
        .where("id", "=", organisationId)
        .executeTakeFirst();
      if (!org) throw new AnnexError("not_found", `no organisation ${organisationId}`);
      const row = { answer: input.answer, comment, answered_at: iso(now), answered_by: by };
      // One answer per organisation, the latest: an upsert, so two first answers at once never collide.
      await trx
        .insertInto("annex_answers")
        .values({ consultation_id: id, organisation_id: organisationId, ...row })
        .onConflict((oc) => oc.columns(["consultation_id", "organisation_id"]).doUpdateSet(row))
        .execute();
      return {
        organisationId,
        organisation: org.name,
        answer: input.answer,
        comment,
        answeredAt: row.answered_at,
        answeredBy: by,
      };
    });
  }

  /**
   * Adoption (agency): the proposed annex becomes charter version `version`, published on `published`
   * (YYYY-MM-DD), with the consultation's profile. Signatories then accept it one by one (the
   * registry's `charterVersion`); until they do they are judged under the version they accepted.
   */
  async adopt(id: number, published: string, now: number): Promise<CharterVersion> {
    if (!isoDate.safeParse(published).success)
      throw new AnnexError("invalid", `published: "${published}" is not a date YYYY-MM-DD`);
    return this.db.transaction().execute(async (trx) => {
      const c = await trx
        .selectFrom("annex_consultations")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (!c) throw new AnnexError("not_found", `no consultation ${id}`);
      if (c.status !== "open" || !(await holdOpen(trx, id)))
        throw new AnnexError(
          "conflict",
          `consultation ${id} is ${c.status === "open" ? "being decided" : c.status} already`,
        );
      const taken = await trx
        .selectFrom("charter_versions")
        .select("version")
        .where("version", "=", c.version)
        .executeTakeFirst();
      if (taken) throw new AnnexError("conflict", `charter version ${c.version} exists already`);
      await trx
        .insertInto("charter_versions")
        .values({ version: c.version, published, title: c.title, profile: c.profile_id })
        .execute();
      await trx
        .updateTable("annex_consultations")
        .set({ status: "adopted", adopted_on: published, closed_at: iso(now) })
        .where("id", "=", id)
        .execute();
      return { version: c.version, published, title: c.title, profile: c.profile_id };
    });
  }

  /** The agency closes a consultation without adopting it (the proposal is dropped; answers are kept). */
  async close(id: number, now: number): Promise<Consultation> {
    return this.db.transaction().execute(async (trx) => {
      const c = await trx
        .selectFrom("annex_consultations")
        .selectAll()
        .where("id", "=", id)
        .executeTakeFirst();
      if (!c) throw new AnnexError("not_found", `no consultation ${id}`);
      const closed = await trx
        .updateTable("annex_consultations")
        .set({ status: "closed", closed_at: iso(now) })
        .where("id", "=", id)
        .where("status", "=", "open")
        .executeTakeFirst();
      if (c.status !== "open" || Number(closed.numUpdatedRows) === 0)
        throw new AnnexError(
          "conflict",
          `consultation ${id} is ${c.status === "open" ? "decided" : c.status} already`,
        );
      return consultationOf({ ...c, status: "closed", closed_at: iso(now) });
    });
  }
}
