/** The registry's storage operations. Every write is one transaction: an error writes nothing. */
import { sql } from "kysely";
import { MailcharterError } from "../core/errors.js";
import type { Store } from "../store/database.js";
import { migrate } from "../store/migrations.js";
import {
  domainInput,
  formatIssues,
  isoDate,
  type Organisation,
  type OrganisationInput,
  organisationInput,
  type Signatory,
  withWithdrawal,
} from "./model.js";

/** A signatory with the storage ids the service's routes name it by. */
export interface RegistryEntry {
  readonly id: number;
  readonly signatory: Signatory;
  readonly domains: readonly {
    readonly id: number;
    readonly domain: string;
    readonly mx: readonly string[];
  }[];
}

export class RegistryError extends MailcharterError {
  constructor(message: string) {
    super("usage", message);
    this.name = "RegistryError";
  }
}

function validate(input: OrganisationInput): Organisation {
  const parsed = organisationInput.safeParse(input);
  if (!parsed.success) throw new RegistryError(`invalid organisation: ${formatIssues(parsed.error)}`);
  return parsed.data;
}

export class Registry {
  private constructor(private readonly store: Store) {}

  static async open(store: Store): Promise<Registry> {
    await migrate(store.db as never, store.engine);
    return new Registry(store);
  }

  private async insert(trx: Store["db"], org: Organisation): Promise<void> {
    const version = await trx
      .selectFrom("charter_versions")
      .select("version")
      .where("version", "=", org.charterVersion)
      .executeTakeFirst();
    if (!version) throw new RegistryError(`charter version "${org.charterVersion}" is not in the registry`);
    const exists = await trx
      .selectFrom("organisations")
      .select("id")
      .where("name", "=", org.name)
      .executeTakeFirst();
    if (exists) throw new RegistryError(`organisation "${org.name}" already exists`);
    const row = await trx
      .insertInto("organisations")
      .values({
        name: org.name,
        contact: org.contact,
        adhesion_date: org.adhesionDate,
        withdrawal_notice_date: org.withdrawalNoticeDate,
        charter_version: org.charterVersion,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (const d of org.domains) await this.insertDomain(trx, row.id, d.domain, d.mx);
  }

  private async insertDomain(
    trx: Store["db"],
    organisationId: number,
    domain: string,
    mx: readonly string[],
  ): Promise<void> {
    const taken = await trx
      .selectFrom("domains")
      .innerJoin("organisations", "organisations.id", "domains.organisation_id")
      .select("organisations.name")
      .where("domains.domain", "=", domain)
      .executeTakeFirst();
    if (taken) throw new RegistryError(`domain ${domain} already belongs to "${taken.name}"`);
    await trx
      .insertInto("domains")
      .values({ organisation_id: organisationId, domain, mx_patterns: JSON.stringify(mx) })
      .execute();
  }

  async add(input: OrganisationInput): Promise<void> {
    const org = validate(input);
    await this.store.db.transaction().execute((trx) => this.insert(trx, org));
  }

  async addDomain(name: string, domain: { domain: string; mx: string[] }): Promise<void> {
    const parsed = domainInput.safeParse(domain);
    if (!parsed.success) throw new RegistryError(`invalid domain: ${formatIssues(parsed.error)}`);
    await this.store.db.transaction().execute(async (trx) => {
      const org = await trx
        .selectFrom("organisations")
        .select("id")
        .where("name", "=", name)
        .executeTakeFirst();
      if (!org) throw new RegistryError(`no organisation "${name}"`);
      await this.insertDomain(trx, org.id, parsed.data.domain, parsed.data.mx);
    });
  }

  /**
   * Removes one of an organisation's domains (it leaves the published list at the next signing). The
   * domain's audit history stays: its runs keep the domain's name, their link to the row is cleared.
   */
  async removeDomain(name: string, domain: string): Promise<void> {
    await this.store.db.transaction().execute(async (trx) => {
      const org = await trx
        .selectFrom("organisations")
        .select("id")
        .where("name", "=", name)
        .executeTakeFirst();
      if (!org) throw new RegistryError(`no organisation "${name}"`);
      const gone = await trx
        .deleteFrom("domains")
        .where("organisation_id", "=", org.id)
        .where("domain", "=", domain)
        .executeTakeFirst();
      if (Number(gone.numDeletedRows) === 0) throw new RegistryError(`"${name}" has no domain ${domain}`);
    });
  }

  /** Changes a signatory's details and adds domains, in one transaction: an error writes nothing. */
  async edit(
    name: string,
    patch: { contact?: string; adhesionDate?: string; charterVersion?: string },
    addDomains: readonly { domain: string; mx: string[] }[] = [],
  ): Promise<void> {
    const current = (await this.list()).find((s) => s.name === name);
    if (!current) throw new RegistryError(`no organisation "${name}"`);
    const next = validate({ ...current, ...patch });
    const domains = addDomains.map((d) => {
      const parsed = domainInput.safeParse(d);
      if (!parsed.success) throw new RegistryError(`invalid domain: ${formatIssues(parsed.error)}`);
      return parsed.data;
    });
    await this.store.db.transaction().execute(async (trx) => {
      if (next.charterVersion !== current.charterVersion) {
        const v = await trx
          .selectFrom("charter_versions")
          .select("version")
          .where("version", "=", next.charterVersion)
          .executeTakeFirst();
        if (!v) throw new RegistryError(`charter version "${next.charterVersion}" is not in the registry`);
      }
      const row = await trx
        .updateTable("organisations")
        .set({
          contact: next.contact,
          adhesion_date: next.adhesionDate,
          charter_version: next.charterVersion,
        })
        .where("name", "=", name)
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const d of domains) await this.insertDomain(trx, row.id, d.domain, d.mx);
    });
  }

  /** Charter: a signatory may withdraw; its withdrawal takes effect three months after the notice. */
  async withdraw(name: string, noticeDate: string, options: { replace?: boolean } = {}): Promise<void> {
    if (!isoDate.safeParse(noticeDate).success)
      throw new RegistryError(`--notice: "${noticeDate}" is not a date YYYY-MM-DD`);
    const current = (await this.list()).find((s) => s.name === name);
    if (!current) throw new RegistryError(`no organisation "${name}"`);
    // A notice is a dated fact (Charte art. 7: written, three months ahead): never replaced unawares.
    if (current.withdrawalNoticeDate !== null && options.replace !== true)
      throw new RegistryError(
        `"${name}" already gave notice on ${current.withdrawalNoticeDate} (effective ${current.withdrawalEffectiveDate}); give --replace to record ${noticeDate} instead`,
      );
    if (noticeDate < current.adhesionDate)
      throw new RegistryError("the withdrawal notice cannot precede the adhesion");
    await this.store.db
      .updateTable("organisations")
      .set({ withdrawal_notice_date: noticeDate })
      .where("name", "=", name)
      .execute();
  }

  async addCharterVersion(version: string, published: string, title: string): Promise<void> {
    if (!isoDate.safeParse(published).success)
      throw new RegistryError(`"${published}" is not a date YYYY-MM-DD`);
    await this.store.db.insertInto("charter_versions").values({ version, published, title }).execute();
  }

  async list(): Promise<Signatory[]> {
    return (await this.entries()).map((e) => e.signatory);
  }

  /** Every organisation with its id and its domains' ids, by name. */
  async entries(): Promise<RegistryEntry[]> {
    const orgs = await this.store.db.selectFrom("organisations").selectAll().orderBy("name").execute();
    const domains = await this.store.db.selectFrom("domains").selectAll().orderBy("domain").execute();
    return orgs.map((o) => {
      const own = domains
        .filter((d) => d.organisation_id === o.id)
        .map((d) => ({ id: d.id, domain: d.domain, mx: JSON.parse(d.mx_patterns) as string[] }));
      return {
        id: o.id,
        signatory: withWithdrawal({
          name: o.name,
          contact: o.contact,
          adhesionDate: o.adhesion_date,
          withdrawalNoticeDate: o.withdrawal_notice_date,
          charterVersion: o.charter_version,
          domains: own.map(({ domain, mx }) => ({ domain, mx })),
        }),
        domains: own,
      };
    });
  }

  async organisationId(name: string): Promise<number | undefined> {
    const row = await this.store.db
      .selectFrom("organisations")
      .select("id")
      .where("name", "=", name)
      .executeTakeFirst();
    return row?.id;
  }

  /** The versions, oldest first, each with the profile of its annex (src/annex). */
  async charterVersions(): Promise<{ version: string; published: string; title: string; profile: string }[]> {
    return this.store.db
      .selectFrom("charter_versions")
      .select(["version", "published", "title", "profile"])
      .orderBy("published")
      .orderBy("version")
      .execute();
  }

  /** Imports organisations all together or not at all. */
  async import(inputs: readonly OrganisationInput[]): Promise<number> {
    const orgs = inputs.map((input, i) => {
      try {
        return validate(input);
      } catch (error) {
        throw new RegistryError(`entry ${i + 1}: ${(error as Error).message}`);
      }
    });
    await this.store.db.transaction().execute(async (trx) => {
      for (const org of orgs) await this.insert(trx, org);
    });
    return orgs.length;
  }

  async count(): Promise<number> {
    const row = await this.store.db
      .selectFrom("organisations")
      .select(sql<number>`count(*)`.as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
