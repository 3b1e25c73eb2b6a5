/**
 * The outbound STARTTLS test through the service (src/outbound's application functions): an operator
 * of X (or the agency) starts a test for one of X's domains; whoever sees X's data reads its tests.
 * A test of another organisation's domain is "not found", like its domain (no IDOR).
 */
import type { Principal } from "../../accounts/principal.js";
import type { OutboundPort } from "../../outbound/outbound-tests.js";
import type { OutboundTestDocument } from "../../outbound/result-document.js";
import { ApiError, notFound } from "../api-error.js";
import { actsForOrganisation, seesOrganisation } from "../authorization.js";
import type { ServiceContext } from "../context.js";
import { visibleDomain } from "./registry-views.js";

function port(ctx: ServiceContext): OutboundPort {
  if (!ctx.outbound)
    throw new ApiError(503, "unavailable", "the outbound tests are not available on this server");
  return ctx.outbound;
}

export async function startDomainOutboundTest(
  ctx: ServiceContext,
  viewer: Principal,
  domainId: number,
): Promise<OutboundTestDocument> {
  const domain = await visibleDomain(ctx, viewer, domainId);
  if (!actsForOrganisation(viewer, domain.organisationId)) throw notFound(`domain ${domainId}`);
  const tests = port(ctx);
  if (!tests.configured)
    throw new ApiError(
      503,
      "unavailable",
      "this server runs no outbound-test endpoint (serve --outbound-config)",
    );
  const requestedBy = viewer.kind === "account" ? `account:${viewer.accountId}` : "public";
  return tests.start(domain.domain, requestedBy);
}

export async function visibleOutboundTest(
  ctx: ServiceContext,
  viewer: Principal,
  id: number,
): Promise<OutboundTestDocument> {
  const found = await port(ctx).get(id);
  if (!found) throw notFound(`outbound test ${id}`);
  const sees =
    viewer.kind === "account" &&
    (viewer.role === "agency" ||
      viewer.role === "auditor" ||
      (found.organisationId !== null && seesOrganisation(viewer, found.organisationId)));
  if (!sees) throw notFound(`outbound test ${id}`);
  return found.doc;
}
