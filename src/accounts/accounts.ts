/**
 * Accounts of the service (agency, operators, auditors), their passwords and their API tokens: the
 * application functions the CLI (`mailcharter user add`), the pages and the API all call. Storage is
 * reached through the three stores of this module only.
 */
import { z } from "zod";
import { MailcharterError } from "../core/errors.js";
import type { Registry } from "../registry/repository.js";
import type { Store } from "../store/database.js";
import { type AccountRecord, AccountStore } from "./account-store.js";
import { newToken, tokenHash } from "./api-token.js";
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from "./password.js";
import { type Principal, type Role, roles, tokenRolesFor } from "./principal.js";
import { SessionStore } from "./session-store.js";
import { type TokenRecord, TokenStore } from "./token-store.js";

export type AccountErrorReason = "invalid" | "conflict" | "not_found" | "forbidden";

export class AccountError extends MailcharterError {
  constructor(
    readonly reason: AccountErrorReason,
    message: string,
  ) {
    super("usage", message);
    this.name = "AccountError";
  }
}

/** What may be shown of an account (never its hash). */
export interface AccountView {
  readonly id: number;
  readonly email: string;
  readonly role: Role;
  readonly organisationId: number | null;
  readonly createdAt: string;
  readonly disabledAt: string | null;
  readonly lastLoginAt: string | null;
}

export const accountView = (a: AccountRecord): AccountView => ({
  id: a.id,
  email: a.email,
  role: a.role,
  organisationId: a.organisationId,
  createdAt: a.createdAt,
  disabledAt: a.disabledAt,
  lastLoginAt: a.lastLoginAt,
});

export const emailSchema = z
  .email()
  .max(254)
  .transform((e) => e.toLowerCase());

export interface NewAccount {
  readonly email: string;
  readonly role: Role;
  /** The organisation's name in the registry; required for an operator, refused otherwise. */
  readonly organisation?: string | undefined;
  /** When absent, a strong password is generated and returned once. */
  readonly password?: string | undefined;
}

export type LoginResult = { readonly ok: true; readonly account: AccountView } | { readonly ok: false };

export class Accounts {
  readonly sessions: SessionStore;
  private readonly accounts: AccountStore;
  private readonly tokens: TokenStore;
  /** Hashed once: an unknown account costs the same scrypt work as a known one. */
  private dummyHash: Promise<string> | null = null;

  constructor(
    store: Store,
    private readonly registry: Registry,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.accounts = new AccountStore(store.db);
    this.tokens = new TokenStore(store.db);
    this.sessions = new SessionStore(store.db);
  }

  async add(input: NewAccount): Promise<{ account: AccountView; generatedPassword: string | null }> {
    const email = emailSchema.safeParse(input.email);
    if (!email.success) throw new AccountError("invalid", `"${input.email}" is not an e-mail address`);
    if (!roles.includes(input.role))
      throw new AccountError("invalid", `"${input.role}" is not a role (agency, operator, auditor)`);
    let organisationId: number | null = null;
    if (input.role === "operator") {
      if (!input.organisation)
        throw new AccountError("invalid", "an operator account needs its organisation");
      const id = await this.registry.organisationId(input.organisation);
      if (id === undefined)
        throw new AccountError("not_found", `no organisation "${input.organisation}" in the registry`);
      organisationId = id;
    } else if (input.organisation) {
      throw new AccountError("invalid", `a ${input.role} account acts for no organisation`);
    }
    const generatedPassword = input.password === undefined ? generatePassword() : null;
    const password = input.password ?? (generatedPassword as string);
    const problem = passwordProblem(password);
    if (problem) throw new AccountError("invalid", problem);
    const created = await this.accounts.insert({
      email: email.data,
      role: input.role,
      organisationId,
      passwordHash: await hashPassword(password),
      createdAt: this.now().toISOString(),
    });
    if (!created) throw new AccountError("conflict", `an account ${email.data} already exists`);
    return { account: accountView(created), generatedPassword };
  }

  /**
   * Checks a password. Unknown, disabled and wrong all give the same answer after the same scrypt
   * work (OWASP authentication cheat sheet: no account enumeration by message or timing).
   */
  async login(emailText: string, password: string): Promise<LoginResult> {
    const email = emailSchema.safeParse(emailText);
    const account = email.success ? await this.accounts.byEmail(email.data) : undefined;
    if (!account || account.disabledAt !== null || [...password].length > 1024) {
      this.dummyHash ??= hashPassword("an unused password for timing");
      await verifyPassword(password.slice(0, 1024), await this.dummyHash);
      return { ok: false };
    }
    if (!(await verifyPassword(password, account.passwordHash))) return { ok: false };
    await this.accounts.recordLogin(account.id, this.now().toISOString());
    return { ok: true, account: accountView(account) };
  }

  /** The account behind a session, if it still exists and is enabled. */
  async active(accountId: number): Promise<AccountView | undefined> {
    const account = await this.accounts.byId(accountId);
    return account && account.disabledAt === null ? accountView(account) : undefined;
  }

  async list(): Promise<AccountView[]> {
    return (await this.accounts.list()).map(accountView);
  }

  async get(id: number): Promise<AccountView | undefined> {
    const account = await this.accounts.byId(id);
    return account ? accountView(account) : undefined;
  }

  /** Disables or re-enables an account; disabling ends its sessions at once (its tokens stop working). */
  async setDisabled(id: number, disabled: boolean): Promise<AccountView> {
    const done = await this.accounts.setDisabled(id, disabled ? this.now().toISOString() : null);
    const account = done ? await this.accounts.byId(id) : undefined;
    if (!account) throw new AccountError("not_found", `no account ${id}`);
    return accountView(account);
  }

  /**
   * A new generated password for an account, returned once; its sessions end at once. Generated, never
   * typed by the agency (no weak or reused password); its owner replaces it with `changePassword`.
   */
  async resetPassword(id: number): Promise<{ account: AccountView; generatedPassword: string }> {
    const generatedPassword = generatePassword();
    const done = await this.accounts.setPasswordHash(id, await hashPassword(generatedPassword));
    const account = done ? await this.accounts.byId(id) : undefined;
    if (!account) throw new AccountError("not_found", `no account ${id}`);
    return { account: accountView(account), generatedPassword };
  }

  /**
   * The account's owner chooses a new password, knowing the current one (so a session left open is
   * not enough to take the account); every session of the account ends.
   */
  async changePassword(accountId: number, current: string, next: string): Promise<void> {
    const account = await this.accounts.byId(accountId);
    if (!account || account.disabledAt !== null)
      throw new AccountError("not_found", `no account ${accountId}`);
    if (!(await verifyPassword(current, account.passwordHash)))
      throw new AccountError("forbidden", "the current password is not right");
    const problem = passwordProblem(next);
    if (problem) throw new AccountError("invalid", problem);
    await this.accounts.setPasswordHash(accountId, await hashPassword(next));
  }

  async count(): Promise<number> {
    return this.accounts.count();
  }

  /** A token for the principal's own account, for a role no higher than its own; shown once. */
  async createToken(
    principal: Principal,
    input: { name: string; role?: Role | undefined },
  ): Promise<{ token: string; record: TokenRecord }> {
    if (principal.kind !== "account") throw new AccountError("forbidden", "tokens belong to accounts");
    const role = input.role ?? principal.role;
    if (!tokenRolesFor(principal.role).includes(role))
      throw new AccountError("forbidden", `a ${principal.role} account cannot create a ${role} token`);
    const { token, prefix, hash } = newToken();
    const record = await this.tokens.insert(
      {
        accountId: principal.accountId,
        name: input.name,
        prefix,
        role,
        organisationId: role === "operator" ? principal.organisationId : null,
        createdAt: this.now().toISOString(),
      },
      hash,
    );
    return { token, record };
  }

  async listTokens(principal: Principal): Promise<TokenRecord[]> {
    return principal.kind === "account" ? this.tokens.forAccount(principal.accountId) : [];
  }

  /** Revokes one of the principal's own tokens; another account's token is "not found". */
  async revokeToken(principal: Principal, id: number): Promise<void> {
    const done =
      principal.kind === "account" &&
      (await this.tokens.revoke(id, principal.accountId, this.now().toISOString()));
    if (!done) throw new AccountError("not_found", `no token ${id}`);
  }

  /** The principal a bearer token acts as, or null (unknown, revoked, or its owner disabled). */
  async tokenPrincipal(token: string): Promise<Principal | null> {
    const found = await this.tokens.active(tokenHash(token));
    if (!found) return null;
    const now = this.now();
    // Last use is kept to the minute: enough to spot a forgotten token, no write per request.
    if (!found.lastUsedAt || now.getTime() - Date.parse(found.lastUsedAt) > 60_000)
      await this.tokens.touch(found.id, now.toISOString());
    return {
      kind: "account",
      accountId: found.accountId,
      email: found.email,
      role: found.role,
      organisationId: found.organisationId,
      via: "token",
    };
  }
}
