/**
 * Who is asking: the public (no account), or an account through its session or one of its API tokens.
 * A token acts with the role and organisation it was created for, never more than its owner's.
 */
import type { AccountRole } from "../store/account-tables.js";

export type Role = AccountRole;
export const roles: readonly Role[] = ["agency", "operator", "auditor"];

export type Principal =
  | { readonly kind: "public" }
  /** A Prometheus scraper with the configured metrics token: it reads `/metrics` and nothing else. */
  | { readonly kind: "metrics" }
  | {
      readonly kind: "account";
      readonly accountId: number;
      readonly email: string;
      readonly role: Role;
      /** The organisation an operator acts for; null for the agency and auditors. */
      readonly organisationId: number | null;
      readonly via: "session" | "token";
    };

export const publicPrincipal: Principal = { kind: "public" };

/** The roles a token created by an account of `role` may carry: never more than the account's own. */
export function tokenRolesFor(role: Role): readonly Role[] {
  // The agency may hand out read-only (auditor) tokens; an operator's token acts for its organisation.
  return role === "agency" ? ["agency", "auditor"] : [role];
}
