/**
 * Authorisation as data: every route of the server, by method and path, with the roles that may use
 * it and whose data it shows. The server reads this table when each route is registered; a route
 * missing from it stops the server from starting, and the authorisation test enumerates the server's
 * own routes against it for every role.
 *
 * Roles (docs/service.md §1): the public reads the published list, the signatories and each domain's
 * latest verdict (charter art. 7); an auditor reads everything and changes nothing; an operator of X
 * reads and acts on X's data only; the agency reads everything and keeps the registry and accounts.
 * `scope: "organisation"` means an operator sees only its own organisation's data there: the
 * application functions filter by the viewer, and anything else is "not found" (no IDOR).
 * Every account manages its own session and its own API tokens (`scope: "self"`).
 */
import type { Principal, Role } from "../accounts/principal.js";

export type Access =
  | { readonly public: true; readonly noCredentials?: true }
  | {
      readonly roles: readonly Role[];
      readonly scope: "all" | "organisation" | "self";
      /** Also open to the bearer of the configured metrics token (no account). */
      readonly bearer?: "metrics";
    };

const everyone: Access = { public: true };
const readers: Access = { roles: ["agency", "auditor", "operator"], scope: "organisation" };
const self: Access = { roles: ["agency", "auditor", "operator"], scope: "self" };
const agency: Access = { roles: ["agency"], scope: "all" };
/**
 * Submissions from machines that hold no account (TLS-RPT reports, RFC 8460 §5.3.2): public, and acting
 * on no one's credentials, so a cross-site request has nothing to borrow — no CSRF token is asked.
 */
const submitters: Access = { public: true, noCredentials: true };
/** `/metrics`: the scraper's token only (compared in constant time); no account reads it. */
const scraper: Access = { roles: [], scope: "all", bearer: "metrics" };
/** Writes on an organisation's own data: the agency, or an operator of that organisation. */
const organisationWriters: Access = { roles: ["agency", "operator"], scope: "organisation" };

export const routeAccess: Readonly<Record<string, Access>> = {
  // Pages
  "GET /": everyone,
  "GET /login": everyone,
  "POST /login": everyone,
  "POST /logout": self,
  "GET /static/*": everyone,
  "GET /report.css": everyone,
  "GET /dashboard": readers,
  "GET /organisations/:id": readers,
  "GET /domains/:id": readers,
  "GET /domains/:id/diff": readers,
  "GET /audits/:id": readers,
  "GET /audits/:id/events": readers,
  "POST /domains/:id/audit": organisationWriters,
  "POST /domains/:id/cadence": agency,
  "GET /matrix": { roles: ["agency", "auditor"], scope: "all" },
  "GET /organisations/:id/contact": organisationWriters,
  "POST /organisations/:id/contact": organisationWriters,
  // The agency's registry pages
  "GET /agency/organisations": agency,
  "GET /agency/cadence": agency,
  "GET /agency/indicator-schedule": agency,
  "POST /agency/indicator-schedule/retry": agency,
  "GET /agency/organisations/new": agency,
  "POST /agency/organisations": agency,
  "GET /agency/organisations/:id": agency,
  "POST /agency/organisations/:id/contact": agency,
  "POST /agency/organisations/:id/domains": agency,
  "POST /agency/organisations/:id/domains/:domainId/delete": agency,
  "POST /agency/organisations/:id/withdrawal": agency,
  // The agency's accounts pages; every account's own tokens and password
  "GET /agency/accounts": agency,
  "POST /agency/accounts": agency,
  "POST /agency/accounts/:id/disable": agency,
  "POST /agency/accounts/:id/enable": agency,
  "POST /agency/accounts/:id/password": agency,
  "GET /account/tokens": self,
  "POST /account/tokens": self,
  "POST /account/tokens/:id/revoke": self,
  "GET /account/password": self,
  "POST /account/password": self,
  "GET /incidents": readers,
  "GET /incidents/:id": readers,
  "POST /incidents/:id/acknowledge": organisationWriters,
  "POST /incidents/:id/comment": organisationWriters,
  // Annex versions (charter art. 7, 8): versions public; drafting, opening, adopting the agency's;
  // answers an organisation's (its operators, or the agency recording a written answer).
  "GET /charter-versions": everyone,
  "GET /annex": readers,
  "POST /annex/profiles": agency,
  "POST /annex/consultations": agency,
  "GET /annex/consultations/:id": readers,
  "POST /organisations/:id/consultations/:consultation/answer": organisationWriters,
  "POST /annex/consultations/:id/adopt": agency,
  "POST /annex/consultations/:id/close": agency,
  "GET /annex/impact": { roles: ["agency", "auditor"], scope: "all" },
  // Published list (charter art. 7)
  "GET /published-list.json": everyone,
  "GET /published-list.json.sig": everyone,
  "GET /published-list.pub": everyone,
  // TLS-RPT reports (RFC 8460 §5.3.2)
  "POST /tlsrpt": submitters,
  // Prometheus metrics
  "GET /metrics": scraper,
  // The notices' delivery log (the agency's)
  "GET /agency/notifications": agency,
  "GET /api/v1/notifications/deliveries": agency,
  // API
  "GET /api/v1/openapi.json": everyone,
  "GET /api/v1/signatories": everyone,
  "GET /api/v1/me": self,
  "GET /api/v1/tokens": self,
  "POST /api/v1/tokens": self,
  "DELETE /api/v1/tokens/:id": self,
  "GET /api/v1/organisations": readers,
  "GET /api/v1/organisations/:id": readers,
  "POST /api/v1/organisations": agency,
  "PATCH /api/v1/organisations/:id": organisationWriters,
  "POST /api/v1/organisations/:id/domains": agency,
  "POST /api/v1/organisations/:id/withdrawal": agency,
  "DELETE /api/v1/organisations/:id/domains/:domainId": agency,
  "GET /api/v1/charter-versions": readers,
  "POST /api/v1/charter-versions": agency,
  "GET /api/v1/domains": readers,
  "GET /api/v1/domains/:id": readers,
  "GET /api/v1/audits": readers,
  "GET /api/v1/audits/:id": readers,
  "GET /api/v1/audits/:id/diff": readers,
  "GET /api/v1/domains/:id/audits": readers,
  "POST /api/v1/domains/:id/audits": organisationWriters,
  "GET /api/v1/domains/:id/schedule": readers,
  "PUT /api/v1/domains/:id/schedule": agency,
  "GET /api/v1/incidents": readers,
  "GET /api/v1/incidents/:id": readers,
  "POST /api/v1/incidents/:id/acknowledge": organisationWriters,
  "POST /api/v1/incidents/:id/comments": organisationWriters,
  // Indicators (charter art. 4.5): an operator sees the links where its organisation is a party
  "GET /indicators": readers,
  "GET /indicators/links/:sender/:receiver": readers,
  "GET /indicators/report": { roles: ["agency", "auditor"], scope: "all" },
  // TLS-RPT reports received, whoever sent them: an operator sees those about its own domains
  "GET /indicators/tlsrpt": readers,
  "GET /indicators/tlsrpt/:id": readers,
  // The upload page of an organisation's MTA log (the agency's for any organisation)
  "GET /indicators/logs": organisationWriters,
  "POST /indicators/logs": organisationWriters,
  "GET /indicators/logs/result": organisationWriters,
  "GET /api/v1/links": readers,
  "POST /api/v1/organisations/:id/mta-logs": organisationWriters,
  // The indicator schedule (mailbox fetches, TLS-RPT days) and the retry of given-up tasks
  "GET /api/v1/indicators/schedule": agency,
  "POST /api/v1/indicators/schedule/retry": agency,
  "GET /api/v1/annex/profiles": readers,
  "GET /api/v1/annex/profiles/:profile": readers,
  "POST /api/v1/annex/profiles": agency,
  "GET /api/v1/annex/impact": { roles: ["agency", "auditor"], scope: "all" },
  "GET /api/v1/consultations": readers,
  "POST /api/v1/consultations": agency,
  "GET /api/v1/consultations/:id": readers,
  "PUT /api/v1/organisations/:id/consultations/:consultation": organisationWriters,
  "POST /api/v1/consultations/:id/adoption": agency,
  "POST /api/v1/consultations/:id/closure": agency,
  "GET /api/v1/accounts": agency,
  "POST /api/v1/accounts": agency,
  "PATCH /api/v1/accounts/:id": agency,
  "POST /api/v1/accounts/:id/password": agency,
  // The outbound STARTTLS test (src/outbound)
  "POST /api/v1/domains/:id/outbound-tests": organisationWriters,
  "GET /api/v1/outbound-tests/:id": readers,
};

/** The table's key of a route: HEAD routes (added by Fastify for each GET) share their GET's entry. */
export const routeKey = (method: string, url: string): string =>
  `${method === "HEAD" ? "GET" : method} ${url}`;

export function accessOf(method: string, url: string): Access {
  const access = routeAccess[routeKey(method, url)];
  if (!access)
    throw new Error(
      `route ${method} ${url} has no entry in src/web/authorization.ts: say who may use it before serving it`,
    );
  return access;
}

export type Decision = "allow" | "unauthenticated" | "forbidden";

export function decide(access: Access, principal: Principal): Decision {
  if ("public" in access) return "allow";
  if (principal.kind === "metrics") return access.bearer === "metrics" ? "allow" : "unauthenticated";
  if (principal.kind !== "account") return "unauthenticated";
  return access.roles.includes(principal.role) ? "allow" : "forbidden";
}

/** Whether the viewer may see an organisation's non-public data (and so its domains and audits). */
export function seesOrganisation(principal: Principal, organisationId: number): boolean {
  if (principal.kind !== "account") return false;
  if (principal.role === "agency" || principal.role === "auditor") return true;
  return principal.organisationId === organisationId;
}

/** Whether the viewer may change an organisation's own data (contacts, on-demand audits). */
export function actsForOrganisation(principal: Principal, organisationId: number): boolean {
  if (principal.kind !== "account") return false;
  if (principal.role === "agency") return true;
  return principal.role === "operator" && principal.organisationId === organisationId;
}
