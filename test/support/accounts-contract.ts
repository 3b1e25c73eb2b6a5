/** Account, token and session storage every engine must show: run on SQLite (unit) and PostgreSQL (interop). */
import { describe, expect, it } from "vitest";
import { AccountError, Accounts } from "../../src/accounts/accounts.js";
import { tokenHash } from "../../src/accounts/api-token.js";
import type { Principal } from "../../src/accounts/principal.js";
import { Registry } from "../../src/registry/repository.js";
import type { Store } from "../../src/store/database.js";

const strong = "a long enough password";

async function setUp(store: Store) {
  const registry = await Registry.open(store);
  await registry.add({ name: "X Mail", contact: "c@x.example", adhesionDate: "2026-01-01" });
  return { registry, accounts: new Accounts(store, registry) };
}

const asPrincipal = (a: {
  id: number;
  email: string;
  role: "agency" | "operator" | "auditor";
  organisationId: number | null;
}): Principal => ({
  kind: "account",
  accountId: a.id,
  email: a.email,
  role: a.role,
  organisationId: a.organisationId,
  via: "session",
});

export function accountsContract(store: () => Store): void {
  describe("accounts contract", () => {
    it("adds accounts with a normalised unique e-mail, role and organisation; refuses bad ones", async () => {
      const { accounts } = await setUp(store());
      const { account, generatedPassword } = await accounts.add({
        email: "Op@X.Example",
        role: "operator",
        organisation: "X Mail",
      });
      expect(account).toMatchObject({ email: "op@x.example", role: "operator", disabledAt: null });
      expect(account.organisationId).toBeGreaterThan(0);
      expect(generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect((await accounts.login("op@x.example", generatedPassword as string)).ok).toBe(true);
      await expect(
        accounts.add({ email: "op@x.example", role: "auditor", password: strong }),
      ).rejects.toMatchObject({
        reason: "conflict",
      });
      await expect(
        accounts.add({ email: "a@b.example", role: "operator", password: strong }),
      ).rejects.toThrow(/organisation/);
      await expect(
        accounts.add({ email: "a@b.example", role: "operator", organisation: "Nobody", password: strong }),
      ).rejects.toThrow(/no organisation "Nobody"/);
      await expect(
        accounts.add({ email: "a@b.example", role: "agency", organisation: "X Mail", password: strong }),
      ).rejects.toThrow(/no organisation/);
      await expect(accounts.add({ email: "a@b.example", role: "agency", password: "short" })).rejects.toThrow(
        /12 characters/,
      );
      await expect(
        accounts.add({ email: "not an address", role: "agency", password: strong }),
      ).rejects.toBeInstanceOf(AccountError);
      expect(await accounts.count()).toBe(1);
    });

    it("checks passwords; the hash is scrypt with its own salt, never the password", async () => {
      const { accounts } = await setUp(store());
      await accounts.add({ email: "a@agency.example", role: "agency", password: strong });
      await accounts.add({ email: "b@agency.example", role: "agency", password: strong });
      expect((await accounts.login("A@agency.example", strong)).ok).toBe(true);
      expect((await accounts.login("a@agency.example", `${strong}!`)).ok).toBe(false);
      expect((await accounts.login("nobody@agency.example", strong)).ok).toBe(false);
      const rows = await store().db.selectFrom("accounts").select(["password_hash"]).execute();
      expect(rows).toHaveLength(2);
      for (const r of rows) {
        expect(r.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
        expect(r.password_hash).not.toContain(strong);
      }
      expect(rows[0]?.password_hash).not.toBe(rows[1]?.password_hash);
    });

    it("disabled accounts cannot log in, and their tokens stop", async () => {
      const { accounts } = await setUp(store());
      const { account } = await accounts.add({
        email: "a@agency.example",
        role: "auditor",
        password: strong,
      });
      const { token } = await accounts.createToken(asPrincipal(account), { name: "ci" });
      expect(await accounts.tokenPrincipal(token)).toMatchObject({ role: "auditor", via: "token" });
      await accounts.setDisabled(account.id, true);
      expect((await accounts.login("a@agency.example", strong)).ok).toBe(false);
      expect(await accounts.tokenPrincipal(token)).toBeNull();
      await accounts.setDisabled(account.id, false);
      expect((await accounts.login("a@agency.example", strong)).ok).toBe(true);
      await expect(accounts.setDisabled(99_999, true)).rejects.toMatchObject({ reason: "not_found" });
    });

    it("tokens: stored as SHA-256 only, scoped no higher than their owner, revocable by their owner only", async () => {
      const { accounts } = await setUp(store());
      const { account: op } = await accounts.add({
        email: "op@x.example",
        role: "operator",
        organisation: "X Mail",
        password: strong,
      });
      const { account: agency } = await accounts.add({
        email: "k@agency.example",
        role: "agency",
        password: strong,
      });
      const created = await accounts.createToken(asPrincipal(op), { name: "monitoring" });
      expect(created.token).toMatch(/^mct_[A-Za-z0-9_-]{43}$/);
      expect(created.record).toMatchObject({
        role: "operator",
        organisationId: op.organisationId,
        prefix: created.token.slice(0, 12),
      });
      const stored = await store().db.selectFrom("api_tokens").selectAll().execute();
      expect(stored[0]?.token_hash).toBe(tokenHash(created.token));
      expect(JSON.stringify(stored)).not.toContain(created.token);
      await expect(
        accounts.createToken(asPrincipal(op), { name: "x", role: "agency" }),
      ).rejects.toMatchObject({ reason: "forbidden" });
      await expect(
        accounts.createToken(asPrincipal(op), { name: "x", role: "auditor" }),
      ).rejects.toMatchObject({ reason: "forbidden" });
      const readOnly = await accounts.createToken(asPrincipal(agency), { name: "read", role: "auditor" });
      expect(await accounts.tokenPrincipal(readOnly.token)).toMatchObject({
        role: "auditor",
        organisationId: null,
      });
      await expect(accounts.revokeToken(asPrincipal(agency), created.record.id)).rejects.toMatchObject({
        reason: "not_found",
      });
      expect(await accounts.tokenPrincipal(created.token)).not.toBeNull();
      await accounts.revokeToken(asPrincipal(op), created.record.id);
      expect(await accounts.tokenPrincipal(created.token)).toBeNull();
      expect((await accounts.listTokens(asPrincipal(op)))[0]?.revokedAt).not.toBeNull();
      expect(await accounts.tokenPrincipal("mct_made-up")).toBeNull();
    });

    it("sessions: set, replaced, read, destroyed, purged after expiry", async () => {
      const { accounts } = await setUp(store());
      const { account } = await accounts.add({ email: "a@agency.example", role: "agency", password: strong });
      const s = accounts.sessions;
      await s.set(
        { id: "one", data: '{"a":1}', accountId: account.id, expiresAt: "2026-12-01T10:00:00.000Z" },
        "2026-12-01T09:00:00.000Z",
      );
      await s.set(
        { id: "one", data: '{"a":2}', accountId: account.id, expiresAt: "2026-12-01T11:00:00.000Z" },
        "2026-12-01T09:30:00.000Z",
      );
      await s.set(
        { id: "two", data: "{}", accountId: null, expiresAt: "2026-12-01T09:10:00.000Z" },
        "2026-12-01T09:00:00.000Z",
      );
      expect(await s.get("one")).toMatchObject({
        data: '{"a":2}',
        accountId: account.id,
        expiresAt: "2026-12-01T11:00:00.000Z",
      });
      expect(await s.purge("2026-12-01T10:30:00.000Z")).toBe(1);
      expect(await s.get("two")).toBeUndefined();
      expect(await s.countForAccount(account.id)).toBe(1);
      await accounts.setDisabled(account.id, true);
      expect(await s.get("one")).toBeUndefined();
      await s.destroy("nothing");
    });
  });
}
